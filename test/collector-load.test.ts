/**
 * The collector under sustained overload and backend faults, and killed with SIGKILL under load, as real processes.
 *
 * Default (CI) run: about 30 s of load through a cycle of backend faults and 3 kill -9 cycles. RELIABILITY_LONG=1
 * runs the same for minutes (4 min of load, 10 kill cycles of 15 s each).
 *
 * 1. Overload: closed-loop load from 8 senders as fast as they are answered, into a small queue (20 000 spans per
 *    exporter), while the backend goes healthy → slow (1.5 s per request) → 500 → 429 + Retry-After → down.
 *    Overload must be answered with 503 + Retry-After (never an error, a reset or a crash), the queue must stay
 *    within its bound and the process's RSS within a stated limit. After the backend recovers, the self-metrics
 *    must reconcile exactly: acknowledged by the receiver = spans the senders got a 200 for = sent + dropped (with
 *    a reason) + still queued (0), per exporter; every acknowledged span reaches the healthy backend exactly once;
 *    a second, lossy exporter (retry budget 1 s, every 5th request refused with 400) drops only with a counted
 *    reason and delivers exactly what it counts as sent.
 * 2. kill -9 under load with the persistent queue: senders keep sending while the collector is killed; after each
 *    restart the queue is replayed. Every acknowledged span must arrive; duplicates (a batch in flight at the kill)
 *    are counted and bounded by one batch per kill.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricValue, type RunningCollector, startCollector, tempDir } from './support/collector.js';
import { OtlpLoad, rssBytes, spanIdOf, startFaultBackend } from './support/load.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

const hexId = (n: number) => Buffer.from(spanIdOf(n)).toString('hex');

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('sustained overload with a failing backend, then recovery', () => {
  const LOAD_MS = LONG ? 240_000 : 30_000;
  const QUEUE_SPANS = 20_000;
  /**
   * Stated bound on the collector's resident memory: its baseline (about 110 MiB with the price database loaded)
   * plus two full queues of these spans and request buffers. Measured peak: see RELIABILITY.md.
   */
  const RSS_LIMIT = 256 * MiB;

  it(
    'load through healthy, slow, 500, 429 and down: 503 + Retry-After, bounded queue and RSS; after recovery everything reconciles',
    async () => {
      const primary = await startFaultBackend();
      const lossy = await startFaultBackend({ kind: 'reject-every', n: 5, status: 400 });
      cleanup.push(
        () => primary.close(),
        () => lossy.close(),
      );
      const collector = await startCollector({
        config: `
queue: { max_spans: ${QUEUE_SPANS} }
exporters:
  - name: primary
    endpoint: ${primary.url}
    timeout_ms: 5000
    batch: { max_spans: 2000, timeout_ms: 50 }
    retry: { initial_interval_ms: 100, max_interval_ms: 1000 }
  - name: lossy
    endpoint: ${lossy.url}
    timeout_ms: 2000
    batch: { max_spans: 2000, timeout_ms: 50 }
    retry: { initial_interval_ms: 100, max_interval_ms: 500, max_elapsed_ms: 1000 }
`,
      });
      cleanup.push(() => collector.stop());
      const pid = collector.proc.pid!;
      const load = new OtlpLoad(collector.url, { workers: 8, spansPerRequest: 100, refusalPauseMs: 20 });
      cleanup.push(async () => load.close());

      // The fault schedule, as fractions of the load time.
      const start = Date.now();
      const at = (f: number) => start + f * LOAD_MS;
      const schedule: Array<[number, () => Promise<void>]> = [
        // The lossy backend goes away while data flows: its batches run out of retry time and are dropped.
        [at(0.03), () => lossy.setMode({ kind: 'down' })],
        [at(0.12), () => lossy.setMode({ kind: 'reject-every', n: 5, status: 400 })],
        [at(0.15), () => primary.setMode({ kind: 'slow', delayMs: 1500 })],
        [at(0.35), () => primary.setMode({ kind: 'status', status: 500 })],
        [at(0.55), () => primary.setMode({ kind: 'status', status: 429, headers: { 'retry-after': '1' } })],
        [at(0.7), () => primary.setMode({ kind: 'down' })],
      ];
      const faults = (async () => {
        for (const [when, change] of schedule) {
          await sleep(Math.max(0, when - Date.now()));
          await change();
        }
      })();

      let peakRss = 0;
      let peakQueue = 0;
      let notReady = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peakRss = Math.max(peakRss, rssBytes(pid));
          const text = await collector.metrics();
          peakQueue = Math.max(
            peakQueue,
            metricValue(text, 'ailedger_collector_exporter_queue_size', { exporter: 'primary' }),
            metricValue(text, 'ailedger_collector_exporter_queue_size', { exporter: 'lossy' }),
          );
          if ((await fetch(`${collector.adminUrl}/readyz`)).status === 503) notReady++;
          await sleep(250);
        }
      })();

      const result = await load.run(start + LOAD_MS);
      await faults;
      // Recovery: both backends healthy again; no new load.
      await primary.setMode({ kind: 'ok' });
      await lossy.setMode({ kind: 'ok' });
      const queued = async () => {
        const text = await collector.metrics();
        return (
          metricValue(text, 'ailedger_collector_exporter_queue_size', { exporter: 'primary' }) +
          metricValue(text, 'ailedger_collector_exporter_queue_size', { exporter: 'lossy' })
        );
      };
      await waitUntil(async () => (await queued()) === 0, 120_000, 'the queues to drain');
      sampling = false;
      await sampler;

      // Overload was answered with 503 + Retry-After only, never with an error, a reset or a crash.
      expect(result.errors).toEqual(new Map());
      expect([...result.statuses.keys()].sort()).toEqual([200, 503]);
      expect(result.statuses.get(503)).toBeGreaterThan(0);
      expect(result.refusalsWithoutRetryAfter).toBe(0);
      expect(notReady).toBeGreaterThan(0);
      expect(collector.proc.exitCode).toBeNull();
      // Bounded: the queue never passed its capacity, memory stayed under the stated limit.
      expect(peakQueue).toBeLessThanOrEqual(QUEUE_SPANS);
      expect(peakQueue).toBeGreaterThan(QUEUE_SPANS / 2);
      expect(peakRss).toBeLessThan(RSS_LIMIT);

      const text = await collector.metrics();
      const m = (name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels);
      const accepted = m('ailedger_collector_receiver_accepted_items_total', { signal: 'traces' });
      expect(accepted).toBe(result.acknowledged);
      expect(m('ailedger_collector_receiver_refused_items_total', { signal: 'traces' })).toBe(
        (result.statuses.get(503) ?? 0) * 100,
      );
      for (const exporter of ['primary', 'lossy']) {
        const sent = m('ailedger_collector_exporter_sent_items_total', { exporter });
        const dropped = m('ailedger_collector_exporter_dropped_items_total', { exporter });
        const queue = m('ailedger_collector_exporter_queue_size', { exporter });
        expect(sent + dropped + queue, exporter).toBe(accepted);
      }
      expect(m('ailedger_collector_exporter_dropped_items_total', { exporter: 'primary' })).toBe(0);
      expect(
        m('ailedger_collector_exporter_send_failed_items_total', { exporter: 'primary', reason: 'http_500' }),
      ).toBeGreaterThan(0);
      expect(
        m('ailedger_collector_exporter_send_failed_items_total', { exporter: 'primary', reason: 'http_429' }),
      ).toBeGreaterThan(0);
      expect(
        m('ailedger_collector_exporter_send_failed_items_total', { exporter: 'primary', reason: 'network' }),
      ).toBeGreaterThan(0);
      expect(
        m('ailedger_collector_exporter_dropped_items_total', { exporter: 'lossy', reason: 'http_400' }),
      ).toBeGreaterThan(0);
      expect(
        m('ailedger_collector_exporter_dropped_items_total', {
          exporter: 'lossy',
          reason: 'retry_exhausted',
        }),
      ).toBeGreaterThan(0);

      // The healthy backend has every acknowledged span, once, and nothing that was refused.
      let missing = 0;
      for (let n = 1; n <= load.issued; n++) {
        if (load.isAcknowledged(n) && !primary.received.has(hexId(n))) missing++;
      }
      expect(missing).toBe(0);
      expect(primary.received.size).toBe(accepted);
      expect(primary.deliveries()).toBe(accepted);
      // The lossy backend has exactly what its exporter counts as sent.
      expect(lossy.deliveries()).toBe(
        m('ailedger_collector_exporter_sent_items_total', { exporter: 'lossy' }),
      );
      expect(
        collector.logs.filter((l) =>
          /consumer failed|request failed|stopped unexpectedly/.test(String(l.msg)),
        ),
      ).toEqual([]);
      console.info(
        `overload: ${result.requests} requests, ${accepted} spans acknowledged, ${result.statuses.get(503)} refused with 503; ` +
          `peak queue ${peakQueue}/${QUEUE_SPANS}, peak RSS ${(peakRss / MiB).toFixed(0)} MiB (limit ${RSS_LIMIT / MiB})`,
      );
    },
    LOAD_MS + 240_000,
  );
});

describe('kill -9 under load with the persistent queue', () => {
  const CYCLES = LONG ? 10 : 3;
  const CYCLE_MS = LONG ? 15_000 : 3_000;
  const BATCH = 500;

  it(
    'kills while 8 senders keep sending: every acknowledged span arrives, duplicates at most a batch per kill',
    async () => {
      // A slowish backend, so a batch is usually in flight and a backlog sits on disk when the kill comes.
      const backend = await startFaultBackend({ kind: 'slow', delayMs: 20 });
      cleanup.push(() => backend.close());
      const dir = tempDir('ailedger-kill-');
      const config = `
queue: { max_spans: 200000, directory: ${path.join(dir, 'queue')} }
exporters:
  - name: durable
    endpoint: ${backend.url}
    batch: { max_spans: ${BATCH}, timeout_ms: 20 }
    retry: { initial_interval_ms: 50, max_interval_ms: 300 }
`;
      let collector: RunningCollector | undefined;
      const load = new OtlpLoad('http://127.0.0.1:1', {
        workers: 8,
        spansPerRequest: 50,
        refusalPauseMs: 20,
      });
      cleanup.push(async () => load.close());
      cleanup.push(async () => collector?.stop());
      let killedWithBacklog = 0;
      const backlogs: number[] = [];
      const runs: RunningCollector[] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        collector = await startCollector({ config });
        runs.push(collector);
        load.retarget(collector.url);
        const running = load.run(Date.now() + 10 * CYCLE_MS);
        await sleep(CYCLE_MS);
        const queue = metricValue(await collector.metrics(), 'ailedger_collector_exporter_queue_size');
        backlogs.push(queue);
        if (queue > 0) killedWithBacklog++;
        await collector.kill(); // SIGKILL while requests are in flight
        load.stop();
        await running;
      }
      expect(load.result.acknowledged).toBeGreaterThan(0);
      expect(load.result.errors.size).toBeGreaterThan(0); // the senders did see the kills
      expect(killedWithBacklog).toBeGreaterThan(0);

      // The last start replays what is left; no more load.
      collector = await startCollector({ config });
      runs.push(collector);
      // Drained: the queue is empty and the backend has seen nothing new for a second.
      let last = -1;
      await waitUntil(
        async () => {
          const queue = metricValue(await collector!.metrics(), 'ailedger_collector_exporter_queue_size');
          const now = backend.deliveries();
          const settled = queue === 0 && now === last;
          last = now;
          return settled;
        },
        LONG ? 600_000 : 120_000,
        'the replayed queue to drain',
        1_000,
      );
      let missing = 0;
      let unacknowledgedDelivered = 0;
      const firstMissing: number[] = [];
      for (let n = 1; n <= load.issued; n++) {
        const delivered = backend.received.has(hexId(n));
        if (load.isAcknowledged(n) && !delivered) {
          missing++;
          if (firstMissing.length < 5) firstMissing.push(n);
        }
        if (!load.isAcknowledged(n) && delivered) unacknowledgedDelivered++;
      }
      const warnings = runs.flatMap((r) => r.logs.filter((l) => l.level === 'warn' || l.level === 'error'));
      const duplicates = backend.deliveries() - backend.received.size;
      console.info(
        `kill -9: ${CYCLES} kills, ${load.result.acknowledged} spans acknowledged, ${missing} missing, ` +
          `${duplicates} duplicate deliveries, ${unacknowledgedDelivered} delivered without an acknowledgement; ` +
          `spans queued at each kill: ${backlogs.join(', ')}`,
      );
      expect(
        missing,
        `first missing spans ${firstMissing.join(', ')}; ${JSON.stringify(warnings.slice(0, 5))}`,
      ).toBe(0);
      // At least once: only the batch in flight at a kill (and its files not yet deleted) is sent again.
      expect(duplicates).toBeLessThanOrEqual(CYCLES * BATCH);
      // A request cut by the kill after its files were written may be delivered although never acknowledged:
      // at most the requests in flight at each kill.
      expect(unacknowledgedDelivered).toBeLessThanOrEqual(CYCLES * 8 * 20);
    },
    (LONG ? 15_000 : 3_000) * (LONG ? 10 : 3) + (LONG ? 900_000 : 240_000),
  );
});
