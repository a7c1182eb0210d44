/**
 * Gemini API and Vertex AI (Google models) end to end: the real @google/genai SDK (Gemini API and Vertex mode),
 * the Vercel AI SDK with @ai-sdk/google, and raw fetch for the streamed-JSON-array form the SDKs never use,
 * against the Gemini stand-in. Each scenario runs with the taps passing through and active; what the app sees
 * must be identical, and each call must leave exactly one span of ours with the exact usage.
 */
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { GoogleGenAI } from '@google/genai';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { embed, generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { type Standin, startGeminiStandin } from './standins/gemini.mjs';
import { attrs, onlyOurClientSpans } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'AIzaSyFAKE-gemini-test-key-0123456789';
const tracing = setupTracing();

let standin: Standin;
let genai: GoogleGenAI;

function mapStandin(provider: string): void {
  configureProviderHosts(`127.0.0.1:${standin.port}=${provider}`);
}

beforeAll(async () => {
  standin = await startGeminiStandin();
  mapStandin('gcp.gemini');
  genai = new GoogleGenAI({ apiKey: FAKE_KEY, httpOptions: { baseUrl: standin.url } });
});
afterAll(async () => {
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());

/** The SDKs copy response headers into their results; the Date header is the only part that varies per run. */
function comparable<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'date' ? undefined : v)));
}

/** Runs the scenario uninstrumented and instrumented and returns both app-visible results. */
function both<T>(scenario: () => Promise<T>): Promise<{ plain: unknown; traced: unknown }> {
  return tracing.both(async () => comparable(await scenario()));
}

/** Waits for `count` spans and checks they are all ours and CLIENT spans, with no secret in them. */
function ourSpans(count: number, timeoutMs?: number): Promise<ReadableSpan[]> {
  return onlyOurClientSpans(tracing, count, [FAKE_KEY], timeoutMs);
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

async function stopOnError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    const e = err as { constructor: { name: string }; status?: unknown; message: string };
    return { name: e.constructor.name, status: e.status, message: e.message };
  }
}

describe('@google/genai, Gemini API', () => {
  it('generateContent: one span with exact usage, parameters, response model and finish reason', async () => {
    const { plain, traced } = await both(async () => {
      const response = await genai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Say hello',
        config: {
          systemInstruction: 'Be brief.',
          temperature: 0.3,
          topP: 0.9,
          topK: 20,
          maxOutputTokens: 5,
          stopSequences: ['END'],
          seed: 11,
          responseMimeType: 'application/json',
          thinkingConfig: { thinkingBudget: 512, includeThoughts: true },
        },
      });
      return { response, text: response.text };
    });
    expect(traced).toEqual(plain);
    expect((traced as { text?: string }).text).toBe('Hello from the Gemini stand');
    const [span] = await ourSpans(1);
    expect(span!.name).toBe('generate_content gemini-2.5-flash');
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 20,
      'gen_ai.request.max_tokens': 5,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 11,
      'gen_ai.output.type': 'json',
      'gen_ai.request.reasoning.level': '512',
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.response.id': 'gemini-standin-response',
      'gen_ai.response.finish_reasons': ['MAX_TOKENS'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 35, // 5 candidates + 30 thoughts
      'gen_ai.usage.cache_read.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 30,
      'ailedger.usage.estimated': false,
      'server.address': '127.0.0.1',
      'server.port': standin.port,
      'http.response.status_code': 200,
    });
    expect(attrs(span!)['gen_ai.request.stream']).toBeUndefined();
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('generateContentStream (alt=sse): the last cumulative usage, not a sum; stream flag; same chunks', async () => {
    const run = async () => {
      const stream = await genai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced).toHaveLength(7);
    expect(standin.requests.at(-1)?.url).toBe(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 37, // 7 + 30, from the last chunk only
      'gen_ai.usage.cache_read.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 30,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(span!)['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('several candidates: finish reasons by candidate index', async () => {
    const { plain, traced } = await both(() =>
      genai.models.generateContent({
        model: 'gemini-2.0-flash',
        contents: 'Say hello',
        config: { candidateCount: 2 },
      }),
    );
    expect(traced).toEqual(plain);
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.choice.count': 2,
      'gen_ai.response.finish_reasons': ['STOP', 'STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 14, // no thoughts on 2.0
    });
    expect(attrs(span!)['gen_ai.usage.reasoning.output_tokens']).toBeUndefined();
  });

  it('embedContent (sent as batchEmbedContents): no usage returned, so input tokens are estimated', async () => {
    const { plain, traced } = await both(() =>
      genai.models.embedContent({
        model: 'gemini-embedding-001',
        contents: ['The quick brown fox', 'jumps over the lazy dog'],
        config: { outputDimensionality: 3 },
      }),
    );
    expect(traced).toEqual(plain);
    const [span] = await ourSpans(1, 15_000);
    expect(span!.name).toBe('embeddings gemini-embedding-001');
    const a = attrs(span!);
    expect(a).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-embedding-001',
      'gen_ai.embeddings.dimension.count': 3,
      'ailedger.usage.estimated': true,
    });
    // "The quick brown fox\njumps over the lazy dog" is about 10 tokens.
    expect(a['gen_ai.usage.input_tokens']).toBeGreaterThanOrEqual(8);
    expect(a['gen_ai.usage.input_tokens']).toBeLessThanOrEqual(12);
    expect(a['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('HTTP 429: the app gets the same error; error.type is the Google status', async () => {
    const limited = new GoogleGenAI({
      apiKey: FAKE_KEY,
      httpOptions: { baseUrl: `${standin.url}/ratelimited` },
    });
    const { plain, traced } = await both(() =>
      stopOnError(() => limited.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' })),
    );
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ name: 'ApiError', status: 429 });
    const [span] = await ourSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.model': 'gemini-2.5-pro',
      'error.type': 'RESOURCE_EXHAUSTED',
      'http.response.status_code': 429,
    });
    expect(attrs(span!)['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('an error chunk mid-stream: same SDK error; the span keeps the usage seen before it', async () => {
    const broken = new GoogleGenAI({
      apiKey: FAKE_KEY,
      httpOptions: { baseUrl: `${standin.url}/midstream-error` },
    });
    const run = () =>
      stopOnError(async () => {
        const stream = await broken.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'hi',
        });
        const texts: unknown[] = [];
        for await (const chunk of stream) texts.push(chunk.text);
        return texts;
      });
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    const [span] = await ourSpans(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)).toMatchObject({
      'error.type': 'INTERNAL',
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.response.id': 'gemini-standin-response',
    });
  });

  it('countTokens is no model call: no span', async () => {
    const result = await genai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(result.totalTokens).toBe(24);
    await new Promise((r) => setTimeout(r, 100));
    expect(tracing.exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('@google/genai, Vertex AI mode', () => {
  // Vertex mode with an API key (project + location, or express mode) needs no Google auth library, so the
  // real SDK can be pointed at the stand-in; the host is mapped as a Vertex host for these calls.
  beforeAll(() => mapStandin('gcp.vertex_ai'));
  afterAll(() => mapStandin('gcp.gemini'));

  const vertex = () =>
    new GoogleGenAI({
      vertexai: true,
      project: 'my-proj',
      location: 'us-central1',
      apiKey: FAKE_KEY,
      httpOptions: { baseUrl: standin.url },
    });

  it('generateContent, generateContentStream and both embedding forms on projects/…/publishers/google paths', async () => {
    const { plain, traced } = await both(async () => {
      const ai = vertex();
      const whole = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Say hello' });
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.0-flash-001',
        contents: 'Say hi',
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const predict = await ai.models.embedContent({
        model: 'text-embedding-005',
        contents: ['alpha beta', 'gamma'],
        config: { outputDimensionality: 4 },
      });
      const embedContent = await ai.models.embedContent({
        model: 'gemini-embedding-2-preview',
        contents: 'alpha beta gamma',
        config: { outputDimensionality: 2 },
      });
      return { whole, chunks, predict, embedContent };
    });
    expect(traced).toEqual(plain);
    const urls = standin.requests.slice(-4).map((r) => r.url);
    expect(urls).toEqual([
      '/v1beta1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent',
      '/v1beta1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:streamGenerateContent?alt=sse',
      '/v1beta1/projects/my-proj/locations/us-central1/publishers/google/models/text-embedding-005:predict',
      '/v1beta1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-embedding-2-preview:embedContent',
    ]);
    const spans = await ourSpans(4);
    for (const span of spans) expect(attrs(span)['gen_ai.provider.name']).toBe('gcp.vertex_ai');
    expect(attrs(byName(spans, 'generate_content gemini-2.5-pro'))).toMatchObject({
      'gen_ai.response.model': 'gemini-2.5-pro-001',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 37,
      'gen_ai.usage.cache_read.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 30,
    });
    const streamed = attrs(byName(spans, 'generate_content gemini-2.0-flash-001'));
    expect(streamed).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.model': 'gemini-2.0-flash-001-001',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 7,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(byName(spans, 'embeddings text-embedding-005'))).toMatchObject({
      'gen_ai.embeddings.dimension.count': 4,
      'gen_ai.usage.input_tokens': 5, // statistics.token_count 3 + 2
      'ailedger.usage.estimated': false,
    });
    expect(attrs(byName(spans, 'embeddings gemini-embedding-2-preview'))).toMatchObject({
      'gen_ai.embeddings.dimension.count': 2,
      'gen_ai.usage.input_tokens': 4, // usageMetadata.promptTokenCount
      'ailedger.usage.estimated': false,
    });
  });

  it('express mode (API key only): /publishers/google/models/… without a project', async () => {
    const express = () =>
      new GoogleGenAI({ vertexai: true, apiKey: FAKE_KEY, httpOptions: { baseUrl: standin.url } });
    const { plain, traced } = await both(() =>
      express().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }),
    );
    expect(traced).toEqual(plain);
    expect(standin.requests.at(-1)?.url).toBe(
      '/v1beta1/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.usage.output_tokens': 37,
    });
  });
});

describe('raw fetch: streamGenerateContent without alt=sse (one streamed JSON array)', () => {
  const post = (path: string, body: object) =>
    fetch(`${standin.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': FAKE_KEY },
      body: JSON.stringify(body),
    });

  it('read with getReader, in pieces: exact last usage, finish reason, stream flag', async () => {
    const body = {
      contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
      generationConfig: { maxOutputTokens: 6, temperature: 0 },
    };
    const run = async () => {
      const r = await post('/slow/v1beta/models/gemini-2.5-flash:streamGenerateContent', body);
      const reader = r.body!.getReader();
      const pieces: string[] = [];
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pieces.push(decoder.decode(value, { stream: true }));
      }
      return { status: r.status, contentType: r.headers.get('content-type'), text: pieces.join('') };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    const text = (traced as { text: string }).text;
    expect(text.startsWith('[{')).toBe(true);
    expect(text).toContain('}\r\n,{');
    expect(JSON.parse(text)).toHaveLength(6);
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.request.max_tokens': 6,
      'gen_ai.request.temperature': 0,
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.response.finish_reasons': ['MAX_TOKENS'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 36, // 6 + 30 from the last element
      'gen_ai.usage.cache_read.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 30,
      'ailedger.usage.estimated': false,
    });
  });

  it('a Vertex-shaped path with res.json(), and a 429 error wrapped in an array', async () => {
    mapStandin('gcp.vertex_ai');
    try {
      const path =
        '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent';
      const { plain, traced } = await both(async () => {
        const ok = await (await post(path, { contents: [{ parts: [{ text: 'hi' }] }] })).json();
        const limited = await post(`/ratelimited${path}`, { contents: [] });
        return { ok, limited: { status: limited.status, body: await limited.json() } };
      });
      expect(traced).toEqual(plain);
      const spans = await ourSpans(2);
      const [ok, limited] = spans.sort(
        (a, b) =>
          Number(attrs(a)['http.response.status_code']) - Number(attrs(b)['http.response.status_code']),
      );
      expect(attrs(ok!)).toMatchObject({
        'gen_ai.provider.name': 'gcp.vertex_ai',
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gen_ai.request.stream': true,
        'gen_ai.usage.output_tokens': 37,
        'gen_ai.response.finish_reasons': ['STOP'],
      });
      expect(attrs(limited!)).toMatchObject({
        'error.type': 'RESOURCE_EXHAUSTED',
        'http.response.status_code': 429,
      });
    } finally {
      mapStandin('gcp.gemini');
    }
  });
});

describe('Vercel AI SDK with @ai-sdk/google', () => {
  // Built per call: the stand-in's URL is only known once it listens.
  const provider = () => createGoogleGenerativeAI({ baseURL: `${standin.url}/v1beta`, apiKey: FAKE_KEY });

  it('generateText', async () => {
    const { plain, traced } = await both(async () => {
      const r = await generateText({
        model: provider()('gemini-2.5-flash'),
        prompt: 'Say hello',
        maxOutputTokens: 100,
        temperature: 0.5,
      });
      return {
        text: r.text,
        finishReason: r.finishReason,
        usage: r.usage,
        providerMetadata: r.providerMetadata,
        body: r.response.body,
        modelId: r.response.modelId,
      };
    });
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ text: 'Hello from the Gemini stand-in.', finishReason: 'stop' });
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 37,
      'gen_ai.usage.cache_read.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 30,
    });
    expect(attrs(span!)['gen_ai.request.stream']).toBeUndefined();
  });

  it('streamText', async () => {
    const { plain, traced } = await both(async () => {
      const r = streamText({ model: provider()('gemini-2.5-flash'), prompt: 'Say hello' });
      let text = '';
      for await (const delta of r.textStream) text += delta;
      return {
        text,
        finishReason: await r.finishReason,
        usage: await r.usage,
        providerMetadata: await r.providerMetadata,
      };
    });
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ text: 'Hello from the Gemini stand-in.' });
    const [span] = await ourSpans(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.response.finish_reasons': ['STOP'],
      'gen_ai.usage.input_tokens': 24,
      'gen_ai.usage.output_tokens': 37,
      'gen_ai.usage.reasoning.output_tokens': 30,
      'ailedger.usage.estimated': false,
    });
  });

  it('embed (a single value goes to :embedContent)', async () => {
    const { plain, traced } = await both(async () => {
      const r = await embed({
        model: provider().textEmbeddingModel('gemini-embedding-001'),
        value: 'sunny day at the beach',
        providerOptions: { google: { outputDimensionality: 4 } },
      });
      return { embedding: r.embedding, usage: r.usage };
    });
    expect(traced).toEqual(plain);
    expect(standin.requests.at(-1)?.url).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    const [span] = await ourSpans(1, 15_000);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'gemini-embedding-001',
      'gen_ai.embeddings.dimension.count': 4,
      'ailedger.usage.estimated': true,
    });
    expect(attrs(span!)['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });
});
