/**
 * Test support for the exporter tests: a scripted OTLP/HTTP backend (node:http), OTLP trace bodies made from
 * real SDK spans with the real protobuf serializer, a small decoder to see what the backend received, and
 * metric/log capture helpers.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Counter } from 'prom-client';
import protobuf from 'protobufjs';
import type { ExporterConfig } from '../../config/types.js';
import type { LogFields, Logger } from '../../log.js';
import type { QueueItem } from '../types.js';

// Just enough of opentelemetry-proto trace/v1 to list span names in a request.
const TraceRequest = protobuf.Root.fromJSON({
  nested: {
    Span: { fields: { name: { type: 'string', id: 5 } } },
    ScopeSpans: { fields: { spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    ResourceSpans: { fields: { scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
    },
  },
}).lookupType('ExportTraceServiceRequest');

interface NamesOnly {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name?: string }> }> }>;
}

/** Span names in an OTLP trace request, in order (protobuf, or OTLP JSON when `json`). */
export function spanNamesIn(body: Uint8Array, json = false): string[] {
  const req: NamesOnly = json
    ? (JSON.parse(Buffer.from(body).toString('utf8')) as NamesOnly)
    : (TraceRequest.toObject(TraceRequest.decode(body)) as NamesOnly);
  return (req.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.name ?? '')),
  );
}

const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
const tracer = provider.getTracer('exporter-tests');
/** Every span made by traceItem, by name (the JSON converter in the tests serializes them again). */
export const spansByName = new Map<string, ReadableSpan>();

/** A traces QueueItem holding one real span per name, encoded by the OpenTelemetry protobuf serializer. */
export function traceItem(names: string[]): QueueItem {
  memory.reset();
  for (const name of names) tracer.startSpan(name, { attributes: { 'test.name': name } }).end();
  const spans = memory.getFinishedSpans().slice();
  for (const s of spans) spansByName.set(s.name, s);
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('serializer returned nothing');
  return { signal: 'traces', body, contentType: 'application/x-protobuf', items: spans.length };
}

/** `count` names like `prefix-0`, `prefix-1`, ... */
export function names(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${from + i}`);
}

export interface BackendRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** Decompressed body. */
  body: Buffer;
  /** What the backend answered (0 while hanging or when destroyed). */
  status: number;
  at: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | Uint8Array }
  | 'hang'
  | 'destroy';

/** Decides the answer to request number `index` (0-based, over the backend's life). */
export type Responder = (req: BackendRequest, index: number) => Reply;

export interface Backend {
  url: string;
  port: number;
  requests: BackendRequest[];
  /** Names of spans in trace requests the backend accepted (2xx), in arrival order. */
  acceptedSpanNames(): string[];
  waitForSpans(count: number, timeoutMs?: number): Promise<string[]>;
  waitForRequests(count: number, timeoutMs?: number): Promise<BackendRequest[]>;
  close(): Promise<void>;
}

const ok: Responder = () => ({ status: 200 });

export async function startBackend(respond: Responder = ok, port = 0): Promise<Backend> {
  const requests: BackendRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const record: BackendRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body,
        status: 0,
        at: Date.now(),
      };
      const index = requests.length;
      requests.push(record);
      const reply = respond(record, index);
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      if (reply === 'destroy') {
        req.socket.destroy();
        return;
      }
      record.status = reply.status;
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  const acceptedSpanNames = () =>
    requests
      .filter((r) => r.path === '/v1/traces' && r.status >= 200 && r.status < 300)
      .flatMap((r) => spanNamesIn(r.body, String(r.headers['content-type']).includes('json')));
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    acceptedSpanNames,
    async waitForSpans(count, timeoutMs = 5_000) {
      await until(
        () => acceptedSpanNames().length >= count,
        timeoutMs,
        () => `${acceptedSpanNames().length} spans`,
      );
      return acceptedSpanNames();
    },
    async waitForRequests(count, timeoutMs = 5_000) {
      await until(
        () => requests.length >= count,
        timeoutMs,
        () => `${requests.length} requests`,
      );
      return requests.slice();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function until(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; have ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nothing listens on (connection refused), free for a backend to take later. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function exporterConfig(endpoint: string, overrides: Partial<ExporterConfig> = {}): ExporterConfig {
  return {
    name: 'test',
    endpoint,
    protocol: 'http/protobuf',
    headers: {},
    compression: 'none',
    timeoutMs: 2_000,
    batchMaxSpans: 100,
    batchTimeoutMs: 20,
    retry: {
      initialIntervalMs: 20,
      maxIntervalMs: 100,
      multiplier: 2,
      randomizationFactor: 0.2,
      maxElapsedMs: 0,
    },
    ...overrides,
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

export function captureLog(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (msg: string, fields: LogFields = {}) =>
      lines.push({ level, msg, fields });
  return {
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

/** Sum of a counter's values whose labels include `labels`. */
export async function total<L extends string>(
  counter: Counter<L>,
  labels: Partial<Record<L, string>> = {},
): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as L] === want))
    .reduce((n, v) => n + v.value, 0);
}
