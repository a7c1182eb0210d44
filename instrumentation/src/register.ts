/**
 * `node --require @ailedger/instrumentation/register app.js` (and, through register.mjs, `--import`).
 * Starts the OpenTelemetry NodeSDK with our instrumentation, configured only from the standard OTEL_* variables,
 * and flushes on normal exit and on SIGTERM/SIGINT so a short script loses no span. Never throws into the app.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AiLedgerInstrumentation } from './instrumentation.js';
import { runtime } from './runtime.js';

const STARTED = Symbol.for('ailedger.register.started');
const SHUTDOWN_TIMEOUT_MS = 5_000;

type GlobalWithStarted = typeof globalThis & { [STARTED]?: boolean };

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

function start(): void {
  const g = globalThis as GlobalWithStarted;
  if (g[STARTED]) return;
  g[STARTED] = true;
  if (isTrue(process.env.OTEL_SDK_DISABLED)) return;

  const sdk = new NodeSDK({
    instrumentations: [new AiLedgerInstrumentation()],
    // We emit traces. Metrics and logs pipelines start only when the user asks for them with the standard
    // variables, so an app without a metrics backend does not get a periodic export to nowhere.
    ...(process.env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(process.env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      for (const call of runtime.inFlight) call.abandon('process_exit');
      await sdk.shutdown();
    })().catch(() => undefined);
    return shuttingDown;
  };

  // beforeExit fires when the event loop empties; the export keeps it alive until done, then the app exits.
  process.on('beforeExit', () => {
    void shutdown();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
      void Promise.race([shutdown(), deadline]).finally(() => {
        // If the app has no handler of its own, restore the default: terminate by the signal, as it would have.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
}

try {
  start();
} catch (err) {
  // Tracing failing to start must never stop the app from starting.
  process.emitWarning(`@ailedger/instrumentation: could not start tracing: ${String(err)}`);
}
