/**
 * Writes counted model calls to the ledger, decoupled from the database the same way exporters are decoupled
 * from backends: `enqueue` puts the rows in a bounded queue (on disk, CRC-checked, when `queue.directory` is set,
 * reusing the exporters' queue) and resolves only then, so the receiver acknowledges nothing that is not queued.
 * One writer loop takes batches off the head and inserts them in one transaction each, retrying with backoff for
 * as long as the database is away; a full queue makes the receiver answer 503, as a full exporter queue does.
 * Accounting: enqueued rows = written + duplicates + dropped + queued.
 */
import path from 'node:path';
import type { RetryConfig } from '../config/types.js';
import { DiskQueueStore } from '../exporters/disk-queue.js';
import { ExportQueue, type QueueEntry } from '../exporters/queue.js';
import { backoffDelayMs } from '../exporters/retry.js';
import { createLogger, type Logger } from '../log.js';
import type { AccountedCall } from '../processors/enrich.js';
import { LedgerMetrics } from '../self-metrics.js';
import { decodeRows, encodeRows, type LedgerRow, toLedgerRow } from './row.js';
import {
  LedgerError,
  type LedgerLocation,
  type LedgerStore,
  openLedgerStore,
  parseLedgerLocation,
} from './store.js';

/** The queue directory under `queue.directory`; `@` cannot occur in an exporter's directory name. */
export const LEDGER_QUEUE_DIR = '@ledger';

export interface LedgerWriterOptions {
  /** sqlite://<path>, postgres://..., or a file path. */
  url: string;
  /** Most rows waiting before the receiver refuses new data (default 100 000). */
  maxQueuedRows?: number;
  /** Most rows per transaction (default 500). */
  batchMaxRows?: number;
  /** Backoff while the database is away (default DEFAULT_LEDGER_RETRY; maxElapsedMs is ignored: never give up). */
  retry?: RetryConfig;
  /** Persistent queue: the collector's queue.directory (the ledger uses its own sub-directory). */
  queueDirectory?: string;
  fsync?: boolean;
  /** Default: JSON lines on stderr at info level. */
  log?: Logger;
  /** Self-metrics; a private registry when omitted (in-process use). */
  metrics?: LedgerMetrics;
  /** Tests: open a store some other way. */
  openStore?: (location: LedgerLocation) => Promise<LedgerStore>;
}

export const DEFAULT_LEDGER_RETRY: RetryConfig = {
  initialIntervalMs: 1000,
  maxIntervalMs: 30_000,
  multiplier: 1.5,
  randomizationFactor: 0.5,
  maxElapsedMs: 0,
};

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class LedgerWriter {
  readonly name = 'ledger';
  readonly location: LedgerLocation;
  private readonly options: LedgerWriterOptions;
  private readonly batchMaxRows: number;
  private readonly retry: RetryConfig;
  private readonly metrics: LedgerMetrics;
  private readonly log: Logger;
  private readonly queue: ExportQueue;
  private readonly stop = new AbortController();
  private store: LedgerStore | undefined;
  private accepting = false;
  private draining = false;
  private starting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Deliveries left to make one queue entry at a time, to isolate an entry the database rejects. */
  private isolate = 0;
  /** Whether the last attempt reached the database (for "down"/"back" log lines once per outage). */
  private reachable = true;

  constructor(options: LedgerWriterOptions) {
    this.options = options;
    this.log = options.log ?? createLogger('info');
    this.batchMaxRows = options.batchMaxRows ?? 500;
    this.retry = { ...(options.retry ?? DEFAULT_LEDGER_RETRY), maxElapsedMs: 0 };
    const maxQueuedRows = options.maxQueuedRows ?? 100_000;
    this.location = parseLedgerLocation(options.url);
    this.metrics = options.metrics ?? new LedgerMetrics();
    const store = options.queueDirectory
      ? new DiskQueueStore(
          path.join(options.queueDirectory, LEDGER_QUEUE_DIR),
          options.fsync === true,
          this.log,
          this.name,
        )
      : undefined;
    this.queue = new ExportQueue(maxQueuedRows, store, undefined, () => {
      this.metrics.queueSize.set(this.queue.size());
      this.wakeUp?.();
      if (this.queue.size() === 0) this.notifyIdle();
    });
    this.metrics.queueCapacity.set(maxQueuedRows);
    this.metrics.queueSize.set(0);
    this.metrics.databaseUp.set(0);
  }

  /** Whether `rows` more fit; the receiver refuses with 503 when not. */
  hasCapacity(rows: number): boolean {
    return this.accepting && this.queue.hasCapacity(rows);
  }

  /** Queues the calls as ledger rows; resolves once they are queued (on disk with the persistent queue). */
  async enqueue(calls: readonly AccountedCall[]): Promise<void> {
    if (calls.length === 0) return;
    if (!this.accepting)
      throw new Error(`ledger writer is ${this.stopping ? 'shutting down' : 'not started'}`);
    const rows = calls.map((c) => toLedgerRow(c));
    await this.queue.push({
      signal: 'traces',
      body: encodeRows(rows),
      contentType: 'application/json',
      items: rows.length,
    });
  }

  /**
   * For in-process use (e.g. `AiLedgerSpanProcessor`'s `onAccounted`): queue without waiting. A call that does
   * not fit is counted as dropped and logged; nothing is thrown into the app.
   */
  record(calls: readonly AccountedCall[]): void {
    if (!this.hasCapacity(calls.length)) {
      this.metrics.droppedRows.inc({ reason: this.accepting ? 'queue_full' : 'not_running' }, calls.length);
      this.log.warn('ledger: queue full or writer stopped; calls not recorded', { rows: calls.length });
      return;
    }
    this.enqueue(calls).catch((err: unknown) => {
      this.metrics.droppedRows.inc({ reason: 'enqueue_error' }, calls.length);
      this.log.error('ledger: could not queue calls', { rows: calls.length, error: describe(err) });
    });
  }

  queueSize(): number {
    return this.queue.size();
  }

  /** Resolves when nothing is queued (or after `timeoutMs`); true when drained. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.queue.size() === 0) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(this.queue.size() === 0);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /**
   * Recovers what a previous run left in the persistent queue and starts the writer loop. SQLite is opened and
   * migrated here, so a bad path fails the start; a PostgreSQL server that is not reachable yet does not: the
   * rows wait in the queue and the loop keeps connecting.
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.queue.open();
      const recovered = this.queue.size();
      if (recovered > 0) {
        this.log.info('ledger: resuming rows queued on disk by a previous run', { rows: recovered });
      }
      if (this.location.kind === 'sqlite') await this.connect();
      else await this.connect().catch(() => undefined);
      this.accepting = true;
      this.loop = this.run().catch((err: unknown) => {
        this.log.error('ledger: writer stopped unexpectedly', { error: describe(err) });
      });
    })();
    return this.starting;
  }

  /** Stops accepting, writes what is queued until the deadline; the rest stays on disk or is counted dropped. */
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
      this.wakeUp?.();
      await this.loop;
    } finally {
      clearTimeout(timer);
      this.stop.abort();
      await this.store?.close();
      this.store = undefined;
    }
    const left = this.queue.size();
    if (left === 0) {
      this.log.info('ledger: stopped with every row written', { ledger: this.location.description });
    } else if (this.queue.persistent) {
      this.log.warn('ledger: stopped with rows not yet written; they stay on disk for the next start', {
        rows: left,
      });
    } else {
      this.queue.clear();
      this.metrics.droppedRows.inc({ reason: 'shutdown' }, left);
      this.log.error('ledger: shutdown deadline reached; rows not yet written are dropped (memory queue)', {
        rows: left,
        ledger: this.location.description,
      });
    }
    this.notifyIdle();
  }

  /** Opens and migrates the store; logs the first failure of an outage as an error, later ones at debug. */
  private async connect(): Promise<LedgerStore> {
    if (this.store) return this.store;
    const open = this.options.openStore ?? ((l: LedgerLocation) => openLedgerStore(l));
    let store: LedgerStore | undefined;
    try {
      store = await open(this.location);
      await store.migrate();
    } catch (err) {
      await store?.close();
      this.markDown(err);
      throw err;
    }
    this.store = store;
    this.markUp();
    return store;
  }

  private markUp(): void {
    this.metrics.databaseUp.set(1);
    if (!this.reachable) {
      this.log.info('ledger: database reachable again; writing queued rows', {
        ledger: this.location.description,
        queued: this.queue.size(),
      });
    } else if (this.starting !== undefined) {
      this.log.info('ledger: database ready', { ledger: this.location.description });
    }
    this.reachable = true;
  }

  private markDown(err: unknown): void {
    this.metrics.databaseUp.set(0);
    const fields = {
      ledger: this.location.description,
      error: describe(err),
      queued: this.queue.size(),
    };
    if (this.reachable) {
      this.log.error('ledger: database unavailable; rows wait in the queue and are retried', fields);
    } else {
      this.log.debug('ledger: database still unavailable', fields);
    }
    this.reachable = false;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stop.signal.aborted) {
      const batch = this.nextBatch();
      if (batch === 'done') return;
      if (batch === undefined) {
        await this.waitForWork();
        continue;
      }
      const ok = await this.deliver(batch);
      if (ok) {
        attempt = 0;
        continue;
      }
      await this.sleep(backoffDelayMs(attempt++, this.retry));
    }
  }

  /** Ready entries from the head up to batchMaxRows (at least one); undefined when there is nothing to write. */
  private nextBatch(): QueueEntry[] | undefined | 'done' {
    const list = this.queue.entries();
    const head = list[0];
    if (!head) return this.draining ? 'done' : undefined;
    if (!head.ready) return undefined;
    if (this.isolate > 0) return [head];
    const batch: QueueEntry[] = [];
    let rows = 0;
    for (const e of list) {
      if (!e.ready || (batch.length > 0 && rows + e.items > this.batchMaxRows)) break;
      batch.push(e);
      rows += e.items;
    }
    return batch;
  }

  /** One transaction; true when the batch left the queue (written or deliberately dropped). */
  private async deliver(batch: QueueEntry[]): Promise<boolean> {
    const bodies = await this.queue.loadBodies(batch);
    const rows: LedgerRow[] = [];
    const readable: QueueEntry[] = [];
    for (const [i, e] of batch.entries()) {
      const body = bodies[i];
      try {
        if (body === undefined) throw new Error('unreadable queue file');
        rows.push(...decodeRows(body));
        readable.push(e);
      } catch (err) {
        this.metrics.droppedRows.inc({ reason: 'queue_read_error' }, e.items);
        this.log.error('ledger: a queued item could not be read; its rows are dropped', {
          rows: e.items,
          error: describe(err),
        });
        await this.queue.remove([e]);
      }
    }
    if (readable.length === 0) return true;
    const rowCount = rows.length;
    const started = performance.now();
    try {
      const store = await this.connect();
      const result = await store.insert(rows);
      this.metrics.writeDuration.observe({ outcome: 'success' }, (performance.now() - started) / 1000);
      this.metrics.writtenRows.inc(result.inserted);
      this.metrics.duplicateRows.inc(result.duplicates);
      if (this.isolate > 0) this.isolate--;
      await this.queue.remove(readable);
      return true;
    } catch (err) {
      this.metrics.writeDuration.observe({ outcome: 'failure' }, (performance.now() - started) / 1000);
      const e =
        err instanceof LedgerError ? err : new LedgerError(describe(err), true, 'error', { cause: err });
      if (e.retryable) {
        this.metrics.failedRows.inc({ reason: e.reason }, rowCount);
        if (
          e.reason === 'connection' ||
          e.reason === 'io' ||
          e.reason === 'auth' ||
          e.reason === 'database'
        ) {
          // Reconnect on the next attempt; the first failure of an outage is logged as an error.
          await this.store?.close();
          this.store = undefined;
          this.markDown(e);
        } else {
          this.log.warn('ledger: write failed; will retry', { rows: rowCount, error: e.message });
        }
        return false;
      }
      if (readable.length > 1) {
        // Something in this batch is refused for good: write its items one by one to find it.
        this.isolate = readable.length;
        this.log.warn('ledger: the database refused a batch; retrying its items one at a time', {
          rows: rowCount,
          error: e.message,
        });
        return true;
      }
      // One item: write its rows one by one, so only the refused rows are dropped.
      const result = await this.insertEach(rows);
      if (result === 'retry') return false;
      if (this.isolate > 0) this.isolate--;
      await this.queue.remove(readable);
      return true;
    }
  }

  /** Row by row; refused rows are dropped and counted. 'retry' when the database went away meanwhile. */
  private async insertEach(rows: readonly LedgerRow[]): Promise<'done' | 'retry'> {
    for (const row of rows) {
      try {
        const store = await this.connect();
        const result = await store.insert([row]);
        this.metrics.writtenRows.inc(result.inserted);
        this.metrics.duplicateRows.inc(result.duplicates);
      } catch (err) {
        const e =
          err instanceof LedgerError ? err : new LedgerError(describe(err), true, 'error', { cause: err });
        // Rows written so far come back as duplicates on the retry: nothing is counted twice.
        if (e.retryable) return 'retry';
        this.metrics.droppedRows.inc({ reason: e.reason });
        this.log.error('ledger: the database refused a row for good; dropped', {
          trace_id: row.trace_id,
          span_id: row.span_id,
          error: e.message,
        });
      }
    }
    return 'done';
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stop.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        signal.removeEventListener('abort', done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stop.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
