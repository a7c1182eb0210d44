import { readFileSync } from 'node:fs';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchModelCall } from '../call-recorder.js';
import { AwsEventStreamDecoder } from '../decode/aws-eventstream.js';
import { estimateUsage } from '../estimate.js';
import { type ModelCall, newModelCall } from '../model-call.js';
import { bedrockAdapter as adapter, converseUsage, invocationMetricsUsage } from './bedrock.js';
import { adapterForFamily } from './index.js';
import type { RequestFacts } from './types.js';

const FIXTURES = new URL('./__fixtures__/bedrock/', import.meta.url);
const HOST = 'bedrock-runtime.us-east-1.amazonaws.com';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

function facts(path: string, method = 'POST'): RequestFacts {
  return { method, host: HOST, port: 443, path, query: '', header: () => undefined };
}

/** Builds the call the way the recorder does: classify, then the request body. */
function start(path: string, requestBody?: unknown): ModelCall {
  const c = adapter.classify(facts(path), 'aws.bedrock');
  if (c === undefined) throw new Error(`not classified: ${path}`);
  const call = newModelCall({
    provider: c.provider ?? 'aws.bedrock',
    operation: c.operation,
    serverAddress: HOST,
    serverPort: 443,
    startTimeMs: 0,
  });
  if (c.modelFromPath !== undefined) call.request.model = c.modelFromPath;
  if (c.streamFromPath !== undefined) call.request.stream = c.streamFromPath;
  if (requestBody !== undefined) adapter.onRequestBody(call, requestBody);
  return call;
}

/** Response headers then body, as the recorder drives them. */
function respond(call: ModelCall, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  call.httpStatus = status;
  adapter.onResponseHeaders?.(call, (name) => headers[name]);
  adapter.onResponseBody(call, body);
}

function stringHeaders(h: Record<string, string>): MessageHeaders {
  const out: MessageHeaders = {};
  for (const [k, v] of Object.entries(h)) out[k] = { type: 'string', value: v };
  return out;
}

function frame(headers: Record<string, string>, payload: unknown): Uint8Array {
  return codec.encode({ headers: stringHeaders(headers), body: fromUtf8(JSON.stringify(payload)) });
}

const CHUNK_HEADERS = {
  ':message-type': 'event',
  ':event-type': 'chunk',
  ':content-type': 'application/json',
};

/** InvokeModelWithResponseStream frames: each native chunk base64'd in `bytes`, with padding. */
function chunkFrames(chunks: readonly unknown[]): Uint8Array[] {
  return chunks.map((c, i) =>
    frame(CHUNK_HEADERS, {
      bytes: Buffer.from(JSON.stringify(c)).toString('base64'),
      p: 'abcdefgh'.slice(0, i + 1),
    }),
  );
}

function converseFrames(): Uint8Array[] {
  const events = fixture('converse-stream.json') as [Record<string, string>, unknown][];
  return events.map(([h, p]) => frame(h, p));
}

/** Feeds frames through the real decoder in pieces of `step` bytes; counts terminal events. */
function stream(call: ModelCall, frames: readonly Uint8Array[], step = Number.POSITIVE_INFINITY) {
  call.httpStatus = 200;
  adapter.onResponseHeaders?.(call, (name) =>
    name === 'content-type' ? 'application/vnd.amazon.eventstream' : undefined,
  );
  let terminal = false;
  let afterTerminal = 0;
  const d = new AwsEventStreamDecoder((headers, payload) => {
    if (terminal) {
      afterTerminal++;
      return;
    }
    terminal = adapter.onStreamEvent(call, { kind: 'aws-eventstream', headers, payload });
  });
  const all = Buffer.concat(frames);
  const size = Math.min(step, all.byteLength);
  for (let i = 0; i < all.byteLength; i += size) d.push(all.subarray(i, i + size));
  d.end();
  return { terminal, afterTerminal };
}

describe('registry', () => {
  it('has the bedrock family', () => {
    expect(adapterForFamily('bedrock')).toBe(adapter);
  });
});

describe('routing through the host table', () => {
  it.each([
    HOST,
    'bedrock-runtime-fips.us-gov-west-1.amazonaws.com',
    'vpce-0a1b.bedrock-runtime.eu-west-1.vpce.amazonaws.com',
  ])('%s → bedrock / aws.bedrock', (host) => {
    const m = matchModelCall(host, 443, () => ({ ...facts('/model/amazon.nova-pro-v1%3A0/converse'), host }));
    expect(m && { family: m.adapter.family, provider: m.provider }).toEqual({
      family: 'bedrock',
      provider: 'aws.bedrock',
    });
  });
});

describe('classify', () => {
  it.each([
    [
      '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      false,
    ],
    [
      '/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse-stream',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      true,
    ],
    ['/model/eu.amazon.nova-pro-v1%3A0/invoke', 'eu.amazon.nova-pro-v1:0', false],
    [
      '/model/apac.meta.llama3-2-90b-instruct-v1%3A0/invoke-with-response-stream',
      'apac.meta.llama3-2-90b-instruct-v1:0',
      true,
    ],
    [
      '/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse',
      'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      false,
    ],
    [
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse',
      'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
      false,
    ],
    [
      '/model/arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz/invoke',
      'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz',
      false,
    ],
    ['/proxy/model/mistral.mistral-large-2407-v1%3A0/invoke', 'mistral.mistral-large-2407-v1:0', false],
  ])('%s → %s', (path, model, stream) => {
    expect(adapter.classify(facts(path), 'aws.bedrock')).toEqual({
      operation: 'chat',
      modelFromPath: model,
      streamFromPath: stream,
    });
  });

  it('embedding models are embeddings', () => {
    expect(
      adapter.classify(facts('/model/amazon.titan-embed-text-v2%3A0/invoke'), 'aws.bedrock')?.operation,
    ).toBe('embeddings');
    expect(adapter.classify(facts('/model/cohere.embed-english-v3/invoke'), 'aws.bedrock')?.operation).toBe(
      'embeddings',
    );
  });

  it.each([
    ['POST', '/model/anthropic.claude-v2/count-tokens'],
    ['POST', '/model/amazon.nova-sonic-v1%3A0/invoke-with-bidirectional-stream'],
    ['POST', '/async-invoke'],
    ['GET', '/async-invoke/arn'],
    ['GET', '/model/anthropic.claude-v2/converse'],
    ['POST', '/model//converse'],
    ['POST', '/model/converse'],
    ['POST', '/guardrail/abc/version/1/apply'],
  ])('ignores %s %s', (method, path) => {
    expect(adapter.classify(facts(path, method), 'aws.bedrock')).toBeUndefined();
  });

  it('keeps a malformed escape as sent', () => {
    expect(adapter.classify(facts('/model/bad%E0%A4%A/converse'), 'aws.bedrock')?.modelFromPath).toBe(
      'bad%E0%A4%A',
    );
  });
});

describe('Converse', () => {
  const request = {
    messages: [
      { role: 'user', content: [{ text: 'Weather?' }, { cachePoint: { type: 'default' } }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'w', input: { city: 'Paris' } } }] },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 't', content: [{ text: 'Sunny' }, { json: { c: 21 } }] } }],
      },
    ],
    system: [{ text: 'Be brief.' }],
    inferenceConfig: { maxTokens: 256, temperature: 0.3, topP: 0.8, stopSequences: ['###'] },
    additionalModelRequestFields: { top_k: 50 },
    serviceTier: { type: 'priority' },
  };

  it('request parameters and estimation text', () => {
    const call = start('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse', request);
    expect(call.request).toEqual({
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      stream: false,
      maxTokens: 256,
      temperature: 0.3,
      topP: 0.8,
      topK: 50,
      stopSequences: ['###'],
      serviceTier: 'priority',
    });
    expect(call.operation).toBe('chat');
    expect(call.estimation?.input).toBe('Be brief.\nWeather?\n{"city":"Paris"}\nSunny\n{"c":21}');
  });

  it('response: usage with cache, stop reason, response model = request model', () => {
    const call = start('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse', request);
    respond(call, fixture('converse.json'), 200, { 'x-amzn-requestid': 'r' });
    expect(call.usage).toEqual({
      inputTokens: 1036,
      outputTokens: 3,
      cacheReadInputTokens: 1024,
      cacheCreationInputTokens: 0,
    });
    expect(call.response).toEqual({
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      finishReasons: ['end_turn'],
    });
    expect(call.error).toBeUndefined();
  });

  it('a response without usage keeps the output text for estimation', () => {
    const call = start('/model/m/converse', { messages: [{ role: 'user', content: [{ text: 'q' }] }] });
    respond(call, {
      output: {
        message: { content: [{ text: 'a' }, { reasoningContent: { reasoningText: { text: 'r' } } }] },
      },
    });
    expect(call.usage).toBeUndefined();
    expect(call.estimation).toEqual({ input: 'q', output: 'a\nr' });
  });

  it('ConverseStream: deltas, stop reason, usage from metadata (terminal)', () => {
    const call = start('/model/amazon.nova-pro-v1%3A0/converse-stream', request);
    expect(stream(call, converseFrames())).toEqual({ terminal: true, afterTerminal: 0 });
    expect(call.usage).toEqual({
      inputTokens: 2060,
      outputTokens: 57,
      cacheReadInputTokens: 1024,
      cacheCreationInputTokens: 1024,
    });
    expect(call.response).toEqual({ model: 'amazon.nova-pro-v1:0', finishReasons: ['tool_use'] });
    expect(call.estimation?.output).toBe('Thinking.Hello world{"city":"Paris"}');
  });

  it('ConverseStream gives the same record however the bytes are split', () => {
    const whole = start('/model/m/converse-stream', request);
    stream(whole, converseFrames());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (step) => {
        const call = start('/model/m/converse-stream', request);
        stream(call, converseFrames(), step);
        expect(call).toEqual(whole);
      }),
    );
  });

  it('a stream exception: error.type from :exception-type (shape name), message from the payload, terminal', () => {
    const call = start('/model/m/converse-stream', request);
    const frames = [
      ...converseFrames().slice(0, 3),
      frame(
        {
          ':message-type': 'exception',
          ':exception-type': 'modelStreamErrorException',
          ':content-type': 'application/json',
        },
        { message: 'Model stream failed', originalStatusCode: 500, originalMessage: 'x' },
      ),
    ];
    expect(stream(call, frames).terminal).toBe(true);
    expect(call.error).toEqual({ type: 'ModelStreamErrorException', message: 'Model stream failed' });
    expect(call.usage).toBeUndefined();
  });

  it('an error message (:message-type error) uses :error-code and :error-message', () => {
    const call = start('/model/m/converse-stream', request);
    const frames = [
      frame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'oops' }, {}),
    ];
    expect(stream(call, frames).terminal).toBe(true);
    expect(call.error).toEqual({ type: 'InternalFailure', message: 'oops' });
  });
});

describe('InvokeModel', () => {
  const anthropicBody = {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 300,
    temperature: 0.1,
    system: 'Be kind.',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
  };

  it('Anthropic body: request through the Anthropic helpers, model from the path', () => {
    const call = start('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke', anthropicBody);
    expect(call.request).toEqual({
      model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
      stream: false,
      maxTokens: 300,
      temperature: 0.1,
    });
    expect(call.estimation?.input).toBe('Be kind.\nHello');
  });

  it('Anthropic response: native usage (with cache split) wins over the token-count headers', () => {
    const call = start('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke', anthropicBody);
    respond(call, fixture('invoke-anthropic.json'), 200, {
      'x-amzn-bedrock-input-token-count': '30',
      'x-amzn-bedrock-output-token-count': '4',
    });
    expect(call.usage).toEqual({
      inputTokens: 1230,
      outputTokens: 4,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 200,
      cacheCreation5mInputTokens: 200,
      cacheCreation1hInputTokens: 0,
    });
    expect(call.response).toEqual({
      id: 'msg_bdrk_01ABC',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['end_turn'],
    });
  });

  it('Nova: Converse-like body and usage (…InputTokenCount names)', () => {
    const call = start('/model/us.amazon.nova-lite-v1%3A0/invoke', {
      schemaVersion: 'messages-v1',
      system: [{ text: 'sys' }],
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      inferenceConfig: { max_new_tokens: 100, temperature: 0.7, topK: 20 },
    });
    expect(call.request).toMatchObject({ maxTokens: 100, temperature: 0.7, topK: 20 });
    respond(call, fixture('invoke-nova.json'));
    expect(call.usage).toEqual({
      inputTokens: 521,
      outputTokens: 5,
      cacheReadInputTokens: 500,
      cacheCreationInputTokens: 0,
    });
    expect(call.response.finishReasons).toEqual(['end_turn']);
    expect(call.response.model).toBe('us.amazon.nova-lite-v1:0');
  });

  it('Llama: prompt → text_completion, counts from the body', () => {
    const call = start('/model/meta.llama3-1-70b-instruct-v1%3A0/invoke', {
      prompt: 'Capital of France?',
      max_gen_len: 64,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(call.operation).toBe('text_completion');
    expect(call.request).toMatchObject({ maxTokens: 64, temperature: 0.5, topP: 0.9 });
    expect(call.estimation?.input).toBe('Capital of France?');
    respond(call, fixture('invoke-llama.json'));
    expect(call.usage).toEqual({ inputTokens: 17, outputTokens: 8 });
    expect(call.response.finishReasons).toEqual(['stop']);
  });

  it('Titan embeddings: inputTextTokenCount, dimensions', () => {
    const call = start('/model/amazon.titan-embed-text-v2%3A0/invoke', {
      inputText: 'hello world',
      dimensions: 256,
    });
    expect(call.operation).toBe('embeddings');
    expect(call.request.dimensions).toBe(256);
    expect(call.estimation?.input).toBe('hello world');
    respond(call, fixture('invoke-titan-embed.json'), 200, { 'x-amzn-bedrock-input-token-count': '6' });
    expect(call.usage).toEqual({ inputTokens: 6 });
  });

  it('a body without counts (Cohere embed): the token-count headers are the usage', () => {
    const call = start('/model/cohere.embed-english-v3/invoke', {
      texts: ['hello world'],
      input_type: 'search_document',
    });
    respond(call, fixture('invoke-cohere-embed.json'), 200, {
      'x-amzn-bedrock-input-token-count': '4',
      'x-amzn-bedrock-invocation-latency': '80',
    });
    expect(call.usage).toEqual({ inputTokens: 4 });
    expect(call.estimation?.input).toBe('hello world');
  });

  it('headers alone (unparsable body), including cache headers', () => {
    const call = start('/model/some.new-model-v1/invoke', { whatever: true });
    call.httpStatus = 200;
    adapter.onResponseHeaders?.(
      call,
      (name) =>
        ({
          'x-amzn-bedrock-input-token-count': '10',
          'x-amzn-bedrock-output-token-count': ' 3 ',
          'x-amzn-bedrock-cache-read-input-token-count': '90',
          'x-amzn-bedrock-cache-write-input-token-count': 'nope',
        })[name],
    );
    expect(call.usage).toEqual({ inputTokens: 100, outputTokens: 3, cacheReadInputTokens: 90 });
  });

  it('errors: x-amzn-errortype before the colon, message from the body', () => {
    const call = start('/model/m/invoke', anthropicBody);
    respond(call, fixture('error-validation.json'), 400, {
      'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    });
    expect(call.error).toEqual({
      type: 'ValidationException',
      message: 'The provided model identifier is invalid.',
    });
    expect(call.usage).toBeUndefined();
    expect(call.response.model).toBeUndefined();
  });

  it('errors: __type from the body when there is no header; nothing at all leaves it to the status', () => {
    const call = start('/model/m/converse', {});
    respond(call, fixture('error-coral-type.json'), 403);
    expect(call.error).toEqual({
      type: 'AccessDeniedException',
      message: "You don't have access to the model with the specified model ID.",
    });
    const bare = start('/model/m/converse', {});
    respond(bare, '<html>', 502);
    expect(bare.error).toEqual({ type: '' });
  });
});

describe('InvokeModelWithResponseStream', () => {
  it('Anthropic chunks through the Anthropic helpers; native usage kept; terminal at the last chunk', () => {
    const call = start('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 50,
      messages: [],
    });
    const r = stream(call, chunkFrames(fixture('invoke-stream-anthropic.json') as unknown[]));
    expect(r).toEqual({ terminal: true, afterTerminal: 0 });
    expect(call.request.stream).toBe(true);
    expect(call.usage).toEqual({
      inputTokens: 1230,
      outputTokens: 9,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 200,
    });
    expect(call.response).toEqual({
      id: 'msg_bdrk_01S',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['end_turn'],
    });
    expect(call.estimation?.output).toBe('Hello!');
  });

  it('invocationMetrics fill in when the native chunks carry no final usage', () => {
    const chunks = (fixture('invoke-stream-anthropic.json') as { type: string }[]).filter(
      (c) => c.type !== 'message_delta',
    );
    const call = start('/model/anthropic.claude-v2/invoke-with-response-stream', {});
    expect(stream(call, chunkFrames(chunks)).terminal).toBe(true);
    expect(call.usage).toEqual({
      inputTokens: 1230,
      outputTokens: 9,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 200,
    });
  });

  it('Llama chunks: running counts, stop reason', () => {
    const call = start('/model/meta.llama3-1-8b-instruct-v1%3A0/invoke-with-response-stream', {
      prompt: 'Paris?',
    });
    expect(stream(call, chunkFrames(fixture('invoke-stream-llama.json') as unknown[])).terminal).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 17, outputTokens: 3 });
    expect(call.response.finishReasons).toEqual(['stop']);
    expect(call.estimation?.output).toBe(' Paris is lovely.');
  });

  it('Nova chunks: Converse-like members, metadata usage, terminal at the invocation metrics', () => {
    const call = start('/model/amazon.nova-micro-v1%3A0/invoke-with-response-stream', {
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });
    expect(stream(call, chunkFrames(fixture('invoke-stream-nova.json') as unknown[])).terminal).toBe(true);
    expect(call.usage).toEqual({
      inputTokens: 521,
      outputTokens: 2,
      cacheReadInputTokens: 500,
      cacheCreationInputTokens: 0,
    });
    expect(call.response.finishReasons).toEqual(['end_turn']);
  });

  it('Mistral chunks: no native counts, so the invocation metrics are the usage', () => {
    const call = start('/model/mistral.mistral-large-2407-v1%3A0/invoke-with-response-stream', {
      prompt: '<s>[INST] Hi [/INST]',
    });
    expect(stream(call, chunkFrames(fixture('invoke-stream-mistral.json') as unknown[])).terminal).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 9, outputTokens: 3 });
    expect(call.response.finishReasons).toEqual(['stop']);
  });

  it('a stream cut before the last chunk: estimation fills in what was not reported', async () => {
    const chunks = (fixture('invoke-stream-anthropic.json') as unknown[]).slice(0, 4);
    const call = start('/model/anthropic.claude-v2/invoke-with-response-stream', {
      anthropic_version: 'bedrock-2023-05-31',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(stream(call, chunkFrames(chunks)).terminal).toBe(false);
    expect(call.usage?.outputTokens).toBeUndefined();
    expect(await estimateUsage(call)).toBe(true);
    expect(call.usageEstimated).toBe(true);
    expect(call.usage?.inputTokens).toBe(1230);
    expect(call.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('tolerates junk payloads, unknown events and other event kinds', () => {
    const call = start('/model/m/invoke-with-response-stream', {});
    const frames = [
      frame(CHUNK_HEADERS, { bytes: '!!!not base64 json!!!' }),
      frame(CHUNK_HEADERS, { nobytes: 1 }),
      frame({ ':message-type': 'event', ':event-type': 'brandNew' }, { x: 1 }),
      frame({ ':message-type': 'event' }, { x: 1 }),
      codec.encode({ headers: stringHeaders(CHUNK_HEADERS), body: fromUtf8('not json') }),
      frame(CHUNK_HEADERS, { bytes: Buffer.from('[1,2]').toString('base64') }),
    ];
    expect(stream(call, frames).terminal).toBe(false);
    expect(adapter.onStreamEvent(call, { kind: 'sse', event: 'x', data: '{}' })).toBe(false);
    expect(call.usage).toBeUndefined();
    expect(call.error).toBeUndefined();
  });
});

describe('usage helpers', () => {
  it('Converse and invocation metrics: input = uncached + cache reads + cache writes', () => {
    expect(
      converseUsage({ inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheWriteInputTokens: 4 }),
    ).toEqual({
      inputTokens: 8,
      outputTokens: 2,
      cacheReadInputTokens: 3,
      cacheCreationInputTokens: 4,
    });
    expect(invocationMetricsUsage({ inputTokenCount: 5, outputTokenCount: 6 })).toEqual({
      inputTokens: 5,
      outputTokens: 6,
    });
    expect(converseUsage({ inputTokens: 'x', outputTokens: -1 })).toEqual({});
  });
});

describe('framing', () => {
  it('eventstream by content type, else by the path', () => {
    const call = start('/model/m/converse', {});
    expect(adapter.framing(call, 'application/vnd.amazon.eventstream')).toBe('aws-eventstream');
    expect(adapter.framing(call, 'application/json')).toBe('json');
    expect(adapter.framing(call, undefined)).toBe('json');
    expect(adapter.framing(start('/model/m/converse-stream', {}), undefined)).toBe('aws-eventstream');
  });
});
