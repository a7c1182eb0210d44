/**
 * Hostile and broken OTLP against the real `ailedger collector` process: real protobuf and JSON requests (from the
 * OpenTelemetry JS serializers, with GenAI spans the processors work on) mutated byte by byte and structurally,
 * truncated, oversized, compressed wrongly, nested too deep, sent too slowly, or sent without the bearer token.
 *
 * Every answer must be a 2xx or a 4xx naming the problem (never a 5xx, never a hang), the process must stay up
 * with no error logged and no processor failure, and what it acknowledged must add up: the spans of every 200
 * are counted as accepted and reach the backend, and nothing else does.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSpans, decodeTraceRequest, OtlpDecodeError } from '../collector-processor/src/otlp/codec.js';
import { metricValue, type RunningCollector, startCollector } from './support/collector.js';
import { type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const RUNS = LONG ? 50_000 : 4_000;
const MAX_BODY = 256 * 1024;

/** Real spans: our model-call span, a foreign (OpenLLMetry-style) one under it, and a plain HTTP span. */
function realSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fuzz-app', 'ailedger.team': 'fuzzers' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const ours = provider.getTracer('@ailedger/instrumentation', '0.1.0');
  const foreign = provider.getTracer('@traceloop/instrumentation-openai');
  const parent = foreign.startSpan('openai.chat', {
    kind: 2,
    attributes: {
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.prompt_tokens': 1200,
      'gen_ai.usage.completion_tokens': 300,
      'gen_ai.usage.cache_read_input_tokens': 100,
    },
  });
  const child = ours.startSpan('chat gpt-4o', {
    kind: 2,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.response.finish_reasons': ['stop'],
      'ailedger.api_key.fingerprint': '0123456789ab',
      'server.address': 'api.openai.com',
      'server.port': 443,
    },
  });
  child.addEvent('first chunk', { n: 1 });
  child.end();
  parent.end();
  provider
    .getTracer('http')
    .startSpan('GET /items', { attributes: { 'http.response.status_code': 200, 'x.big': 2 ** 60 } })
    .end();
  return exporter.getFinishedSpans();
}

const SPANS = realSpans();
const PROTO = new Uint8Array(ProtobufTraceSerializer.serializeRequest(SPANS)!);
const JSON_BODY = new Uint8Array(JsonTraceSerializer.serializeRequest(SPANS)!);

// --- Mutations ----------------------------------------------------------------------------------------------

type ByteMutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number };

const pos = fc.double({ min: 0, max: 1, noNaN: true });
const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: pos, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: pos, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: pos,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: pos }),
  fc.record({ kind: fc.constant('duplicate' as const), at: pos, length: fc.integer({ min: 1, max: 400 }) }),
);

function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = Math.floor(m.at * b.length);
    if (m.kind === 'flip') {
      if (b.length > 0) b[Math.min(at, b.length - 1)] = m.byte;
    } else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'truncate') b = b.subarray(0, at);
    else b = Buffer.concat([b.subarray(0, at + m.length), b.subarray(at)]);
  }
  return new Uint8Array(b);
}

/** Values a structural mutation puts anywhere in the JSON document. */
const wildJson = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    -1,
    2 ** 64,
    '18446744073709551616',
    '-9223372036854775809',
    'NaN',
    'Infinity',
    '',
    'zz',
    null,
    true,
    [],
    {},
    { stringValue: 'x' },
    { intValue: '99999999999999999999' },
    { doubleValue: 'Infinity' },
    { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'k' }] } }] } },
    '0af7651916cd43dd8448eb211c80319c',
    'b7ad6b7169203331',
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 12 }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Structural = { at: number; action: 'replace' | 'delete'; value: unknown };
const structural: fc.Arbitrary<Structural> = fc.record({
  at: pos,
  action: fc.constantFrom('replace', 'replace', 'delete') as fc.Arbitrary<'replace' | 'delete'>,
  value: wildJson,
});

/** Every (container, key) in the document, so a mutation can pick one. */
function slots(doc: Json, out: Array<[Json[] | { [k: string]: Json }, string | number]> = []) {
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => {
      out.push([doc, i]);
      slots(v, out);
    });
  } else if (doc !== null && typeof doc === 'object') {
    for (const k of Object.keys(doc)) {
      out.push([doc, k]);
      slots(doc[k]!, out);
    }
  }
  return out;
}

function mutateJson(input: Uint8Array, mutations: readonly Structural[]): Uint8Array {
  const doc = JSON.parse(Buffer.from(input).toString('utf8')) as Json;
  for (const m of mutations) {
    const all = slots(doc);
    if (all.length === 0) break;
    const [container, key] = all[Math.floor(m.at * all.length) % all.length]!;
    if (Array.isArray(container)) {
      if (m.action === 'delete') container.splice(key as number, 1);
      else container[key as number] = m.value as Json;
    } else if (m.action === 'delete') delete container[key as string];
    else container[key as string] = m.value as Json;
  }
  return new Uint8Array(Buffer.from(JSON.stringify(doc)));
}

type Case = { encoding: 'protobuf' | 'json'; body: Uint8Array; gzip: boolean };
const caseArb: fc.Arbitrary<Case> = fc.oneof(
  fc.record({
    encoding: fc.constant('protobuf' as const),
    body: fc.array(byteMutation, { minLength: 1, maxLength: 4 }).map((ms) => mutateBytes(PROTO, ms)),
    gzip: fc.boolean(),
  }),
  fc.record({
    encoding: fc.constant('json' as const),
    body: fc.array(byteMutation, { minLength: 1, maxLength: 3 }).map((ms) => mutateBytes(JSON_BODY, ms)),
    gzip: fc.boolean(),
  }),
  fc.record({
    encoding: fc.constant('json' as const),
    body: fc.array(structural, { minLength: 1, maxLength: 4 }).map((ms) => mutateJson(JSON_BODY, ms)),
    gzip: fc.boolean(),
  }),
);

// --- Talking to the collector -------------------------------------------------------------------------------

const Status = protobuf.Root.fromJSON({
  nested: {
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
  },
}).lookupType('Status');

interface Answer {
  status: number;
  contentType: string;
  message: string;
  headers: http.IncomingHttpHeaders;
}

/** One raw HTTP request (node:http, so nothing adds or fixes headers); the google.rpc.Status message if any. */
function post(
  url: string,
  body: Uint8Array | undefined,
  headers: Record<string, string>,
  options: { slowMs?: number; chunks?: Uint8Array[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/traces`, { method: 'POST', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(parts);
        const contentType = String(res.headers['content-type'] ?? '');
        let message = raw.toString('utf8');
        if (contentType.includes('protobuf') && raw.length > 0) {
          message = String((Status.toObject(Status.decode(raw)) as { message?: string }).message ?? '');
        } else if (contentType.includes('json')) {
          message = String((JSON.parse(raw.toString('utf8')) as { message?: string }).message ?? '');
        }
        resolve({ status: res.statusCode ?? 0, contentType, message, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.chunks) {
      void (async () => {
        for (const c of options.chunks!) {
          if (req.destroyed) return;
          req.write(c);
          await new Promise((r) => setTimeout(r, options.slowMs ?? 0));
        }
        if (!req.destroyed) req.end();
      })();
    } else req.end(body);
  });
}

function contentType(encoding: 'protobuf' | 'json'): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/** The spans the collector must accept for this body: what its own decoder counts, or 0 when it rejects it. */
function expectedSpans(body: Uint8Array, encoding: 'protobuf' | 'json'): number | 'malformed' {
  try {
    return countSpans(decodeTraceRequest(body, encoding));
  } catch (err) {
    if (err instanceof OtlpDecodeError) return 'malformed';
    throw err;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function errorLogs(c: RunningCollector): Array<Record<string, unknown>> {
  return c.logs.filter((l) => l.level === 'error');
}

let backend: Receiver;
let collector: RunningCollector;

beforeAll(async () => {
  backend = await startOtlpReceiver();
  collector = await startCollector({
    config: `
receiver: { max_body_bytes: ${MAX_BODY}, request_timeout_ms: 1000 }
exporters:
  - name: backend
    endpoint: ${backend.url}
    batch: { max_spans: 512, timeout_ms: 20 }
    retry: { initial_interval_ms: 50, max_interval_ms: 300 }
log: { level: debug }
`,
  });
});
afterAll(async () => {
  await collector.stop();
  await backend.close();
});

describe('fuzzed OTLP against the real collector', () => {
  it('mutated protobuf and JSON requests: 200 or 400 naming the problem; what is acknowledged arrives', async () => {
    const samples = fc.sample(caseArb, { numRuns: RUNS, seed: LONG ? Date.now() : 11 });
    let expectedAccepted = 0;
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const c = samples[next++]!;
        const expected = expectedSpans(c.body, c.encoding);
        const headers: Record<string, string> = { 'content-type': contentType(c.encoding) };
        let body = c.body;
        if (c.gzip) {
          body = new Uint8Array(zlib.gzipSync(body));
          headers['content-encoding'] = 'gzip';
        }
        const answer = await post(collector.url, body, headers);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (expected === 'malformed') {
          expect(answer.status, answer.message).toBe(400);
          expect(answer.contentType).toBe(contentType(c.encoding));
          expect(answer.message.length).toBeGreaterThan(5);
        } else if (c.body.length > MAX_BODY) {
          expect(answer.status).toBe(413);
        } else {
          expect(answer.status, answer.message).toBe(200);
          expectedAccepted += expected;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // Both outcomes occurred in quantity: the fuzz reached the decoders and the processors.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 10);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 10);
    expect([...statuses.keys()].every((s) => s === 200 || s === 400 || s === 413)).toBe(true);

    const accepted = () =>
      collector
        .metrics()
        .then((t) =>
          metricValue(t, 'ailedger_collector_receiver_accepted_items_total', { signal: 'traces' }),
        );
    expect(await accepted()).toBe(expectedAccepted);
    await waitUntil(async () => backend.spans.length >= expectedAccepted, 30_000, 'delivery');
    const text = await collector.metrics();
    expect(metricValue(text, 'ailedger_collector_exporter_sent_items_total')).toBe(expectedAccepted);
    expect(metricValue(text, 'ailedger_collector_exporter_dropped_items_total')).toBe(0);
    expect(metricValue(text, 'ailedger_collector_processor_errors_total')).toBe(0);
    expect(backend.spans).toHaveLength(expectedAccepted);
    expect(collector.proc.exitCode).toBeNull();
    expect(errorLogs(collector)).toEqual([]);
  }, 600_000);
});

describe('malformed, truncated, oversized and slow requests', () => {
  const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
  const deepJson = (() => {
    const n = 5_000;
    const deep = `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"leaf"}${']}}'.repeat(n)}`;
    return new Uint8Array(
      Buffer.from(
        `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","attributes":[{"key":"deep","value":${deep}}]}]}]}]}`,
      ),
    );
  })();
  const cases: Array<[string, 'protobuf' | 'json', Uint8Array, Record<string, string>, number, RegExp]> = [
    ['truncated protobuf', 'protobuf', PROTO.subarray(0, PROTO.length - 9), {}, 400, /protobuf: /],
    ['protobuf with an invalid wire type', 'protobuf', new Uint8Array([0x0f, 0x01]), {}, 400, /wire type/],
    [
      'protobuf string that is not UTF-8',
      'protobuf',
      (() => {
        // resourceSpans[0].scopeSpans[0].spans[0] with traceId, spanId and name = C3 28
        const ld = (field: number, bytes: number[]) => [(field << 3) | 2, bytes.length, ...bytes];
        const span = [...ld(1, Array(16).fill(1)), ...ld(2, Array(8).fill(2)), ...ld(5, [0xc3, 0x28])];
        return new Uint8Array(ld(1, ld(2, ld(2, span))));
      })(),
      {},
      400,
      /not valid UTF-8/,
    ],
    [
      'truncated JSON',
      'json',
      JSON_BODY.subarray(0, JSON_BODY.length - 20),
      {},
      400,
      /invalid JSON at position/,
    ],
    ['JSON that is not UTF-8', 'json', new Uint8Array([0x7b, 0xff, 0x7d]), {}, 400, /not valid UTF-8/],
    [
      'JSON of the wrong shape',
      'json',
      json({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 'b7ad6b7169203331' }] }] }] }),
      {},
      400,
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/,
    ],
    ['JSON nested 5 000 levels deep', 'json', deepJson, {}, 400, /nested more than 100 levels/],
    ['a corrupt gzip body', 'protobuf', PROTO, { 'content-encoding': 'gzip' }, 400, /invalid gzip body/],
    [
      'a gzip bomb (16 MiB of zeros in 16 KiB)',
      'protobuf',
      new Uint8Array(zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024))),
      { 'content-encoding': 'gzip' },
      413,
      /after decompression/,
    ],
    ['an unsupported content encoding', 'json', JSON_BODY, { 'content-encoding': 'br' }, 415, /"br"/],
    ['an unsupported content type', 'json', JSON_BODY, { 'content-type': 'text/plain' }, 415, /text\/plain/],
  ];

  it.each(cases)('%s (%s) → %i naming the problem', async (_name, encoding, body, extra, status, message) => {
    const answer = await post(collector.url, body, { 'content-type': contentType(encoding), ...extra });
    expect(answer.status).toBe(status);
    expect(answer.message).toMatch(message);
    expect(collector.proc.exitCode).toBeNull();
  });

  it('a declared Content-Length over the limit → 413 before the body is read', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = http.request(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': String(1024 * 1024 * 1024) },
        agent: false,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: '', message: '', headers: res.headers }),
        );
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024)); // and never the rest
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
  });

  it('a chunked body that grows past the limit → 413, the rest is not buffered', async () => {
    const chunks = Array.from({ length: 40 }, () => new Uint8Array(16 * 1024));
    const answer = await post(
      collector.url,
      undefined,
      { 'content-type': 'application/x-protobuf' },
      { chunks },
    );
    expect(answer.status).toBe(413);
    expect(answer.message).toMatch(/exceeds the limit of 262144 bytes/);
  });

  it('a body slower than request_timeout_ms → 408 (a slow-loris sender is cut off)', async () => {
    const started = Date.now();
    const pieces = Array.from({ length: 30 }, (_, i) => PROTO.subarray(i * 10, i * 10 + 10));
    const answer = await post(
      collector.url,
      undefined,
      { 'content-type': 'application/x-protobuf', 'content-length': String(PROTO.length) },
      { chunks: pieces, slowMs: 100 },
    );
    expect(answer.status).toBe(408);
    expect(answer.message).toMatch(/not received within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('clients that vanish mid-body, garbage request lines and huge headers: answered or dropped, no crash', async () => {
    const raw = (payload: string) =>
      new Promise<string>((resolve) => {
        const url = new URL(collector.url);
        const socket = net.connect(Number(url.port), url.hostname, () => socket.write(payload));
        let got = '';
        socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
        setTimeout(() => socket.destroy(), 1_500);
      });
    const half = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 5000\r\n\r\n${Buffer.from(PROTO.subarray(0, 100)).toString('latin1')}`;
    const vanish = net.connect(Number(new URL(collector.url).port), '127.0.0.1', () => {
      vanish.write(half);
      setTimeout(() => vanish.destroy(), 50);
    });
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await raw(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 4(00|31)/);
    expect(
      await raw(
        'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 400/);
    await new Promise((r) => setTimeout(r, 200));
    expect(collector.proc.exitCode).toBeNull();
    expect((await fetch(`${collector.adminUrl}/healthz`)).status).toBe(200);
    // Every crafted request was counted as rejected, by reason.
    const text = await collector.metrics();
    for (const reason of ['malformed', 'too_large', 'bad_compression', 'unsupported_encoding', 'timeout']) {
      expect(
        metricValue(text, 'ailedger_collector_receiver_rejected_requests_total', { reason }),
      ).toBeGreaterThan(0);
    }
    expect(errorLogs(collector)).toEqual([]);
  });
});

describe('with a bearer token configured', () => {
  let secured: RunningCollector;
  beforeAll(async () => {
    secured = await startCollector({
      config: `receiver: { bearer_token: \${env:INGEST_TOKEN}, max_body_bytes: ${MAX_BODY} }\n`,
      env: { INGEST_TOKEN: 'fuzz-ingest-token-0123456789' },
    });
  });
  afterAll(async () => {
    await secured.stop();
  });

  it('no token, a wrong one or another scheme → 401 before the body is looked at, whatever it is', async () => {
    const bodies: Array<[Uint8Array, Record<string, string>]> = [
      [PROTO, {}],
      [new Uint8Array([0x0f, 0x01]), {}],
      [new Uint8Array(zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024))), { 'content-encoding': 'gzip' }],
      [JSON_BODY, { 'content-type': 'text/plain' }],
    ];
    for (const auth of [
      undefined,
      'Bearer wrong',
      'Basic Zm9vOmJhcg==',
      'Bearer ',
      'fuzz-ingest-token-0123456789',
    ]) {
      for (const [body, extra] of bodies) {
        const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', ...extra };
        if (auth !== undefined) headers.authorization = auth;
        const answer = await post(secured.url, body, headers);
        expect(answer.status).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer');
      }
    }
    const ok = await post(secured.url, PROTO, {
      'content-type': 'application/x-protobuf',
      authorization: 'Bearer fuzz-ingest-token-0123456789',
    });
    expect(ok.status).toBe(200);
    const text = await secured.metrics();
    expect(
      metricValue(text, 'ailedger_collector_receiver_rejected_requests_total', { reason: 'unauthorized' }),
    ).toBe(20);
    expect(
      metricValue(text, 'ailedger_collector_receiver_rejected_requests_total', { reason: 'malformed' }),
    ).toBe(0);
    expect(secured.stderr()).not.toContain('fuzz-ingest-token');
  });
});
