import http from 'node:http';
import zlib from 'node:zlib';
import { type DiagLogger, DiagLogLevel, diag, SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Counter, Registry } from 'prom-client';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../log.js';
import { hex } from '../otlp/codec.js';
import type { TraceRequest } from '../otlp/types.js';
import { SelfMetrics } from '../self-metrics.js';
import { RefusedError, type TraceConsumer } from './consumer.js';
import { OtlpHttpReceiver, type OtlpHttpReceiverOptions } from './otlp-http.js';

// ---------------------------------------------------------------------------------------------------------
// test doubles and helpers

type TraceResult = { rejectedSpans?: number; message?: string } | undefined;

/** A TraceConsumer that records what it is given; `failures` are thrown (in order) instead of accepting. */
class RecordingConsumer implements TraceConsumer {
  readonly traces: Array<{ req: TraceRequest; spanCount: number }> = [];
  readonly raw: Array<{ signal: 'metrics' | 'logs'; body: Buffer; contentType: string; items: number }> = [];
  readonly failures: unknown[] = [];
  result: TraceResult;
  /** When set, consumeTraces waits for it before accepting. */
  gate: Promise<void> | undefined;
  calls = 0;

  async consumeTraces(req: TraceRequest, spanCount: number): Promise<TraceResult> {
    this.calls++;
    if (this.failures.length > 0) throw this.failures.shift();
    if (this.gate) await this.gate;
    this.traces.push({ req, spanCount });
    return this.result;
  }

  async consumeRaw(
    signal: 'metrics' | 'logs',
    body: Uint8Array,
    contentType: string,
    items: number,
  ): Promise<void> {
    if (this.failures.length > 0) throw this.failures.shift();
    this.raw.push({ signal, body: Buffer.from(body), contentType, items });
  }
}

class CapturingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  debug(msg: string, fields?: LogFields) {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: LogFields) {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: LogFields) {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: LogFields) {
    this.lines.push({ level: 'error', msg, fields });
  }
}

interface Harness {
  receiver: OtlpHttpReceiver;
  consumer: RecordingConsumer;
  metrics: SelfMetrics;
  log: CapturingLogger;
  port: number;
  url: string;
}

const running: OtlpHttpReceiver[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const r of running.splice(0)) await r.shutdown();
  diag.disable();
});

async function startReceiver(opts: Partial<OtlpHttpReceiverOptions> = {}): Promise<Harness> {
  const consumer = new RecordingConsumer();
  const metrics = new SelfMetrics(new Registry());
  const log = new CapturingLogger();
  const receiver = new OtlpHttpReceiver({
    endpoint: '127.0.0.1:0',
    maxBodyBytes: 1024 * 1024,
    requestTimeoutMs: 5_000,
    consumer,
    metrics,
    log,
    ...opts,
  });
  running.push(receiver);
  const { port, host } = await receiver.start();
  expect(host).toBe('127.0.0.1');
  return { receiver, consumer, metrics, log, port, url: `http://127.0.0.1:${port}` };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(
  port: number,
  opts: {
    method?: string;
    path?: string;
    headers?: Record<string, string | number>;
    body?: Uint8Array | string;
    agent?: http.Agent;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/v1/traces',
        headers: opts.headers,
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const PROTO = { 'Content-Type': 'application/x-protobuf' };
const JSON_CT = { 'Content-Type': 'application/json' };

async function counter(c: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await c.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const RpcStatus = protobuf.Root.fromJSON({
  nested: {
    Status: {
      fields: {
        code: { type: 'int32', id: 1 },
        message: { type: 'string', id: 2 },
        details: { rule: 'repeated', type: 'bytes', id: 3 },
      },
    },
  },
}).lookupType('Status');

function rpcStatus(reply: Reply): { code?: number; message?: string } {
  if (String(reply.headers['content-type']).startsWith('application/json'))
    return JSON.parse(reply.body.toString());
  return RpcStatus.toObject(RpcStatus.decode(reply.body)) as { code?: number; message?: string };
}

function makeSpans(n = 3): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('receiver-test', '1.0.0');
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(`span-${i}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100 + i },
    });
    span.addEvent('e', { i });
    span.end();
  }
  return exporter.getFinishedSpans();
}

const protoBody = (n = 3) => ProtobufTraceSerializer.serializeRequest(makeSpans(n)) as Uint8Array;
const jsonBody = (n = 3) => JsonTraceSerializer.serializeRequest(makeSpans(n)) as Uint8Array;

function exportSpans(
  exporter: { export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void },
  spans: ReadableSpan[],
) {
  return new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
}

function captureDiagWarnings(): string[] {
  const warnings: string[] = [];
  const push = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return warnings;
}

// ---------------------------------------------------------------------------------------------------------

describe('OtlpHttpReceiver with the OpenTelemetry JS exporters', () => {
  const variants = [
    ['http/protobuf', 'none'],
    ['http/protobuf', 'gzip'],
    ['http/json', 'none'],
    ['http/json', 'gzip'],
  ] as const;

  it.each(variants)(
    '%s with compression %s: spans arrive decoded and are counted',
    async (protocol, compression) => {
      const h = await startReceiver();
      const config = {
        url: `${h.url}/v1/traces`,
        compression: compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
      };
      const exporter =
        protocol === 'http/protobuf' ? new OTLPTraceExporterProto(config) : new OTLPTraceExporterJson(config);
      cleanups.push(() => exporter.shutdown());
      const spans = makeSpans(3);
      const result = await exportSpans(exporter, spans);
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(h.consumer.traces).toHaveLength(1);
      const got = h.consumer.traces[0];
      expect(got?.spanCount).toBe(3);
      const decoded = got?.req.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
      expect(decoded.map((s) => s.name)).toEqual(['span-0', 'span-1', 'span-2']);
      expect(decoded.map((s) => hex(s.spanId))).toEqual(spans.map((s) => s.spanContext().spanId));
      expect(got?.req.resourceSpans[0]?.scopeSpans[0]?.scope?.name).toBe('receiver-test');
      expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'traces' })).toBe(3);
    },
  );

  it('sends the bearer token the exporter is configured with; without it the export fails with 401', async () => {
    const h = await startReceiver({ bearerToken: 's3cret' });
    const good = new OTLPTraceExporterProto({
      url: `${h.url}/v1/traces`,
      headers: { Authorization: 'Bearer s3cret' },
    });
    const bad = new OTLPTraceExporterProto({ url: `${h.url}/v1/traces` });
    cleanups.push(
      () => good.shutdown(),
      () => bad.shutdown(),
    );
    expect((await exportSpans(good, makeSpans(1))).code).toBe(ExportResultCode.SUCCESS);
    const failed = await exportSpans(bad, makeSpans(1));
    expect(failed.code).toBe(ExportResultCode.FAILED);
    expect((failed.error as Error & { code?: number }).code).toBe(401);
    expect(h.consumer.traces).toHaveLength(1);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'unauthorized' })).toBe(1);
  });

  it.each(['http/protobuf', 'http/json'] as const)(
    'reports partial success that the %s exporter logs as a warning',
    async (protocol) => {
      const warnings = captureDiagWarnings();
      const h = await startReceiver();
      h.consumer.result = { rejectedSpans: 1, message: 'one span had no model' };
      const config = { url: `${h.url}/v1/traces` };
      const exporter =
        protocol === 'http/protobuf' ? new OTLPTraceExporterProto(config) : new OTLPTraceExporterJson(config);
      cleanups.push(() => exporter.shutdown());
      const result = await exportSpans(exporter, makeSpans(3));
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(warnings.join('\n')).toMatch(/Partial Success.*one span had no model/);
      expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'traces' })).toBe(2);
      expect(
        await counter(h.metrics.receiverRefusedSpans, { signal: 'traces', reason: 'partial_success' }),
      ).toBe(1);
    },
  );

  it('a refused export is retried by the exporter after Retry-After and arrives once', async () => {
    const h = await startReceiver();
    h.consumer.failures.push(new RefusedError('queue full', 503, 0));
    const exporter = new OTLPTraceExporterProto({ url: `${h.url}/v1/traces` });
    cleanups.push(() => exporter.shutdown());
    const result = await exportSpans(exporter, makeSpans(2));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(h.consumer.traces).toHaveLength(1);
    expect(await counter(h.metrics.receiverRefusedSpans, { signal: 'traces', reason: 'unavailable' })).toBe(
      2,
    );
    expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'traces' })).toBe(2);
  });

  it('accepts metrics (protobuf, gzip) and logs (JSON) from the real exporters, counting items', async () => {
    const h = await startReceiver();
    const metricExporter = new OTLPMetricExporterProto({
      url: `${h.url}/v1/metrics`,
      compression: CompressionAlgorithm.GZIP,
    });
    const logExporter = new OTLPLogExporterJson({ url: `${h.url}/v1/logs` });
    cleanups.push(
      () => metricExporter.shutdown(),
      () => logExporter.shutdown(),
    );
    const metricsResult = await new Promise<ExportResult>((resolve) =>
      collectMetrics().then((rm) => metricExporter.export(rm, resolve)),
    );
    expect(metricsResult.code).toBe(ExportResultCode.SUCCESS);
    const logsResult = await new Promise<ExportResult>((resolve) => logExporter.export(makeLogs(), resolve));
    expect(logsResult.code).toBe(ExportResultCode.SUCCESS);
    expect(h.consumer.raw.map((r) => [r.signal, r.contentType, r.items])).toEqual([
      ['metrics', 'application/x-protobuf', 3],
      ['logs', 'application/json', 2],
    ]);
    expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'metrics' })).toBe(3);
    expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'logs' })).toBe(2);
  });
});

/** Two counter series (2 points) and one histogram point. */
async function collectMetrics(): Promise<ResourceMetrics> {
  class TestReader extends MetricReader {
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('receiver-test');
  const calls = meter.createCounter('gen_ai.calls');
  calls.add(1, { model: 'a' });
  calls.add(2, { model: 'b' });
  meter.createHistogram('gen_ai.duration').record(1.5);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

function makeLogs(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('receiver-test');
  logger.emit({ body: 'first' });
  logger.emit({ body: 'second', attributes: { k: 'v' } });
  return exporter.getFinishedLogRecords();
}

describe('OtlpHttpReceiver: metrics and logs are forwarded byte for byte', () => {
  it('protobuf metrics, gzip-compressed on the wire, reach the consumer uncompressed and identical', async () => {
    const h = await startReceiver();
    const body = ProtobufMetricsSerializer.serializeRequest(await collectMetrics()) as Uint8Array;
    const reply = await send(h.port, {
      path: '/v1/metrics',
      headers: { ...PROTO, 'Content-Encoding': 'gzip' },
      body: zlib.gzipSync(body),
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-protobuf');
    expect(reply.body).toHaveLength(0);
    expect(h.consumer.raw).toHaveLength(1);
    expect(h.consumer.raw[0]?.body.equals(Buffer.from(body))).toBe(true);
    expect(h.consumer.raw[0]?.items).toBe(3);
  });

  it('JSON and protobuf logs (content type with parameters) are identical and counted', async () => {
    const h = await startReceiver();
    const json = JsonLogsSerializer.serializeRequest(makeLogs()) as Uint8Array;
    const proto = ProtobufLogsSerializer.serializeRequest(makeLogs()) as Uint8Array;
    const r1 = await send(h.port, {
      path: '/v1/logs',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: json,
    });
    expect(r1.status).toBe(200);
    expect(r1.headers['content-type']).toBe('application/json');
    expect(r1.body.toString()).toBe('{}');
    const r2 = await send(h.port, {
      path: '/v1/logs',
      headers: { ...PROTO, 'Content-Encoding': 'deflate' },
      body: zlib.deflateSync(proto),
    });
    expect(r2.status).toBe(200);
    expect(h.consumer.raw.map((r) => r.items)).toEqual([2, 2]);
    expect(h.consumer.raw[0]?.body.equals(Buffer.from(json))).toBe(true);
    expect(h.consumer.raw[1]?.body.equals(Buffer.from(proto))).toBe(true);
    expect(h.consumer.raw[0]?.contentType).toBe('application/json');
  });

  it('rejects metrics whose protobuf framing is broken, and answers empty ones without forwarding', async () => {
    const h = await startReceiver();
    const body = ProtobufMetricsSerializer.serializeRequest(await collectMetrics()) as Uint8Array;
    const broken = await send(h.port, {
      path: '/v1/metrics',
      headers: PROTO,
      body: body.subarray(0, body.length - 3),
    });
    expect(broken.status).toBe(400);
    expect(rpcStatus(broken).message).toMatch(/^protobuf: /);
    const empty = await send(h.port, { path: '/v1/metrics', headers: JSON_CT, body: '{}' });
    expect(empty.status).toBe(200);
    expect(h.consumer.raw).toHaveLength(0);
  });

  it('a refused metrics request gets 429 with Retry-After and counts the refused items', async () => {
    const h = await startReceiver();
    h.consumer.failures.push(new RefusedError('slow down', 429, 7));
    const body = ProtobufMetricsSerializer.serializeRequest(await collectMetrics()) as Uint8Array;
    const reply = await send(h.port, { path: '/v1/metrics', headers: PROTO, body });
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('7');
    expect(rpcStatus(reply)).toEqual({ code: 8, message: 'slow down' });
    expect(await counter(h.metrics.receiverRefusedSpans, { signal: 'metrics', reason: 'throttled' })).toBe(3);
  });
});

describe('OtlpHttpReceiver: status codes', () => {
  it('404 for unknown paths, 405 with Allow for other methods', async () => {
    const h = await startReceiver();
    const notFound = await send(h.port, { path: '/v2/traces', headers: PROTO, body: protoBody() });
    expect(notFound.status).toBe(404);
    expect(notFound.headers['content-type']).toMatch(/^text\/plain/);
    const get = await send(h.port, { method: 'GET', path: '/v1/traces' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const put = await send(h.port, { method: 'PUT', path: '/v1/logs', headers: PROTO, body: 'x' });
    expect(put.status).toBe(405);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'not_found' })).toBe(1);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'method_not_allowed' })).toBe(2);
  });

  it('415 for other content types and content encodings, naming them', async () => {
    const h = await startReceiver();
    const text = await send(h.port, { headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body.toString()).toMatch(/"text\/plain"/);
    const none = await send(h.port, { body: protoBody() });
    expect(none.status).toBe(415);
    // Not a property lookup on some object literal.
    const inherited = await send(h.port, { headers: { 'Content-Type': 'constructor' }, body: protoBody() });
    expect(inherited.status).toBe(415);
    expect((await send(h.port, { path: '/constructor', headers: PROTO, body: protoBody() })).status).toBe(
      404,
    );
    const br = await send(h.port, { headers: { ...PROTO, 'Content-Encoding': 'br' }, body: protoBody() });
    expect(br.status).toBe(415);
    expect(br.body.toString()).toMatch(/content encoding "br"/);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'unsupported_media_type' })).toBe(3);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'unsupported_encoding' })).toBe(1);
    expect(h.consumer.traces).toHaveLength(0);
  });

  it('400 with a protobuf google.rpc.Status for garbage protobuf', async () => {
    const h = await startReceiver();
    const reply = await send(h.port, {
      headers: PROTO,
      body: new Uint8Array([0x0a, 0xff, 0xff, 0x03, 0x01]),
    });
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/x-protobuf');
    const status = rpcStatus(reply);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^protobuf: index out of range/);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'malformed' })).toBe(1);
    expect(h.consumer.traces).toHaveLength(0);
  });

  it('400 with a JSON google.rpc.Status for bad JSON and for a bad hex id', async () => {
    const h = await startReceiver();
    const bad = await send(h.port, { headers: JSON_CT, body: '{"resourceSpans": [' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/json');
    expect(rpcStatus(bad)).toEqual({
      code: 3,
      message: expect.stringMatching(/^invalid JSON at position 19/),
    });
    const json = JSON.parse(Buffer.from(jsonBody(1)).toString());
    json.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'not-a-hex-trace-id-not-a-hex-id!';
    const hexReply = await send(h.port, { headers: JSON_CT, body: JSON.stringify(json) });
    expect(hexReply.status).toBe(400);
    expect(rpcStatus(hexReply).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got "not-a-hex-trace-id-not-a-hex-id!" (not hex)',
    );
  });

  it('400 for a corrupt gzip body', async () => {
    const h = await startReceiver();
    const gz = zlib.gzipSync(protoBody());
    gz[gz.length - 6] = (gz[gz.length - 6] ?? 0) ^ 0xff; // breaks the CRC
    const reply = await send(h.port, { headers: { ...PROTO, 'Content-Encoding': 'gzip' }, body: gz });
    expect(reply.status).toBe(400);
    expect(rpcStatus(reply).message).toMatch(/^invalid gzip body/);
    const notGzip = await send(h.port, {
      headers: { ...PROTO, 'Content-Encoding': 'gzip' },
      body: protoBody(),
    });
    expect(notGzip.status).toBe(400);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'bad_compression' })).toBe(2);
  });

  it('413 for a declared Content-Length above the cap, before reading the body', async () => {
    const h = await startReceiver({ maxBodyBytes: 64 * 1024 });
    const reply = await send(h.port, { headers: PROTO, body: Buffer.alloc(200 * 1024, 1) });
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(rpcStatus(reply).message).toBe('request body of 204800 bytes exceeds the limit of 65536 bytes');
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'too_large' })).toBe(1);
  });

  it('413 for a chunked body that grows past the cap', async () => {
    const h = await startReceiver({ maxBodyBytes: 64 * 1024 });
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: h.port, method: 'POST', path: '/v1/traces', headers: PROTO, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(16 * 1024, 7));
      req.end();
    });
    expect(reply.status).toBe(413);
    expect(rpcStatus(reply).message).toBe('request body exceeds the limit of 65536 bytes');
  });

  it('413 for a gzip bomb: the cap applies after decompression', async () => {
    const h = await startReceiver({ maxBodyBytes: 1024 * 1024 });
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)); // ~64 KiB on the wire
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const reply = await send(h.port, { headers: { ...PROTO, 'Content-Encoding': 'gzip' }, body: bomb });
    expect(reply.status).toBe(413);
    expect(rpcStatus(reply).message).toBe(
      'request body exceeds the limit of 1048576 bytes after decompression',
    );
    expect(h.consumer.traces).toHaveLength(0);
  });

  it('accepts a body exactly at the cap', async () => {
    const body = protoBody(2);
    const h = await startReceiver({ maxBodyBytes: body.length });
    expect((await send(h.port, { headers: PROTO, body })).status).toBe(200);
    expect(
      (await send(h.port, { headers: { ...PROTO, 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(body) }))
        .status,
    ).toBe(200);
  });

  it('401 without or with a wrong bearer token; Status body when the encoding is known', async () => {
    const h = await startReceiver({ bearerToken: 'tok-123' });
    const missing = await send(h.port, { headers: PROTO, body: protoBody() });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(rpcStatus(missing)).toEqual({ code: 16, message: 'missing or invalid bearer token' });
    const wrong = await send(h.port, {
      headers: { ...JSON_CT, Authorization: 'Bearer tok-124' },
      body: jsonBody(),
    });
    expect(wrong.status).toBe(401);
    expect(rpcStatus(wrong).code).toBe(16);
    const basic = await send(h.port, {
      headers: { ...PROTO, Authorization: 'Basic dG9rLTEyMw==' },
      body: protoBody(),
    });
    expect(basic.status).toBe(401);
    const plain = await send(h.port, { headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(plain.status).toBe(401);
    expect(plain.headers['content-type']).toMatch(/^text\/plain/);
    const ok = await send(h.port, {
      headers: { ...PROTO, Authorization: 'bearer tok-123' },
      body: protoBody(),
    });
    expect(ok.status).toBe(200);
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'unauthorized' })).toBe(4);
    expect(h.consumer.traces).toHaveLength(1);
  });

  it('without a configured token, requests need no Authorization', async () => {
    const h = await startReceiver();
    expect((await send(h.port, { headers: PROTO, body: protoBody() })).status).toBe(200);
    expect(
      (await send(h.port, { headers: { ...PROTO, Authorization: 'Bearer anything' }, body: protoBody() }))
        .status,
    ).toBe(200);
  });

  it.each([
    [503, 'unavailable', 14],
    [429, 'throttled', 8],
  ] as const)(
    'RefusedError %i → that status, Retry-After and a Status body',
    async (status, reason, code) => {
      const h = await startReceiver();
      h.consumer.failures.push(new RefusedError('the queue of exporter "x" is full', status, 5));
      const reply = await send(h.port, { headers: JSON_CT, body: jsonBody(4) });
      expect(reply.status).toBe(status);
      expect(reply.headers['retry-after']).toBe('5');
      expect(reply.headers['content-type']).toBe('application/json');
      expect(rpcStatus(reply)).toEqual({ code, message: 'the queue of exporter "x" is full' });
      expect(await counter(h.metrics.receiverRefusedSpans, { signal: 'traces', reason })).toBe(4);
      expect(await counter(h.metrics.receiverAcceptedSpans, { signal: 'traces' })).toBe(0);
    },
  );

  it('an unexpected consumer error → 503 + Retry-After, logged, no internals in the response', async () => {
    const h = await startReceiver({ retryAfterSeconds: 3 });
    h.consumer.failures.push(new Error('disk on fire in the queue directory'));
    const reply = await send(h.port, { headers: PROTO, body: protoBody(2) });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('3');
    const status = rpcStatus(reply);
    expect(status.code).toBe(14);
    expect(status.message).not.toMatch(/disk|queue directory|Error|at /);
    expect(reply.body.toString('latin1')).not.toMatch(/disk on fire|\.ts:\d+/);
    expect(
      h.log.lines.some(
        (l) => l.level === 'error' && l.fields?.error === 'disk on fire in the queue directory',
      ),
    ).toBe(true);
    expect(
      await counter(h.metrics.receiverRefusedSpans, { signal: 'traces', reason: 'consumer_error' }),
    ).toBe(2);
    // The receiver keeps serving.
    expect((await send(h.port, { headers: PROTO, body: protoBody(1) })).status).toBe(200);
  });

  it('a consumer throwing a non-Error value is still a 503', async () => {
    const h = await startReceiver();
    h.consumer.failures.push('just a string');
    const reply = await send(h.port, { headers: PROTO, body: protoBody(1) });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('2');
  });

  it('partial success in the request encoding', async () => {
    const h = await startReceiver();
    h.consumer.result = { rejectedSpans: 2, message: 'two spans refused by policy' };
    const json = await send(h.port, { headers: JSON_CT, body: jsonBody(3) });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body.toString())).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'two spans refused by policy' },
    });
    const proto = await send(h.port, { headers: PROTO, body: protoBody(3) });
    const parsed = ProtobufTraceSerializer.deserializeResponse(proto.body);
    expect(Number(parsed.partialSuccess?.rejectedSpans)).toBe(2);
    expect(parsed.partialSuccess?.errorMessage).toBe('two spans refused by policy');
    // A consumer claiming more rejections than spans is clamped.
    h.consumer.result = { rejectedSpans: 99 };
    const clamped = await send(h.port, { headers: JSON_CT, body: jsonBody(3) });
    expect(JSON.parse(clamped.body.toString()).partialSuccess.rejectedSpans).toBe('3');
  });

  it('full success: empty protobuf body / {} and partial_success unset', async () => {
    const h = await startReceiver();
    const proto = await send(h.port, { headers: PROTO, body: protoBody(1) });
    expect(proto.status).toBe(200);
    expect(proto.body).toHaveLength(0);
    const json = await send(h.port, { headers: JSON_CT, body: jsonBody(1) });
    expect(json.body.toString()).toBe('{}');
  });

  it('an empty request is a success that never reaches the consumer', async () => {
    const h = await startReceiver();
    expect((await send(h.port, { headers: PROTO, body: new Uint8Array(0) })).status).toBe(200);
    expect((await send(h.port, { headers: JSON_CT, body: '{"resourceSpans":[]}' })).status).toBe(200);
    expect(h.consumer.traces).toHaveLength(0);
  });

  it('408 when the body does not arrive within requestTimeoutMs', async () => {
    const h = await startReceiver({ requestTimeoutMs: 300 });
    const body = protoBody(1);
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: h.port,
          method: 'POST',
          path: '/v1/traces',
          headers: { ...PROTO, 'Content-Length': body.length },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10)); // and never the rest
    });
    expect(reply.status).toBe(408);
    expect(rpcStatus(reply)).toEqual({ code: 4, message: 'request body not received within 300 ms' });
    expect(await counter(h.metrics.receiverRejectedRequests, { reason: 'timeout' })).toBe(1);
    expect(h.consumer.traces).toHaveLength(0);
  });

  it('a client that disconnects mid-body is dropped quietly and the receiver keeps serving', async () => {
    const h = await startReceiver();
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: h.port,
        method: 'POST',
        path: '/v1/traces',
        headers: { ...PROTO, 'Content-Length': 1000 },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(10), () => setTimeout(() => req.destroy(), 50));
    });
    expect((await send(h.port, { headers: PROTO, body: protoBody(1) })).status).toBe(200);
    expect(h.consumer.traces).toHaveLength(1);
  });

  it('keeps connections alive between successful requests', async () => {
    const h = await startReceiver();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    for (let i = 0; i < 3; i++) {
      const reply = await send(h.port, { headers: PROTO, body: protoBody(1), agent });
      expect(reply.status).toBe(200);
      expect(reply.headers.connection).not.toBe('close');
    }
    expect(sockets.size).toBe(1);
  });
});

describe('OtlpHttpReceiver lifecycle', () => {
  it('shutdown lets an in-flight request finish, then refuses new connections', async () => {
    const h = await startReceiver();
    let open: () => void = () => {};
    h.consumer.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const inflight = send(h.port, { headers: PROTO, body: protoBody(2) });
    while (h.consumer.calls === 0) await new Promise((r) => setTimeout(r, 5));
    let stopped = false;
    const stopping = h.receiver.shutdown().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    open();
    const reply = await inflight;
    expect(reply.status).toBe(200);
    await stopping;
    expect(h.consumer.traces).toHaveLength(1);
    await expect(send(h.port, { headers: PROTO, body: protoBody(1) })).rejects.toThrow(/ECONNREFUSED/);
    // Idempotent.
    await h.receiver.shutdown();
  });

  it('start fails cleanly on a port in use and on a bad endpoint', async () => {
    const h = await startReceiver();
    const clash = new OtlpHttpReceiver({
      endpoint: `127.0.0.1:${h.port}`,
      maxBodyBytes: 1024,
      requestTimeoutMs: 1000,
      consumer: h.consumer,
      metrics: h.metrics,
      log: h.log,
    });
    await expect(clash.start()).rejects.toThrow(/EADDRINUSE/);
    const bad = new OtlpHttpReceiver({
      endpoint: 'localhost:http',
      maxBodyBytes: 1024,
      requestTimeoutMs: 1000,
      consumer: h.consumer,
      metrics: h.metrics,
      log: h.log,
    });
    await expect(bad.start()).rejects.toThrow(/invalid receiver endpoint/);
    expect(
      () =>
        new OtlpHttpReceiver({
          endpoint: '127.0.0.1:0',
          maxBodyBytes: 0,
          requestTimeoutMs: 1000,
          consumer: h.consumer,
          metrics: h.metrics,
          log: h.log,
        }),
    ).toThrow(/maxBodyBytes/);
  });

  it('listens on IPv6 and all-interfaces endpoints', async () => {
    const consumer = new RecordingConsumer();
    const metrics = new SelfMetrics(new Registry());
    const r = new OtlpHttpReceiver({
      endpoint: '0.0.0.0:0',
      maxBodyBytes: 1 << 20,
      requestTimeoutMs: 1000,
      consumer,
      metrics,
      log: new CapturingLogger(),
    });
    running.push(r);
    const addr = await r.start();
    expect(addr.host).toBe('0.0.0.0');
    expect((await send(addr.port, { headers: PROTO, body: protoBody(1) })).status).toBe(200);
    const v6 = new OtlpHttpReceiver({
      endpoint: '[::1]:0',
      maxBodyBytes: 1 << 20,
      requestTimeoutMs: 1000,
      consumer,
      metrics,
      log: new CapturingLogger(),
    });
    running.push(v6);
    const a6 = await v6.start().catch((e: Error) => e);
    // Some sandboxes have no IPv6 loopback; then the start error must be a clean rejection.
    if (a6 instanceof Error) expect(a6.message).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
    else expect(a6.host).toBe('::1');
  });
});
