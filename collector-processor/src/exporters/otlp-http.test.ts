/**
 * The OTLP/HTTP exporter with its in-memory queue, against real HTTP backends started in the test. Trace
 * bodies are real SDK spans serialized by @opentelemetry/otlp-transformer; what the backend got is decoded.
 */
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Registry } from 'prom-client';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import type { ExporterConfig, QueueConfig } from '../config/types.js';
import { SelfMetrics } from '../self-metrics.js';
import {
  type Backend,
  captureLog,
  closedPort,
  exporterConfig,
  names,
  type Responder,
  spanNamesIn,
  spansByName,
  startBackend,
  total,
  traceItem,
} from './__fixtures__/backend.js';
import { OtlpHttpExporter, type OtlpHttpExporterOptions, parsePartialSuccess } from './otlp-http.js';
import type { QueueItem } from './types.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function backend(respond?: Responder, port?: number): Promise<Backend> {
  const b = await startBackend(respond, port);
  cleanups.push(() => b.close());
  return b;
}

function setup(
  endpoint: string,
  overrides: Partial<ExporterConfig> = {},
  queue: QueueConfig = { maxSpans: 10_000, fsync: false },
  extra: Partial<OtlpHttpExporterOptions> = {},
) {
  const metrics = new SelfMetrics(new Registry());
  const log = captureLog();
  const exporter = new OtlpHttpExporter({
    config: exporterConfig(endpoint, overrides),
    queue,
    metrics,
    log,
    ...extra,
  });
  cleanups.push(() => exporter.shutdown(0));
  let accepted = 0;
  return {
    exporter,
    metrics,
    log,
    /** Enqueues and counts what a receiver would have acknowledged. */
    async enqueue(item: QueueItem) {
      await exporter.enqueue(item);
      accepted += item.items;
    },
    /** The backend answers before the exporter has read the answer: wait for the exporter's count. */
    async sent(count: number) {
      await waitFor(async () => expect(await total(metrics.exporterSentItems)).toBe(count));
    },
    /** accepted = sent + dropped + queued: nothing is ever lost silently. */
    async expectNothingLost() {
      const sent = await total(metrics.exporterSentItems);
      const dropped = await total(metrics.exporterDroppedItems);
      expect(sent + dropped + exporter.queueSize()).toBe(accepted);
      return { sent, dropped };
    },
  };
}

const waitFor = (fn: () => Promise<void> | void, timeout = 5_000) =>
  vi.waitFor(fn, { timeout, interval: 10 });

describe('batching', () => {
  it('concatenates trace items up to batchMaxSpans into one valid request; a larger item goes alone', async () => {
    const b = await backend();
    const t = setup(b.url, { batchMaxSpans: 10, batchTimeoutMs: 60_000 });
    await t.exporter.start();
    for (let i = 0; i < 5; i++) await t.enqueue(traceItem(names('a', 2, i * 2)));
    await b.waitForRequests(1);
    expect(spanNamesIn(b.requests[0]!.body)).toEqual(names('a', 10));

    // 4 spans wait for more; the 12-span item closes their batch and is then sent alone.
    await t.enqueue(traceItem(names('b', 2)));
    await t.enqueue(traceItem(names('b', 2, 2)));
    await t.enqueue(traceItem(names('big', 12)));
    await b.waitForRequests(3);
    expect(b.requests.map((r) => spanNamesIn(r.body))).toEqual([
      names('a', 10),
      names('b', 4),
      names('big', 12),
    ]);
    await t.sent(26);
    expect(await t.expectNothingLost()).toEqual({ sent: 26, dropped: 0 });
  });

  it('sends a partial batch once the oldest item waited batchTimeoutMs', async () => {
    const b = await backend();
    const t = setup(b.url, { batchMaxSpans: 1_000, batchTimeoutMs: 150 });
    await t.exporter.start();
    const first = Date.now();
    for (let i = 0; i < 3; i++) await t.enqueue(traceItem([`t-${i}`]));
    await new Promise((r) => setImmediate(r));
    expect(b.requests).toHaveLength(0);
    await b.waitForRequests(1);
    expect(b.requests[0]!.at - first).toBeGreaterThanOrEqual(140);
    expect(spanNamesIn(b.requests[0]!.body)).toEqual(['t-0', 't-1', 't-2']);
    await t.sent(3);
    expect(b.requests).toHaveLength(1);
    expect(t.exporter.queueSize()).toBe(0);
  });

  it('sends metrics and logs one by one, as received, on their own paths, keeping queue order', async () => {
    const b = await backend();
    const t = setup(`${b.url}/`, { batchTimeoutMs: 60_000 });
    await t.exporter.start();
    const metricsJson = Buffer.from('{"resourceMetrics":[]}');
    const logsProto = new Uint8Array([0x0a, 0x00]);
    await t.enqueue(traceItem(['before']));
    await t.enqueue({ signal: 'metrics', body: metricsJson, contentType: 'application/json', items: 3 });
    await t.enqueue({ signal: 'logs', body: logsProto, contentType: 'application/x-protobuf', items: 2 });
    await t.enqueue({ signal: 'metrics', body: metricsJson, contentType: 'application/json', items: 1 });
    await t.enqueue(traceItem(['after']));
    await b.waitForRequests(4);
    // The trace batch is sent early because other signals wait behind it; the last one waits for its timer.
    expect(b.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/metrics', '/v1/logs', '/v1/metrics']);
    await t.exporter.shutdown(5_000);
    expect(b.requests.map((r) => r.path)).toHaveLength(5);
    expect(b.requests[4]!.path).toBe('/v1/traces');
    expect(b.requests.map((r) => r.headers['content-type'])).toEqual([
      'application/x-protobuf',
      'application/json',
      'application/x-protobuf',
      'application/json',
      'application/x-protobuf',
    ]);
    expect(b.requests[1]!.body.equals(metricsJson)).toBe(true);
    expect(new Uint8Array(b.requests[2]!.body)).toEqual(logsProto);
    expect(await total(t.metrics.exporterSentItems, { signal: 'metrics' })).toBe(4);
    expect(await total(t.metrics.exporterSentItems, { signal: 'logs' })).toBe(2);
    expect(await total(t.metrics.exporterSentItems, { signal: 'traces' })).toBe(2);
    await t.expectNothingLost();
  });
});

describe('request encoding', () => {
  it('gzips the body and sends the configured headers', async () => {
    const b = await backend();
    const t = setup(b.url, { compression: 'gzip', headers: { 'x-honeycomb-team': 'hc-key-123' } });
    await t.exporter.start();
    await t.enqueue(traceItem(names('gz', 3)));
    await b.waitForSpans(3);
    const req = b.requests[0]!;
    expect(req.headers['content-encoding']).toBe('gzip');
    expect(req.headers['content-type']).toBe('application/x-protobuf');
    expect(req.headers['x-honeycomb-team']).toBe('hc-key-123');
    expect(req.headers['user-agent']).toBe('ailedger-collector');
    expect(spanNamesIn(req.body)).toEqual(names('gz', 3));
  });

  it('http/json: converts each trace batch with tracesToJson and sends it as application/json', async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    let conversions = 0;
    // Built on the real OTLP JSON serializer: the spans named in the protobuf batch, serialized again.
    const tracesToJson = (body: Uint8Array) => {
      conversions++;
      const spans = spanNamesIn(body).map((n) => spansByName.get(n)!);
      return JsonTraceSerializer.serializeRequest(spans)!;
    };
    expect(() => setup(receiver.url, { protocol: 'http/json' })).toThrow(/JSON/);
    const t = setup(receiver.url, { protocol: 'http/json', batchTimeoutMs: 50 }, undefined, { tracesToJson });
    await t.exporter.start();
    for (let i = 0; i < 3; i++) await t.enqueue(traceItem([`json-${i}`]));
    const spans = await receiver.waitFor(3);
    expect(spans.map((s) => [s.name, s.protocol, s.attributes['test.name']])).toEqual([
      ['json-0', 'json', 'json-0'],
      ['json-1', 'json', 'json-1'],
      ['json-2', 'json', 'json-2'],
    ]);
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(conversions).toBe(1);
    expect(receiver.requests).toBe(1);
  });
});

describe('retry', () => {
  it('honours Retry-After in delay-seconds on 429', async () => {
    const b = await backend((_, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const t = setup(b.url);
    await t.exporter.start();
    await t.enqueue(traceItem(names('slow', 2)));
    await t.sent(2);
    expect(b.requests[1]!.at - b.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await total(t.metrics.exporterFailedItems, { reason: 'http_429' })).toBe(2);
    expect(await t.expectNothingLost()).toEqual({ sent: 2, dropped: 0 });
  });

  it('honours Retry-After as an HTTP-date on 503', async () => {
    // A whole second at least 1 s ahead, so the date string loses no precision.
    const retryAt = Math.ceil((Date.now() + 1_000) / 1_000) * 1_000;
    const b = await backend((_, i) =>
      i === 0
        ? { status: 503, headers: { 'retry-after': new Date(retryAt).toUTCString() } }
        : { status: 200 },
    );
    const t = setup(b.url);
    await t.exporter.start();
    await t.enqueue(traceItem(['dated']));
    await b.waitForSpans(1);
    expect(b.requests[1]!.at).toBeGreaterThanOrEqual(retryAt - 20);
    expect(await total(t.metrics.exporterFailedItems, { reason: 'http_503' })).toBe(1);
  });

  it('retries 500, 502, 503, 504, dropped connections and timeouts; every span arrives once, in order', async () => {
    const script: Array<ReturnType<Responder>> = [
      { status: 500, body: 'storage down' },
      { status: 503 },
      'destroy',
      { status: 502 },
      { status: 504 },
      'hang',
    ];
    const b = await backend((_, i) => script[i] ?? { status: 200 });
    const t = setup(b.url, { batchMaxSpans: 6, batchTimeoutMs: 0, timeoutMs: 300 });
    await t.exporter.start();
    const all = names('r', 30);
    for (let i = 0; i < 10; i++) await t.enqueue(traceItem(all.slice(i * 3, i * 3 + 3)));
    const received = await b.waitForSpans(30);
    await t.sent(30);
    expect(b.acceptedSpanNames()).toEqual(all);
    expect(new Set(received).size).toBe(received.length);
    for (const reason of ['http_500', 'http_503', 'network', 'http_502', 'http_504', 'timeout']) {
      expect(await total(t.metrics.exporterFailedItems, { reason }), reason).toBeGreaterThan(0);
    }
    expect(await t.expectNothingLost()).toEqual({ sent: 30, dropped: 0 });
    expect(t.log.lines.some((l) => l.level === 'warn' && l.fields.reason === 'http_500')).toBe(true);
    expect(t.log.lines.some((l) => l.msg.includes('accepted a batch after retries'))).toBe(true);
    const { values } = await t.metrics.exporterLatency.get();
    const outcomes = new Set(
      values.filter((v) => v.metricName?.endsWith('_count')).map((v) => v.labels.outcome),
    );
    expect(outcomes).toEqual(new Set(['success', 'retryable_error']));
  });

  it.each([400, 401, 403, 404, 413, 307])(
    'drops a batch answered %i at once, counts it and logs the response body, never the headers',
    async (status) => {
      const b = await backend((_, i) =>
        i === 0
          ? { status, headers: { location: '/elsewhere' }, body: `bad things: ${'x'.repeat(500)}` }
          : { status: 200 },
      );
      const t = setup(b.url, { headers: { 'x-honeycomb-team': 'hc-secret-key' } });
      await t.exporter.start();
      await t.enqueue(traceItem(names('bad', 2)));
      await waitFor(async () =>
        expect(await total(t.metrics.exporterDroppedItems, { reason: `http_${status}` })).toBe(2),
      );
      await t.enqueue(traceItem(['good']));
      await t.sent(1);
      expect(b.requests.map((r) => r.path)).toEqual(['/v1/traces', '/v1/traces']);
      expect(b.acceptedSpanNames()).toEqual(['good']);
      const line = t.log.lines.find((l) => l.level === 'error' && l.fields.status === status);
      expect(String(line?.fields.response)).toMatch(/^bad things: x+$/);
      expect(String(line?.fields.response)).toHaveLength(200);
      expect(t.log.text()).not.toContain('hc-secret-key');
      expect(await total(t.metrics.exporterFailedItems)).toBe(0);
      expect(await t.expectNothingLost()).toEqual({ sent: 1, dropped: 2 });
    },
  );

  it('delivers everything after the backend was down (connection refused) for a while', async () => {
    const port = await closedPort();
    const t = setup(`http://127.0.0.1:${port}`, { batchMaxSpans: 4, batchTimeoutMs: 0 });
    await t.exporter.start();
    const all = names('down', 10);
    for (let i = 0; i < 5; i++) await t.enqueue(traceItem(all.slice(i * 2, i * 2 + 2)));
    await waitFor(async () =>
      expect(await total(t.metrics.exporterFailedItems, { reason: 'network' })).toBeGreaterThanOrEqual(8),
    );
    expect(t.exporter.queueSize()).toBe(10);
    await t.expectNothingLost();
    const b = await backend(undefined, port);
    await t.sent(10);
    expect(b.acceptedSpanNames()).toEqual(all);
    expect(await t.expectNothingLost()).toEqual({ sent: 10, dropped: 0 });
  });

  it('drops a batch as retry_exhausted once maxElapsedMs has passed', async () => {
    const b = await backend(() => ({ status: 503 }));
    const t = setup(b.url, {
      retry: {
        initialIntervalMs: 20,
        maxIntervalMs: 40,
        multiplier: 2,
        randomizationFactor: 0,
        maxElapsedMs: 300,
      },
    });
    await t.exporter.start();
    await t.enqueue(traceItem(names('doomed', 3)));
    await waitFor(async () =>
      expect(await total(t.metrics.exporterDroppedItems, { reason: 'retry_exhausted' })).toBe(3),
    );
    expect(b.requests.length).toBeGreaterThanOrEqual(2);
    expect(t.exporter.queueSize()).toBe(0);
    expect(t.log.lines.some((l) => l.level === 'error' && l.msg.includes('retry time exhausted'))).toBe(true);
    await t.expectNothingLost();
  });

  it('counts what a partial_success rejected as dropped and the rest as sent, without retrying', async () => {
    const inner = protobuf.Writer.create()
      .uint32(0x08)
      .int64(2)
      .uint32(0x12)
      .string('two spans too old')
      .finish();
    const response = protobuf.Writer.create().uint32(0x0a).bytes(inner).finish();
    const b = await backend(() => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: response,
    }));
    const t = setup(b.url);
    await t.exporter.start();
    await t.enqueue(traceItem(names('partial', 5)));
    await waitFor(async () => expect(await total(t.metrics.exporterSentItems)).toBe(3));
    expect(await total(t.metrics.exporterDroppedItems, { reason: 'partial_success' })).toBe(2);
    expect(b.requests).toHaveLength(1);
    expect(t.log.lines.find((l) => l.msg.includes('partial success'))?.fields.message).toBe(
      'two spans too old',
    );
    await t.expectNothingLost();
  });

  it('reads partial_success from JSON and ignores bodies without one', () => {
    const json = (s: string) => Buffer.from(s);
    expect(
      parsePartialSuccess(
        json('{"partialSuccess":{"rejectedSpans":"4","errorMessage":"x"}}'),
        'application/json',
      ),
    ).toEqual({ rejected: 4, message: 'x' });
    expect(
      parsePartialSuccess(json('{"partialSuccess":{"rejectedLogRecords":1}}'), 'application/json'),
    ).toEqual({
      rejected: 1,
      message: '',
    });
    expect(parsePartialSuccess(json('{}'), 'application/json')).toBeUndefined();
    expect(parsePartialSuccess(json('not json'), 'application/json')).toBeUndefined();
    expect(parsePartialSuccess(new Uint8Array(0), 'application/x-protobuf')).toBeUndefined();
    expect(parsePartialSuccess(new Uint8Array([0x0a, 0x05, 0x08]), 'application/x-protobuf')).toBeUndefined();
  });
});

describe('bounds and lifecycle', () => {
  it('refuses beyond queue.maxSpans: hasCapacity is false and enqueue rejects without growing the queue', async () => {
    const port = await closedPort();
    const t = setup(`http://127.0.0.1:${port}`, {}, { maxSpans: 10, fsync: false });
    expect(t.exporter.hasCapacity(1)).toBe(false);
    await expect(t.exporter.enqueue(traceItem(['early']))).rejects.toThrow(/not started/);
    await t.exporter.start();
    expect(t.exporter.hasCapacity(10)).toBe(true);
    expect(t.exporter.hasCapacity(11)).toBe(false);
    await t.enqueue(traceItem(names('cap', 6)));
    expect(t.exporter.hasCapacity(4)).toBe(true);
    expect(t.exporter.hasCapacity(5)).toBe(false);
    await expect(t.exporter.enqueue(traceItem(names('over', 5)))).rejects.toThrow(/queue full/);
    expect(t.exporter.queueSize()).toBe(6);
    await t.enqueue(traceItem(names('fill', 4)));
    expect(t.exporter.queueSize()).toBe(10);
    expect(t.exporter.hasCapacity(1)).toBe(false);
    expect((await t.metrics.exporterQueueSize.get()).values[0]?.value).toBe(10);
    expect((await t.metrics.exporterQueueCapacity.get()).values[0]?.value).toBe(10);
    await t.expectNothingLost();
  });

  it('shutdown sends what is still batching without waiting for the batch timer, then refuses new items', async () => {
    const b = await backend();
    const t = setup(b.url, { batchTimeoutMs: 60_000 });
    await t.exporter.start();
    for (let i = 0; i < 3; i++) await t.enqueue(traceItem([`drain-${i}`]));
    expect(b.requests).toHaveLength(0);
    await t.exporter.shutdown(5_000);
    expect(b.acceptedSpanNames()).toEqual(['drain-0', 'drain-1', 'drain-2']);
    expect(t.exporter.hasCapacity(1)).toBe(false);
    await expect(t.exporter.enqueue(traceItem(['late']))).rejects.toThrow(/shutting down/);
    expect(await t.expectNothingLost()).toEqual({ sent: 3, dropped: 0 });
  });

  it('shutdown keeps retrying until the deadline: a backend back in time gets everything', async () => {
    const port = await closedPort();
    const t = setup(`http://127.0.0.1:${port}`, { batchTimeoutMs: 60_000 });
    await t.exporter.start();
    await t.enqueue(traceItem(names('late', 4)));
    const stopped = t.exporter.shutdown(5_000);
    await waitFor(async () => expect(await total(t.metrics.exporterFailedItems)).toBeGreaterThan(0));
    const b = await backend(undefined, port);
    await stopped;
    expect(b.acceptedSpanNames()).toEqual(names('late', 4));
    expect(await t.expectNothingLost()).toEqual({ sent: 4, dropped: 0 });
  });

  it('at the shutdown deadline the memory queue counts what is left as dropped (reason shutdown) and logs it', async () => {
    const b = await backend(() => 'hang');
    const t = setup(b.url, { batchMaxSpans: 2, batchTimeoutMs: 0, timeoutMs: 10_000 });
    await t.exporter.start();
    for (let i = 0; i < 3; i++) await t.enqueue(traceItem(names(`stuck${i}`, 2)));
    await b.waitForRequests(1);
    await t.exporter.shutdown(200);
    expect(t.exporter.queueSize()).toBe(0);
    expect(await total(t.metrics.exporterDroppedItems, { reason: 'shutdown' })).toBe(6);
    expect(await t.expectNothingLost()).toEqual({ sent: 0, dropped: 6 });
    const line = t.log.lines.find((l) => l.level === 'error' && l.msg.includes('shutdown deadline'));
    expect(line?.fields.items).toBe(6);
    expect((await t.metrics.exporterQueueSize.get()).values[0]?.value).toBe(0);
  });
});
