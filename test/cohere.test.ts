/**
 * The real cohere-ai SDK (v2 client, and the v1 client for the legacy endpoints) against the Cohere stand-in,
 * taps in-process. Each scenario runs with the taps passing through and active: the app-visible results must be
 * equal, and exactly one span of ours per call must carry billed usage, the request model as the response model
 * (Cohere names none), raw finish reasons, and the stream flag.
 *
 * The SDK stops at the stream's last event and aborts/cancels the body: the /hold stand-in keeps the connection
 * open after it, so only the terminal message-end (v2) or stream-end (v1) can end the span cleanly.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { type Standin, startCohereStandin } from './standins/cohere.mjs';
import { attrs, onlyOurClientSpans } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'cohere-test-FAKEKEY0123456789abcdefFAKE';
const tracing = setupTracing();

let standin: Standin;

beforeAll(async () => {
  standin = await startCohereStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=cohere`);
});
afterAll(async () => {
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());

function v2(prefix = ''): CohereClientV2 {
  return new CohereClientV2({ token: FAKE_KEY, environment: `${standin.url}${prefix}`, maxRetries: 0 });
}

function v1(prefix = ''): CohereClient {
  return new CohereClient({ token: FAKE_KEY, environment: `${standin.url}${prefix}`, maxRetries: 0 });
}

const ours = (count: number) => onlyOurClientSpans(tracing, count, [FAKE_KEY, 'Bearer']);

describe('cohere-ai v2 client', () => {
  it('chat: billed units, cache reads, p/k as top_p/top_k, request model as response model', async () => {
    const { plain, traced } = await tracing.both(() =>
      v2().chat({
        model: 'command-a-03-2025',
        messages: [{ role: 'user', content: 'Say hello' }],
        maxTokens: 6,
        temperature: 0.3,
        p: 0.75,
        k: 40,
        seed: 7,
        stopSequences: ['END'],
        frequencyPenalty: 0.1,
        presencePenalty: 0.2,
      }),
    );
    expect(traced).toEqual(plain);
    const [span] = await ours(1);
    expect(span!.name).toBe('chat command-a-03-2025');
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'cohere',
      'gen_ai.request.model': 'command-a-03-2025',
      'gen_ai.request.max_tokens': 6,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.75,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.frequency_penalty': 0.1,
      'gen_ai.request.presence_penalty': 0.2,
      'gen_ai.response.id': 'c14c80c3-standin-v2',
      'gen_ai.response.model': 'command-a-03-2025',
      'gen_ai.response.finish_reasons': ['MAX_TOKENS'],
      // billed_units, not tokens (71 input with the template)
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.usage.cache_read.input_tokens': 2,
      'ailedger.usage.estimated': false,
      'server.port': standin.port,
    });
    expect(attrs(span!)['gen_ai.request.stream']).toBeUndefined();
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('chatStream: usage and finish reason from message-end; the span ends there', async () => {
    const run = async () => {
      const stream = await v2('/hold').chatStream({
        model: 'command-a-03-2025',
        messages: [{ role: 'user', content: 'Say hello' }],
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced.map((e) => (e as { type: string }).type)).toEqual([
      'message-start',
      'content-start',
      'content-delta',
      'content-delta',
      'content-delta',
      'content-delta',
      'content-end',
      'message-end',
    ]);
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'c14c80c3-standin-v2',
      'gen_ai.response.model': 'command-a-03-2025',
      'gen_ai.response.finish_reasons': ['COMPLETE'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.usage.cache_read.input_tokens': 2,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(span!)['error.type']).toBeUndefined();
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('a slow chatStream: the span ends at message-end', async () => {
    const stream = await v2('/slow/hold').chatStream({
      model: 'command-r7b-12-2024',
      messages: [],
      maxTokens: 2,
    });
    let n = 0;
    for await (const _ of stream) n++;
    expect(n).toBe(6);
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['MAX_TOKENS'],
    });
    expect(attrs(span!)['error.type']).toBeUndefined();
  });

  it('embed: meta.billed_units input tokens, embedding types and output dimension', async () => {
    const { plain, traced } = await tracing.both(() =>
      v2().embed({
        model: 'embed-v4.0',
        texts: ['hello', 'world'],
        inputType: 'search_document',
        embeddingTypes: ['float', 'int8'],
        outputDimension: 4,
      }),
    );
    expect(traced).toEqual(plain);
    const [span] = await ours(1);
    expect(span!.name).toBe('embeddings embed-v4.0');
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 6,
      'gen_ai.request.encoding_formats': ['float', 'int8'],
      'gen_ai.embeddings.dimension.count': 4,
      'gen_ai.response.id': 'embed-standin-v2',
      'gen_ai.response.model': 'embed-v4.0',
    });
    expect(attrs(span!)['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('429: the app gets the same error; the span has the status as error type', async () => {
    const call = () =>
      v2('/ratelimited')
        .chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }] })
        .then(
          () => 'no error',
          (reason: unknown) => {
            const err = reason as Error & { statusCode?: number; body?: unknown };
            return { name: err.constructor.name, status: err.statusCode, body: err.body };
          },
        );
    const { plain, traced } = await tracing.both(call);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ name: 'TooManyRequestsError', status: 429 });
    const [span] = await ours(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)).toMatchObject({ 'error.type': '429', 'http.response.status_code': 429 });
    expect(attrs(span!)['gen_ai.response.model']).toBeUndefined();
  });
});

describe('cohere-ai v1 client (legacy endpoints)', () => {
  it('chat, chatStream (JSON lines) and embed', async () => {
    const { plain, traced } = await tracing.both(async () => {
      const whole = await v1().chat({
        model: 'command-r-plus',
        message: 'Hi',
        preamble: 'Be kind.',
        maxTokens: 3,
      });
      // The v1 SDK reads JSON lines to EOF (no terminator), so no /hold here.
      const stream = await v1().chatStream({ model: 'command-r-plus', message: 'Hi' });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      const embed = await v1().embed({
        model: 'embed-english-v3.0',
        texts: ['a', 'b'],
        inputType: 'classification',
      });
      return { whole, events, embed };
    });
    expect(traced).toEqual(plain);
    const spans = await ours(3);
    expect(spans.map((s) => s.name)).toEqual([
      'chat command-r-plus',
      'chat command-r-plus',
      'embeddings embed-english-v3.0',
    ]);
    expect(attrs(spans[0]!)).toMatchObject({
      'gen_ai.request.max_tokens': 3,
      'gen_ai.response.id': 'resp-standin-v1',
      'gen_ai.response.model': 'command-r-plus',
      'gen_ai.response.finish_reasons': ['MAX_TOKENS'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 3,
    });
    expect(attrs(spans[1]!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'resp-standin-v1',
      'gen_ai.response.finish_reasons': ['COMPLETE'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 4,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(spans[1]!)['error.type']).toBeUndefined();
    expect(attrs(spans[2]!)).toMatchObject({ 'gen_ai.usage.input_tokens': 6 });
  });
});
