/** The collector's configuration after parsing, validation and defaults (see load.ts for the file format). */

export interface RetryConfig {
  /** First wait after a failure. */
  initialIntervalMs: number;
  /** Longest wait between attempts. */
  maxIntervalMs: number;
  multiplier: number;
  /** ± this fraction of jitter on every wait. */
  randomizationFactor: number;
  /** Give up on a batch after this long; 0 = never (the bounded queue then refuses new data instead). */
  maxElapsedMs: number;
}

export interface ExporterConfig {
  name: string;
  /** Base URL; /v1/traces, /v1/metrics, /v1/logs are appended. */
  endpoint: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  timeoutMs: number;
  /** Send a batch once it holds this many spans... */
  batchMaxSpans: number;
  /** ...or once the oldest span in it waited this long. */
  batchTimeoutMs: number;
  retry: RetryConfig;
}

export interface QueueConfig {
  /** Per exporter; beyond it the receiver answers 503 with Retry-After. */
  maxSpans: number;
  /** Persistent queue directory; absent = memory only. */
  directory?: string;
  /** fsync each write (survives power loss, not just a crash); off by default like the Collector's file_storage. */
  fsync: boolean;
}
