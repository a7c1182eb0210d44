/**
 * The taps in-process: real clients (the openai SDK, raw fetch, undici, node:http, node:http2) against the OpenAI
 * stand-in, spans asserted from a real in-memory exporter, and the app-visible result compared with the same call
 * made with the taps passing through (as if uninstrumented).
 */
import http from 'node:http';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withAttribution } from '../instrumentation/src/attribution.js';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { runtime } from '../instrumentation/src/runtime.js';
import { patchUndiciModule } from '../instrumentation/src/taps/undici.js';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { assertNoSecrets, attrs, isOurs, OUR_SCOPE } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'sk-test-FAKEKEY0123456789abcdefFAKE';
const tracing = setupTracing();
const require = createRequire(import.meta.url);
const undici = patchUndiciModule(require('undici') as typeof import('undici'));

let standin: Standin;
let openai: OpenAI;

beforeAll(async () => {
  standin = await startOpenAIStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=openai`);
  openai = new OpenAI({ baseURL: `${standin.url}/v1`, apiKey: FAKE_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());

const SECRETS = [FAKE_KEY, 'Bearer'];

describe('openai SDK over global fetch', () => {
  it('chat completion: one CLIENT span with usage, model, finish reasons, and identical output', async () => {
    const { plain, traced } = await tracing.both(() =>
      openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say hello' }],
        max_tokens: 7,
        temperature: 0.2,
        top_p: 0.9,
        seed: 42,
        stop: 'END',
      }),
    );
    expect(traced).toEqual(plain);
    const spans = await tracing.spans(1);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.instrumentationScope.name).toBe(OUR_SCOPE);
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 7,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 42,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-standin',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'ailedger.usage.estimated': false,
      'server.address': '127.0.0.1',
      'server.port': standin.port,
      'openai.api.type': 'chat_completions',
      'http.response.header.x-ratelimit-remaining-requests': ['9999'],
    });
    expect(attrs(span)['gen_ai.request.stream']).toBeUndefined();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    // gpt-4o-mini list prices, USD per 1M tokens: input 0.15, cached input 0.075, output 0.60.
    // 12 input of which 4 cached, 7 output: 8 * 0.15 + 4 * 0.075 + 7 * 0.6 = 5.7 USD per 1M calls.
    expect(attrs(span)['ailedger.pricing.status']).toBe('priced');
    expect(attrs(span)['ailedger.cost.usd']).toBeCloseTo(5.7e-6, 12);
    expect(attrs(span)['ailedger.cost.input_usd']).toBeCloseTo(1.2e-6, 12);
    expect(attrs(span)['ailedger.cost.cache_read_usd']).toBeCloseTo(0.3e-6, 12);
    expect(attrs(span)['ailedger.cost.output_usd']).toBeCloseTo(4.2e-6, 12);
    expect(attrs(span)['ailedger.pricing.source']).toMatch(/^genai-prices@/);
    assertNoSecrets(spans, SECRETS);
  });

  it('streamed chat with include_usage: usage from the usage chunk, time to first chunk, identical chunks', async () => {
    const run = async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say hello' }],
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    const [span] = await tracing.spans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'ailedger.usage.estimated': false,
    });
    const ttfc = attrs(span!)['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThan(0);
    expect(ttfc).toBeLessThan(5);
  });

  it('streamed chat without include_usage: tokens estimated locally and flagged', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the whole wide world please' }],
      max_tokens: 10,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there! How can I help you today?');
    const [span] = await tracing.spans(1, 15_000);
    const a = attrs(span!);
    expect(a['ailedger.usage.estimated']).toBe(true);
    // "Hello there! How can I help you today?" is 10 tokens in o200k_base; the prompt is about 9.
    expect(a['gen_ai.usage.output_tokens']).toBeGreaterThanOrEqual(8);
    expect(a['gen_ai.usage.output_tokens']).toBeLessThanOrEqual(12);
    expect(a['gen_ai.usage.input_tokens']).toBeGreaterThanOrEqual(7);
    expect(a['gen_ai.usage.input_tokens']).toBeLessThanOrEqual(20);
  });

  it('breaking out of a stream early ends the span as cancelled with what was seen', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    const slow = await fetch(`${standin.url}/slow/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${FAKE_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, max_tokens: 40, messages: [] }),
    });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    const reader = slow.body!.getReader();
    await reader.read();
    const started = Date.now();
    await reader.cancel();
    expect(Date.now() - started).toBeLessThan(500); // cancel does not wait for the whole generation
    const spans = await tracing.spans(2);
    // The SDK stream had all its bytes buffered already, so its terminal event may have been seen; the slow one not.
    const slowSpan = spans.find((s) => attrs(s)['gen_ai.request.model'] === 'gpt-4o')!;
    expect(attrs(slowSpan)['error.type']).toBe('cancelled');
    expect(slowSpan.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('Responses API, streamed and not', async () => {
    const { plain, traced } = await tracing.both(async () => {
      const whole = await openai.responses.create({
        model: 'gpt-4o',
        input: 'Say hi',
        max_output_tokens: 50,
      });
      const stream = await openai.responses.create({ model: 'gpt-4o', input: 'Say hi', stream: true });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return { whole, events };
    });
    expect(traced).toEqual(plain);
    const spans = await tracing.spans(2);
    for (const span of spans) {
      expect(attrs(span)).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'openai.api.type': 'responses',
        'gen_ai.response.id': 'resp_standin',
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.output_tokens': 40,
        'gen_ai.usage.cache_read.input_tokens': 8,
        'gen_ai.usage.reasoning.output_tokens': 32,
      });
    }
    expect(spans.map((s) => attrs(s)['gen_ai.request.stream'])).toEqual([undefined, true]);
  });

  it('embeddings and legacy completions', async () => {
    const { plain, traced } = await tracing.both(async () => {
      const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
      const c = await openai.completions.create({
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Hello',
        max_tokens: 16,
      });
      return { e, c };
    });
    expect(traced).toEqual(plain);
    const spans = await tracing.spans(2);
    expect(spans.map((s) => s.name)).toEqual([
      'embeddings text-embedding-3-small',
      'text_completion gpt-3.5-turbo-instruct',
    ]);
    expect(attrs(spans[0]!)['gen_ai.usage.input_tokens']).toBe(10);
    expect(attrs(spans[0]!)['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(attrs(spans[1]!)).toMatchObject({
      'gen_ai.usage.input_tokens': 2,
      'gen_ai.usage.output_tokens': 16,
    });
  });

  it('Azure deployment path: request model is the deployment, response model the real one', async () => {
    configureProviderHosts(`127.0.0.1:${standin.port}=azure.ai.openai`);
    try {
      const azure = new OpenAI({
        baseURL: `${standin.url}/openai/deployments/prod-chat`,
        apiKey: FAKE_KEY,
        defaultQuery: { 'api-version': '2024-10-21' },
        maxRetries: 0,
      });
      await azure.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'hi' }] });
      const [span] = await tracing.spans(1);
      expect(attrs(span!)).toMatchObject({
        'gen_ai.provider.name': 'azure.ai.openai',
        'gen_ai.request.model': 'prod-chat',
        'gen_ai.response.model': 'gpt-4o-2024-11-20',
      });
    } finally {
      configureProviderHosts(`127.0.0.1:${standin.port}=openai`);
    }
  });

  it('HTTP 429: the app gets the same error; the span has error.type from the body and ERROR status', async () => {
    const limited = new OpenAI({ baseURL: `${standin.url}/ratelimited/v1`, apiKey: FAKE_KEY, maxRetries: 0 });
    const call = () =>
      limited.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).then(
        () => 'no error',
        (err: InstanceType<typeof OpenAI.APIError>) => ({
          name: err.constructor.name,
          status: err.status,
          message: err.message,
        }),
      );
    const { plain, traced } = await tracing.both(call);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ name: 'RateLimitError', status: 429 });
    const [span] = await tracing.spans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)).toMatchObject({
      'error.type': 'rate_limit_exceeded',
      'http.response.status_code': 429,
      'http.response.header.retry-after': ['1'],
    });
  });

  it('is a child of the active span and carries the attribution in scope', async () => {
    const tracer = trace.getTracer('app');
    const parent = tracer.startSpan('GET /answer');
    await context.with(trace.setSpan(context.active(), parent), () =>
      withAttribution({ team: 'support', useCase: 'reply-drafter' }, () =>
        openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      ),
    );
    parent.end();
    const spans = await tracing.spans(2);
    const ours = spans.find((s) => isOurs(s))!;
    expect(ours.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(ours.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(attrs(ours)).toMatchObject({ 'ailedger.team': 'support', 'ailedger.use_case': 'reply-drafter' });
  });
});

describe('raw fetch', () => {
  const request = (path: string, body: object) =>
    fetch(`${standin.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${FAKE_KEY}`,
        'accept-encoding': 'gzip',
      },
      body: JSON.stringify(body),
    });

  it('every way of reading the body sees the same bytes and response metadata', async () => {
    const chat = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      max_tokens: 30,
    };
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      const meta = (r: Response) => ({
        status: r.status,
        statusText: r.statusText,
        ok: r.ok,
        url: r.url,
        redirected: r.redirected,
        type: r.type,
        headers: [...r.headers.entries()].filter(([k]) => k !== 'date'),
      });
      let r = await request('/gzip/v1/chat/completions', chat);
      out.meta = meta(r);
      out.text = await r.text();
      r = await request('/v1/chat/completions', { ...chat, stream: false });
      out.json = await r.json();
      r = await request('/v1/chat/completions', chat);
      out.arrayBuffer = Buffer.from(await r.arrayBuffer()).toString('base64');
      r = await request('/v1/chat/completions', chat);
      const copy = r.clone();
      out.clone = [await copy.text(), await r.text()];
      r = await request('/slow/v1/chat/completions', { ...chat, max_tokens: 5 });
      const byob = r.body!.getReader({ mode: 'byob' });
      let collected = '';
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await byob.read(new Uint8Array(64));
        if (done) break;
        collected += decoder.decode(value, { stream: true });
      }
      out.byob = collected;
      return out;
    };
    const { plain, traced } = await tracing.both(snapshot);
    expect(traced).toEqual(plain);
    const spans = await tracing.spans(5);
    expect(spans).toHaveLength(5);
    for (const span of spans) expect(attrs(span)['gen_ai.response.finish_reasons']).toEqual(['stop']);
    assertNoSecrets(spans, SECRETS);
  });

  it('a connection reset mid-stream: same error for the app, ERROR span with partial data', async () => {
    const chat = {
      model: 'gpt-4o',
      messages: [],
      stream: true,
      max_tokens: 40,
      stream_options: { include_usage: true },
    };
    const run = async () => {
      try {
        const r = await request('/reset/v1/chat/completions', chat);
        await r.text();
        return 'no error';
      } catch (err) {
        return { name: (err as Error).name, message: (err as Error).message };
      }
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    const [span] = await tracing.spans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)['error.type']).toBeTruthy();
    expect(attrs(span!)['gen_ai.response.id']).toBe('chatcmpl-standin');
  });

  it('a non-model request is passed through without a span', async () => {
    const server = http.createServer((_, res) => res.end('plain'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const text = await (
      await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST' })
    ).text();
    server.close();
    expect(text).toBe('plain');
    await new Promise((r) => setTimeout(r, 50));
    expect(tracing.exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('a response body the app never reads still ends its span, after the idle timeout', async () => {
    const previous = runtime.streamIdleTimeoutMs;
    runtime.streamIdleTimeoutMs = 150;
    try {
      const r = await request('/v1/chat/completions', { model: 'gpt-4o', messages: [] });
      expect(r.status).toBe(200); // and the body is never touched
      const [span] = await tracing.spans(1);
      expect(attrs(span!)['error.type']).toBe('abandoned');
      expect(runtime.inFlight.size).toBe(0);
    } finally {
      runtime.streamIdleTimeoutMs = previous;
    }
  });

  it('an unparsable body still yields a span with what the request said', async () => {
    const r = await request('/broken/v1/chat/completions', { model: 'gpt-4o', messages: [] });
    expect(await r.text()).toBe('{"id":"chatcmpl-broken","choices":[{"message":');
    const [span] = await tracing.spans(1);
    expect(span!.name).toBe('chat gpt-4o');
    expect(attrs(span!)['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});

describe('never break the app', () => {
  it("outgoing requests are byte-for-byte the same: headers (including the app's traceparent) and body", async () => {
    const send = async () => {
      const before = standin.requests.length;
      const r = await fetch(`${standin.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${FAKE_KEY}`,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await r.text();
      const seen = standin.requests[before]!;
      return { headers: seen.headers, body: seen.body };
    };
    const { plain, traced } = await tracing.both(send);
    expect(traced).toEqual(plain);
    expect(traced.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    await tracing.spans(1); // let the span finish before the next test changes the runtime
  });

  it('an internal failure (here: pricing throws) is contained: the app gets its answer, the span still ends', async () => {
    const price = runtime.price;
    const errorsBefore = runtime.internalErrors;
    runtime.price = () => {
      throw new Error('pricing exploded');
    };
    try {
      const res = await openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(res.choices[0]?.message.content).toBe('Hello there! How can I help you today?');
      const [span] = await tracing.spans(1);
      expect(attrs(span!)['gen_ai.usage.input_tokens']).toBe(12);
      expect(attrs(span!)['ailedger.cost.usd']).toBeUndefined();
      expect(runtime.internalErrors).toBe(errorsBefore + 1);
    } finally {
      runtime.price = price;
    }
  });
});

describe('undici package', () => {
  it('undici.request and undici.fetch are observed, bodies unchanged', async () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    });
    const { plain, traced } = await tracing.both(async () => {
      const r = await undici.request(`${standin.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const viaRequest = await r.body.json();
      const f = await undici.fetch(`${standin.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      return { viaRequest, viaFetch: await f.json(), status: r.statusCode };
    });
    expect(traced).toEqual(plain);
    const spans = await tracing.spans(2);
    for (const span of spans) expect(attrs(span)['gen_ai.usage.output_tokens']).toBe(3);
  });
});

describe('node:http', () => {
  function post(path: string, payload: string, consume: (res: http.IncomingMessage) => Promise<string>) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${standin.url}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' } },
        (res) => consume(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject),
      );
      req.on('error', reject);
      // Written in two pieces: the tap must join them.
      req.write(payload.slice(0, 10));
      req.end(payload.slice(10));
    });
  }
  const payload = JSON.stringify({
    model: 'gpt-4o',
    stream: true,
    max_tokens: 20,
    stream_options: { include_usage: true },
  });
  const consumers: Record<string, (res: http.IncomingMessage) => Promise<string>> = {
    data: (res) =>
      new Promise((resolve) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts).toString('base64')));
      }),
    pipe: async (res) => {
      const parts: Buffer[] = [];
      await pipeline(
        res,
        new Writable({
          write: (c, _e, cb) => {
            parts.push(c);
            cb();
          },
        }),
      );
      return Buffer.concat(parts).toString('base64');
    },
    asyncIterator: async (res) => {
      const parts: Buffer[] = [];
      for await (const c of res) parts.push(c as Buffer);
      return Buffer.concat(parts).toString('base64');
    },
    read: (res) =>
      new Promise((resolve) => {
        const parts: Buffer[] = [];
        res.on('readable', () => {
          for (let c = res.read(7); c !== null; c = res.read(7)) parts.push(c as Buffer);
        });
        res.on('end', () => resolve(Buffer.concat(parts).toString('base64')));
      }),
    lateConsumer: (res) =>
      new Promise((resolve) => {
        setTimeout(() => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts).toString('base64')));
        }, 50);
      }),
  };
  for (const [name, consume] of Object.entries(consumers)) {
    it(`gzip stream consumed by ${name}: the app gets the raw bytes; the span the decoded usage`, async () => {
      const { plain, traced } = await tracing.both(() => post('/gzip/v1/chat/completions', payload, consume));
      expect(traced).toEqual(plain);
      // The app asked for gzip and got gzip bytes.
      expect(zlib.gunzipSync(Buffer.from(traced.body, 'base64')).toString()).toContain('[DONE]');
      const [span] = await tracing.spans(1);
      expect(attrs(span!)).toMatchObject({
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.request.model': 'gpt-4o',
      });
    });
  }

  it('http.get of a non-model path passes through with no span', async () => {
    const status = await new Promise<number>((resolve) =>
      http.get(`${standin.url}/v1/models`, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }),
    );
    expect(status).toBe(404);
    await new Promise((r) => setTimeout(r, 50));
    expect(tracing.exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('node:http2', () => {
  it('a client session request is observed (OpenAI shape over h2c)', async () => {
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c));
      stream.on('end', () => {
        const parsed = JSON.parse(body) as { model: string };
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(
          JSON.stringify({
            id: 'chatcmpl-h2',
            object: 'chat.completion',
            model: `${parsed.model}-2024-08-06`,
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
            path: headers[':path'],
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    configureProviderHosts(`127.0.0.1:${standin.port}=openai,127.0.0.1:${port}=openai`);
    const call = () =>
      new Promise<string>((resolve, reject) => {
        const session = http2.connect(`http://127.0.0.1:${port}`);
        const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions' });
        let out = '';
        stream.on('data', (c: Buffer) => (out += c));
        stream.on('end', () => {
          session.close();
          resolve(out);
        });
        stream.on('error', reject);
        stream.end(JSON.stringify({ model: 'gpt-4o', messages: [] }));
      });
    const { plain, traced } = await tracing.both(call);
    server.close();
    expect(traced).toEqual(plain);
    const [span] = await tracing.spans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 3,
      'server.port': port,
    });
  });
});
