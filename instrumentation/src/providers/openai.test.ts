import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseDecoder } from '../decode/sse.js';
import { type ModelCall, newModelCall } from '../model-call.js';
import { adapterForFamily } from './index.js';
import { openaiAdapter as adapter } from './openai.js';
import type { RequestFacts } from './types.js';

const FIXTURES = new URL('./__fixtures__/openai/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function facts(path: string, method = 'POST', host = 'api.openai.com', query = ''): RequestFacts {
  return { method, host, port: 443, path, query, header: () => undefined };
}

/** Builds the call the way the recorder does: classify, then the request body, then the response. */
function start(path: string, provider = 'openai', requestBody?: unknown, host = 'api.openai.com'): ModelCall {
  const c = adapter.classify(facts(path, 'POST', host), provider);
  if (c === undefined) throw new Error(`not classified: ${path}`);
  const call = newModelCall({
    provider: c.provider ?? provider,
    operation: c.operation,
    serverAddress: host,
    serverPort: 443,
    startTimeMs: 0,
  });
  if (c.apiType !== undefined) call.apiType = c.apiType;
  if (c.modelFromPath !== undefined) call.request.model = c.modelFromPath;
  if (requestBody !== undefined) adapter.onRequestBody(call, requestBody);
  return call;
}

/** Feeds an SSE body through the real decoder; returns whether a terminal event was seen and how many events. */
function stream(call: ModelCall, body: string): { terminal: boolean; events: number } {
  call.httpStatus = 200;
  let terminal = false;
  let events = 0;
  const d = new SseDecoder((event, data) => {
    events++;
    if (terminal) return;
    terminal = adapter.onStreamEvent(call, { kind: 'sse', event, data });
  });
  d.push(new TextEncoder().encode(body));
  d.end();
  return { terminal, events };
}

function respond(call: ModelCall, body: unknown, status = 200): void {
  call.httpStatus = status;
  adapter.onResponseBody(call, body);
}

describe('registry', () => {
  it('has the openai family', () => {
    expect(adapterForFamily('openai')).toBe(adapter);
    expect(adapter.family).toBe('openai');
    expect(adapterForFamily('nope')).toBeUndefined();
  });
});

describe('classify', () => {
  it.each([
    ['/v1/chat/completions', 'chat', 'chat_completions'],
    ['/openai/v1/chat/completions', 'chat', 'chat_completions'], // Groq
    ['/api/v1/chat/completions', 'chat', 'chat_completions'], // OpenRouter
    ['/inference/v1/chat/completions', 'chat', 'chat_completions'], // Fireworks
    ['/compatibility/v1/chat/completions', 'chat', 'chat_completions'], // Cohere
    ['/chat/completions', 'chat', 'chat_completions'], // DeepSeek without /v1
    ['/v1/chat/completions/', 'chat', 'chat_completions'],
    ['/v1/responses', 'chat', 'responses'],
    ['/v1/completions', 'text_completion', undefined],
    ['/v1/embeddings', 'embeddings', undefined],
  ])('POST %s → %s', (path, operation, apiType) => {
    const c = adapter.classify(facts(path), 'openai');
    expect(c?.operation).toBe(operation);
    expect(c?.apiType).toBe(apiType);
    expect(c?.modelFromPath).toBeUndefined();
  });

  it.each([
    ['GET', '/v1/responses/resp_123'],
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/responses/resp_123/cancel'],
    ['POST', '/v1/models'],
    ['POST', '/v1/files'],
    ['POST', '/v1/audio/speech'],
    ['DELETE', '/v1/responses/resp_123'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'openai')).toBeUndefined();
  });

  it('takes the Azure deployment from the path, URL-decoded', () => {
    const c = adapter.classify(
      facts(
        '/openai/deployments/my%20gpt4o/chat/completions',
        'POST',
        'res.openai.azure.com',
        'api-version=2024-10-21',
      ),
      'azure.ai.openai',
    );
    expect(c).toEqual({ operation: 'chat', apiType: 'chat_completions', modelFromPath: 'my gpt4o' });
    const e = adapter.classify(facts('/openai/deployments/emb-large/embeddings'), 'azure.ai.openai');
    expect(e).toEqual({ operation: 'embeddings', modelFromPath: 'emb-large' });
    const v1 = adapter.classify(facts('/openai/v1/responses'), 'azure.ai.openai');
    expect(v1).toEqual({ operation: 'chat', apiType: 'responses' });
  });

  it('marks the Foundry model-inference API as azure.ai.inference', () => {
    const c = adapter.classify(
      facts('/models/chat/completions', 'POST', 'res.services.ai.azure.com'),
      'azure.ai.openai',
    );
    expect(c?.provider).toBe('azure.ai.inference');
  });

  it("leaves Ollama's native legacy embeddings endpoint to its own adapter", () => {
    expect(adapter.classify(facts('/api/embeddings'), 'ollama')).toBeUndefined();
    expect(adapter.classify(facts('/v1/embeddings'), 'ollama')?.operation).toBe('embeddings');
  });
});

describe('framing', () => {
  it('follows the content type, then the request', () => {
    const call = start('/v1/chat/completions');
    expect(adapter.framing(call, 'text/event-stream; charset=utf-8')).toBe('sse');
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, 'application/x-ndjson')).toBe('ndjson');
    expect(adapter.framing(call, undefined)).toBe('json');
    call.request.stream = true;
    expect(adapter.framing(call, undefined)).toBe('sse');
    expect(adapter.framing(call, 'Application/JSON')).toBe('json');
  });
});

describe('chat completions', () => {
  const request = {
    model: 'o3-mini',
    messages: [
      { role: 'developer', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is 6×7?' },
          { type: 'image_url', image_url: {} },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ function: { name: 'calc', arguments: '{"x":6}' } }],
      },
      { role: 'tool', content: '42' },
    ],
    max_completion_tokens: 2000,
    max_tokens: 10,
    temperature: 0.2,
    top_p: 0.9,
    stop: 'END',
    seed: 7,
    frequency_penalty: 0.5,
    presence_penalty: -0.5,
    n: 1,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
    reasoning_effort: 'high',
    service_tier: 'flex',
    stream: false,
    user: 'u-1',
  };

  it('reads request parameters and the text for estimation', () => {
    const call = start('/v1/chat/completions', 'openai', request);
    expect(call.request).toEqual({
      model: 'o3-mini',
      stream: false,
      maxTokens: 2000,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      frequencyPenalty: 0.5,
      presencePenalty: -0.5,
      choiceCount: 1,
      outputType: 'json',
      reasoningLevel: 'high',
      serviceTier: 'flex',
    });
    expect(call.estimation).toEqual({ input: 'Be terse.\nWhat is 6×7?\n{"x":6}\n42', output: '' });
  });

  it('falls back to max_tokens and keeps a stop array', () => {
    const call = start('/v1/chat/completions', 'openai', {
      model: 'gpt-4o',
      max_tokens: 64,
      stop: ['a', 3, 'b'],
      response_format: { type: 'json_object' },
    });
    expect(call.request.maxTokens).toBe(64);
    expect(call.request.stopSequences).toEqual(['a', 'b']);
    expect(call.request.outputType).toBe('json');
  });

  it('normalizes a non-streamed response with cached and reasoning tokens', () => {
    const call = start('/v1/chat/completions', 'openai', request);
    respond(call, JSON.parse(fixture('chat-cached-reasoning.json')));
    expect(call.response).toEqual({
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      model: 'o3-mini-2025-01-31',
      finishReasons: ['stop'],
      serviceTier: 'default',
      systemFingerprint: 'fp_ef58bd3122',
    });
    // prompt_tokens already includes the cached ones; completion_tokens already includes reasoning.
    expect(call.usage).toEqual({
      inputTokens: 1200,
      outputTokens: 850,
      cacheReadInputTokens: 1024,
      reasoningOutputTokens: 832,
      audioInputTokens: 0,
      audioOutputTokens: 0,
    });
    expect(call.error).toBeUndefined();
    // Usage was reported, so no output text is collected for estimation.
    expect(call.estimation?.output).toBe('');
  });

  it('streams with include_usage: usage from the final empty-choices chunk, [DONE] terminal', () => {
    const call = start('/v1/chat/completions', 'openai', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(call.request.stream).toBe(true);
    expect(call.request.includeUsage).toBe(true);
    expect(stream(call, fixture('chat-stream-include-usage.sse'))).toEqual({ terminal: true, events: 6 });
    expect(call.response).toEqual({
      id: 'chatcmpl-abc',
      model: 'gpt-4o-2024-08-06',
      finishReasons: ['stop'],
      serviceTier: 'default',
      systemFingerprint: 'fp_abc123',
    });
    expect(call.usage).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cacheReadInputTokens: 0,
      reasoningOutputTokens: 0,
      audioInputTokens: 0,
      audioOutputTokens: 0,
    });
    expect(call.estimation).toEqual({ input: 'Hi', output: 'Hello there!' });
  });

  it('streams without include_usage: no usage, output text kept for estimation', () => {
    const call = start('/v1/chat/completions', 'openai', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello in French' }],
      stream: true,
    });
    expect(call.request.includeUsage).toBeUndefined();
    expect(stream(call, fixture('chat-stream-no-usage.sse')).terminal).toBe(true);
    expect(call.usage).toBeUndefined();
    expect(call.response.finishReasons).toEqual(['length']);
    expect(call.response.model).toBe('gpt-4o-mini-2024-07-18');
    expect(call.estimation).toEqual({ input: 'Say hello in French', output: 'Bonjour le monde 🌍' });
  });

  it("reads Groq's x_groq.usage", () => {
    const call = start('/openai/v1/chat/completions', 'groq', {
      model: 'llama-3.3-70b-versatile',
      stream: true,
    });
    expect(stream(call, fixture('groq-stream-x-groq.sse')).terminal).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 45, outputTokens: 2 });
    expect(call.response.id).toBe('chatcmpl-0f2a');
    expect(call.response.finishReasons).toEqual(['stop']);
  });

  it('handles an Azure deployment path and the empty first chunk with prompt_filter_results', () => {
    const call = start('/openai/deployments/prod-4o/chat/completions', 'azure.ai.openai', {
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(call.request.model).toBe('prod-4o');
    expect(stream(call, fixture('azure-stream-filter.sse')).terminal).toBe(true);
    expect(call.request.model).toBe('prod-4o');
    expect(call.response).toEqual({
      id: 'chatcmpl-AzX1',
      model: 'gpt-4o-2024-11-20',
      finishReasons: ['stop'],
      systemFingerprint: 'fp_ee1d74bde0',
    });
    expect(call.usage?.inputTokens).toBe(18);
    expect(call.usage?.outputTokens).toBe(4);
    expect(call.estimation?.output).toBe('Hi from Azure');
  });

  it('keeps the path deployment over a body model, and the body model on Azure v1 paths', () => {
    const classic = start('/openai/deployments/dep-a/chat/completions', 'azure.ai.openai', {
      model: 'dep-b',
    });
    expect(classic.request.model).toBe('dep-a');
    const v1 = start('/openai/v1/chat/completions', 'azure.ai.openai', { model: 'my-deployment' });
    expect(v1.request.model).toBe('my-deployment');
  });

  it('reads DeepSeek cache hits as cache reads', () => {
    const call = start('/chat/completions', 'deepseek', { model: 'deepseek-reasoner' });
    respond(call, JSON.parse(fixture('deepseek-cache.json')));
    expect(call.usage).toEqual({
      inputTokens: 1500,
      outputTokens: 120,
      cacheReadInputTokens: 1280,
      reasoningOutputTokens: 100,
    });
    // Only the DeepSeek field, as older DeepSeek responses send.
    const old = start('/chat/completions', 'deepseek', { model: 'deepseek-chat' });
    respond(old, { usage: { prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 64 } });
    expect(old.usage).toEqual({ inputTokens: 100, outputTokens: 5, cacheReadInputTokens: 64 });
  });

  it('adds xAI reasoning tokens to the output (xAI reports them apart from completion_tokens)', () => {
    const call = start('/v1/chat/completions', 'x_ai', { model: 'grok-4' });
    respond(call, JSON.parse(fixture('xai-reasoning.json')));
    expect(call.usage).toEqual({
      inputTokens: 32,
      outputTokens: 644,
      cacheReadInputTokens: 6,
      reasoningOutputTokens: 635,
      audioInputTokens: 0,
      audioOutputTokens: 0,
    });
    // The same body from another provider is read as OpenAI semantics.
    const other = start('/v1/chat/completions', 'openai', { model: 'x' });
    respond(other, JSON.parse(fixture('xai-reasoning.json')));
    expect(other.usage?.outputTokens).toBe(9);
  });

  it('keeps xAI usage from the second-to-last chunk when the last one has none', () => {
    const call = start('/v1/chat/completions', 'x_ai', { model: 'grok-4', stream: true });
    expect(stream(call, fixture('xai-stream-second-to-last-usage.sse')).terminal).toBe(true);
    expect(call.usage).toEqual({
      inputTokens: 20,
      outputTokens: 101,
      cacheReadInputTokens: 4,
      reasoningOutputTokens: 100,
    });
    expect(call.response.finishReasons).toEqual(['stop']);
  });

  it('takes the last usage seen, never a sum (cumulative usage on every chunk)', () => {
    const call = start('/v1/chat/completions', 'vllm', { model: 'm', stream: true });
    const chunk = (content: string, completion: number) =>
      `data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"${content}"}}],` +
      `"usage":{"prompt_tokens":10,"completion_tokens":${completion},"total_tokens":${10 + completion}}}\n\n`;
    stream(call, chunk('a', 1) + chunk('b', 2) + chunk('c', 3) + 'data: [DONE]\n\n');
    expect(call.usage).toEqual({ inputTokens: 10, outputTokens: 3 });
  });

  it('orders finish reasons by choice index, even when they arrive out of order', () => {
    const call = start('/v1/chat/completions', 'openai', { model: 'gpt-4o', n: 3, stream: true });
    const body =
      'data: {"choices":[{"index":2,"delta":{},"finish_reason":"length"}]}\n\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';
    stream(call, body);
    // Choice 1 never finished.
    expect(call.response.finishReasons).toEqual(['stop', 'error', 'length']);
    stream(call, 'data: {"choices":[{"index":1,"delta":{},"finish_reason":"tool_calls"}]}\n\n');
    expect(call.response.finishReasons).toEqual(['stop', 'tool_calls', 'length']);
    expect(call.request.choiceCount).toBe(3);
  });

  it('keeps tool-call arguments and reasoning deltas as output text', () => {
    const call = start('/v1/chat/completions', 'deepseek', { model: 'deepseek-reasoner', stream: true });
    stream(
      call,
      'data: {"choices":[{"index":0,"delta":{"reasoning_content":"Think. "}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]}}]}\n\n',
    );
    expect(call.estimation?.output).toBe('Think. {"a":1}');
  });
});

describe('responses API', () => {
  it('reads request parameters, instructions and input items', () => {
    const call = start('/v1/responses', 'openai', {
      model: 'gpt-5.4',
      instructions: 'You are helpful.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'c1', output: '18°C' },
      ],
      max_output_tokens: 500,
      max_tokens: 3, // not a Responses parameter
      temperature: 1,
      reasoning: { effort: 'medium', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'w', schema: {} } },
      service_tier: 'priority',
      stream: true,
    });
    expect(call.operation).toBe('chat');
    expect(call.apiType).toBe('responses');
    expect(call.request).toEqual({
      model: 'gpt-5.4',
      stream: true,
      maxTokens: 500,
      temperature: 1,
      outputType: 'json',
      reasoningLevel: 'medium',
      serviceTier: 'priority',
    });
    expect(call.estimation?.input).toBe('You are helpful.\nWeather in Paris?\n{"city":"Paris"}\n18°C');
  });

  it('normalizes a non-streamed response', () => {
    const call = start('/v1/responses', 'openai', { model: 'gpt-5.4', input: 'Hi' });
    expect(call.estimation?.input).toBe('Hi');
    respond(call, JSON.parse(fixture('responses.json')));
    expect(call.response).toEqual({
      id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
      model: 'gpt-5.4-2026-03-05',
      finishReasons: ['stop'],
      serviceTier: 'default',
    });
    expect(call.usage).toEqual({
      inputTokens: 2020,
      outputTokens: 40,
      cacheReadInputTokens: 1920,
      cacheCreationInputTokens: 64,
      reasoningOutputTokens: 32,
    });
    expect(call.error).toBeUndefined();
  });

  it('streams: final usage and a tool_call finish from response.completed, which is terminal', () => {
    const call = start('/v1/responses', 'openai', { model: 'gpt-5.4', input: 'Weather?', stream: true });
    expect(stream(call, fixture('responses-stream.sse'))).toEqual({ terminal: true, events: 7 });
    expect(call.response).toEqual({
      id: 'resp_123',
      model: 'gpt-5.4-2026-03-05',
      finishReasons: ['tool_call'],
      serviceTier: 'default',
    });
    expect(call.usage).toEqual({
      inputTokens: 20,
      outputTokens: 40,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      reasoningOutputTokens: 32,
    });
    expect(call.estimation?.output).toBe('{"city":"Paris"}');
  });

  it('records an in-stream error event and the usage of the response.failed that follows', () => {
    const call = start('/v1/responses', 'openai', { model: 'gpt-5.4', input: 'x', stream: true });
    expect(stream(call, fixture('responses-stream-error.sse'))).toEqual({ terminal: true, events: 4 });
    expect(call.error).toEqual({
      type: 'server_error',
      message: 'The server had an error while processing your request.',
    });
    expect(call.response.finishReasons).toEqual(['error']);
    expect(call.usage).toEqual({ inputTokens: 11, outputTokens: 1 });
    expect(call.estimation?.output).toBe('Partial');
  });

  it('derives length and content_filter from an incomplete response', () => {
    const call = start('/v1/responses', 'openai', { model: 'gpt-5.4', input: 'x' });
    respond(call, {
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(call.response.finishReasons).toEqual(['length']);
    respond(call, {
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
    expect(call.response.finishReasons).toEqual(['content_filter']);
  });

  it('an error event without a code inside a 200 stream is _OTHER', () => {
    const call = start('/v1/responses', 'openai', { model: 'gpt-5.4', input: 'x', stream: true });
    expect(
      stream(call, 'event: error\ndata: {"type":"error","code":null,"message":"boom"}\n\n').terminal,
    ).toBe(false);
    expect(call.error).toEqual({ type: '_OTHER', message: 'boom' });
  });
});

describe('legacy completions', () => {
  it('reads prompt, parameters, two choices and usage', () => {
    const call = start('/v1/completions', 'openai', {
      model: 'gpt-3.5-turbo-instruct',
      prompt: ['Hello', 'Hi'],
      max_tokens: 16,
      n: 2,
      stop: ['\n'],
      temperature: 0,
    });
    expect(call.operation).toBe('text_completion');
    expect(call.apiType).toBeUndefined();
    expect(call.request).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      stream: false,
      maxTokens: 16,
      choiceCount: 2,
      stopSequences: ['\n'],
      temperature: 0,
    });
    expect(call.estimation?.input).toBe('Hello\nHi');
    respond(call, JSON.parse(fixture('completions.json')));
    expect(call.response).toEqual({
      id: 'cmpl-1',
      model: 'gpt-3.5-turbo-instruct',
      finishReasons: ['length', 'stop'],
      systemFingerprint: 'fp_44709d6fcb',
    });
    expect(call.usage).toEqual({ inputTokens: 2, outputTokens: 16 });
  });

  it('streams text and usage', () => {
    const call = start('/v1/completions', 'openai', {
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Tell a story',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream(call, fixture('completions-stream.sse')).terminal).toBe(true);
    expect(call.response.finishReasons).toEqual(['length']);
    expect(call.usage).toEqual({ inputTokens: 4, outputTokens: 2 });
    expect(call.estimation?.output).toBe(' Once upon');
  });
});

describe('embeddings', () => {
  it('reads dimensions, encoding format, input text and prompt tokens', () => {
    const call = start('/v1/embeddings', 'openai', {
      model: 'text-embedding-3-small',
      input: ['first text', 'second text'],
      dimensions: 256,
      encoding_format: 'base64',
    });
    expect(call.operation).toBe('embeddings');
    expect(call.request).toEqual({
      model: 'text-embedding-3-small',
      stream: false,
      dimensions: 256,
      encodingFormats: ['base64'],
    });
    expect(call.estimation?.input).toBe('first text\nsecond text');
    respond(call, JSON.parse(fixture('embeddings.json')));
    expect(call.response).toEqual({ model: 'text-embedding-3-small', finishReasons: [] });
    expect(call.usage).toEqual({ inputTokens: 9 });
  });

  it('token-array input carries no text', () => {
    const call = start('/v1/embeddings', 'openai', { model: 'text-embedding-3-small', input: [[1, 2, 3]] });
    expect(call.estimation).toBeUndefined();
  });
});

describe('errors', () => {
  it('takes error.code as the type', () => {
    const call = start('/v1/chat/completions', 'openai', { model: 'gpt-4o' });
    respond(call, JSON.parse(fixture('error-429.json')), 429);
    expect(call.error).toEqual({
      type: 'rate_limit_exceeded',
      message:
        'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 29900, Requested 500.',
    });
    expect(call.usage).toBeUndefined();
  });

  it('falls back to error.type, then leaves the type empty for the recorder to fill with the status', () => {
    const a = start('/v1/chat/completions');
    respond(a, { error: { message: 'bad', type: 'invalid_request_error', code: null } }, 400);
    expect(a.error).toEqual({ type: 'invalid_request_error', message: 'bad' });
    const b = start('/v1/chat/completions');
    respond(b, JSON.parse(fixture('error-no-code.json')), 500);
    expect(b.error).toEqual({
      type: '',
      message: 'The server had an error while processing your request. Sorry about that!',
    });
  });

  it('reads Azure and vLLM error shapes', () => {
    const a = start('/openai/deployments/nope/chat/completions', 'azure.ai.openai');
    respond(a, JSON.parse(fixture('azure-error.json')), 404);
    expect(a.error?.type).toBe('DeploymentNotFound');
    const v = start('/v1/chat/completions', 'vllm');
    respond(
      v,
      { object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', code: 404 },
      404,
    );
    expect(v.error).toEqual({ type: '404', message: 'The model `x` does not exist.' });
    const s = start('/v1/chat/completions', 'vllm');
    respond(s, { error: 'plain string error' }, 500);
    expect(s.error).toEqual({ type: '', message: 'plain string error' });
  });

  it('records an in-stream error object (numeric code) after partial output', () => {
    const call = start('/api/v1/chat/completions', 'openrouter', {
      model: 'anthropic/claude-sonnet-4',
      stream: true,
    });
    const r = stream(call, fixture('chat-stream-error.sse'));
    expect(r).toEqual({ terminal: false, events: 2 });
    expect(call.error).toEqual({ type: '502', message: 'Upstream provider overloaded' });
    expect(call.response.model).toBe('anthropic/claude-sonnet-4');
    expect(call.estimation?.output).toBe('Sure');
  });
});

describe('robustness', () => {
  it('tolerates garbage, truncated JSON, nulls and wrong types without throwing', () => {
    const call = start('/v1/chat/completions', 'openai', {
      model: 42,
      messages: 'not an array',
      temperature: 'hot',
      n: -1,
      stop: null,
      response_format: null,
      stream_options: [],
    });
    expect(call.request).toEqual({ stream: false });
    for (const body of [
      null,
      undefined,
      'text',
      42,
      [],
      { choices: 'x', usage: 'y' },
      { choices: [null, 1] },
    ]) {
      adapter.onRequestBody(call, body);
      adapter.onResponseBody(call, body);
      adapter.onStreamEvent(call, { kind: 'json', value: body });
    }
    adapter.onResponseBody(call, { usage: { prompt_tokens: 'many', completion_tokens: null } });
    expect(call.usage).toBeUndefined();
    expect(
      stream(call, 'data: {"id":"x","choices":[{"delta":{"content":"a\n\ndata: {broken\n\ndata: \n\n')
        .terminal,
    ).toBe(false);
    adapter.onStreamEvent(call, { kind: 'aws-eventstream', headers: {}, payload: new Uint8Array() });
    expect(call.response.finishReasons).toEqual([]);
    expect(call.error).toBeUndefined();
  });

  it('never throws on arbitrary JSON values in any position', () => {
    const paths = ['/v1/chat/completions', '/v1/responses', '/v1/completions', '/v1/embeddings'];
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.string(),
        (path, req, res, sse) => {
          const call = start(path, 'x_ai');
          adapter.onRequestBody(call, req);
          adapter.onResponseBody(call, res);
          adapter.onStreamEvent(call, { kind: 'json', value: res });
          adapter.onStreamEvent(call, {
            kind: 'sse',
            event: 'response.completed',
            data: JSON.stringify({ response: res }),
          });
          adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data: sse });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('caps the estimation text at 1 MiB', () => {
    const big = 'x'.repeat(700_000);
    const call = start('/v1/chat/completions', 'openai', {
      messages: [
        { role: 'user', content: big },
        { role: 'user', content: big },
      ],
      stream: true,
    });
    expect(call.estimation?.input.length).toBe(1024 * 1024);
    for (let i = 0; i < 3; i++) {
      adapter.onStreamEvent(call, {
        kind: 'json',
        value: { choices: [{ index: 0, delta: { content: big } }] },
      });
    }
    expect(call.estimation?.output.length).toBe(1024 * 1024);
  });
});
