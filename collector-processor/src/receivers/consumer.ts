/**
 * What a receiver hands decoded data to (in the service: processors, then every exporter's queue). The
 * receiver acknowledges only after these promises resolve, and turns their failures into OTLP statuses.
 */
import type { TraceRequest } from '../otlp/types.js';

export interface TraceConsumer {
  /** Resolves once the data is safely queued; only then does the receiver answer 200. */
  consumeTraces(
    req: TraceRequest,
    spanCount: number,
  ): Promise<{ rejectedSpans?: number; message?: string } | undefined>;
  /** /v1/metrics and /v1/logs are forwarded unchanged. `items` may be an estimate (1 per request is acceptable if you cannot count cheaply). */
  consumeRaw(signal: 'metrics' | 'logs', body: Uint8Array, contentType: string, items: number): Promise<void>;
}

/** Thrown by a consumer to refuse with a retryable status; the sender keeps the data. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';

  constructor(
    message: string,
    readonly status: 429 | 503,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
