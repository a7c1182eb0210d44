import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterHarness } from './adapter-harness.js';
import { cohereAdapter as adapter } from './cohere.js';
import { adapterForFamily } from './index.js';

const { fixture, facts, start, sse, lines, respond } = adapterHarness({
  adapter,
  provider: 'cohere',
  host: 'api.cohere.com',
  port: 443,
  fixtures: 'cohere',
});

describe('registry and classify', () => {
  it('is registered as the cohere family', () => {
    expect(adapterForFamily('cohere')).toBe(adapter);
  });

  it.each([
    ['/v2/chat', 'chat'],
    ['/v1/chat', 'chat'],
    ['/v2/embed', 'embeddings'],
    ['/v1/embed', 'embeddings'],
    ['/v2/chat/', 'chat'],
  ])('POST %s → %s', (path, operation) => {
    expect(adapter.classify(facts(path), 'cohere')).toEqual({ operation });
  });

  it.each([
    ['POST', '/compatibility/v1/chat/completions'], // the openai family's
    ['POST', '/v2/rerank'],
    ['POST', '/v1/tokenize'],
    ['GET', '/v1/models'],
    ['GET', '/v2/chat'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'cohere')).toBeUndefined();
  });
});

describe('v2 chat', () => {
  const request = {
    model: 'command-a-03-2025',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is an LLM?' }] },
      {
        role: 'assistant',
        tool_plan: 'Look it up.',
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'search', arguments: '{"q":"LLM"}' } }],
      },
    ],
    max_tokens: 100,
    temperature: 0.3,
    p: 0.75,
    k: 40,
    seed: 7,
    stop_sequences: ['END'],
    frequency_penalty: 0.1,
    presence_penalty: 0.2,
    response_format: { type: 'json_object' },
  };

  it('reads request parameters (p → top_p, k → top_k) and the text for estimation', () => {
    const call = start('/v2/chat', request);
    expect(call.request).toEqual({
      model: 'command-a-03-2025',
      stream: false,
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.75,
      topK: 40,
      seed: 7,
      stopSequences: ['END'],
      frequencyPenalty: 0.1,
      presencePenalty: 0.2,
      outputType: 'json',
    });
    expect(call.estimation?.input).toBe('Be brief.\nWhat is an LLM?\nLook it up.\n{"q":"LLM"}');
  });

  it('uses billed_units (not tokens), cached_tokens as cache read, and the request model', () => {
    const call = start('/v2/chat', request);
    respond(call, JSON.parse(fixture('chat-v2.json')));
    expect(call.usage).toEqual({ inputTokens: 5, outputTokens: 9, cacheReadInputTokens: 2 });
    expect(call.response).toEqual({
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      model: 'command-a-03-2025',
      finishReasons: ['COMPLETE'],
    });
  });

  it('falls back to tokens when billed_units is absent', () => {
    const call = start('/v2/chat', { model: 'command-r7b-12-2024' });
    respond(call, {
      id: 'x',
      finish_reason: 'COMPLETE',
      usage: { tokens: { input_tokens: 9, output_tokens: 4 } },
    });
    expect(call.usage).toEqual({ inputTokens: 9, outputTokens: 4 });
  });

  it('streams: message-end carries finish reason and usage and is terminal; [DONE] after it is not needed', () => {
    const call = start('/v2/chat', { model: 'command-a-03-2025', messages: [], stream: true });
    expect(call.request.stream).toBe(true);
    // Terminal at message-end, the 6th of 7 events; the [DONE] after it is not needed.
    expect(sse(call, fixture('chat-v2-stream.sse'))).toEqual({ terminal: true, events: 7 });
    expect(call.response).toEqual({
      id: '29f14a5a-11de-4cae-9800-25e4747408ea',
      model: 'command-a-03-2025',
      finishReasons: ['MAX_TOKENS'],
    });
    expect(call.usage).toEqual({ inputTokens: 5, outputTokens: 2, cacheReadInputTokens: 0 });
    expect(call.estimation?.output).toBe('Hello world');
  });

  it('a stream cut before message-end keeps tool plan and arguments for estimation', () => {
    const call = start('/v2/chat', { model: 'command-a-03-2025', stream: true });
    expect(sse(call, fixture('chat-v2-stream-tool.sse')).terminal).toBe(false);
    expect(call.usage).toBeUndefined();
    expect(call.response.finishReasons).toEqual([]);
    expect(call.estimation?.output).toBe('I will look up the weather.{"location":"Toronto"}');
  });

  it('message-end with an error sets call.error', () => {
    const call = start('/v2/chat', { model: 'command-a-03-2025', stream: true });
    const body =
      'event: message-end\ndata: {"type":"message-end","delta":{"finish_reason":"ERROR","error":"internal"}}\n\n';
    expect(sse(call, body).terminal).toBe(true);
    expect(call.response.finishReasons).toEqual(['ERROR']);
    expect(call.error).toEqual({ type: '_OTHER', message: 'internal' });
  });

  it('an error body: the message, type left to the HTTP status; no response model', () => {
    const call = start('/v2/chat', { model: 'command-a-03-2025' });
    respond(call, JSON.parse(fixture('error-429.json')), 429);
    expect(call.error).toEqual({
      type: '',
      message: 'You are using a Trial key, which is limited to 10 API calls / minute.',
    });
    expect(call.response.model).toBeUndefined();
  });

  it('the response model is set even when the response was seen before the request body', () => {
    const call = start('/v2/chat');
    respond(call, JSON.parse(fixture('chat-v2.json')));
    adapter.onRequestBody(call, { model: 'command-a-03-2025' });
    expect(call.response.model).toBe('command-a-03-2025');
  });
});

describe('v2 embed', () => {
  it('reads embedding_types and output_dimension; usage from meta.billed_units', () => {
    const call = start('/v2/embed', {
      model: 'embed-v4.0',
      texts: ['hello world'],
      input_type: 'search_document',
      embedding_types: ['float', 'int8'],
      output_dimension: 1024,
    });
    expect(call.request).toEqual({
      model: 'embed-v4.0',
      stream: false,
      encodingFormats: ['float', 'int8'],
      dimensions: 1024,
    });
    expect(call.estimation?.input).toBe('hello world');
    respond(call, JSON.parse(fixture('embed-v2.json')));
    expect(call.usage).toEqual({ inputTokens: 2 });
    expect(call.response).toEqual({
      id: 'da6e531f-54c6-4a73-bf92-f60566d8d753',
      model: 'embed-v4.0',
      finishReasons: [],
    });
  });

  it('reads text from v2 inputs', () => {
    const call = start('/v2/embed', {
      model: 'embed-v4.0',
      inputs: [
        {
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
      ],
    });
    expect(call.estimation?.input).toBe('a');
  });
});

describe('v1', () => {
  it('chat: message, preamble and history for estimation; meta.billed_units; response_id', () => {
    const call = start('/v1/chat', {
      model: 'command-r-plus',
      message: 'Hi',
      preamble: 'You are kind.',
      chat_history: [{ role: 'USER', message: 'Earlier' }],
      max_tokens: 50,
      p: 0.5,
      k: 10,
    });
    expect(call.request).toMatchObject({ model: 'command-r-plus', maxTokens: 50, topP: 0.5, topK: 10 });
    expect(call.estimation?.input).toBe('You are kind.\nEarlier\nHi');
    respond(call, JSON.parse(fixture('chat-v1.json')));
    expect(call.usage).toEqual({ inputTokens: 3, outputTokens: 7 });
    expect(call.response).toEqual({
      id: 'd7b3b6a8-5b7e-4a8c-9a8b-2d3f0f3e1c11',
      model: 'command-r-plus',
      finishReasons: ['COMPLETE'],
    });
  });

  it('chat stream: JSON lines ending with a terminal stream-end', () => {
    const call = start('/v1/chat', { model: 'command-r-plus', message: 'Hi', stream: true });
    expect(adapter.framing(call, 'application/stream+json')).toBe('ndjson');
    expect(lines(call, fixture('chat-v1-stream.jsonl'))).toEqual({ terminal: true, events: 4 });
    expect(call.usage).toEqual({ inputTokens: 3, outputTokens: 2 });
    expect(call.response).toEqual({
      id: 'd7b3b6a8-5b7e-4a8c-9a8b-2d3f0f3e1c11',
      model: 'command-r-plus',
      finishReasons: ['COMPLETE'],
    });
    expect(call.estimation?.output).toBe('Hello!');
  });

  it('embed: meta.billed_units.input_tokens', () => {
    const call = start('/v1/embed', { model: 'embed-english-v3.0', texts: ['a', 'b'] });
    respond(call, {
      id: 'e1',
      embeddings: [[0.1], [0.2]],
      texts: ['a', 'b'],
      meta: { billed_units: { input_tokens: 4 } },
    });
    expect(call.usage).toEqual({ inputTokens: 4 });
  });
});

describe('framing', () => {
  it('SSE for v2 streams, JSON lines for v1 streams, JSON otherwise', () => {
    const call = start('/v2/chat', { model: 'm' });
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, undefined)).toBe('json');
    call.request.stream = true;
    expect(adapter.framing(call, 'text/event-stream')).toBe('sse');
    expect(adapter.framing(call, 'application/stream+json')).toBe('ndjson');
    expect(adapter.framing(call, undefined)).toBe('sse');
  });
});

describe('robustness', () => {
  it('never throws on arbitrary JSON and arbitrary stream data', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.string(),
        fc.string(),
        (request, response, name, data) => {
          for (const path of ['/v2/chat', '/v2/embed', '/v1/chat']) {
            const call = start(path);
            adapter.onRequestBody(call, request);
            adapter.onResponseBody(call, response);
            adapter.onStreamEvent(call, { kind: 'sse', event: name, data });
            adapter.onStreamEvent(call, { kind: 'sse', event: name, data: JSON.stringify(response) });
            adapter.onStreamEvent(call, { kind: 'json', value: response });
          }
        },
      ),
    );
  });

  it('never throws on message-end shaped events with arbitrary contents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (delta) => {
        const call = start('/v2/chat', { model: 'm', stream: true });
        const data = JSON.stringify({ type: 'message-end', delta });
        expect(adapter.onStreamEvent(call, { kind: 'sse', event: 'message-end', data })).toBe(true);
      }),
    );
  });
});
