/**
 * Network faults between the app and a model provider, through every tap: the openai SDK and raw fetch (global
 * fetch), the `undici` package, node:http and node:http2, against local servers (HTTP/1.1 and h2c) that misbehave
 * on purpose — a reset (TCP, or RST_STREAM on HTTP/2) before
 * the headers and in the middle of a stream, a server that never answers (client timeouts), AbortController aborts
 * before the request and during the stream, 4xx/5xx bodies (JSON, HTML, invalid JSON), invalid JSON on a 200, a
 * corrupt gzip body and a body shorter than its Content-Length.
 *
 * Every scenario runs twice, with the taps passing through (as if uninstrumented) and active: the app must see
 * the same outcome (status, bytes, or error class, message and code). The span must end, with ERROR status and an
 * error.type, keeping what was seen before the fault (response id, the usage of message_start, estimated output).
 */
import http from 'node:http';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { runtime } from '../instrumentation/src/runtime.js';
import { patchUndiciModule } from '../instrumentation/src/taps/undici.js';
import { assertNoSecrets, attrs } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'sk-test-NETFAULTFAKE0123456789abcdefFAKE';
const tracing = setupTracing();
const require = createRequire(import.meta.url);
const undici = require('undici') as typeof import('undici');
// Patched in place, as the instrumentation's require hook does when an app loads the package.
patchUndiciModule(undici as unknown as Parameters<typeof patchUndiciModule>[0]);

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CHUNK = {
  id: 'chatcmpl-fault',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-2024-08-06',
};
const OPENAI_STREAM = [
  sse({ ...CHUNK, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  ...['Hello', ' there', ', how', ' are', ' you'].map((w) =>
    sse({ ...CHUNK, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }),
  ),
  sse({ ...CHUNK, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  sse({ ...CHUNK, choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } }),
  sse('[DONE]'),
];
const ANTHROPIC_STREAM = [
  sse(
    {
      type: 'message_start',
      message: {
        id: 'msg_fault',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        usage: { input_tokens: 25, output_tokens: 1 },
      },
    },
    'message_start',
  ),
  sse(
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  ),
  ...['Once', ' upon', ' a', ' time'].map((t) =>
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
      'content_block_delta',
    ),
  ),
  sse(
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
    'message_delta',
  ),
  sse({ type: 'message_stop' }, 'message_stop'),
];
const CHAT_JSON = JSON.stringify({
  id: 'chatcmpl-fault',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
});

/** The part of a response both node:http and the node:http2 compatibility API offer. */
interface Reply {
  writeHead(status: number, headers?: Record<string, string>): unknown;
  write(chunk: string | Uint8Array): unknown;
  end(chunk?: string | Uint8Array): unknown;
}

/**
 * What the faulty server does, by the first path segment. `reset` cuts the exchange the way the transport
 * can: the TCP connection (HTTP/1.1) or the stream with RST_STREAM (HTTP/2).
 */
async function misbehave(fault: string, url: string, res: Reply, reset: () => void): Promise<void> {
  const stream = url.endsWith('/messages') ? ANTHROPIC_STREAM : OPENAI_STREAM;
  const streamHeaders = { 'content-type': 'text/event-stream', 'x-request-id': 'req_fault' };
  switch (fault) {
    case 'reset-before-headers':
      reset();
      return;
    case 'reset-mid-stream': // after the first half, including message_start for Anthropic
    case 'reset-after-usage': {
      res.writeHead(200, streamHeaders);
      const upTo = fault === 'reset-after-usage' ? stream.length - 1 : Math.ceil(stream.length / 2);
      for (const part of stream.slice(0, upTo)) res.write(part);
      await sleep(40); // let the client see the partial stream before the reset
      reset();
      return;
    }
    case 'hang': // headers never come
      return;
    case 'stall-mid-stream': // a few events, then nothing (connection held open)
      res.writeHead(200, streamHeaders);
      for (const part of stream.slice(0, 3)) res.write(part);
      return;
    case '400-json':
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: 'Invalid value for max_tokens',
            type: 'invalid_request_error',
            code: 'invalid_value',
          },
        }),
      );
      return;
    case '500-html':
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    case '503-invalid-json':
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"error": {"message": "overloaded", ');
      return;
    case '200-invalid-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"chatcmpl-fault","choices":[{"message":');
      return;
    case 'corrupt-gzip': {
      const gz = zlib.gzipSync(CHAT_JSON);
      for (let i = 12; i < gz.length - 8; i += 7) gz[i] = gz[i]! ^ 0xa5;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gz);
      return;
    }
    case 'short-body': {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(CHAT_JSON.length + 50),
      });
      res.write(CHAT_JSON.slice(0, 40));
      await sleep(40);
      reset();
      return;
    }
    default:
      res.writeHead(404);
      res.end();
  }
}

/**
 * A Bedrock ConverseStream answer that goes wrong after two events, by model id: `stall` (nothing more, the
 * stream held open) or `drop` (the server tears the connection down).
 */
function bedrockStream(url: string, stream: http2.ServerHttp2Stream): void {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frame = (type: string, payload: unknown) =>
    codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'event' },
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    });
  stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
  stream.write(frame('messageStart', { role: 'assistant' }));
  stream.write(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }));
  if (url.includes('drop')) setTimeout(() => stream.session?.destroy(), 40);
}

let server: http.Server;
let base: string;
let port: number;
let h2server: http2.Http2Server;
let h2base: string;
let h2port: number;
const hosts = (provider: string) => `127.0.0.1:${port}=${provider},127.0.0.1:${h2port}=${provider}`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const fault = (req.url ?? '/').split('/')[1] ?? '';
      void misbehave(fault, req.url ?? '/', res, () => req.socket.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  h2server = http2.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url.startsWith('/model/')) return void bedrockStream(req.url, res.stream);
      const fault = req.url.split('/')[1] ?? '';
      void misbehave(fault, req.url, res, () => res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    });
  });
  await new Promise<void>((r) => h2server.listen(0, '127.0.0.1', r));
  h2port = (h2server.address() as AddressInfo).port;
  h2base = `http://127.0.0.1:${h2port}`;
  configureProviderHosts(hosts('openai'));
  // Warm-up: the first span to end loads the tokenizer (no usage here) and the price data, which can take
  // seconds on a busy machine; later spans must not wait for that.
  await (
    await fetch(`${base}/200-invalid-json/v1/chat/completions`, { method: 'POST', body: chatBody(false) })
  ).text();
  await tracing.spans(1, 30_000);
}, 60_000);
afterAll(async () => {
  configureProviderHosts(undefined);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => h2server.close(() => r()));
});

let errorsBefore = 0;
beforeEach(() => {
  tracing.reset();
  errorsBefore = runtime.internalErrors;
});
afterEach(() => {
  // Faults are the network's, never ours: nothing had to be contained.
  expect(runtime.internalErrors).toBe(errorsBefore);
  expect(runtime.inFlight.size).toBe(0);
});

/** What an app can observe of a failure: class, message, code and the cause's code. */
interface Outcome {
  status?: number;
  body?: string;
  error?: { class: string; name: string; message: string; code?: unknown; cause?: unknown; status?: unknown };
}

function outcomeOf(err: unknown): Outcome {
  const e = err as {
    name?: string;
    message?: string;
    code?: unknown;
    cause?: { code?: unknown };
    status?: unknown;
  };
  return {
    error: {
      class: String((err as object | null)?.constructor?.name),
      name: String(e?.name ?? typeof err),
      message: String(e?.message ?? err),
      code: e?.code,
      cause: e?.cause?.code,
      status: e?.status,
    },
  };
}

async function capture(fn: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await fn();
  } catch (err) {
    return outcomeOf(err);
  }
}

/** The one span of ours a scenario left, after it ended. */
async function oneSpan(): Promise<ReadableSpan> {
  const spans = await tracing.spans(1, 15_000);
  expect(spans).toHaveLength(1);
  assertNoSecrets(spans, [FAKE_KEY, 'Bearer']);
  return spans[0]!;
}

function expectError(span: ReadableSpan, type?: string | RegExp): void {
  expect(span.status.code).toBe(SpanStatusCode.ERROR);
  const t = attrs(span)['error.type'];
  expect(typeof t === 'string' && t.length > 0, `error.type=${String(t)}`).toBe(true);
  if (type instanceof RegExp) expect(t).toMatch(type);
  else if (type !== undefined) expect(t).toBe(type);
}

const chatBody = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${FAKE_KEY}` };

/** The same request through each tap, reading the whole body; returns what the app saw. */
const transports: Record<string, (fault: string, stream: boolean, signal?: AbortSignal) => Promise<Outcome>> =
  {
    fetch: (fault, stream, signal) =>
      capture(async () => {
        const r = await fetch(`${base}/${fault}/v1/chat/completions`, {
          method: 'POST',
          headers: HEADERS,
          body: chatBody(stream),
          signal: signal ?? null,
        });
        return { status: r.status, body: await r.text() };
      }),
    undici: (fault, stream, signal) =>
      capture(async () => {
        const r = await undici.request(`${base}/${fault}/v1/chat/completions`, {
          method: 'POST',
          headers: HEADERS,
          body: chatBody(stream),
          headersTimeout: 300,
          bodyTimeout: 300,
          ...(signal ? { signal } : {}),
        });
        return { status: r.statusCode, body: await r.body.text() };
      }),
    'node:http': (fault, stream, signal) =>
      new Promise<Outcome>((resolve) => {
        let settled = false;
        const done = (o: Outcome) => {
          if (!settled) resolve(o);
          settled = true;
        };
        const req = http.request(
          `${base}/${fault}/v1/chat/completions`,
          { method: 'POST', headers: HEADERS, ...(signal ? { signal } : {}) },
          (res) => {
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('error', (err) => done({ status: res.statusCode, ...outcomeOf(err) }));
            res.on('aborted', () =>
              done({ status: res.statusCode, body: `aborted after ${Buffer.concat(parts).length}` }),
            );
            res.on('end', () =>
              done({ status: res.statusCode, body: Buffer.concat(parts).toString('latin1') }),
            );
          },
        );
        req.setTimeout(300, () => req.destroy(new Error('client timeout')));
        req.on('error', (err) => done(outcomeOf(err)));
        req.end(chatBody(stream));
      }),
    // The AWS SDK's transport for Bedrock: one session, one stream per call.
    'node:http2': (fault, stream, signal) =>
      new Promise<Outcome>((resolve) => {
        const session = http2.connect(h2base);
        session.on('error', () => undefined); // the stream reports it
        let settled = false;
        const done = (o: Outcome) => {
          if (!settled) resolve(o);
          settled = true;
          session.close();
        };
        const req = session.request(
          { ':method': 'POST', ':path': `/${fault}/v1/chat/completions`, ...HEADERS },
          signal ? { signal } : {},
        );
        let status: number | undefined;
        const parts: Buffer[] = [];
        req.setTimeout(300, () => req.close(http2.constants.NGHTTP2_CANCEL));
        req.on('response', (h) => {
          status = Number(h[':status']);
        });
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => done({ status, body: Buffer.concat(parts).toString('latin1') }));
        req.on('error', (err) => done({ status, ...outcomeOf(err) }));
        req.on('close', () =>
          done({ status, body: `closed (rst ${req.rstCode}) after ${Buffer.concat(parts).length}` }),
        );
        req.end(chatBody(stream));
      }),
  };

describe.each(Object.keys(transports))('%s: the app sees what it would see uninstrumented', (name) => {
  const send = transports[name]!;

  it('a connection reset before the response headers: same error; ERROR span', async () => {
    const { plain, traced } = await tracing.both(() => send('reset-before-headers', false));
    expect(traced).toEqual(plain);
    expect(traced.error).toBeDefined();
    expectError(await oneSpan());
  });

  it('a connection reset mid-stream: same error or bytes; ERROR span with the response id seen', async () => {
    const { plain, traced } = await tracing.both(() => send('reset-mid-stream', true));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expectError(span);
    expect(attrs(span)['gen_ai.response.id']).toBe('chatcmpl-fault');
    // No usage chunk arrived: output counted locally from the text seen, and flagged.
    expect(attrs(span)['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(attrs(span)['ailedger.usage.estimated']).toBe(true);
  });

  it('a reset after the usage chunk, before [DONE]: ERROR span keeping the reported usage', async () => {
    const { plain, traced } = await tracing.both(() => send('reset-after-usage', true));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expectError(span);
    expect(attrs(span)['gen_ai.usage.input_tokens']).toBe(9);
    expect(attrs(span)['gen_ai.usage.output_tokens']).toBe(5);
    expect(attrs(span)['ailedger.usage.estimated']).toBe(false);
  });

  it('a server that never answers: the client timeout fires the same way; ERROR span', async () => {
    const signal = () => (name === 'fetch' ? AbortSignal.timeout(300) : undefined);
    const { plain, traced } = await tracing.both(() => send('hang', false, signal()));
    expect(traced).toEqual(plain);
    // HTTP/2: the app's timeout closes the stream with CANCEL, which it sees as an empty body with no status.
    if (name === 'node:http2') expect([traced.status, traced.body]).toEqual([undefined, '']);
    else expect(traced.error).toBeDefined();
    expectError(await oneSpan(), name === 'node:http2' ? 'cancelled' : undefined);
  });

  it('a stream that stalls: the client timeout mid-body is the same; ERROR span with what was seen', async () => {
    const signal = () => (name === 'fetch' ? AbortSignal.timeout(300) : undefined);
    const { plain, traced } = await tracing.both(() => send('stall-mid-stream', true, signal()));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    // HTTP/2 emits 'end' for a stream the client reset: still a cut stream, never a complete call.
    expectError(span, name === 'node:http2' ? 'cancelled' : undefined);
    expect(attrs(span)['gen_ai.response.id']).toBe('chatcmpl-fault');
  });

  it('an AbortController aborted before the request: same AbortError', async () => {
    const { plain, traced } = await tracing.both(() => send('hang', false, AbortSignal.abort()));
    expect(traced).toEqual(plain);
    expect(traced.error?.name).toBe('AbortError');
    // A span may or may not have started (node:http never connects); any that did has ended as aborted.
    await sleep(50);
    for (const span of tracing.exporter.getFinishedSpans()) expectError(span, /Abort/);
  });

  it('an AbortController aborted during the stream: same error; ERROR span with the response id', async () => {
    const run = () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      return send('stall-mid-stream', true, controller.signal);
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expectError(span);
    expect(attrs(span)['gen_ai.response.id']).toBe('chatcmpl-fault');
  });

  it.each([
    ['400-json', 400, 'invalid_value'],
    ['500-html', 500, '500'],
    ['503-invalid-json', 503, '503'],
  ])(
    '%s: the same status and body; error.type from the body, else the status',
    async (fault, status, type) => {
      const { plain, traced } = await tracing.both(() => send(fault, false));
      expect(traced).toEqual(plain);
      expect(traced.status).toBe(status);
      expectError(await oneSpan(), type);
    },
  );

  it('invalid JSON on a 200: the same bytes; a span with what the request said, no usage', async () => {
    const { plain, traced } = await tracing.both(() => send('200-invalid-json', false));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expect(span.name).toBe('chat gpt-4o');
    expect(attrs(span)['gen_ai.response.id']).toBeUndefined();
    // Nothing reported: the request's text is counted locally, and flagged as such.
    expect(attrs(span)['ailedger.usage.estimated']).toBe(true);
  });

  it('a corrupt gzip body: the same error (fetch decodes) or the same raw bytes (undici, http)', async () => {
    const { plain, traced } = await tracing.both(() => send('corrupt-gzip', false));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expect(span.name).toBe('chat gpt-4o');
    expect(attrs(span)['gen_ai.response.id']).toBeUndefined();
    expect(attrs(span)['ailedger.usage.estimated']).toBe(true);
    if (traced.error) expectError(span);
  });

  it('a body shorter than its Content-Length: the same error; ERROR span', async () => {
    const { plain, traced } = await tracing.both(() => send('short-body', false));
    expect(traced).toEqual(plain);
    expectError(await oneSpan());
  });
});

describe('partial usage of an Anthropic stream cut mid-way', () => {
  beforeAll(() => configureProviderHosts(hosts('anthropic')));
  afterAll(() => configureProviderHosts(hosts('openai')));

  it('fetch: the input of message_start is kept, the output seen is estimated; ERROR span', async () => {
    const read = () =>
      capture(async () => {
        const r = await fetch(`${base}/reset-mid-stream/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': FAKE_KEY },
          body: JSON.stringify({
            model: 'claude-sonnet-4-5',
            max_tokens: 50,
            stream: true,
            messages: [{ role: 'user', content: 'Tell me a story' }],
          }),
        });
        return { status: r.status, body: await r.text() };
      });
    const { plain, traced } = await tracing.both(read);
    expect(traced).toEqual(plain);
    expect(traced.error).toBeDefined();
    const span = await oneSpan();
    expectError(span);
    expect(attrs(span)).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.id': 'msg_fault',
      'gen_ai.usage.input_tokens': 25,
      'ailedger.usage.estimated': true,
    });
    expect(attrs(span)['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(attrs(span)['ailedger.cost.usd']).toBeGreaterThan(0);
  });
});

describe('the openai SDK', () => {
  let openai: OpenAI;
  beforeAll(() => {
    openai = new OpenAI({ baseURL: `${base}/`, apiKey: FAKE_KEY, maxRetries: 0, timeout: 300 });
  });
  const chat = (fault: string, stream: boolean, signal?: AbortSignal) =>
    capture(async () => {
      const client = openai.withOptions({ baseURL: `${base}/${fault}/v1` });
      if (!stream) {
        const r = await client.chat.completions.create(
          { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
          signal ? { signal } : {},
        );
        return { body: JSON.stringify(r) };
      }
      const s = await client.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true },
        signal ? { signal } : {},
      );
      const parts: string[] = [];
      for await (const c of s) parts.push(c.choices[0]?.delta.content ?? '');
      return { body: parts.join('') };
    });

  it.each([
    ['reset-before-headers', false],
    ['reset-mid-stream', true],
    ['hang', false],
    ['400-json', false],
    ['500-html', false],
    ['503-invalid-json', false],
    ['200-invalid-json', false],
    ['corrupt-gzip', false],
    ['short-body', false],
  ])('%s (stream %s): the same SDK error class, message and status; ERROR span', async (fault, stream) => {
    const { plain, traced } = await tracing.both(() => chat(fault, stream));
    expect(traced).toEqual(plain);
    expect(traced.error).toBeDefined();
    const span = await oneSpan();
    if (fault !== '200-invalid-json' && fault !== 'corrupt-gzip') expectError(span);
  });

  it('abort before the call (APIUserAbortError) and during a stream (the text so far): the same; ERROR span', async () => {
    const before = await tracing.both(() => chat('hang', false, AbortSignal.abort()));
    expect(before.traced).toEqual(before.plain);
    expect(before.traced.error?.class).toBe('APIUserAbortError');
    const during = await tracing.both(() => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      return chat('stall-mid-stream', true, controller.signal);
    });
    expect(during.traced).toEqual(during.plain);
    // The SDK ends the iteration quietly on the app's own abort, with the text read so far.
    expect(during.traced).toEqual({ body: 'Hello there' });
    const span = await oneSpan();
    expectError(span);
    expect(attrs(span)['gen_ai.response.id']).toBe('chatcmpl-fault');
  });
});

describe('the AWS SDK (Bedrock ConverseStream over HTTP/2)', () => {
  let client: BedrockRuntimeClient;
  beforeAll(() => {
    configureProviderHosts(`127.0.0.1:${port}=openai,127.0.0.1:${h2port}=aws.bedrock`);
    client = new BedrockRuntimeClient({
      endpoint: h2base,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIANETFAULTFAKE1234', secretAccessKey: 'fake/secret' },
      maxAttempts: 1,
    });
  });
  afterAll(() => {
    client.destroy();
    configureProviderHosts(hosts('openai'));
  });
  const converse = (modelId: string, abortAfterMs?: number) =>
    capture(async () => {
      const controller = new AbortController();
      if (abortAfterMs !== undefined) setTimeout(() => controller.abort(), abortAfterMs);
      const r = await client.send(
        new ConverseStreamCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
        { abortSignal: controller.signal },
      );
      let text = '';
      for await (const e of r.stream ?? []) text += e.contentBlockDelta?.delta?.text ?? '';
      return { body: text };
    });

  it('an abort mid-stream (the SDK closes the stream): the same outcome; an ERROR span, never a complete call', async () => {
    const { plain, traced } = await tracing.both(() => converse('amazon.nova-stall-v1:0', 150));
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expectError(span, 'cancelled');
    expect(attrs(span)['gen_ai.request.model']).toBe('amazon.nova-stall-v1:0');
  });

  it('the connection dropped mid-stream: the same outcome (the SDK ends quietly); an ERROR span', async () => {
    const { plain, traced } = await tracing.both(() => converse('amazon.nova-drop-v1:0'));
    expect(traced).toEqual(plain);
    expect(traced).toEqual({ body: 'Hello' });
    const span = await oneSpan();
    expectError(span, 'ERR_HTTP2_STREAM_ERROR');
    expect(attrs(span)['ailedger.usage.estimated']).toBe(true);
  });
});
