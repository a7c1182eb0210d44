// Peer variant `traceloop`: OpenLLMetry's openai instrumentation (see peer-sdk.cjs).
require('./peer-sdk.cjs').startPeer('traceloop', '@traceloop/instrumentation-openai');
