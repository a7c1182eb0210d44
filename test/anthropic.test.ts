/**
 * Anthropic Messages end to end: the real @anthropic-ai/sdk (create, streamed and not, and messages.stream())
 * and the Vercel AI SDK's Anthropic provider against the Anthropic stand-in, plus the Vertex AI paths over raw
 * fetch. Each scenario runs with the taps passing through and active; the app must see the same result, and
 * exactly one of our spans must carry the exact usage.
 *
 * @anthropic-ai/sdk 1.x traces itself when a global tracer provider exists (scope com.anthropic.sdk.typescript);
 * the test provider is global, so its span appears next to ours: ours is told apart by scope and must be its child.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import Anthropic from '@anthropic-ai/sdk';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import type { ModelCall } from '../instrumentation/src/model-call.js';
import { runtime } from '../instrumentation/src/runtime.js';
import { type Standin, startAnthropicStandin, ANTHROPIC_STANDIN_USAGE as U } from './standins/anthropic.mjs';
import { assertNoSecrets, attrs, oursOf, waitForOurs } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'sk-ant-api03-FAKEFAKEFAKE0123456789abcdefFAKE';
const SDK_SCOPE = 'com.anthropic.sdk.typescript';
const tracing = setupTracing();

/** Totals in GenAI semantics: input includes cache reads and writes. */
const CACHE_WRITE = U.cacheCreation5mInputTokens + U.cacheCreation1hInputTokens;
const INPUT_TOTAL = U.inputTokens + U.cacheReadInputTokens + CACHE_WRITE;
const USAGE_ATTRS = {
  'gen_ai.usage.input_tokens': INPUT_TOTAL,
  'gen_ai.usage.cache_read.input_tokens': U.cacheReadInputTokens,
  'gen_ai.usage.cache_creation.input_tokens': CACHE_WRITE,
  'gen_ai.usage.output_tokens': U.outputTokens,
  'ailedger.usage.estimated': false,
};
const RECORD_USAGE = {
  inputTokens: INPUT_TOTAL,
  outputTokens: U.outputTokens,
  cacheReadInputTokens: U.cacheReadInputTokens,
  cacheCreationInputTokens: CACHE_WRITE,
  cacheCreation5mInputTokens: U.cacheCreation5mInputTokens,
  cacheCreation1hInputTokens: U.cacheCreation1hInputTokens,
};

let standin: Standin;
let client: Anthropic;
let records: ModelCall[] = [];
let originalPrice: typeof runtime.price;
let internalErrorsBefore = 0;

beforeAll(async () => {
  standin = await startAnthropicStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=anthropic`);
  client = new Anthropic({ baseURL: standin.url, apiKey: FAKE_KEY, maxRetries: 0 });
  // The finished record (incl. the 5m/1h cache-write split, which has no span attribute) as pricing sees it.
  originalPrice = runtime.price;
  runtime.price = (call) => {
    records.push(structuredClone(call));
    return originalPrice?.(call);
  };
});
afterAll(async () => {
  runtime.price = originalPrice;
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => {
  tracing.reset();
  records = [];
  internalErrorsBefore = runtime.internalErrors;
});
afterEach(() => {
  // Adapters never throw; the recorder counts anything it had to contain.
  expect(runtime.internalErrors).toBe(internalErrorsBefore);
});

/** Runs the scenario uninstrumented and instrumented and returns both app-visible results. */
function both<T>(scenario: () => Promise<T>): Promise<{ plain: T; traced: T }> {
  return tracing.both(scenario, async () => {
    // Let the SDK's own spans of the plain run end before they are cleared.
    await new Promise((r) => setTimeout(r, 30));
    records = [];
  });
}

/** Waits for `count` of our spans; returns ours and every span seen. */
async function ourSpans(
  count: number,
  timeoutMs = 5_000,
): Promise<{ ours: ReadableSpan[]; all: ReadableSpan[] }> {
  const seen = await waitForOurs(tracing, count, timeoutMs, 50);
  if (seen.ours.length < count) throw new Error(`expected ${count} of our spans, got ${seen.ours.length}`);
  return seen;
}

/**
 * Exactly one span of ours, a CLIENT span. With `sdkParent`, the Anthropic SDK's own span must exist and ours
 * must be its child; without, there must be no SDK span at all.
 */
async function oneSpan(sdkParent: boolean, timeoutMs?: number): Promise<ReadableSpan> {
  const { ours, all } = await ourSpans(1, timeoutMs);
  expect(ours).toHaveLength(1);
  const span = ours[0]!;
  expect(span.kind).toBe(SpanKind.CLIENT);
  const sdk = all.filter((s) => s.instrumentationScope.name === SDK_SCOPE);
  if (sdkParent) {
    // The SDK ends its span when the app is done, which may be after ours: wait for it.
    for (let i = 0; i < 100 && sdk.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      sdk.push(
        ...tracing.exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === SDK_SCOPE),
      );
    }
    expect(sdk).toHaveLength(1);
    expect(span.parentSpanContext?.spanId).toBe(sdk[0]!.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(sdk[0]!.spanContext().traceId);
  } else {
    expect(sdk).toHaveLength(0);
  }
  assertNoSecrets(oursOf(all), SECRETS);
  return span;
}

const SECRETS = [FAKE_KEY, 'FAKEFAKE', 'Bearer'];

const MESSAGES: Anthropic.MessageParam[] = [{ role: 'user', content: 'Say hello' }];

describe('@anthropic-ai/sdk', () => {
  it('messages.create: one span with usage incl. cache, model, finish reason, identical result', async () => {
    const { plain, traced } = await both(() =>
      client.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 256,
        stop_sequences: ['END'],
        service_tier: 'standard_only',
        system: 'Be brief.',
        messages: MESSAGES,
      }),
    );
    expect(traced).toEqual(plain);
    expect(traced.content).toEqual([{ type: 'text', text: U.text }]);
    const span = await oneSpan(true);
    expect(span.name).toBe('chat claude-sonnet-5-5');
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-5-5',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.model': 'claude-sonnet-5-5-20261015',
      'gen_ai.response.id': 'msg_standin_01',
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...USAGE_ATTRS,
      'server.address': '127.0.0.1',
      'server.port': standin.port,
      'http.response.status_code': 200,
      'http.response.header.anthropic-ratelimit-requests-remaining': ['3999'],
    });
    expect(attrs(span)['gen_ai.request.stream']).toBeUndefined();
    expect(attrs(span)['gen_ai.usage.reasoning.output_tokens']).toBeUndefined();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(records).toHaveLength(1);
    expect(records[0]!.usage).toEqual(RECORD_USAGE);
    expect(records[0]!.request.serviceTier).toBe('standard_only');
    expect(records[0]!.response.serviceTier).toBe('standard');
  });

  it('messages.create with thinking and effort: reasoning tokens within output, reasoning level', async () => {
    const { plain, traced } = await both(() =>
      client.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 4000,
        thinking: { type: 'adaptive' },
        output_config: { effort: 'medium' },
        messages: MESSAGES,
      }),
    );
    expect(traced).toEqual(plain);
    const span = await oneSpan(true);
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.reasoning.level': 'medium',
      'gen_ai.usage.output_tokens': U.outputTokens + U.thinkingTokens,
      'gen_ai.usage.reasoning.output_tokens': U.thinkingTokens,
      'gen_ai.usage.input_tokens': INPUT_TOTAL,
    });
  });

  it('messages.create stream: the same events, usage from message_start + message_delta, stream flag', async () => {
    const run = async () => {
      const stream = await client.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 256,
        messages: MESSAGES,
        stream: true,
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    // message_start, content_block_start, 7 deltas, content_block_stop, message_delta, message_stop (the SDK drops ping)
    expect(traced).toHaveLength(12);
    const span = await oneSpan(true);
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'msg_standin_01',
      'gen_ai.response.model': 'claude-sonnet-5-5-20261015',
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...USAGE_ATTRS,
    });
    const ttfc = attrs(span)['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThan(0);
    expect(ttfc).toBeLessThan(5);
    expect(records[0]!.usage).toEqual(RECORD_USAGE);
  });

  it('messages.stream(): text events and the final message identical; one span', async () => {
    const run = async () => {
      const texts: string[] = [];
      const stream = client.messages.stream({
        model: 'claude-sonnet-5-5',
        max_tokens: 256,
        messages: MESSAGES,
      });
      stream.on('text', (t) => texts.push(t));
      const final = await stream.finalMessage();
      return { texts, final };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced.texts.join('')).toBe(U.text);
    const span = await oneSpan(true);
    expect(attrs(span)).toMatchObject({ 'gen_ai.request.stream': true, ...USAGE_ATTRS });
  });

  it('HTTP 529 overloaded: the same error for the app; error.type overloaded_error, ERROR status', async () => {
    const overloaded = new Anthropic({
      baseURL: `${standin.url}/overloaded`,
      apiKey: FAKE_KEY,
      maxRetries: 0,
    });
    const call = () =>
      overloaded.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: MESSAGES }).then(
        () => 'no error',
        (err: InstanceType<typeof Anthropic.APIError>) => ({
          name: err.constructor.name,
          status: err.status,
          message: err.message,
          error: err.error,
        }),
      );
    const { plain, traced } = await both(call);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ status: 529 });
    const span = await oneSpan(true);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span)).toMatchObject({ 'error.type': 'overloaded_error', 'http.response.status_code': 529 });
    expect(attrs(span)['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('an error event mid-stream: the app gets the same error; the span has its type', async () => {
    const failing = new Anthropic({
      baseURL: `${standin.url}/stream-error`,
      apiKey: FAKE_KEY,
      maxRetries: 0,
    });
    const run = async () => {
      const events: unknown[] = [];
      try {
        const stream = await failing.messages.create({
          model: 'claude-sonnet-5-5',
          max_tokens: 10,
          messages: MESSAGES,
          stream: true,
        });
        for await (const event of stream) events.push(event);
        return { events, error: undefined };
      } catch (err) {
        return { events, error: { name: (err as Error).constructor.name, message: (err as Error).message } };
      }
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced.error).toBeDefined();
    const span = await oneSpan(true);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span)).toMatchObject({ 'error.type': 'overloaded_error', 'http.response.status_code': 200 });
  });

  it('a stream cut before message_delta: reported input kept, output estimated and flagged', async () => {
    const cut = new Anthropic({ baseURL: `${standin.url}/cut`, apiKey: FAKE_KEY, maxRetries: 0 });
    const run = async () => {
      const stream = await cut.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 10,
        messages: MESSAGES,
        stream: true,
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    const span = await oneSpan(true, 15_000);
    const a = attrs(span);
    expect(a['ailedger.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.input_tokens']).toBe(INPUT_TOTAL); // from message_start, as reported
    expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(U.cacheReadInputTokens);
    // "Hello! How can I help?" is 7 tokens in cl100k_base.
    expect(a['gen_ai.usage.output_tokens']).toBeGreaterThanOrEqual(5);
    expect(a['gen_ai.usage.output_tokens']).toBeLessThanOrEqual(9);
    expect(a['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('breaking out of a slow stream: the span ends as cancelled, promptly, with the input seen', async () => {
    const slow = new Anthropic({ baseURL: `${standin.url}/slow`, apiKey: FAKE_KEY, maxRetries: 0 });
    const stream = await slow.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 10,
      messages: MESSAGES,
      stream: true,
    });
    let n = 0;
    const started = Date.now();
    for await (const _ of stream) if (++n === 3) break;
    expect(Date.now() - started).toBeLessThan(1_000);
    const span = await oneSpan(true, 15_000);
    expect(attrs(span)).toMatchObject({
      'error.type': 'cancelled',
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': INPUT_TOTAL,
    });
  });

  it('count_tokens is not a model call: no span of ours', async () => {
    const { plain, traced } = await both(() =>
      client.messages.countTokens({ model: 'claude-sonnet-5-5', messages: MESSAGES }),
    );
    expect(traced).toEqual(plain);
    expect(traced.input_tokens).toBe(U.inputTokens);
    await new Promise((r) => setTimeout(r, 100));
    expect(oursOf(tracing.exporter.getFinishedSpans())).toHaveLength(0);
  });
});

describe('Anthropic on Vertex AI (rawPredict / streamRawPredict over fetch)', () => {
  const path =
    '/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929';
  const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: MESSAGES };
  const post = (method: string) =>
    fetch(`${standin.url}${path}:${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${FAKE_KEY}` },
      body: JSON.stringify(body),
    }).then((r) => r.text());

  beforeAll(() => configureProviderHosts(`127.0.0.1:${standin.port}=gcp.vertex_ai`));
  afterAll(() => configureProviderHosts(`127.0.0.1:${standin.port}=anthropic`));

  it('rawPredict and streamRawPredict: provider gcp.vertex_ai, model and stream from the path', async () => {
    const { plain, traced } = await both(async () => ({
      whole: await post('rawPredict'),
      stream: await post('streamRawPredict'),
    }));
    expect(traced).toEqual(plain);
    const { ours } = await ourSpans(2);
    expect(ours).toHaveLength(2);
    for (const span of ours) {
      expect(span.name).toBe('chat claude-sonnet-4-5@20250929');
      expect(attrs(span)).toMatchObject({
        'gen_ai.provider.name': 'gcp.vertex_ai',
        'gen_ai.request.model': 'claude-sonnet-4-5@20250929',
        'gen_ai.request.max_tokens': 64,
        'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
        ...USAGE_ATTRS,
      });
    }
    expect(ours.map((s) => attrs(s)['gen_ai.request.stream'])).toEqual([undefined, true]);
    assertNoSecrets(ours, SECRETS);
  });
});

describe('Vercel AI SDK with @ai-sdk/anthropic', () => {
  const provider = () => createAnthropic({ baseURL: `${standin.url}/v1`, apiKey: FAKE_KEY });

  it('generateText: identical result, one span with exact usage', async () => {
    const { plain, traced } = await both(async () => {
      const r = await generateText({
        model: provider()('claude-haiku-4-5'),
        prompt: 'Say hello',
        maxOutputTokens: 100,
        // Sampling parameters: the AI SDK drops them for the newest models, which reject them.
        temperature: 0.2,
        topK: 40,
        stopSequences: ['END'],
        maxRetries: 0,
      });
      return {
        warnings: r.warnings,
        text: r.text,
        finishReason: r.finishReason,
        usage: r.usage,
        providerMetadata: r.providerMetadata,
        id: r.response.id,
        modelId: r.response.modelId,
      };
    });
    expect(traced).toEqual(plain);
    expect(traced.text).toBe(U.text);
    const span = await oneSpan(false);
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.model': 'claude-haiku-4-5',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.model': 'claude-haiku-4-5-20261015',
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...USAGE_ATTRS,
    });
    expect(attrs(span)['gen_ai.request.stream']).toBeUndefined();
    expect(records[0]!.usage).toEqual(RECORD_USAGE);
  });

  it('streamText: identical text and usage, one span with exact usage', async () => {
    const { plain, traced } = await both(async () => {
      const r = streamText({
        model: provider()('claude-sonnet-5-5'),
        prompt: 'Say hello',
        maxOutputTokens: 100,
        maxRetries: 0,
      });
      const parts: string[] = [];
      for await (const t of r.textStream) parts.push(t);
      return {
        parts,
        finishReason: await r.finishReason,
        usage: await r.usage,
        providerMetadata: await r.providerMetadata,
      };
    });
    expect(traced).toEqual(plain);
    expect(traced.parts.join('')).toBe(U.text);
    const span = await oneSpan(false);
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...USAGE_ATTRS,
    });
    expect(records[0]!.usage).toEqual(RECORD_USAGE);
  });
});
