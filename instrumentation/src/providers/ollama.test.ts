import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterHarness } from './adapter-harness.js';
import { adapterForFamily } from './index.js';
import { ollamaAdapter as adapter } from './ollama.js';
import { openaiAdapter } from './openai.js';

const { fixture, facts, start, lines, respond } = adapterHarness({
  adapter,
  provider: 'ollama',
  host: 'localhost',
  port: 11434,
  fixtures: 'ollama',
});

describe('registry and classify', () => {
  it('is registered as the ollama family', () => {
    expect(adapterForFamily('ollama')).toBe(adapter);
  });

  it.each([
    ['/api/chat', 'chat', true],
    ['/api/generate', 'text_completion', true],
    ['/api/embed', 'embeddings', undefined],
    ['/api/embeddings', 'embeddings', undefined],
    ['/ollama/api/chat/', 'chat', true],
  ])('POST %s → %s', (path, operation, streamFromPath) => {
    const c = adapter.classify(facts(path), 'ollama');
    expect(c?.operation).toBe(operation);
    expect(c?.streamFromPath).toBe(streamFromPath);
  });

  it.each([
    ['GET', '/api/tags'],
    ['POST', '/api/show'],
    ['POST', '/api/pull'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/api/chat'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'ollama')).toBeUndefined();
  });

  it('leaves /v1 to the openai family', () => {
    expect(openaiAdapter.classify(facts('/v1/chat/completions'), 'ollama')?.operation).toBe('chat');
    expect(openaiAdapter.classify(facts('/api/embeddings'), 'ollama')).toBeUndefined();
  });
});

describe('requests', () => {
  it('streams by default; reads options, format and think (as sent)', () => {
    const call = start('/api/chat', {
      model: 'qwen3:8b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Why is the sky blue?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
      ],
      format: { type: 'object', properties: {} },
      think: 'high',
      options: {
        num_predict: 128,
        temperature: 0.7,
        top_p: 0.9,
        top_k: 40,
        seed: 42,
        stop: ['<|end|>'],
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
        num_ctx: 8192,
      },
    });
    expect(call.request).toEqual({
      model: 'qwen3:8b',
      stream: true,
      maxTokens: 128,
      temperature: 0.7,
      topP: 0.9,
      topK: 40,
      seed: 42,
      stopSequences: ['<|end|>'],
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      outputType: 'json',
      reasoningLevel: 'high',
    });
    expect(call.estimation?.input).toBe('Be brief.\nWhy is the sky blue?\n{"a":1}');
  });

  it('"stream": false turns streaming off; think: true reads as "true"; num_predict -1 is no limit', () => {
    const call = start('/api/generate', {
      model: 'llama3.2',
      system: 'S',
      prompt: 'P',
      suffix: 'X',
      stream: false,
      think: true,
      format: 'json',
      options: { num_predict: -1 },
    });
    expect(call.request).toEqual({
      model: 'llama3.2',
      stream: false,
      outputType: 'json',
      reasoningLevel: 'true',
    });
    expect(call.estimation?.input).toBe('S\nP\nX');
  });

  it('embeddings: dimensions, and input (embed) or prompt (legacy) for estimation', () => {
    const embed = start('/api/embed', { model: 'all-minilm', input: ['a', 'b'], dimensions: 256 });
    expect(embed.request).toEqual({ model: 'all-minilm', stream: false, dimensions: 256 });
    expect(embed.estimation?.input).toBe('a\nb');
    const legacy = start('/api/embeddings', { model: 'all-minilm', prompt: 'hello' });
    expect(legacy.estimation?.input).toBe('hello');
  });
});

describe('responses', () => {
  it('a streamed chat: done:true is terminal with done_reason, model and counts', () => {
    const call = start('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
    expect(adapter.framing(call, 'application/x-ndjson')).toBe('ndjson');
    expect(lines(call, fixture('chat-stream.ndjson'))).toEqual({ terminal: true, events: 3 });
    expect(call.response).toEqual({ model: 'llama3.2', finishReasons: ['stop'] });
    expect(call.usage).toEqual({ inputTokens: 11, outputTokens: 18 });
    expect(call.estimation?.output).toBe('Hi!');
  });

  it('a missing prompt_eval_count is zero once done (omitempty); thinking kept as output text', () => {
    const call = start('/api/generate', { model: 'qwen3:8b', prompt: 'Sky colour?' });
    expect(lines(call, fixture('generate-stream-cached.ndjson')).terminal).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 0, outputTokens: 2 });
    expect(call.response.finishReasons).toEqual(['length']);
    expect(call.estimation?.output).toBe('Hmm.Blue');
  });

  it('a whole (stream: false) chat response', () => {
    const call = start('/api/chat', { model: 'llama3.2', stream: false });
    expect(adapter.framing(call, 'application/json; charset=utf-8')).toBe('json');
    respond(call, JSON.parse(fixture('chat.json')));
    expect(call.response).toEqual({ model: 'llama3.2', finishReasons: ['stop'] });
    expect(call.usage).toEqual({ inputTokens: 11, outputTokens: 18 });
    expect(call.error).toBeUndefined();
  });

  it('a line without done carries no usage (a cut stream is estimated instead)', () => {
    const call = start('/api/chat', { model: 'llama3.2' });
    const first = fixture('chat-stream.ndjson').split('\n')[0]!;
    expect(lines(call, first).terminal).toBe(false);
    expect(call.usage).toBeUndefined();
  });

  it('a mid-stream error line is terminal and sets call.error', () => {
    const call = start('/api/chat', { model: 'llama3.2' });
    expect(lines(call, fixture('chat-stream-error.ndjson'))).toEqual({ terminal: true, events: 2 });
    expect(call.error).toEqual({
      type: '_OTHER',
      message: 'an error was encountered while running the model: unexpected EOF',
    });
    expect(call.usage).toBeUndefined();
  });

  it('an HTTP error body: the message, type left to the status', () => {
    const call = start('/api/chat', { model: 'llama9' });
    respond(call, JSON.parse(fixture('error-404.json')), 404);
    expect(call.error).toEqual({ type: '', message: "model 'llama9' not found" });
  });

  it('/api/embed: prompt_eval_count as input; legacy /api/embeddings has no counts', () => {
    const embed = start('/api/embed', { model: 'all-minilm', input: ['a', 'b'] });
    respond(embed, JSON.parse(fixture('embed.json')));
    expect(embed.usage).toEqual({ inputTokens: 8 });
    expect(embed.response).toEqual({ model: 'all-minilm', finishReasons: [] });
    const legacy = start('/api/embeddings', { model: 'all-minilm', prompt: 'hello' });
    respond(legacy, JSON.parse(fixture('embeddings-legacy.json')));
    expect(legacy.usage).toBeUndefined();
    expect(legacy.estimation?.input).toBe('hello');
  });
});

describe('framing', () => {
  it('JSON lines when the content type says so, or when the request streamed without a clear type', () => {
    const call = start('/api/chat', { model: 'm' });
    expect(adapter.framing(call, undefined)).toBe('ndjson');
    expect(adapter.framing(call, 'application/json')).toBe('ndjson');
    call.request.stream = false;
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, undefined)).toBe('json');
    expect(adapter.framing(call, 'application/x-ndjson')).toBe('ndjson');
    const body = start('/api/chat');
    expect(adapter.framing(body, undefined)).toBe('ndjson'); // unparsed body: the default (streaming)
  });
});

describe('robustness', () => {
  it('never throws on arbitrary JSON and arbitrary stream data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.string(), (request, response, data) => {
        for (const path of ['/api/chat', '/api/generate', '/api/embed', '/api/embeddings']) {
          const call = start(path);
          adapter.onRequestBody(call, request);
          adapter.onResponseBody(call, response);
          adapter.onStreamEvent(call, { kind: 'json', value: response });
          adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data });
        }
      }),
    );
  });

  it('any done:true object yields counts, never a negative or non-number', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (extra) => {
        const call = start('/api/chat', { model: 'm' });
        expect(adapter.onStreamEvent(call, { kind: 'json', value: { ...extra, done: true } })).toBe(true);
        if (call.error === undefined) {
          expect(call.usage?.inputTokens).toBeGreaterThanOrEqual(0);
          expect(call.usage?.outputTokens).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});
