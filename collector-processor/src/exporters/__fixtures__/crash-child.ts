/**
 * Child process for the crash test: enqueues the items from ITEMS_FILE into a persistent queue, prints
 * "acked <n>" once every enqueue resolved (what a receiver would acknowledge), then keeps retrying against
 * ENDPOINT until the parent kills it with SIGKILL.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { createLogger } from '../../log.js';
import { SelfMetrics } from '../../self-metrics.js';
import { OtlpHttpExporter } from '../otlp-http.js';

interface StoredItem {
  body: string;
  items: number;
}

async function main(): Promise<void> {
  const { QUEUE_DIR, ENDPOINT, ITEMS_FILE } = process.env;
  if (!QUEUE_DIR || !ENDPOINT || !ITEMS_FILE)
    throw new Error('QUEUE_DIR, ENDPOINT and ITEMS_FILE are required');
  const items = JSON.parse(readFileSync(ITEMS_FILE, 'utf8')) as StoredItem[];
  const exporter = new OtlpHttpExporter({
    config: {
      name: 'crashy',
      endpoint: ENDPOINT,
      protocol: 'http/protobuf',
      headers: {},
      compression: 'none',
      timeoutMs: 1_000,
      batchMaxSpans: 4,
      batchTimeoutMs: 0,
      retry: {
        initialIntervalMs: 20,
        maxIntervalMs: 50,
        multiplier: 2,
        randomizationFactor: 0,
        maxElapsedMs: 0,
      },
    },
    queue: { maxSpans: 10_000, directory: QUEUE_DIR, fsync: false },
    metrics: new SelfMetrics(new Registry()),
    log: createLogger('error'),
  });
  await exporter.start();
  for (const item of items) {
    await exporter.enqueue({
      signal: 'traces',
      body: Buffer.from(item.body, 'base64'),
      contentType: 'application/x-protobuf',
      items: item.items,
    });
  }
  process.stdout.write(`acked ${items.length}\n`);
  // Stay alive (retrying) until killed.
  setInterval(() => {}, 60_000);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
