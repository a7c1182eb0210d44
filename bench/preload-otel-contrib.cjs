// Peer variant `otel-contrib`: OpenTelemetry's own openai instrumentation (see peer-sdk.cjs).
require('./peer-sdk.cjs').startPeer('otel-contrib', '@opentelemetry/instrumentation-openai');
