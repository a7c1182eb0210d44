/**
 * In-process tracing for tests: a real NodeTracerProvider with an in-memory exporter and our instrumentation,
 * so spans are asserted exactly as an app's SDK would export them.
 */
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { AiLedgerInstrumentation } from '../../instrumentation/src/instrumentation.js';
import { runtime } from '../../instrumentation/src/runtime.js';

export interface TestTracing {
  exporter: InMemorySpanExporter;
  instrumentation: AiLedgerInstrumentation;
  /** Waits until `count` spans have ended (spans end asynchronously after the app has its data). */
  spans(count: number, timeoutMs?: number): Promise<ReadableSpan[]>;
  /** Runs `fn` with the taps passing everything through, as if uninstrumented. */
  uninstrumented<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs the scenario uninstrumented, clears the spans, then runs it instrumented; returns both app-visible
   * results. `afterPlain` runs before the spans are cleared (to let late spans end, or to reset test state).
   */
  both<T>(
    scenario: () => Promise<T>,
    afterPlain?: () => void | Promise<void>,
  ): Promise<{ plain: T; traced: T }>;
  reset(): void;
}

let shared: TestTracing | undefined;

export function setupTracing(): TestTracing {
  if (shared) return shared;
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const instrumentation = new AiLedgerInstrumentation();
  instrumentation.setTracerProvider(provider);
  shared = {
    exporter,
    instrumentation,
    async spans(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (exporter.getFinishedSpans().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} spans, got ${exporter.getFinishedSpans().length}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      // Give any extra (unexpected) span a moment to show up, so tests can assert exact counts.
      await new Promise((r) => setTimeout(r, 30));
      return exporter.getFinishedSpans().slice();
    },
    async uninstrumented(fn) {
      runtime.active = false;
      try {
        return await fn();
      } finally {
        runtime.active = true;
      }
    },
    async both(scenario, afterPlain) {
      const plain = await this.uninstrumented(scenario);
      await afterPlain?.();
      exporter.reset();
      const traced = await scenario();
      return { plain, traced };
    },
    reset() {
      exporter.reset();
    },
  };
  return shared;
}
