import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterHarness } from './adapter-harness.js';
import { adapterForFamily } from './index.js';
import { mistralAdapter as adapter } from './mistral.js';

const {
  fixture,
  facts,
  start,
  sse: stream,
  respond,
} = adapterHarness({
  adapter,
  provider: 'mistral_ai',
  host: 'api.mistral.ai',
  port: 443,
  fixtures: 'mistral',
});

describe('registry and classify', () => {
  it('is registered as the mistral family', () => {
    expect(adapterForFamily('mistral')).toBe(adapter);
  });

  it.each([
    ['/v1/chat/completions', 'chat'],
    ['/v1/chat/completions/', 'chat'],
    ['/v1/agents/completions', 'chat'],
    ['/v1/fim/completions', 'text_completion'],
    ['/v1/embeddings', 'embeddings'],
  ])('POST %s → %s', (path, operation) => {
    expect(adapter.classify(facts(path), 'mistral_ai')).toEqual({ operation });
  });

  it.each([
    ['GET', '/v1/models'],
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/conversations'],
    ['POST', '/v1/ocr'],
    ['POST', '/v1/files'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'mistral_ai')).toBeUndefined();
  });
});

describe('requests', () => {
  it('reads chat parameters, random_seed as the seed, and the text for estimation', () => {
    const call = start('/v1/chat/completions', {
      model: 'mistral-large-latest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }, { type: 'image_url' }] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'c1', function: { name: 'f', arguments: { x: 1 } } }],
        },
      ],
      temperature: 0.3,
      top_p: 0.95,
      max_tokens: 256,
      stop: ['\n\n'],
      random_seed: 1337,
      n: 2,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      response_format: { type: 'json_object' },
      reasoning_effort: 'high',
      safe_prompt: false,
      stream: false,
    });
    expect(call.request).toEqual({
      model: 'mistral-large-latest',
      stream: false,
      maxTokens: 256,
      temperature: 0.3,
      topP: 0.95,
      stopSequences: ['\n\n'],
      seed: 1337,
      choiceCount: 2,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      outputType: 'json',
      reasoningLevel: 'high',
    });
    expect(call.estimation?.input).toBe('Be brief.\nCapital of France?\n{"x":1}');
  });

  it('reads FIM prompt and suffix, and embeddings dimensions and dtypes', () => {
    const fim = start('/v1/fim/completions', {
      model: 'codestral-latest',
      prompt: 'def add(a, b):',
      suffix: 'print(add(1, 2))',
      max_tokens: 64,
      stop: '\n\n',
      stream: true,
    });
    expect(fim.operation).toBe('text_completion');
    expect(fim.request).toMatchObject({ model: 'codestral-latest', stream: true, maxTokens: 64 });
    expect(fim.request.stopSequences).toEqual(['\n\n']);
    expect(fim.estimation?.input).toBe('def add(a, b):\nprint(add(1, 2))');

    const emb = start('/v1/embeddings', {
      model: 'codestral-embed',
      input: ['a', 'b'],
      output_dimension: 256,
      output_dtype: 'int8',
      encoding_format: 'float',
    });
    expect(emb.request).toEqual({
      model: 'codestral-embed',
      stream: false,
      dimensions: 256,
      encodingFormats: ['int8', 'float'],
    });
    expect(emb.estimation?.input).toBe('a\nb');
  });

  it('an agents completion has no model in the request (agent_id), the response names it', () => {
    const call = start('/v1/agents/completions', {
      agent_id: 'ag_0123',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(call.request.model).toBeUndefined();
    respond(call, JSON.parse(fixture('agents-misspelled-cache.json')));
    expect(call.response.model).toBe('mistral-medium-2508');
    expect(call.response.finishReasons).toEqual(['tool_calls']);
    // The misspelled prompt_token_details is read too.
    expect(call.usage).toEqual({ inputTokens: 250, outputTokens: 20, cacheReadInputTokens: 128 });
  });
});

describe('responses', () => {
  it('normalizes a chat completion with prompt_tokens_details.cached_tokens', () => {
    const call = start('/v1/chat/completions', { model: 'mistral-large-latest', messages: [] });
    respond(call, JSON.parse(fixture('chat-cached.json')));
    expect(call.response).toEqual({
      id: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
      model: 'mistral-large-2411',
      finishReasons: ['stop'],
    });
    expect(call.usage).toEqual({ inputTokens: 1013, outputTokens: 30, cacheReadInputTokens: 1008 });
    expect(call.error).toBeUndefined();
  });

  it('reads num_cached_tokens and keeps model_length raw (FIM)', () => {
    const call = start('/v1/fim/completions', { model: 'codestral-latest', prompt: 'def' });
    respond(call, JSON.parse(fixture('fim-num-cached.json')));
    expect(call.response.finishReasons).toEqual(['model_length']);
    expect(call.usage).toEqual({ inputTokens: 40, outputTokens: 8, cacheReadInputTokens: 32 });
  });

  it('embeddings: input tokens only (completion_tokens: 0 is not an output)', () => {
    const call = start('/v1/embeddings', { model: 'mistral-embed', input: ['a', 'b'] });
    respond(call, JSON.parse(fixture('embeddings.json')));
    expect(call.usage).toEqual({ inputTokens: 15 });
    expect(call.response).toEqual({
      id: 'embd-aad6fc62b17349b192ef09225058bc45',
      model: 'mistral-embed',
      finishReasons: [],
    });
  });

  it('streams: usage from the final chunk without include_usage, [DONE] terminal, padding ignored', () => {
    const call = start('/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Salut' }],
      stream: true,
    });
    expect(call.request.includeUsage).toBeUndefined();
    expect(stream(call, fixture('chat-stream.sse'))).toEqual({ terminal: true, events: 5 });
    expect(call.response).toEqual({ id: 'cmpl-e5c', model: 'mistral-small-2506', finishReasons: ['stop'] });
    expect(call.usage).toEqual({ inputTokens: 12, outputTokens: 3, cacheReadInputTokens: 0 });
    expect(call.estimation).toEqual({ input: 'Salut', output: 'Bonjour le monde' });
  });

  it('a cut stream keeps text from content chunks (thinking included) for estimation', () => {
    const call = start('/v1/chat/completions', { model: 'magistral-medium-latest', stream: true });
    expect(stream(call, fixture('chat-stream-thinking.sse')).terminal).toBe(false);
    expect(call.usage).toBeUndefined();
    expect(call.estimation?.output).toBe('Let me think.42');
  });
});

describe('errors', () => {
  it('{"object":"error"}: the type names the error (code is a numeric string)', () => {
    const call = start('/v1/chat/completions', { model: 'mistral-large-latest' });
    respond(call, JSON.parse(fixture('error-rate-limited.json')), 429);
    expect(call.error).toEqual({ type: 'rate_limited', message: 'Requests rate limit exceeded' });
    expect(call.usage).toBeUndefined();
  });

  it('422 {"detail":[...]}: type left to the status, messages joined', () => {
    const call = start('/v1/chat/completions', { model: 'mistral-small-latest' });
    respond(call, JSON.parse(fixture('error-422.json')), 422);
    expect(call.error).toEqual({
      type: '',
      message: 'Field required\nInput should be greater than or equal to 0',
    });
  });

  it('a bare {"message"} on 401, and an error chunk inside a 200 stream', () => {
    const call = start('/v1/chat/completions', { model: 'm' });
    respond(call, { message: 'Unauthorized', request_id: 'r1' }, 401);
    expect(call.error).toEqual({ type: '', message: 'Unauthorized' });

    const streamed = start('/v1/chat/completions', { model: 'm', stream: true });
    const body = 'data: {"object":"error","message":"boom","type":"internal_error","code":"3000"}\n\n';
    expect(stream(streamed, body).terminal).toBe(false);
    expect(streamed.error).toEqual({ type: 'internal_error', message: 'boom' });
  });

  it('an error without type or code inside a stream becomes _OTHER', () => {
    const call = start('/v1/chat/completions', { model: 'm', stream: true });
    stream(call, 'data: {"object":"error","message":"boom"}\n\n');
    expect(call.error?.type).toBe('_OTHER');
  });
});

describe('framing', () => {
  it('follows the content type, then the request', () => {
    const call = start('/v1/chat/completions', { model: 'm' });
    expect(adapter.framing(call, 'text/event-stream')).toBe('sse');
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, undefined)).toBe('json');
    call.request.stream = true;
    expect(adapter.framing(call, undefined)).toBe('sse');
  });
});

describe('robustness', () => {
  it('never throws on arbitrary JSON and arbitrary stream data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.string(), (request, response, data) => {
        for (const path of ['/v1/chat/completions', '/v1/fim/completions', '/v1/embeddings']) {
          const call = start(path);
          adapter.onRequestBody(call, request);
          adapter.onResponseBody(call, response);
          adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data });
          adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data: JSON.stringify(response) });
          adapter.onStreamEvent(call, { kind: 'json', value: response });
        }
      }),
    );
  });
});
