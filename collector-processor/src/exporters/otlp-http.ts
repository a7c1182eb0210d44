/**
 * OTLP/HTTP exporter: a bounded queue (memory, or one file per item on disk), trace batching by byte
 * concatenation, and retries with exponential backoff that honour Retry-After.
 *
 * Concurrency: one batch in flight per exporter. It keeps delivery in order (a retried batch is never
 * overtaken), a down backend costs one connection and one timer, and a stuck head back-pressures into the
 * bounded queue and so into 503s at the receiver, which is the signal senders and autoscalers act on.
 * Throughput is about batchMaxSpans per round trip (2048 spans at 50 ms ≈ 40k spans/s), more than one Node
 * process ingests.
 *
 * HTTP client: global fetch (undici). It pools keep-alive connections per origin by default, takes an
 * AbortSignal for the per-attempt timeout and for the shutdown deadline, and streams responses so we can cap
 * what we read, all without a dependency. Where ailedger instrumentation patches fetch in the same process,
 * these requests are not model calls and pass through it untouched.
 */
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import protobuf from 'protobufjs';
import type { ExporterConfig, QueueConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { SelfMetrics } from '../self-metrics.js';
import { DiskQueueStore, exporterDirName } from './disk-queue.js';
import { ExportQueue, type QueueEntry } from './queue.js';
import {
  backoffDelayMs,
  isRetryableStatus,
  nextWaitMs,
  parseRetryAfterMs,
  retryBudgetExhausted,
} from './retry.js';
import type { Exporter, QueueItem, Signal } from './types.js';

const gzip = promisify(zlib.gzip);

/** OTLP caps responses at 4 MiB; a success body is tiny, an error body only feeds a log line. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 4096;
const LOGGED_BODY_CHARS = 200;

export interface OtlpHttpExporterOptions {
  config: ExporterConfig;
  queue: QueueConfig;
  metrics: SelfMetrics;
  log: Logger;
  /** Converts an OTLP protobuf trace request to OTLP JSON; required when protocol is http/json. */
  tracesToJson?: (protobufBody: Uint8Array) => Uint8Array;
  /** Disk queue only: most body bytes kept in memory; the rest are read back from disk when sent. */
  residentBytes?: number;
}

type AttemptResult =
  | { kind: 'ok'; responseType: string; response: Uint8Array }
  | { kind: 'retryable'; reason: string; status?: number; retryAfterMs?: number; detail: string }
  | { kind: 'permanent'; reason: string; status: number; detail: string }
  | { kind: 'aborted' };

export class OtlpHttpExporter implements Exporter {
  readonly name: string;
  private readonly config: ExporterConfig;
  private readonly metrics: SelfMetrics;
  private readonly log: Logger;
  private readonly tracesToJson: ((body: Uint8Array) => Uint8Array) | undefined;
  private readonly queue: ExportQueue;
  private readonly baseUrl: string;
  private readonly baseHeaders: Headers;
  /** Aborted at the shutdown deadline: cancels the request in flight, retry waits and the sender loop. */
  private readonly stop = new AbortController();
  private accepting = false;
  private draining = false;
  private starting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(options: OtlpHttpExporterOptions) {
    const { config, queue, metrics, log } = options;
    this.name = config.name;
    this.config = config;
    this.metrics = metrics;
    this.log = log;
    this.tracesToJson = options.tracesToJson;
    if (config.protocol === 'http/json' && !this.tracesToJson) {
      throw new Error(`exporter ${config.name}: protocol http/json needs a protobuf-to-JSON trace converter`);
    }
    this.baseUrl = config.endpoint.replace(/\/+$/, '');
    // Built once so an invalid header name or value fails at startup, not on the first export.
    this.baseHeaders = new Headers(config.headers);
    if (!this.baseHeaders.has('user-agent')) this.baseHeaders.set('user-agent', 'ailedger-collector');
    const store = queue.directory
      ? new DiskQueueStore(
          path.join(queue.directory, exporterDirName(config.name)),
          queue.fsync,
          log,
          config.name,
        )
      : undefined;
    this.queue = new ExportQueue(queue.maxSpans, store, options.residentBytes, () => {
      this.metrics.exporterQueueSize.set({ exporter: this.name }, this.queue.size());
      this.wake();
    });
    metrics.exporterQueueCapacity.set({ exporter: this.name }, queue.maxSpans);
    metrics.exporterQueueSize.set({ exporter: this.name }, 0);
  }

  hasCapacity(items: number): boolean {
    return this.accepting && this.queue.hasCapacity(items);
  }

  async enqueue(item: QueueItem): Promise<void> {
    if (!this.accepting) {
      throw new Error(`exporter ${this.name} is ${this.stopping ? 'shutting down' : 'not started'}`);
    }
    await this.queue.push(item);
  }

  queueSize(): number {
    return this.queue.size();
  }

  /** Bytes of queued bodies held in memory (bounded with the disk queue; see queue.ts). */
  residentBodyBytes(): number {
    return this.queue.residentBodyBytes();
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.queue.open();
      if (this.stopping) return;
      const recovered = this.queue.size();
      if (recovered > 0) {
        this.log.info('exporter: resuming items queued on disk by a previous run', {
          exporter: this.name,
          items: recovered,
          requests: this.queue.entries().length,
        });
      }
      this.accepting = true;
      this.loop = this.run().catch((err: unknown) => {
        this.log.error('exporter: sender stopped unexpectedly', {
          exporter: this.name,
          error: describe(err),
        });
      });
    })();
    return this.starting;
  }

  shutdown(deadlineMs: number): Promise<void> {
    this.stopping ??= this.drainAndStop(deadlineMs);
    return this.stopping;
  }

  private async drainAndStop(deadlineMs: number): Promise<void> {
    this.accepting = false;
    const timer = setTimeout(() => this.stop.abort(), Math.max(0, deadlineMs));
    try {
      await this.starting?.catch(() => undefined);
      this.draining = true;
      this.wake();
      await this.loop;
    } finally {
      clearTimeout(timer);
      this.stop.abort();
    }
    const left = this.queue.size();
    if (left === 0) {
      this.log.info('exporter: stopped with its queue drained', { exporter: this.name });
      return;
    }
    if (this.queue.persistent) {
      // Unlike the Collector (issue #15677) nothing undelivered is deleted: the next start sends it.
      this.log.warn('exporter: stopped with undelivered items; they stay on disk for the next start', {
        exporter: this.name,
        items: left,
      });
      return;
    }
    const bySignal = new Map<Signal, number>();
    for (const e of this.queue.clear()) bySignal.set(e.signal, (bySignal.get(e.signal) ?? 0) + e.items);
    for (const [signal, items] of bySignal) {
      this.metrics.exporterDroppedItems.inc({ exporter: this.name, signal, reason: 'shutdown' }, items);
    }
    this.log.error('exporter: shutdown deadline reached; undelivered items dropped (memory queue)', {
      exporter: this.name,
      items: left,
      deadlineMs,
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  /** The sender: one batch at a time, in queue order, until drained at shutdown or the deadline passes. */
  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        const next = this.nextBatch(performance.now());
        if (next === 'done') return;
        if (Array.isArray(next)) await this.deliver(next);
        else await this.waitForWork(next.waitMs);
      } catch (err) {
        // A bug or an unexpected disk error must not stop delivery for good: log, pause, go on.
        this.log.error('exporter: unexpected error in the sender; retrying', {
          exporter: this.name,
          error: describe(err),
        });
        await this.sleep(Math.max(this.config.retry.initialIntervalMs, 100));
      }
    }
  }

  /**
   * The next batch to send, or how long to wait. Traces: consecutive ready trace entries up to batchMaxSpans
   * (an entry larger than that goes alone; bytes cannot be split without decoding), sent when full, when the
   * oldest waited batchTimeoutMs, when another signal waits behind it, or while draining. Metrics and logs:
   * one entry, at once.
   */
  private nextBatch(now: number): QueueEntry[] | { waitMs: number | undefined } | 'done' {
    const list = this.queue.entries();
    const head = list[0];
    if (!head) return this.draining ? 'done' : { waitMs: undefined };
    if (!head.ready) return { waitMs: undefined };
    if (head.signal !== 'traces') return [head];
    const max = this.config.batchMaxSpans;
    const batch: QueueEntry[] = [];
    let spans = 0;
    let flush = this.draining;
    for (const e of list) {
      if (e.signal !== 'traces' || (batch.length > 0 && spans + e.items > max)) {
        flush = true;
        break;
      }
      if (!e.ready) break;
      batch.push(e);
      spans += e.items;
      if (spans >= max) {
        flush = true;
        break;
      }
    }
    const waited = now - head.enqueuedAt;
    if (flush || waited >= this.config.batchTimeoutMs) return batch;
    return { waitMs: this.config.batchTimeoutMs - waited };
  }

  private async deliver(entries: QueueEntry[]): Promise<void> {
    const signal = entries[0]!.signal;
    const loaded = await this.queue.loadBodies(entries);
    const unreadable = entries.filter((_, i) => loaded[i] === undefined);
    if (unreadable.length > 0) await this.drop(unreadable, signal, 'disk_read_error');
    const batch = entries.filter((_, i) => loaded[i] !== undefined);
    const bodies = loaded.filter((b): b is Uint8Array => b !== undefined);
    if (batch.length === 0) return;
    const items = batch.reduce((n, e) => n + e.items, 0);

    let payload: Uint8Array;
    let contentType: string;
    if (signal === 'traces') {
      const joined = bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies);
      if (this.config.protocol === 'http/json') {
        try {
          payload = this.tracesToJson!(joined);
        } catch (err) {
          this.log.error('exporter: could not convert traces to JSON; batch dropped', {
            exporter: this.name,
            items,
            error: describe(err),
          });
          await this.drop(batch, signal, 'encode_error');
          return;
        }
        contentType = 'application/json';
      } else {
        payload = joined;
        contentType = 'application/x-protobuf';
      }
    } else {
      payload = bodies[0]!;
      contentType = batch[0]!.contentType;
    }
    const headers = new Headers(this.baseHeaders);
    headers.set('content-type', contentType);
    if (this.config.compression === 'gzip') {
      payload = await gzip(payload);
      headers.set('content-encoding', 'gzip');
    }
    const url = `${this.baseUrl}/v1/${signal}`;
    const labels = { exporter: this.name, signal };
    const firstAttemptAt = performance.now();

    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const result = await this.post(url, headers, payload);
      const seconds = (performance.now() - started) / 1000;
      if (result.kind === 'aborted') {
        this.metrics.exporterLatency.observe({ exporter: this.name, outcome: 'aborted' }, seconds);
        return;
      }
      if (result.kind === 'ok') {
        this.metrics.exporterLatency.observe({ exporter: this.name, outcome: 'success' }, seconds);
        if (attempt > 0) {
          this.log.info('exporter: backend accepted a batch after retries', {
            ...labels,
            attempts: attempt + 1,
          });
        }
        await this.accepted(batch, signal, items, result.response, result.responseType);
        return;
      }
      if (result.kind === 'permanent') {
        this.metrics.exporterLatency.observe({ exporter: this.name, outcome: 'permanent_error' }, seconds);
        // Never log request headers: they carry API keys.
        this.log.error('exporter: backend rejected a batch (not retryable); dropped', {
          ...labels,
          items,
          status: result.status,
          response: result.detail,
        });
        await this.drop(batch, signal, result.reason);
        return;
      }
      this.metrics.exporterLatency.observe({ exporter: this.name, outcome: 'retryable_error' }, seconds);
      this.metrics.exporterFailedItems.inc({ ...labels, reason: result.reason }, items);
      const waitMs = nextWaitMs(backoffDelayMs(attempt, this.config.retry), result.retryAfterMs);
      if (retryBudgetExhausted(performance.now() - firstAttemptAt, waitMs, this.config.retry)) {
        this.log.error('exporter: retry time exhausted; batch dropped', {
          ...labels,
          items,
          attempts: attempt + 1,
          reason: result.reason,
          maxElapsedMs: this.config.retry.maxElapsedMs,
        });
        await this.drop(batch, signal, 'retry_exhausted');
        return;
      }
      const fields = {
        ...labels,
        items,
        reason: result.reason,
        status: result.status,
        response: result.detail,
        attempt: attempt + 1,
        waitMs,
      };
      // Warn once per batch; later attempts of the same outage are debug noise.
      if (attempt === 0) this.log.warn('exporter: export failed; will retry', fields);
      else this.log.debug('exporter: export failed again; will retry', fields);
      if (!(await this.sleep(waitMs))) return;
    }
  }

  /** Counts a 2xx, minus what a partial_success says the backend rejected (those are lost: counted). */
  private async accepted(
    batch: QueueEntry[],
    signal: Signal,
    items: number,
    response: Uint8Array,
    responseType: string,
  ): Promise<void> {
    const partial = parsePartialSuccess(response, responseType);
    const rejected = Math.min(items, Math.max(0, Math.floor(partial?.rejected ?? 0)));
    if (partial && (rejected > 0 || partial.message !== '')) {
      this.log.warn('exporter: backend reported a partial success', {
        exporter: this.name,
        signal,
        items,
        rejected,
        message: partial.message.slice(0, LOGGED_BODY_CHARS),
      });
    }
    if (items - rejected > 0) {
      this.metrics.exporterSentItems.inc({ exporter: this.name, signal }, items - rejected);
    }
    if (rejected > 0) {
      this.metrics.exporterDroppedItems.inc(
        { exporter: this.name, signal, reason: 'partial_success' },
        rejected,
      );
    }
    await this.queue.remove(batch);
  }

  private async drop(batch: QueueEntry[], signal: Signal, reason: string): Promise<void> {
    const items = batch.reduce((n, e) => n + e.items, 0);
    this.metrics.exporterDroppedItems.inc({ exporter: this.name, signal, reason }, items);
    await this.queue.remove(batch);
  }

  private async post(url: string, headers: Headers, body: Uint8Array): Promise<AttemptResult> {
    const controller = new AbortController();
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const abort = () => controller.abort();
    // Linked by hand rather than AbortSignal.any: some Node 20 releases leak signals combined with a
    // long-lived one, and `stop` lives as long as the exporter.
    timeout.addEventListener('abort', abort, { once: true });
    this.stop.signal.addEventListener('abort', abort, { once: true });
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        // A redirect would re-send our API-key headers to wherever it points: treat 3xx as a misconfiguration.
        redirect: 'manual',
      });
      if (res.ok) {
        const response = await readCapped(res, MAX_RESPONSE_BYTES);
        return { kind: 'ok', responseType: res.headers.get('content-type') ?? '', response };
      }
      const detail = Buffer.from(await readCapped(res, MAX_ERROR_BODY_BYTES))
        .toString('utf8')
        .slice(0, LOGGED_BODY_CHARS);
      const reason = `http_${res.status}`;
      if (isRetryableStatus(res.status)) {
        const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'));
        return { kind: 'retryable', reason, status: res.status, retryAfterMs, detail };
      }
      return { kind: 'permanent', reason, status: res.status, detail };
    } catch (err) {
      if (this.stop.signal.aborted) return { kind: 'aborted' };
      if (timeout.aborted) {
        return {
          kind: 'retryable',
          reason: 'timeout',
          detail: `no response within ${this.config.timeoutMs} ms`,
        };
      }
      return { kind: 'retryable', reason: 'network', detail: networkError(err) };
    } finally {
      timeout.removeEventListener('abort', abort);
      this.stop.signal.removeEventListener('abort', abort);
    }
  }

  /** Resolves on wake() (queue changed), after `ms` when given, or at the shutdown deadline. */
  private waitForWork(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stop.signal;
      if (signal.aborted) return resolve();
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, ms));
    });
  }

  /** Waits `ms`; false when the shutdown deadline cut it short. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const signal = this.stop.signal;
      if (signal.aborted) return resolve(false);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Reads at most `max` bytes of a response body, cancelling the rest. */
async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      total += value.length;
    }
    if (!complete) await reader.cancel().catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
  const all = Buffer.concat(chunks);
  return all.length > max ? all.subarray(0, max) : all;
}

interface PartialSuccess {
  rejected: number;
  message: string;
}

/**
 * Export<Signal>ServiceResponse.partial_success (field 1: rejected_spans | rejected_data_points |
 * rejected_log_records = field 1, error_message = field 2), from protobuf or JSON. Undefined when absent or
 * unreadable: a 2xx is a success whatever its body.
 */
export function parsePartialSuccess(body: Uint8Array, contentType: string): PartialSuccess | undefined {
  if (body.length === 0) return undefined;
  try {
    if (contentType.includes('json')) {
      const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown> | null;
      const ps = (parsed?.partialSuccess ?? parsed?.partial_success) as Record<string, unknown> | undefined;
      if (!ps || typeof ps !== 'object') return undefined;
      const count =
        ps.rejectedSpans ??
        ps.rejectedDataPoints ??
        ps.rejectedLogRecords ??
        ps.rejected_spans ??
        ps.rejected_data_points ??
        ps.rejected_log_records;
      const message = ps.errorMessage ?? ps.error_message;
      return { rejected: Number(count ?? 0) || 0, message: typeof message === 'string' ? message : '' };
    }
    let found: PartialSuccess | undefined;
    const reader = protobuf.Reader.create(body);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        found = { rejected: 0, message: '' };
        const inner = protobuf.Reader.create(reader.bytes());
        while (inner.pos < inner.len) {
          const t = inner.uint32();
          if (t >>> 3 === 1 && (t & 7) === 0) found.rejected = Number(String(inner.int64()));
          else if (t >>> 3 === 2 && (t & 7) === 2) found.message = inner.string();
          else inner.skipType(t & 7);
        }
      } else {
        reader.skipType(tag & 7);
      }
    }
    return found;
  } catch {
    return undefined;
  }
}

function networkError(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  if (cause instanceof Error) return cause.message;
  return describe(err);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
