import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Counter, Gauge } from 'prom-client';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerMetrics } from '../self-metrics.js';
import { accountedCall, capturingLogger } from './__fixtures__/calls.js';
import type { LedgerRow } from './row.js';
import { SqliteLedgerStore } from './sqlite-store.js';
import { type InsertResult, LedgerError, type LedgerStore } from './store.js';
import { DEFAULT_LEDGER_RETRY, LEDGER_QUEUE_DIR, LedgerWriter, type LedgerWriterOptions } from './writer.js';

const FAST_RETRY = {
  ...DEFAULT_LEDGER_RETRY,
  initialIntervalMs: 10,
  maxIntervalMs: 40,
  randomizationFactor: 0,
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-writer-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function value(
  metric: Counter<string> | Gauge<string>,
  labels: Record<string, string> = {},
): Promise<number> {
  const data = await metric.get();
  return data.values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((s, v) => s + v.value, 0);
}

/** A store in front of a real SQLite ledger that can be switched off (the database is away) or made to refuse rows. */
class SwitchableStore implements LedgerStore {
  readonly dialect = 'sqlite' as const;
  readonly description = 'switchable';
  refuse: (r: LedgerRow) => boolean = () => false;
  inserts = 0;
  constructor(private readonly inner: LedgerStore) {}
  async migrate() {
    await this.inner.migrate();
  }
  async checkSchema() {
    await this.inner.checkSchema();
  }
  async insert(rows: readonly LedgerRow[]): Promise<InsertResult> {
    this.inserts++;
    if (rows.some(this.refuse)) throw new LedgerError('value out of range', false, 'data');
    return this.inner.insert(rows);
  }
  select(sql: string) {
    return this.inner.select(sql);
  }
  async close() {}
}

async function harness(options: Partial<LedgerWriterOptions> & { up?: () => boolean } = {}) {
  const dir = tempDir();
  const sqlite = await SqliteLedgerStore.open(path.join(dir, 'ledger.db'));
  cleanups.push(() => sqlite.close());
  const store = new SwitchableStore(sqlite);
  const registry = new Registry();
  const metrics = new LedgerMetrics(registry);
  const log = capturingLogger();
  const up = options.up ?? (() => true);
  let opens = 0;
  const writer = new LedgerWriter({
    // A server URL, so a failed first connection does not fail the start (the store itself is injected).
    url: 'postgres://ledger@127.0.0.1:1/ledger',
    maxQueuedRows: 1000,
    batchMaxRows: 50,
    retry: FAST_RETRY,
    log,
    metrics,
    openStore: async () => {
      opens++;
      if (!up()) throw new LedgerError('connect ECONNREFUSED 127.0.0.1:5432', true, 'connection');
      return store;
    },
    ...options,
  });
  cleanups.push(() => writer.shutdown(0));
  const count = async () => {
    const [r] = await sqlite.select('SELECT COUNT(*) AS n FROM ledger_calls');
    return Number(r?.n ?? 0);
  };
  return { writer, store, metrics, registry, log, count, opens: () => opens, dir };
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LedgerWriter', () => {
  it('writes queued calls and counts a re-sent batch as duplicates, not twice', async () => {
    const { writer, metrics, count } = await harness();
    await writer.start();
    const calls = [accountedCall(), accountedCall(), accountedCall()];
    await writer.enqueue(calls);
    await writer.enqueue(calls);
    expect(await writer.whenIdle(5000)).toBe(true);
    expect(await count()).toBe(3);
    expect(await value(metrics.writtenRows)).toBe(3);
    expect(await value(metrics.duplicateRows)).toBe(3);
    expect(await value(metrics.databaseUp)).toBe(1);
  });

  it('keeps rows queued while the database is away, reports it once, and writes them when it is back', async () => {
    let up = false;
    const { writer, metrics, log, count, opens } = await harness({ up: () => up });
    await writer.start();
    await writer.enqueue([accountedCall(), accountedCall()]);
    await writer.enqueue([accountedCall()]);
    await until(() => opens() >= 3, 'reconnect attempts');
    expect(writer.queueSize()).toBe(3);
    expect(await value(metrics.queueSize)).toBe(3);
    expect(await value(metrics.databaseUp)).toBe(0);
    // Each attempt's rows are counted as failed (and retried), never as dropped.
    expect(await value(metrics.failedRows, { reason: 'connection' })).toBeGreaterThanOrEqual(3);
    expect(await value(metrics.droppedRows)).toBe(0);
    const down = log.lines.filter((l) => l.msg.includes('database unavailable'));
    expect(down).toHaveLength(1);
    expect(down[0]?.level).toBe('error');
    expect(String(down[0]?.fields?.error)).toContain('ECONNREFUSED');

    up = true;
    expect(await writer.whenIdle(5000)).toBe(true);
    expect(await count()).toBe(3);
    expect(await value(metrics.writtenRows)).toBe(3);
    expect(await value(metrics.databaseUp)).toBe(1);
    expect(log.lines.some((l) => l.msg.includes('database reachable again'))).toBe(true);
  });

  it('refuses more than its bound, so the receiver can answer 503', async () => {
    const { writer } = await harness({ up: () => false, maxQueuedRows: 4 });
    await writer.start();
    expect(writer.hasCapacity(4)).toBe(true);
    await writer.enqueue([accountedCall(), accountedCall(), accountedCall()]);
    expect(writer.hasCapacity(1)).toBe(true);
    expect(writer.hasCapacity(2)).toBe(false);
    await expect(writer.enqueue([accountedCall(), accountedCall()])).rejects.toThrow(/queue full/);
    expect(writer.queueSize()).toBe(3);
  });

  it('isolates a row the database refuses for good: only its item is dropped, and counted', async () => {
    const { writer, store, metrics, log, count } = await harness();
    const bad = accountedCall({ team: 'poison' });
    store.refuse = (r) => r.team === 'poison';
    await writer.start();
    // Three queue items written in one batch; the middle one holds the refused row.
    await Promise.all([
      writer.enqueue([accountedCall(), accountedCall()]),
      writer.enqueue([bad]),
      writer.enqueue([accountedCall()]),
    ]);
    expect(await writer.whenIdle(5000)).toBe(true);
    expect(await count()).toBe(3);
    expect(await value(metrics.droppedRows, { reason: 'data' })).toBe(1);
    expect(await value(metrics.writtenRows)).toBe(3);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('refused a row for good'))).toBe(true);
  });

  it('inside one item, only the refused row is dropped; its neighbours are written', async () => {
    const { writer, store, metrics, count } = await harness();
    store.refuse = (r) => r.team === 'poison';
    await writer.start();
    await writer.enqueue([
      accountedCall(),
      accountedCall({ team: 'poison' }),
      accountedCall(),
      accountedCall(),
    ]);
    expect(await writer.whenIdle(5000)).toBe(true);
    expect(await count()).toBe(3);
    expect(await value(metrics.droppedRows, { reason: 'data' })).toBe(1);
    expect(await value(metrics.writtenRows)).toBe(3);
  });

  it('with the persistent queue, rows not written at shutdown are written by the next start', async () => {
    const queueDirectory = tempDir();
    const first = await harness({ up: () => false, queueDirectory });
    await first.writer.start();
    await first.writer.enqueue([accountedCall(), accountedCall()]);
    await first.writer.enqueue([accountedCall()]);
    await first.writer.shutdown(50);
    expect(
      fs.readdirSync(path.join(queueDirectory, LEDGER_QUEUE_DIR)).filter((f) => f.endsWith('.item')),
    ).toHaveLength(2);
    expect(first.log.lines.some((l) => l.msg.includes('stay on disk'))).toBe(true);

    const second = await harness({ queueDirectory });
    await second.writer.start();
    expect(await second.writer.whenIdle(5000)).toBe(true);
    expect(await second.count()).toBe(3);
    // Files are deleted right after the transaction commits.
    await until(
      () =>
        fs.readdirSync(path.join(queueDirectory, LEDGER_QUEUE_DIR)).filter((f) => f.endsWith('.item'))
          .length === 0,
      'queue files deleted',
    );
  });

  it('with a memory queue, rows still waiting at the shutdown deadline are counted as dropped, never silently lost', async () => {
    const { writer, metrics, log } = await harness({ up: () => false });
    await writer.start();
    await writer.enqueue([accountedCall(), accountedCall()]);
    await writer.shutdown(30);
    expect(await value(metrics.droppedRows, { reason: 'shutdown' })).toBe(2);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('dropped (memory queue)'))).toBe(true);
    await expect(writer.enqueue([accountedCall()])).rejects.toThrow(/shutting down/);
  });

  it('drains what is queued before stopping when the database is up', async () => {
    const { writer, count } = await harness();
    await writer.start();
    for (let i = 0; i < 20; i++) await writer.enqueue([accountedCall(), accountedCall(), accountedCall()]);
    await writer.shutdown(5000);
    expect(await count()).toBe(60);
  });
});
