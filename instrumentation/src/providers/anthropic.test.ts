import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchModelCall } from '../call-recorder.js';
import { SseDecoder } from '../decode/sse.js';
import { estimateUsage } from '../estimate.js';
import { type ModelCall, newModelCall } from '../model-call.js';
import {
  anthropicAdapter as adapter,
  anthropicUsage,
  applyAnthropicEvent,
  mergeAnthropicUsage,
} from './anthropic.js';
import { adapterForFamily } from './index.js';
import type { RequestFacts } from './types.js';

const FIXTURES = new URL('./__fixtures__/anthropic/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function facts(path: string, method = 'POST', host = 'api.anthropic.com'): RequestFacts {
  return { method, host, port: 443, path, query: '', header: () => undefined };
}

/** Builds the call the way the recorder does: classify, then the request body. */
function start(
  path: string,
  requestBody?: unknown,
  provider = 'anthropic',
  host = 'api.anthropic.com',
): ModelCall {
  const c = adapter.classify(facts(path, 'POST', host), provider);
  if (c === undefined) throw new Error(`not classified: ${path}`);
  const call = newModelCall({
    provider: c.provider ?? provider,
    operation: c.operation,
    serverAddress: host,
    serverPort: 443,
    startTimeMs: 0,
  });
  if (c.modelFromPath !== undefined) call.request.model = c.modelFromPath;
  if (c.streamFromPath !== undefined) call.request.stream = c.streamFromPath;
  if (requestBody !== undefined) adapter.onRequestBody(call, requestBody);
  return call;
}

/** Feeds an SSE body through the real decoder in pieces of `step` bytes. */
function stream(call: ModelCall, body: string, step = Number.POSITIVE_INFINITY): { terminal: boolean } {
  call.httpStatus = 200;
  let terminal = false;
  const d = new SseDecoder((event, data) => {
    if (terminal) return;
    terminal = adapter.onStreamEvent(call, { kind: 'sse', event, data });
  });
  const bytes = new TextEncoder().encode(body);
  for (let i = 0; i < bytes.length; i += Math.min(step, bytes.length)) {
    d.push(bytes.subarray(i, i + Math.min(step, bytes.length)));
  }
  d.end();
  return { terminal };
}

function respond(call: ModelCall, body: unknown, status = 200): void {
  call.httpStatus = status;
  adapter.onResponseBody(call, body);
}

const CACHED_USAGE = {
  inputTokens: 2358,
  cacheReadInputTokens: 2048,
  cacheCreationInputTokens: 300,
  cacheCreation5mInputTokens: 100,
  cacheCreation1hInputTokens: 200,
};

describe('registry', () => {
  it('has the anthropic family', () => {
    expect(adapterForFamily('anthropic')).toBe(adapter);
    expect(adapter.family).toBe('anthropic');
  });
});

describe('classify', () => {
  it.each([
    '/v1/messages',
    '/v1/messages/',
    '/anthropic/v1/messages', // DeepSeek's Anthropic-compatible API
    '/gateway/acct/anthropic/v1/messages',
  ])('POST %s → chat', (path) => {
    expect(adapter.classify(facts(path), 'anthropic')).toEqual({ operation: 'chat' });
  });

  it.each([
    ['POST', '/v1/messages/count_tokens'],
    ['POST', '/v1/messages/batches'],
    ['GET', '/v1/messages/batches/msgbatch_01'],
    ['GET', '/v1/messages'],
    ['POST', '/v1/models'],
    ['POST', '/v1/complete'],
    ['POST', '/v1/files'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'anthropic')).toBeUndefined();
  });

  it('Vertex rawPredict / streamRawPredict: provider gcp.vertex_ai, model and stream from the path', () => {
    const base = '/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/';
    const host = 'us-east5-aiplatform.googleapis.com';
    expect(
      adapter.classify(facts(`${base}claude-sonnet-4-5%4020250929:rawPredict`, 'POST', host), 'x'),
    ).toEqual({
      operation: 'chat',
      modelFromPath: 'claude-sonnet-4-5@20250929',
      streamFromPath: false,
      provider: 'gcp.vertex_ai',
    });
    expect(
      adapter.classify(facts(`${base}claude-opus-4-1:streamRawPredict`, 'POST', host), 'x'),
    ).toMatchObject({
      modelFromPath: 'claude-opus-4-1',
      streamFromPath: true,
    });
    // Token counting and Gemini's own methods are not ours.
    expect(adapter.classify(facts(`${base}count-tokens:rawPredict`, 'POST', host), 'x')).toBeUndefined();
    expect(
      adapter.classify(
        facts('/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:rawPredict'),
        'x',
      ),
    ).toBeUndefined();
    expect(adapter.classify(facts(`${base}claude-opus-4-1:predict`, 'POST', host), 'x')).toBeUndefined();
  });
});

describe('routing through the host table', () => {
  const route = (host: string, path: string) => {
    const m = matchModelCall(host, 443, () => facts(path, 'POST', host));
    return m && { family: m.adapter.family, provider: m.provider, model: m.classification.modelFromPath };
  };

  it('Anthropic direct; Anthropic on Vertex (past the Gemini adapter); Anthropic-compatible servers', () => {
    expect(route('api.anthropic.com', '/v1/messages')).toEqual({
      family: 'anthropic',
      provider: 'anthropic',
    });
    expect(
      route(
        'us-east5-aiplatform.googleapis.com',
        '/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-x:rawPredict',
      ),
    ).toEqual({ family: 'anthropic', provider: 'gcp.vertex_ai', model: 'claude-x' });
    expect(route('api.deepseek.com', '/anthropic/v1/messages')).toEqual({
      family: 'anthropic',
      provider: 'deepseek',
    });
    expect(route('api.anthropic.com', '/v1/messages/count_tokens')).toBeUndefined();
  });
});

describe('request', () => {
  it('reads parameters, effort as the reasoning level and text for estimation', () => {
    const call = start('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END', 7, 'STOP'],
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2000 },
      output_config: { effort: 'high' },
      service_tier: 'standard_only',
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'x' },
            { type: 'tool_use', id: 't1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'Sunny' }] }],
        },
      ],
    });
    expect(call.request).toEqual({
      model: 'claude-sonnet-4-5',
      stream: true,
      maxTokens: 1024,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END', 'STOP'],
      reasoningLevel: 'high',
      serviceTier: 'standard_only',
    });
    expect(call.estimation?.input).toBe(
      'You are terse.\nWeather in Paris?\nUse the tool.\n{"city":"Paris"}\nSunny',
    );
  });

  it('falls back to the thinking mode when no effort is sent; a system string counts as input', () => {
    const call = start('/v1/messages', {
      model: 'claude-opus-4-1',
      max_tokens: 10,
      thinking: { type: 'adaptive' },
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(call.request.reasoningLevel).toBe('adaptive');
    expect(call.request.stream).toBe(false);
    expect(call.estimation?.input).toBe('Be brief.\nhi');
  });

  it('keeps the Vertex model from the path; the body (anthropic_version, no model) cannot override it', () => {
    const call = start(
      '/v1/projects/p/locations/l/publishers/anthropic/models/claude-haiku-4-5:streamRawPredict',
      { anthropic_version: 'vertex-2023-10-16', model: 'other', max_tokens: 5, messages: [] },
      'gcp.vertex_ai',
      'aiplatform.googleapis.com',
    );
    expect(call.request).toMatchObject({ model: 'claude-haiku-4-5', stream: true, maxTokens: 5 });
    expect(call.provider).toBe('gcp.vertex_ai');
  });

  it('ignores wrong types and non-object bodies', () => {
    const call = start('/v1/messages', {
      model: 42,
      max_tokens: -1,
      temperature: 'hot',
      stop_sequences: 'END',
      messages: 'nope',
      thinking: null,
    });
    expect(call.request).toEqual({ stream: false });
    for (const body of [null, 'x', 3, [1, 2]])
      expect(start('/v1/messages', body).request).toEqual({ stream: false });
  });
});

describe('usage', () => {
  it('input = input_tokens + cache reads + cache writes; the 5m/1h split and thinking tokens are kept', () => {
    expect(
      anthropicUsage({
        input_tokens: 10,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 2048,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        output_tokens: 57,
        output_tokens_details: { thinking_tokens: 41 },
      }),
    ).toEqual({ ...CACHED_USAGE, outputTokens: 57, reasoningOutputTokens: 41 });
    expect(anthropicUsage({ input_tokens: 5, output_tokens: 2 })).toEqual({
      inputTokens: 5,
      outputTokens: 2,
    });
    expect(anthropicUsage({})).toEqual({});
  });

  it('merge overwrites each non-null field and keeps the rest', () => {
    const startUsage = anthropicUsage({ input_tokens: 10, cache_read_input_tokens: 2048, output_tokens: 1 });
    expect(mergeAnthropicUsage(startUsage, { output_tokens: 57, input_tokens: null })).toEqual({
      inputTokens: 2058,
      cacheReadInputTokens: 2048,
      outputTokens: 57,
    });
    expect(mergeAnthropicUsage(startUsage, { input_tokens: 11, cache_creation_input_tokens: 5 })).toEqual({
      inputTokens: 2064,
      cacheReadInputTokens: 2048,
      cacheCreationInputTokens: 5,
      outputTokens: 1,
    });
    expect(mergeAnthropicUsage(undefined, { output_tokens: 3 })).toEqual({ outputTokens: 3 });
  });

  it('merging is idempotent for cumulative usage, however often it repeats', () => {
    fc.assert(
      fc.property(
        fc.nat(1e6),
        fc.nat(1e6),
        fc.nat(1e6),
        fc.nat(1e6),
        fc.integer({ min: 1, max: 5 }),
        (input, read, write, output, times) => {
          const u = {
            input_tokens: input,
            cache_read_input_tokens: read,
            cache_creation_input_tokens: write,
            output_tokens: output,
          };
          let merged = anthropicUsage({
            input_tokens: input,
            cache_read_input_tokens: read,
            output_tokens: 1,
          });
          for (let i = 0; i < times; i++) merged = mergeAnthropicUsage(merged, u);
          expect(merged).toEqual(anthropicUsage(u));
        },
      ),
    );
  });
});

describe('whole responses', () => {
  it('a message: id, model, stop reason, usage with cache split and thinking', () => {
    const call = start('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [] });
    respond(call, JSON.parse(fixture('message.json')));
    expect(call.response).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['end_turn'],
      serviceTier: 'standard',
    });
    expect(call.usage).toEqual({ ...CACHED_USAGE, outputTokens: 57, reasoningOutputTokens: 41 });
    // Usage reported: no output text kept.
    expect(call.estimation?.output ?? '').toBe('');
  });

  it('a message without usage keeps its text for estimation', () => {
    const call = start('/v1/messages', {
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'q' }],
    });
    respond(call, { type: 'message', content: [{ type: 'text', text: 'answer' }], stop_reason: 'end_turn' });
    expect(call.usage).toBeUndefined();
    expect(call.estimation).toEqual({ input: 'q', output: 'answer' });
  });

  it('an error body: error.type from error.error.type', () => {
    const call = start('/v1/messages', { model: 'm', max_tokens: 1, messages: [] });
    respond(call, JSON.parse(fixture('error-529.json')), 529);
    expect(call.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it("Vertex's Google-shaped error (wrapped in an array) uses its status", () => {
    const call = start(
      '/v1/projects/p/locations/l/publishers/anthropic/models/claude-x:rawPredict',
      {},
      'gcp.vertex_ai',
    );
    respond(call, JSON.parse(fixture('vertex-error-429.json')), 429);
    expect(call.error?.type).toBe('RESOURCE_EXHAUSTED');
    expect(call.error?.message).toMatch(/^Quota exceeded/);
  });

  it('an error without a type leaves the type to the recorder (HTTP status)', () => {
    const call = start('/v1/messages', {});
    respond(call, { type: 'error', error: { message: 'x'.repeat(5000) } }, 500);
    expect(call.error?.type).toBe('');
    expect(call.error?.message).toHaveLength(2048);
  });

  it('bodies of the wrong shape change nothing', () => {
    for (const body of [null, 42, 'text', [], [1], { type: 'message', usage: 'none', content: 7 }]) {
      const call = start('/v1/messages', { model: 'm', max_tokens: 1, messages: [] });
      respond(call, body);
      expect(call.usage).toBeUndefined();
      expect(call.error).toBeUndefined();
    }
  });
});

describe('streams', () => {
  it('usage from message_start overwritten by message_delta; last stop reason; terminal at message_stop', () => {
    const call = start('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      stream: true,
      messages: [],
    });
    expect(stream(call, fixture('stream.sse'))).toEqual({ terminal: true });
    expect(call.response).toEqual({
      id: 'msg_01Stream',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['tool_use'],
      serviceTier: 'standard',
    });
    expect(call.usage).toEqual({ ...CACHED_USAGE, outputTokens: 57, reasoningOutputTokens: 12 });
    expect(call.estimation?.output).toBe('Hmm.Hello!{"city": "Paris"}');
  });

  it('gives the same result however the bytes are split', () => {
    const body = fixture('stream.sse');
    const whole = start('/v1/messages', { model: 'm', stream: true });
    stream(whole, body);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (step) => {
        const call = start('/v1/messages', { model: 'm', stream: true });
        stream(call, body, step);
        expect(call).toEqual(whole);
      }),
    );
  });

  it('an older message_delta with only output_tokens (and a null input) keeps message_start input and cache', () => {
    const call = start('/v1/messages', {
      model: 'claude-3-5-haiku',
      max_tokens: 15,
      stream: true,
      messages: [],
    });
    stream(call, fixture('stream-output-only-delta.sse'));
    expect(call.usage).toEqual({
      inputTokens: 1049,
      cacheReadInputTokens: 1024,
      cacheCreationInputTokens: 0,
      outputTokens: 15,
    });
    expect(call.response.finishReasons).toEqual(['max_tokens']);
  });

  it('an error event: error.type from the event, terminal', () => {
    const call = start('/v1/messages', { model: 'm', stream: true });
    expect(stream(call, fixture('stream-error.sse'))).toEqual({ terminal: true });
    expect(call.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('a stream cut before message_delta: reported input kept, output left to estimation (flagged)', async () => {
    const call = start('/v1/messages', {
      model: 'claude-sonnet-4-5',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(stream(call, fixture('stream-cut.sse'))).toEqual({ terminal: false });
    // message_start's output_tokens (1) is a running count, not the total.
    expect(call.usage).toEqual({ inputTokens: 112, cacheReadInputTokens: 100, cacheCreationInputTokens: 0 });
    expect(call.estimation?.output).toBe('Hello there, general');
    expect(await estimateUsage(call)).toBe(true);
    expect(call.usageEstimated).toBe(true);
    expect(call.usage?.inputTokens).toBe(112);
    expect(call.usage?.outputTokens).toBeGreaterThanOrEqual(3);
    expect(call.usage?.outputTokens).toBeLessThanOrEqual(6);
  });

  it('tolerates junk: unparsable data, unknown events, wrong shapes, other event kinds', () => {
    const call = start('/v1/messages', { model: 'm', stream: true });
    call.httpStatus = 200;
    const junk = [
      'not json',
      '[]',
      '{"type":"message_start"}',
      '{"type":"message_start","message":{"usage":[]}}',
      '{"type":"content_block_delta","delta":"x"}',
      '{"type":"message_delta","usage":{"output_tokens":"many"}}',
      '{"type":"brand_new_event","data":{}}',
    ];
    for (const data of junk)
      expect(adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data })).toBe(false);
    expect(
      adapter.onStreamEvent(call, { kind: 'aws-eventstream', headers: {}, payload: new Uint8Array([1, 2]) }),
    ).toBe(false);
    expect(call.usage).toBeUndefined();
    expect(call.error).toBeUndefined();
    expect(applyAnthropicEvent(call, { type: 'message_stop' })).toBe(true);
  });
});

describe('framing', () => {
  it('SSE by content type, else by the request', () => {
    const call = start('/v1/messages', { model: 'm' });
    expect(adapter.framing(call, 'text/event-stream; charset=utf-8')).toBe('sse');
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, undefined)).toBe('json');
    call.request.stream = true;
    expect(adapter.framing(call, undefined)).toBe('sse');
  });
});
