// Peer variant `openinference`: Arize's OpenInference openai instrumentation (see peer-sdk.cjs).
require('./peer-sdk.cjs').startPeer('openinference', '@arizeai/openinference-instrumentation-openai');
