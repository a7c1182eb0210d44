/**
 * The exporter with its persistent queue: a process killed with SIGKILL after acknowledging loses nothing,
 * shutdown during a backend outage keeps the data on disk (unlike Collector issue #15677), corrupt files are
 * skipped, and bodies are read back from disk instead of being held in memory.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExporterConfig } from '../config/types.js';
import { SelfMetrics } from '../self-metrics.js';
import {
  type Backend,
  captureLog,
  closedPort,
  exporterConfig,
  names,
  type Responder,
  startBackend,
  total,
  traceItem,
} from './__fixtures__/backend.js';
import { OtlpHttpExporter } from './otlp-http.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ailedger-exporter-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

async function backend(respond?: Responder, port?: number): Promise<Backend> {
  const b = await startBackend(respond, port);
  cleanups.push(() => b.close());
  return b;
}

function persistent(endpoint: string, overrides: Partial<ExporterConfig> = {}, residentBytes?: number) {
  const metrics = new SelfMetrics(new Registry());
  const log = captureLog();
  const exporter = new OtlpHttpExporter({
    config: exporterConfig(endpoint, { name: 'tempo', batchTimeoutMs: 0, ...overrides }),
    queue: { maxSpans: 1_000, directory: dir, fsync: true },
    metrics,
    log,
    residentBytes,
  });
  cleanups.push(() => exporter.shutdown(0));
  return { exporter, metrics, log };
}

const itemFiles = async (name = 'tempo') =>
  (await readdir(path.join(dir, name))).filter((f) => f.endsWith('.item')).sort();

describe('crash safety', () => {
  let childScript: string;
  let buildDir: string;

  beforeAll(async () => {
    buildDir = await mkdtemp(path.join(os.tmpdir(), 'ailedger-crash-child-'));
    childScript = path.join(buildDir, 'crash-child.cjs');
    // The child runs the real exporter source, bundled (Node 20 cannot run TypeScript directly).
    await build({
      entryPoints: [path.join(here, '__fixtures__', 'crash-child.ts')],
      outfile: childScript,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await rm(buildDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged item after the process was killed with SIGKILL mid-retry', async () => {
    const outage = await backend(() => ({ status: 503 }));
    const all = names('crash', 12);
    const items = Array.from({ length: 6 }, (_, i) => traceItem(all.slice(i * 2, i * 2 + 2)));
    const itemsFile = path.join(dir, 'items.json');
    await writeFile(
      itemsFile,
      JSON.stringify(items.map((it) => ({ body: Buffer.from(it.body).toString('base64'), items: it.items }))),
    );
    const queueDir = path.join(dir, 'queue');
    const child = spawn(process.execPath, [childScript], {
      env: { PATH: process.env.PATH ?? '', QUEUE_DIR: queueDir, ENDPOINT: outage.url, ITEMS_FILE: itemsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_, signal) => resolve(signal)),
    );
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await vi.waitFor(() => expect(stdout, stderr).toContain('acked 6'), { timeout: 10_000, interval: 10 });
    // Kill it while it is retrying the head batch against the failing backend.
    await outage.waitForRequests(2);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await readdir(path.join(queueDir, 'crashy'))).toHaveLength(6);

    const healthy = await backend();
    const metrics = new SelfMetrics(new Registry());
    const log = captureLog();
    const restarted = new OtlpHttpExporter({
      config: exporterConfig(healthy.url, { name: 'crashy', batchMaxSpans: 4, batchTimeoutMs: 0 }),
      queue: { maxSpans: 1_000, directory: queueDir, fsync: false },
      metrics,
      log,
    });
    cleanups.push(() => restarted.shutdown(0));
    await restarted.start();
    expect(log.lines.find((l) => l.msg.includes('resuming'))?.fields.items).toBe(12);
    await healthy.waitForSpans(12);
    await restarted.shutdown(5_000);
    expect(healthy.acceptedSpanNames()).toEqual(all);
    expect(await total(metrics.exporterSentItems)).toBe(12);
    expect(restarted.queueSize()).toBe(0);
    expect(await readdir(path.join(queueDir, 'crashy'))).toEqual([]);
  });
});

describe('persistent queue', () => {
  it('shutdown during an outage keeps undelivered items on disk (no #15677); the next start sends them', async () => {
    const outage = await backend(() => 'hang');
    const first = persistent(outage.url, { batchMaxSpans: 2, timeoutMs: 10_000 });
    await first.exporter.start();
    for (let i = 0; i < 3; i++) await first.exporter.enqueue(traceItem(names(`keep${i}`, 2)));
    expect(await itemFiles()).toHaveLength(3);
    await outage.waitForRequests(1); // the head batch is in flight when the deadline hits
    await first.exporter.shutdown(200);
    expect(await total(first.metrics.exporterDroppedItems)).toBe(0);
    expect(first.exporter.queueSize()).toBe(6);
    expect(await itemFiles()).toHaveLength(3);
    expect(first.log.lines.some((l) => l.level === 'warn' && l.msg.includes('stay on disk'))).toBe(true);

    const healthy = await backend();
    const second = persistent(healthy.url, { batchMaxSpans: 2 });
    await second.exporter.start();
    expect(second.exporter.queueSize()).toBe(6);
    await healthy.waitForSpans(6);
    await second.exporter.shutdown(5_000);
    expect(healthy.acceptedSpanNames()).toEqual([
      ...names('keep0', 2),
      ...names('keep1', 2),
      ...names('keep2', 2),
    ]);
    expect(await itemFiles()).toEqual([]);
    expect(second.exporter.queueSize()).toBe(0);
  });

  it('skips corrupt or partial files at start with a warning and delivers the rest', async () => {
    const first = persistent(`http://127.0.0.1:${await closedPort()}`);
    await first.exporter.start();
    for (let i = 0; i < 3; i++) await first.exporter.enqueue(traceItem([`file-${i}`]));
    await first.exporter.shutdown(0);
    const files = await itemFiles();
    expect(files).toHaveLength(3);
    const middle = path.join(dir, 'tempo', files[1]!);
    const bytes = await readFile(middle);
    await writeFile(middle, bytes.subarray(0, bytes.length >> 1));
    await writeFile(path.join(dir, 'tempo', '0000000000000009.item.tmp'), bytes.subarray(0, 20));

    const healthy = await backend();
    const second = persistent(healthy.url);
    await second.exporter.start();
    await healthy.waitForSpans(2);
    await second.exporter.shutdown(5_000);
    expect(healthy.acceptedSpanNames()).toEqual(['file-0', 'file-2']);
    const warnings = second.log.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings.some((m) => m.includes('corrupt'))).toBe(true);
    expect(warnings.some((m) => m.includes('incomplete write'))).toBe(true);
    expect(await readdir(path.join(dir, 'tempo'))).toEqual([`${files[1]}.corrupt`]);
  });

  it('holds at most residentBytes of bodies in memory during an outage and reads the rest back to send', async () => {
    const port = await closedPort();
    const t = persistent(`http://127.0.0.1:${port}`, { batchMaxSpans: 3 }, 1_000);
    await t.exporter.start();
    const all = names('lazy', 40);
    for (let i = 0; i < 20; i++) await t.exporter.enqueue(traceItem(all.slice(i * 2, i * 2 + 2)));
    expect(t.exporter.residentBodyBytes()).toBeLessThanOrEqual(1_000);
    expect(t.exporter.queueSize()).toBe(40);
    const b = await backend(undefined, port);
    await b.waitForSpans(40);
    expect(b.acceptedSpanNames()).toEqual(all);
    await vi.waitFor(async () => expect(await itemFiles()).toEqual([]), { timeout: 2_000, interval: 10 });
    expect(t.exporter.residentBodyBytes()).toBe(0);
  });

  it('deletes the file of a batch dropped with a counted reason; exporters keep separate subdirectories', async () => {
    const b = await backend((r) =>
      r.body.includes('poison') ? { status: 400, body: 'invalid span' } : { status: 200 },
    );
    const a = persistent(b.url, { name: 'alpha' });
    const down = persistent(`http://127.0.0.1:${await closedPort()}`, { name: 'beta' });
    await a.exporter.start();
    await down.exporter.start();
    await a.exporter.enqueue(traceItem(['poison']));
    await a.exporter.enqueue(traceItem(['fine']));
    await down.exporter.enqueue(traceItem(['waiting']));
    await b.waitForSpans(1);
    await a.exporter.shutdown(5_000);
    await down.exporter.shutdown(0);
    expect(await total(a.metrics.exporterDroppedItems, { reason: 'http_400' })).toBe(1);
    expect(await total(a.metrics.exporterSentItems)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['alpha', 'beta']);
    expect(await itemFiles('alpha')).toEqual([]);
    expect(await itemFiles('beta')).toHaveLength(1);
  });
});
