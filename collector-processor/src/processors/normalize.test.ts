/**
 * Normalization against spans captured from the real foreign instrumentations (__fixtures__, written by
 * scripts/capture-foreign-spans.mjs against the stand-ins), hand-written spans of conventions we cannot run here,
 * odd values, and a round trip through our own attribute mapping.
 */
import { readFileSync } from 'node:fs';
import {
  type ModelCall,
  modelCallAttributes,
  newModelCall,
  spanName,
  type TokenUsage,
} from '@ailedger/instrumentation/core';
import { AILEDGER_INSTRUMENTATION_SCOPE_NAME } from '@ailedger/semantic-conventions';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_STANDIN_USAGE as ANTHROPIC } from '../../../test/standins/anthropic.mjs';
import { type Standin, startOpenAIStandin } from '../../../test/standins/openai.mjs';
import {
  type AttrMap,
  type AttrValue,
  isOurSpan,
  mayBeGenAi,
  type NormalizedSpan,
  normalizeGenAiSpan,
  type SpanFacts,
} from './normalize.js';

interface FixtureSpan {
  scenario: string;
  name: string;
  kind: string;
  scope: { name: string; version: string | null };
  status: { code: number; message?: string };
  attributes: AttrMap;
  parent: number | null | 'outside';
}

interface Fixture {
  versions: Record<string, string>;
  notes: string[];
  spans: FixtureSpan[];
}

function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

const START = 1_750_000_000_000;
const END = START + 1_200;

function factsOf(span: FixtureSpan): SpanFacts {
  const facts: SpanFacts = {
    name: span.name,
    startTimeMs: START,
    endTimeMs: END,
    statusCode: span.status.code,
    scopeName: span.scope.name,
  };
  if (span.status.message !== undefined) facts.statusMessage = span.status.message;
  return facts;
}

/** Normalizes a span and checks the invariants every result must hold: nothing changed, only additions. */
function normalize(attrs: AttrMap, facts: SpanFacts): NormalizedSpan | undefined {
  const before = structuredClone(attrs);
  const result = normalizeGenAiSpan(attrs, facts);
  expect(attrs).toEqual(before);
  if (result) {
    for (const [key, value] of Object.entries(result.additions)) {
      expect(attrs[key], `addition ${key} overwrites the span`).toBeUndefined();
      expect(value, `addition ${key}`).toBeDefined();
    }
    if (result.kind === 'aggregate') {
      expect(result.call).toBeUndefined();
      expect(Object.keys(result.additions).filter((k) => k.startsWith('gen_ai.usage.'))).toEqual([]);
    } else {
      expect(result.call).toBeDefined();
    }
  }
  return result;
}

function spanOf(fixture: Fixture, scenario: string, name?: string): FixtureSpan {
  const span = fixture.spans.find((s) => s.scenario === scenario && (name === undefined || s.name === name));
  if (!span) throw new Error(`no ${scenario} span ${name ?? ''}`);
  return span;
}

function normalized(fixture: Fixture, scenario: string, name?: string): NormalizedSpan {
  const span = spanOf(fixture, scenario, name);
  const result = normalize(span.attributes, factsOf(span));
  if (!result) throw new Error(`${scenario}: not recognized as GenAI`);
  return result;
}

function callOf(result: NormalizedSpan): ModelCall {
  expect(result.kind).toBe('model-call');
  if (!result.call) throw new Error('no call');
  return result.call;
}

// What the OpenAI stand-in reports, asked from the stand-in itself (max_tokens 5, one embeddings input).
let openai: Standin;
let chatUsage: TokenUsage;
let embeddingsUsage: TokenUsage;

beforeAll(async () => {
  openai = await startOpenAIStandin();
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${openai.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return (await res.json()) as { usage: Record<string, number & Record<string, number>> };
  };
  const chat = (await post('/v1/chat/completions', { model: 'gpt-4o-mini', max_tokens: 5, messages: [] }))
    .usage;
  chatUsage = {
    inputTokens: chat.prompt_tokens!,
    outputTokens: chat.completion_tokens!,
    cacheReadInputTokens: (chat.prompt_tokens_details as unknown as Record<string, number>).cached_tokens!,
    reasoningOutputTokens: (chat.completion_tokens_details as unknown as Record<string, number>)
      .reasoning_tokens!,
  };
  const emb = (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello' })).usage;
  embeddingsUsage = { inputTokens: emb.prompt_tokens! };
});
afterAll(() => openai.close());

/** The stand-in's chat usage limited to what an instrumentation recorded. */
function chatUsageWith(...fields: (keyof TokenUsage)[]): TokenUsage {
  return Object.fromEntries(fields.map((f) => [f, chatUsage[f]]));
}

describe('fixtures from real instrumentations', () => {
  it('recorded each instrumentation with the versions the project pins', () => {
    expect(loadFixture('traceloop-instrumentation-openai').versions).toMatchObject({
      '@traceloop/instrumentation-openai': '0.27.0',
      openai: '6.49.0',
    });
    expect(loadFixture('opentelemetry-instrumentation-openai').versions).toMatchObject({
      '@opentelemetry/instrumentation-openai': '0.21.0',
    });
    expect(loadFixture('openinference-instrumentation-openai').versions).toMatchObject({
      '@arizeai/openinference-instrumentation-openai': '4.2.7',
    });
    expect(loadFixture('vercel-ai-sdk').versions).toMatchObject({ ai: '6.0.326' });
    expect(loadFixture('anthropic-sdk').versions).toMatchObject({ '@anthropic-ai/sdk': '1.13.0' });
  });

  it('the stand-in reported the usage the tests compare against', () => {
    expect(chatUsage).toEqual({
      inputTokens: 12,
      outputTokens: 5,
      cacheReadInputTokens: 4,
      reasoningOutputTokens: 2,
    });
    expect(embeddingsUsage).toEqual({ inputTokens: 5 });
  });

  describe('@traceloop/instrumentation-openai (OpenLLMetry)', () => {
    const fx = loadFixture('traceloop-instrumentation-openai');

    it('chat: already current names, nothing to add; usage as reported (no cache or reasoning recorded)', () => {
      const result = normalized(fx, 'chat');
      expect(result.additions).toEqual({});
      const call = callOf(result);
      expect(call).toMatchObject({
        provider: 'openai',
        operation: 'chat',
        request: { model: 'gpt-4o-mini', stream: false, maxTokens: 5 },
        response: { id: 'chatcmpl-standin', model: 'gpt-4o-mini-2024-07-18', finishReasons: ['stop'] },
        usageEstimated: false,
        startTimeMs: START,
        endTimeMs: END,
      });
      expect(call.usage).toEqual(chatUsageWith('inputTokens', 'outputTokens'));
      expect(call.error).toBeUndefined();
    });

    it('chat-stream: the instrumentation records no usage from the usage chunk, so there is none', () => {
      const call = callOf(normalized(fx, 'chat-stream'));
      expect(call.usage).toBeUndefined();
      expect(call.response).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', finishReasons: ['stop'] });
    });

    it('has no embeddings or error span to normalize (the instrumentation emits none)', () => {
      expect(fx.spans.map((s) => s.scenario)).toEqual(['chat', 'chat-stream']);
    });
  });

  describe('@opentelemetry/instrumentation-openai (OTel contrib)', () => {
    const fx = loadFixture('opentelemetry-instrumentation-openai');

    it('chat: gen_ai.system becomes gen_ai.provider.name; usage as reported', () => {
      const result = normalized(fx, 'chat');
      expect(result.additions).toEqual({ 'gen_ai.provider.name': 'openai' });
      const call = callOf(result);
      expect(call).toMatchObject({
        provider: 'openai',
        operation: 'chat',
        serverAddress: '127.0.0.1',
        serverPort: 4010,
        request: { model: 'gpt-4o-mini', maxTokens: 5 },
        response: { id: 'chatcmpl-standin', model: 'gpt-4o-mini-2024-07-18', finishReasons: ['stop'] },
      });
      expect(call.usage).toEqual(chatUsageWith('inputTokens', 'outputTokens'));
    });

    it('chat-stream: usage from the usage chunk', () => {
      const result = normalized(fx, 'chat-stream');
      expect(result.additions).toEqual({ 'gen_ai.provider.name': 'openai' });
      expect(callOf(result).usage).toEqual(chatUsageWith('inputTokens', 'outputTokens'));
    });

    it('embeddings: input tokens only', () => {
      const call = callOf(normalized(fx, 'embeddings'));
      expect(call.operation).toBe('embeddings');
      expect(call.request.model).toBe('text-embedding-3-small');
      expect(call.usage).toEqual(embeddingsUsage);
    });

    it('chat-error: error.type and the status message; no usage', () => {
      const call = callOf(normalized(fx, 'chat-error'));
      expect(call.error).toEqual({ type: 'RateLimitError', message: '429 Rate limit reached (stand-in)' });
      expect(call.usage).toBeUndefined();
    });
  });

  describe('@arizeai/openinference-instrumentation-openai (OpenInference)', () => {
    const fx = loadFixture('openinference-instrumentation-openai');

    it('chat: every current name added; requested model recovered from llm.invocation_parameters', () => {
      const result = normalized(fx, 'chat');
      expect(result.additions).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.cache_read.input_tokens': 4,
        'gen_ai.usage.reasoning.output_tokens': 2,
      });
      const call = callOf(result);
      expect(call.usage).toEqual(chatUsage);
      expect(call.request).toMatchObject({ model: 'gpt-4o-mini', stream: false });
      expect(call.response.model).toBe('gpt-4o-mini-2024-07-18');
    });

    it('chat-stream: streaming read from the invocation parameters; the instrumentation records no usage', () => {
      const result = normalized(fx, 'chat-stream');
      expect(result.additions).toMatchObject({
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.stream': true,
        'gen_ai.response.finish_reasons': ['stop'],
      });
      const call = callOf(result);
      expect(call.request.stream).toBe(true);
      expect(call.usage).toBeUndefined();
    });

    it('embeddings: an embeddings call without usage (none recorded)', () => {
      const result = normalized(fx, 'embeddings');
      expect(result.additions).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.request.model': 'text-embedding-3-small',
      });
      expect(callOf(result).usage).toBeUndefined();
    });
  });

  describe('Vercel AI SDK (ai 6 + @ai-sdk/openai)', () => {
    const fx = loadFixture('vercel-ai-sdk');

    it('counts the doGenerate span, not the ai.generateText span above it that repeats its usage', () => {
      const inner = spanOf(fx, 'chat', 'ai.generateText.doGenerate');
      const outer = spanOf(fx, 'chat', 'ai.generateText');
      expect(fx.spans[inner.parent as number]).toBe(outer);
      const result = normalized(fx, 'chat', 'ai.generateText.doGenerate');
      expect(result.additions).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.cache_read.input_tokens': 4,
        'gen_ai.usage.reasoning.output_tokens': 2,
      });
      const call = callOf(result);
      expect(call.usage).toEqual(chatUsage);
      expect(call.request).toMatchObject({ model: 'gpt-4o-mini', stream: false, maxTokens: 5 });
      expect(call.response).toMatchObject({ id: 'chatcmpl-standin', model: 'gpt-4o-mini-2024-07-18' });

      const aggregate = normalized(fx, 'chat', 'ai.generateText');
      expect(aggregate.kind).toBe('aggregate');
      expect(aggregate.additions).toMatchObject({ 'gen_ai.provider.name': 'openai' });
    });

    it('doStream: streamed, time to first chunk converted from ms', () => {
      const result = normalized(fx, 'chat-stream', 'ai.streamText.doStream');
      expect(result.additions).toMatchObject({
        'gen_ai.request.stream': true,
        'gen_ai.response.time_to_first_chunk': 0.25,
      });
      const call = callOf(result);
      expect(call.usage).toEqual(chatUsage);
      expect(call.firstChunkTimeMs).toBe(START + 250);
      expect(normalized(fx, 'chat-stream', 'ai.streamText').kind).toBe('aggregate');
    });

    it('doEmbed: ai.usage.tokens is the input count', () => {
      const result = normalized(fx, 'embeddings', 'ai.embed.doEmbed');
      expect(result.additions).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 5,
      });
      expect(callOf(result).usage).toEqual(embeddingsUsage);
      expect(normalized(fx, 'embeddings', 'ai.embed').kind).toBe('aggregate');
    });

    it('a failed call: error status without error.type gets _OTHER', () => {
      const result = normalized(fx, 'chat-error', 'ai.generateText.doGenerate');
      expect(result.additions['error.type']).toBe('_OTHER');
      expect(callOf(result).error).toEqual({ type: '_OTHER', message: 'Rate limit reached (stand-in)' });
      expect(normalized(fx, 'chat-error', 'ai.generateText').kind).toBe('aggregate');
    });
  });

  describe('@anthropic-ai/sdk tracing itself', () => {
    const fx = loadFixture('anthropic-sdk');
    const cacheWrite = ANTHROPIC.cacheCreation5mInputTokens + ANTHROPIC.cacheCreation1hInputTokens;
    const usage: TokenUsage = {
      inputTokens: ANTHROPIC.inputTokens + ANTHROPIC.cacheReadInputTokens + cacheWrite,
      outputTokens: ANTHROPIC.outputTokens,
      cacheReadInputTokens: ANTHROPIC.cacheReadInputTokens,
      cacheCreationInputTokens: cacheWrite,
      cacheCreation5mInputTokens: ANTHROPIC.cacheCreation5mInputTokens,
      cacheCreation1hInputTokens: ANTHROPIC.cacheCreation1hInputTokens,
    };

    it('chat: cache_write becomes cache_creation, stop_reason the finish reasons; the 5m/1h split kept', () => {
      const result = normalized(fx, 'chat');
      expect(result.additions).toEqual({
        'gen_ai.usage.cache_creation.input_tokens': cacheWrite,
        'gen_ai.response.finish_reasons': ['end_turn'],
      });
      const call = callOf(result);
      expect(call.usage).toEqual(usage);
      expect(call).toMatchObject({
        provider: 'anthropic',
        operation: 'chat',
        httpStatus: 200,
        request: { model: 'claude-sonnet-4-6', maxTokens: 64, stream: false },
        response: { id: 'msg_standin_01', model: 'claude-sonnet-4-6-20261015', serviceTier: 'standard' },
      });
    });

    it('chat-stream: the same usage, streamed, with time to first chunk', () => {
      const call = callOf(normalized(fx, 'chat-stream'));
      expect(call.usage).toEqual(usage);
      expect(call.request.stream).toBe(true);
      expect(call.firstChunkTimeMs).toBe(START + 250);
    });

    it('chat-error: the provider error type and the HTTP status', () => {
      const call = callOf(normalized(fx, 'chat-error'));
      expect(call.error).toEqual({ type: 'overloaded_error' });
      expect(call.httpStatus).toBe(529);
      expect(call.usage).toBeUndefined();
    });
  });
});

describe('hand-written spans of other conventions', () => {
  const facts = (name = 'llm call', extra: Partial<SpanFacts> = {}): SpanFacts => ({
    name,
    startTimeMs: START,
    endTimeMs: END,
    ...extra,
  });

  it('older OTel semconv: gen_ai.system and prompt/completion tokens', () => {
    const result = normalize(
      {
        'gen_ai.system': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.prompt_tokens': 10,
        'gen_ai.usage.completion_tokens': 5,
        'gen_ai.openai.request.seed': 7,
        'gen_ai.openai.request.response_format': 'json_object',
        'gen_ai.openai.response.service_tier': 'default',
      },
      facts('chat gpt-4o'),
    )!;
    expect(result.additions).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.request.seed': 7,
      'gen_ai.output.type': 'json',
      'openai.response.service_tier': 'default',
    });
    const call = callOf(result);
    expect(call.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
    expect(call.request).toMatchObject({ seed: 7, outputType: 'json' });
    expect(call.response.serviceTier).toBe('default');
  });

  it('older OpenLLMetry: no operation name, capitalized provider, Anthropic input without the cache counts', () => {
    const result = normalize(
      {
        'gen_ai.system': 'Anthropic',
        'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
        'gen_ai.usage.prompt_tokens': 25,
        'gen_ai.usage.completion_tokens': 7,
        'gen_ai.usage.cache_read_input_tokens': 2000,
        'gen_ai.usage.cache_creation_input_tokens': 300,
        'llm.usage.total_tokens': 32,
      },
      facts('anthropic.chat'),
    )!;
    expect(result.additions).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 2325,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 300,
    });
    expect(callOf(result).usage).toEqual({
      inputTokens: 2325,
      outputTokens: 7,
      cacheReadInputTokens: 2000,
      cacheCreationInputTokens: 300,
    });
  });

  it('OpenLIT: its own stream, tier and fingerprint names; foreign cost ignored', () => {
    const result = normalize(
      {
        'telemetry.sdk.name': 'openlit',
        'gen_ai.system': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.request.is_stream': true,
        'gen_ai.request.service_tier': 'flex',
        'gen_ai.response.service_tier': 'flex',
        'gen_ai.response.system_fingerprint': 'fp_1',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.total_tokens': 17,
        'gen_ai.usage.reasoning_tokens': 2,
        'gen_ai.usage.cost': 0.00001,
        'server.address': 'api.openai.com',
        'server.port': 443,
      },
      facts('chat gpt-4o-mini'),
    )!;
    expect(result.additions).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.stream': true,
      'openai.request.service_tier': 'flex',
      'openai.response.service_tier': 'flex',
      'openai.response.system_fingerprint': 'fp_1',
      'gen_ai.usage.reasoning.output_tokens': 2,
    });
    const call = callOf(result);
    expect(call).toMatchObject({
      serverAddress: 'api.openai.com',
      serverPort: 443,
      request: { stream: true, serviceTier: 'flex' },
      response: { serviceTier: 'flex', systemFingerprint: 'fp_1' },
      usage: { inputTokens: 12, outputTokens: 5, reasoningOutputTokens: 2 },
    });
    expect(
      normalize({ 'gen_ai.system': 'mistral', 'gen_ai.operation.name': 'chat' }, facts())!.call?.provider,
    ).toBe('mistral_ai');
  });

  it('Vercel AI SDK v5 and v4 with Anthropic: input without cache, cache write only in provider metadata', () => {
    const v5 = normalize(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.model.id': 'claude-sonnet-4-5',
        'ai.usage.inputTokens': 25,
        'ai.usage.outputTokens': 7,
        'ai.usage.cachedInputTokens': 2000,
        'ai.response.providerMetadata': '{"anthropic":{"cacheCreationInputTokens":300}}',
        'ai.response.finishReason': 'stop',
      },
      facts('ai.generateText.doGenerate'),
    )!;
    expect(v5.additions).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 2325,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 300,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    const v4 = normalize(
      {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.promptTokens': 25,
        'ai.usage.completionTokens': 7,
        'ai.response.providerMetadata':
          '{"anthropic":{"cacheCreationInputTokens":300,"cacheReadInputTokens":2000}}',
        'ai.response.msToFirstChunk': 412,
      },
      facts('ai.streamText.doStream'),
    )!;
    expect(callOf(v4).usage).toEqual({
      inputTokens: 2325,
      outputTokens: 7,
      cacheReadInputTokens: 2000,
      cacheCreationInputTokens: 300,
    });
    expect(callOf(v4).firstChunkTimeMs).toBe(START + 412);
    // v6 reports the total, with noCacheTokens beside it: nothing is added.
    const v6 = normalize(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.provider': 'anthropic.messages',
        'ai.usage.inputTokens': 2325,
        'ai.usage.inputTokenDetails.noCacheTokens': 25,
        'ai.usage.inputTokenDetails.cacheReadTokens': 2000,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 300,
        'ai.usage.outputTokens': 7,
      },
      facts('ai.generateText.doGenerate'),
    )!;
    expect(callOf(v6).usage).toEqual(callOf(v4).usage);
  });

  it('current cache_creation name wins over the unreleased cache_write name', () => {
    const result = normalize(
      {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 300,
        'gen_ai.usage.cache_write.input_tokens': 999,
      },
      facts(),
    )!;
    expect(result.additions).toEqual({});
    expect(callOf(result).usage?.cacheCreationInputTokens).toBe(300);
  });

  it('attribution and estimation from ailedger.* attributes, whoever wrote them', () => {
    const call = callOf(
      normalize(
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 3,
          'ailedger.usage.estimated': 'true',
          'ailedger.team': 'search',
          'ailedger.use_case': 'autocomplete',
          'ailedger.user': 'u-1',
        },
        facts(),
      )!,
    );
    expect(call.usageEstimated).toBe(true);
    expect(call.attribution).toEqual({ team: 'search', useCase: 'autocomplete', user: 'u-1' });
  });

  it('rate-limit headers only, from http.response.header.* (string arrays)', () => {
    const call = callOf(
      normalize(
        {
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.operation.name': 'chat',
          'http.response.header.anthropic-ratelimit-tokens-remaining': ['1999000'],
          'http.response.header.retry-after': '1',
          'http.response.header.content-type': ['application/json'],
        },
        facts(),
      )!,
    );
    expect(call.rateLimitHeaders).toEqual({
      'anthropic-ratelimit-tokens-remaining': '1999000',
      'retry-after': '1',
    });
  });

  describe('aggregate spans are never counted', () => {
    const aggregates: Record<string, AttrMap> = {
      'OpenInference CHAIN': {
        'openinference.span.kind': 'CHAIN',
        'llm.token_count.prompt': 120,
        'llm.token_count.completion': 30,
      },
      'OpenInference AGENT': { 'openinference.span.kind': 'AGENT', 'llm.token_count.prompt': 120 },
      'Traceloop workflow': {
        'traceloop.span.kind': 'workflow',
        'traceloop.entity.name': 'answer_question',
        'gen_ai.usage.prompt_tokens': 120,
      },
      'Vercel ai.generateText': {
        'ai.operationId': 'ai.generateText',
        'ai.model.provider': 'openai.responses',
        'ai.usage.inputTokens': 120,
      },
      'current invoke_agent': {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': 120,
      },
      'OpenLLMetry rerank': { 'gen_ai.system': 'cohere', 'llm.request.type': 'rerank' },
      'current execute_tool': { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' },
    };
    for (const [label, attrs] of Object.entries(aggregates)) {
      it(label, () => {
        const result = normalize(attrs, facts(label));
        expect(result?.kind).toBe('aggregate');
      });
    }

    it('still gets its non-usage names (OpenInference AGENT → invoke_agent)', () => {
      expect(normalize(aggregates['OpenInference AGENT']!, facts())!.additions).toEqual({
        'gen_ai.operation.name': 'invoke_agent',
      });
    });
  });

  it('a span of no GenAI convention is not normalized', () => {
    const http: AttrMap = {
      'http.request.method': 'POST',
      'url.full': 'https://api.openai.com/v1/chat/completions',
    };
    expect(mayBeGenAi(Object.keys(http))).toBe(false);
    expect(normalize(http, facts('POST'))).toBeUndefined();
    expect(normalize({}, facts())).toBeUndefined();
    expect(mayBeGenAi([])).toBe(false);
    expect(mayBeGenAi(['ailedger.team', 'gen_ai.request.model', 'app.user'])).toBe(false);
  });

  it('mayBeGenAi accepts every marker and usage key', () => {
    for (const key of [
      'gen_ai.provider.name',
      'gen_ai.system',
      'openinference.span.kind',
      'traceloop.span.kind',
      'ai.operationId',
      'llm.request.type',
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.prompt_tokens',
      'llm.token_count.prompt',
      'llm.usage.total_tokens',
      'ai.usage.tokens',
    ]) {
      expect(mayBeGenAi(['http.method', key]), key).toBe(true);
    }
    expect(mayBeGenAi(new Set(['x', 'gen_ai.operation.name']))).toBe(true);
  });

  it('isOurSpan compares the instrumentation scope name', () => {
    expect(isOurSpan(AILEDGER_INSTRUMENTATION_SCOPE_NAME)).toBe(true);
    expect(isOurSpan('com.anthropic.sdk.typescript')).toBe(false);
    expect(isOurSpan(undefined)).toBe(false);
  });
});

describe('odd attribute values', () => {
  const facts: SpanFacts = { name: 'chat', startTimeMs: START, endTimeMs: END, statusCode: 0 };

  it('numbers as strings, ints as doubles, JSON-string arrays and single strings', () => {
    const result = normalize(
      {
        'gen_ai.system': 'openai',
        'llm.request.type': 'chat',
        'gen_ai.usage.prompt_tokens': ' 12 ',
        'gen_ai.usage.completion_tokens': 5.0,
        'llm.response.finish_reason': '["stop","length"]',
        'gen_ai.request.stop_sequences': 'END',
        'server.port': '8443',
        'gen_ai.request.stream': 'true',
      },
      facts,
    )!;
    expect(result.additions).toMatchObject({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['stop', 'length'],
    });
    const call = callOf(result);
    expect(call.usage).toEqual({ inputTokens: 12, outputTokens: 5 });
    expect(call.response.finishReasons).toEqual(['stop', 'length']);
    expect(call.request.stopSequences).toEqual(['END']);
    expect(call.request.stream).toBe(true);
    expect(call.serverPort).toBe(8443);
    // A current name holding a JSON string is read the same way, and left as it is on the span.
    const current = normalize(
      {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.response.finish_reasons': '["stop"]',
      },
      facts,
    )!;
    expect(callOf(current).response.finishReasons).toEqual(['stop']);
    expect(current.additions).toEqual({});
  });

  it('garbage counts are absent, never zero or negative; odd keys never find prototype members', () => {
    const result = normalize(
      {
        'gen_ai.system': 'constructor',
        'llm.request.type': '__proto__',
        'gen_ai.request.model': 'm',
        'gen_ai.usage.prompt_tokens': 'NaN',
        'gen_ai.usage.completion_tokens': -3,
        'gen_ai.usage.cache_read_input_tokens': '',
        'gen_ai.usage.reasoning_tokens': Number.POSITIVE_INFINITY,
        'llm.response.finish_reason': '["stop"',
        'gen_ai.openai.request.response_format': 'toString',
      },
      facts,
    )!;
    // '__proto__' is no known operation: not a model call we can name.
    expect(result.kind).toBe('aggregate');
    expect(result.additions).toEqual({
      'gen_ai.provider.name': 'constructor',
      'gen_ai.response.finish_reasons': ['["stop"'],
    });
    const call = callOf(
      normalize(
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 'abc',
          'gen_ai.usage.output_tokens': -1,
          'gen_ai.response.time_to_first_chunk': -0.5,
          'server.port': 'x',
        },
        facts,
      )!,
    );
    expect(call.usage).toBeUndefined();
    expect(call.firstChunkTimeMs).toBeUndefined();
    expect(call.serverPort).toBe(0);
    expect(call.provider).toBe('openai');
  });

  it('never throws, and every count it reports is a non-negative integer', () => {
    const keys = [
      'gen_ai.system',
      'gen_ai.provider.name',
      'gen_ai.operation.name',
      'llm.request.type',
      'openinference.span.kind',
      'ai.operationId',
      'ai.model.provider',
      'gen_ai.request.model',
      'llm.model_name',
      'llm.invocation_parameters',
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.prompt_tokens',
      'gen_ai.usage.output_tokens',
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_write.input_tokens',
      'llm.token_count.prompt',
      'ai.usage.inputTokens',
      'ai.usage.cachedInputTokens',
      'ai.response.providerMetadata',
      'ai.response.msToFirstChunk',
      'gen_ai.response.finish_reasons',
      'gen_ai.request.stream',
      'ailedger.usage.estimated',
      'error.type',
      'server.port',
      'http.response.header.x-ratelimit-remaining-tokens',
    ];
    const value: fc.Arbitrary<AttrValue> = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'NaN',
        '-1',
        '1e400',
        '["a"]',
        '[1',
        'true',
        '__proto__',
        'anthropic.messages',
        'chat',
        'LLM',
      ),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.array(fc.double(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), value),
        fc.integer({ min: 0, max: 2 }),
        (attrs, statusCode) => {
          const result = normalizeGenAiSpan(attrs, { ...facts, statusCode });
          for (const count of Object.values(result?.call?.usage ?? {})) {
            expect(Number.isInteger(count) && count >= 0).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('round trip: what our instrumentation writes, the collector reads back', () => {
  function fullCall(): ModelCall {
    const call = newModelCall({
      provider: 'openai',
      operation: 'chat',
      serverAddress: 'api.openai.com',
      serverPort: 443,
      startTimeMs: START,
    });
    call.apiType = 'chat_completions';
    call.request = {
      model: 'gpt-4o',
      stream: true,
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 42,
      frequencyPenalty: 0.1,
      presencePenalty: 0.3,
      choiceCount: 2,
      outputType: 'json',
      reasoningLevel: 'low',
      serviceTier: 'flex',
    };
    call.response = {
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      finishReasons: ['stop', 'length'],
      serviceTier: 'flex',
      systemFingerprint: 'fp_1',
    };
    call.usage = {
      inputTokens: 1200,
      outputTokens: 80,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 0,
      reasoningOutputTokens: 16,
    };
    call.usageEstimated = true;
    call.firstChunkTimeMs = START + 250;
    call.endTimeMs = END;
    call.httpStatus = 200;
    call.rateLimitHeaders = {
      'x-ratelimit-remaining-tokens': '1999000',
      'x-ratelimit-limit-requests': '10000',
    };
    call.attribution = { team: 'search', useCase: 'autocomplete', user: 'u-1' };
    return call;
  }

  function roundTrip(call: ModelCall, statusCode: number): NormalizedSpan {
    const attrs = modelCallAttributes(call) as AttrMap;
    return normalize(attrs, {
      name: spanName(call),
      startTimeMs: call.startTimeMs,
      endTimeMs: call.endTimeMs ?? call.startTimeMs,
      statusCode,
      scopeName: AILEDGER_INSTRUMENTATION_SCOPE_NAME,
    })!;
  }

  it('a streamed call with every field the attributes carry', () => {
    const call = fullCall();
    const result = roundTrip(call, 0);
    expect(result.additions).toEqual({});
    expect(result.call).toStrictEqual(call);
  });

  it('a failed embeddings call without usage', () => {
    const call = newModelCall({
      provider: 'gcp.vertex_ai',
      operation: 'embeddings',
      serverAddress: 'us-central1-aiplatform.googleapis.com',
      serverPort: 443,
      startTimeMs: START,
    });
    call.request.model = 'gemini-embedding-001';
    call.request.dimensions = 256;
    call.request.encodingFormats = ['float'];
    call.endTimeMs = END;
    call.httpStatus = 429;
    call.error = { type: 'RESOURCE_EXHAUSTED' };
    const result = roundTrip(call, 2);
    expect(result.additions).toEqual({});
    expect(result.call).toStrictEqual(call);
  });
});
