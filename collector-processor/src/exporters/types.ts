/**
 * What the pipeline hands to an exporter. Trace batches arrive already processed and encoded once as OTLP
 * protobuf, shared immutably by every exporter (two encoded ExportTraceServiceRequests concatenated are one
 * valid request, so batching is byte concatenation). Metrics and logs are forwarded as received.
 */
export type Signal = 'traces' | 'metrics' | 'logs';

export interface QueueItem {
  signal: Signal;
  /** The request body, uncompressed. Traces: always OTLP protobuf. */
  body: Uint8Array;
  /** 'application/x-protobuf' or 'application/json' (metrics and logs keep what the sender used). */
  contentType: string;
  /** Spans (traces), data points or log records carried; used for queue bounds and self-metrics. */
  items: number;
}

export interface Exporter {
  readonly name: string;
  /** Whether `items` more would fit in the queue right now (the receiver refuses with 503 when not). */
  hasCapacity(items: number): boolean;
  /** Resolves once the item is queued (on disk when the persistent queue is on); only then may the receiver ack. */
  enqueue(item: QueueItem): Promise<void>;
  start(): Promise<void>;
  /** Stop accepting, keep delivering for at most `timeoutMs`, keep the rest on disk when persistent. */
  shutdown(timeoutMs: number): Promise<void>;
  /** Items waiting (queued, batching or being retried). */
  queueSize(): number;
}
