/**
 * Tracing set-up of the peer variants (bench/preload-<peer>.cjs, passed to the child with --require): another
 * project's openai instrumentation in the same pipeline `@ailedger/instrumentation/register` starts. The NodeSDK
 * reads the same OTEL_* variables (BatchSpanProcessor with default settings, OTLP/HTTP protobuf exporter to the
 * benchmark's sink) and, as there, starts no metrics or logs pipeline. NodeSDK.start() hands the instrumentation
 * to registerInstrumentations, which also gives it the global meter provider
 * (@opentelemetry/instrumentation-openai has no metric instruments without one, and a streamed chat then throws
 * inside the app's for-await loop). This runs before the app's first require('openai'), so the instrumentation's
 * require hook patches the SDK as it loads. Each instrumentation runs with its own defaults (content capture
 * included).
 */
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { NodeSDK } = require('@opentelemetry/sdk-node');

/** A package's version, from the package.json above its entry point (not every package exports it). */
function packageVersion(name) {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {}
    dir = dirname(dir);
  }
  return 'unknown';
}

exports.startPeer = function startPeer(variant, packageName) {
  const { OpenAIInstrumentation } = require(packageName);
  const sdk = new NodeSDK({
    instrumentations: [new OpenAIInstrumentation()],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  process.on('beforeExit', () => {
    void sdk.shutdown().catch(() => undefined);
  });
  globalThis[Symbol.for('ailedger.bench.peer')] = {
    variant,
    package: packageName,
    version: packageVersion(packageName),
  };
};
