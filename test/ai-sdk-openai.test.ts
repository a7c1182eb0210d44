/**
 * The Vercel AI SDK (ai 6 with @ai-sdk/openai 3) against the OpenAI stand-in, taps in-process. The AI SDK looks
 * fetch up per call and, for streamed Chat Completions, injects stream_options.include_usage itself. Each scenario
 * runs with the taps passing through and active: what the app sees (text, usage, finish reason, parts) must be
 * equal, and exactly one span of ours per model call must carry the stand-in's usage.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { attrs, onlyOurClientSpans } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'sk-aisdk-FAKEKEY0123456789abcdefFAKE';
const tracing = setupTracing();

let standin: Standin;
let provider: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  standin = await startOpenAIStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=openai`);
  provider = createOpenAI({ baseURL: `${standin.url}/v1`, apiKey: FAKE_KEY });
});
afterAll(async () => {
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());

// The AI SDK records its own telemetry only when experimental_telemetry is enabled (it is not here).
const ours = (count: number) => onlyOurClientSpans(tracing, count, [FAKE_KEY, 'Bearer']);

/** The app-visible part of a result: no timestamps or generated ids. */
function visible(r: {
  text: string;
  finishReason: string;
  usage: unknown;
  response: { id?: string; modelId?: string };
}) {
  return {
    text: r.text,
    finishReason: r.finishReason,
    usage: r.usage,
    id: r.response.id,
    modelId: r.response.modelId,
  };
}

describe('ai SDK with @ai-sdk/openai, Chat Completions (provider.chat)', () => {
  it('generateText: one span with the usage the SDK also reports', async () => {
    const { plain, traced } = await tracing.both(async () =>
      visible(
        await generateText({
          model: provider.chat('gpt-4o-mini'),
          prompt: 'Say hello',
          maxOutputTokens: 6,
          temperature: 0.2,
          seed: 5,
          maxRetries: 0,
        }),
      ),
    );
    expect(traced).toEqual(plain);
    expect(traced.text).toBe('Hello there! How can I');
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'openai.api.type': 'chat_completions',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 6,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.seed': 5,
      'gen_ai.response.id': 'chatcmpl-standin',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(span!)['gen_ai.request.stream']).toBeUndefined();
  });

  it('streamText: include_usage injected by the SDK, so usage is reported, not estimated', async () => {
    const run = async () => {
      const result = streamText({
        model: provider.chat('gpt-4o-mini'),
        prompt: 'Say hello',
        maxOutputTokens: 5,
        maxRetries: 0,
      });
      const deltas: string[] = [];
      for await (const delta of result.textStream) deltas.push(delta);
      return {
        deltas,
        text: await result.text,
        finishReason: await result.finishReason,
        usage: await result.usage,
        modelId: (await result.response).modelId,
      };
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced.usage).toMatchObject({ inputTokens: 12, outputTokens: 5 });
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'ailedger.usage.estimated': false,
    });
    const request = JSON.parse(standin.requests.at(-1)!.body) as { stream_options?: unknown };
    expect(request.stream_options).toEqual({ include_usage: true });
  });
});

describe('ai SDK with @ai-sdk/openai, Responses API (the provider default)', () => {
  it('generateText and streamText', async () => {
    const { plain, traced } = await tracing.both(async () => {
      const whole = visible(
        await generateText({ model: provider('gpt-4o'), prompt: 'Say hi', maxRetries: 0 }),
      );
      const result = streamText({ model: provider('gpt-4o'), prompt: 'Say hi', maxRetries: 0 });
      const deltas: string[] = [];
      for await (const delta of result.textStream) deltas.push(delta);
      return { whole, deltas, usage: await result.usage };
    });
    expect(traced).toEqual(plain);
    expect(traced.whole.text).toBe('Hi!');
    expect(traced.deltas.join('')).toBe('Hi!');
    const spans = await ours(2);
    for (const span of spans) {
      expect(attrs(span)).toMatchObject({
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
});
