/**
 * Bedrock Runtime end to end: the real @aws-sdk/client-bedrock-runtime (Converse, ConverseStream, InvokeModel,
 * InvokeModelWithResponseStream) against the Bedrock stand-in, once with the client's default handler
 * (node:http2; it speaks cleartext HTTP/2 to an http:// endpoint) and once with NodeHttpHandler over HTTP/1.1.
 * Each scenario runs with the taps passing through and active; the app must see the same result, and exactly
 * one span must carry the exact usage. SigV4-signed requests must be passed through untouched (the stand-in
 * would not notice, but identical results and no secrets in spans are checked).
 */
import { createRequire } from 'node:module';
import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import type { ModelCall } from '../instrumentation/src/model-call.js';
import { runtime } from '../instrumentation/src/runtime.js';
import { BEDROCK_STANDIN as B, type BedrockStandin, startBedrockStandin } from './standins/bedrock.mjs';
import { attrs, onlyOurClientSpans } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const ACCESS_KEY = 'AKIAFAKEFAKEFAKEFAKE';
const SECRET_KEY = 'fake/secret';
const tracing = setupTracing();

// NodeHttpHandler ships with the AWS client (a dependency of it, not of this project): load it from there.
const require = createRequire(import.meta.url);
const fromClient = createRequire(require.resolve('@aws-sdk/client-bedrock-runtime'));
const { NodeHttpHandler } = fromClient(
  '@smithy/node-http-handler',
) as typeof import('@smithy/node-http-handler');

const CONVERSE_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const CLAUDE_MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_MODEL = 'amazon.nova-pro-v1:0';

const cu = B.converseUsage;
const CONVERSE_USAGE = {
  inputTokens: cu.inputTokens + cu.cacheReadInputTokens + cu.cacheWriteInputTokens,
  outputTokens: cu.outputTokens,
  cacheReadInputTokens: cu.cacheReadInputTokens,
  cacheCreationInputTokens: cu.cacheWriteInputTokens,
};
const au = B.anthropicUsage;
const ANTHROPIC_USAGE = {
  inputTokens: au.input_tokens + au.cache_read_input_tokens + au.cache_creation_input_tokens,
  outputTokens: au.output_tokens,
  cacheReadInputTokens: au.cache_read_input_tokens,
  cacheCreationInputTokens: au.cache_creation_input_tokens,
};

function usageAttrs(u: typeof CONVERSE_USAGE): Record<string, unknown> {
  return {
    'gen_ai.usage.input_tokens': u.inputTokens,
    'gen_ai.usage.output_tokens': u.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': u.cacheReadInputTokens,
    'gen_ai.usage.cache_creation.input_tokens': u.cacheCreationInputTokens,
    'ailedger.usage.estimated': false,
  };
}

const CONVERSE_INPUT: Omit<ConverseCommandInput, 'modelId'> = {
  system: [{ text: 'Be brief.' }],
  messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
  inferenceConfig: { maxTokens: 200, temperature: 0.4, topP: 0.95, stopSequences: ['###'] },
};

const ANTHROPIC_BODY = JSON.stringify({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 150,
  temperature: 0.3,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
});

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');

let h2: BedrockStandin;
let h1: BedrockStandin;
let records: ModelCall[] = [];
let originalPrice: typeof runtime.price;
let internalErrorsBefore = 0;

beforeAll(async () => {
  h2 = await startBedrockStandin({ protocol: 'h2c' });
  h1 = await startBedrockStandin({ protocol: 'http1' });
  configureProviderHosts(`127.0.0.1:${h2.port}=aws.bedrock,127.0.0.1:${h1.port}=aws.bedrock`);
  originalPrice = runtime.price;
  runtime.price = (call) => {
    records.push(structuredClone(call));
    return originalPrice?.(call);
  };
});
afterAll(async () => {
  runtime.price = originalPrice;
  await h2.close();
  await h1.close();
  configureProviderHosts(undefined);
});
beforeEach(() => {
  tracing.reset();
  records = [];
  internalErrorsBefore = runtime.internalErrors;
});
afterEach(() => {
  expect(runtime.internalErrors).toBe(internalErrorsBefore);
});

function both<T>(scenario: () => Promise<T>): Promise<{ plain: T; traced: T }> {
  return tracing.both(scenario, () => {
    records = [];
  });
}

/** The keys, and what a SigV4 signature would leave in a header, must never reach a span. */
const SECRETS = [ACCESS_KEY, 'AKIAFAKE', SECRET_KEY, 'AWS4-HMAC-SHA256', 'Signature=', 'Credential='];

/** Exactly one span (no other instrumentation is active here), ours, a CLIENT span, with no secrets. */
async function oneSpan(): Promise<ReadableSpan> {
  const [span] = await onlyOurClientSpans(tracing, 1, SECRETS);
  return span!;
}

const TRANSPORTS = [
  { name: 'default handler (h2c, node:http2)', standin: () => h2, handler: () => undefined },
  { name: 'NodeHttpHandler (HTTP/1.1, node:http)', standin: () => h1, handler: () => new NodeHttpHandler() },
] as const;

describe.each(TRANSPORTS)('@aws-sdk/client-bedrock-runtime, $name', (transport) => {
  let client: BedrockRuntimeClient;
  let standin: BedrockStandin;

  beforeAll(() => {
    standin = transport.standin();
    const config: BedrockRuntimeClientConfig = {
      endpoint: standin.url,
      region: 'us-east-1',
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      maxAttempts: 1,
    };
    const handler = transport.handler();
    if (handler !== undefined) config.requestHandler = handler;
    client = new BedrockRuntimeClient(config);
  });
  afterAll(() => client.destroy());

  it('Converse: usage incl. cache read/write, response model = request model, identical result', async () => {
    const { plain, traced } = await both(() =>
      client.send(new ConverseCommand({ modelId: CONVERSE_MODEL, ...CONVERSE_INPUT })),
    );
    expect(traced).toEqual(plain);
    expect(traced.output?.message?.content?.[0]?.text).toBe(B.text);
    expect(standin.requests.at(-1)?.url).toBe(`/model/${encodeURIComponent(CONVERSE_MODEL)}/converse`);
    const span = await oneSpan();
    expect(span.name).toBe(`chat ${CONVERSE_MODEL}`);
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': CONVERSE_MODEL,
      'gen_ai.request.max_tokens': 200,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 0.95,
      'gen_ai.request.stop_sequences': ['###'],
      'gen_ai.response.model': CONVERSE_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...usageAttrs(CONVERSE_USAGE),
      'server.address': '127.0.0.1',
      'server.port': standin.port,
      'http.response.status_code': 200,
    });
    expect(attrs(span)['gen_ai.request.stream']).toBeUndefined();
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(records.map((r) => r.usage)).toEqual([CONVERSE_USAGE]);
  });

  it('ConverseStream: identical events; usage from the metadata event; stream flag', async () => {
    const run = async () => {
      const r = await client.send(new ConverseStreamCommand({ modelId: NOVA_MODEL, ...CONVERSE_INPUT }));
      const events: unknown[] = [];
      for await (const e of r.stream ?? []) events.push(e);
      return { events, metadata: r.$metadata };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced.events).toHaveLength(8); // messageStart, 4 deltas, contentBlockStop, messageStop, metadata
    const span = await oneSpan();
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.model': NOVA_MODEL,
      'gen_ai.request.stream': true,
      'gen_ai.response.model': NOVA_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...usageAttrs(CONVERSE_USAGE),
    });
    expect(attrs(span)['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(records.map((r) => r.usage)).toEqual([CONVERSE_USAGE]);
  });

  it('InvokeModel with an Anthropic body: native usage and model through the Anthropic helpers', async () => {
    const run = async () => {
      const r = await client.send(
        new InvokeModelCommand({
          modelId: CLAUDE_MODEL,
          body: ANTHROPIC_BODY,
          contentType: 'application/json',
        }),
      );
      return { body: text(r.body), contentType: r.contentType, metadata: r.$metadata };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': CLAUDE_MODEL,
      'gen_ai.request.max_tokens': 150,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.response.model': B.claudeModel,
      'gen_ai.response.id': 'msg_bdrk_standin',
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...usageAttrs(ANTHROPIC_USAGE),
    });
    expect(attrs(span)['gen_ai.request.stream']).toBeUndefined();
    expect(records.map((r) => r.usage)).toEqual([ANTHROPIC_USAGE]);
  });

  it('InvokeModelWithResponseStream (Anthropic): identical chunks; usage from the native events', async () => {
    const run = async () => {
      const r = await client.send(
        new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE_MODEL, body: ANTHROPIC_BODY }),
      );
      const chunks: unknown[] = [];
      for await (const e of r.body ?? []) chunks.push(text(e.chunk?.bytes) ?? e);
      return { chunks, contentType: r.contentType, metadata: r.$metadata };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced.chunks).toHaveLength(9);
    const span = await oneSpan();
    expect(attrs(span)).toMatchObject({
      'gen_ai.request.model': CLAUDE_MODEL,
      'gen_ai.request.stream': true,
      'gen_ai.response.model': B.claudeModel,
      'gen_ai.response.id': 'msg_bdrk_standin',
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...usageAttrs(ANTHROPIC_USAGE),
    });
    expect(records.map((r) => r.usage)).toEqual([ANTHROPIC_USAGE]);
  });

  it('InvokeModel of an embedding model whose body has no counts: usage from the token-count header', async () => {
    const run = async () => {
      const r = await client.send(
        new InvokeModelCommand({
          modelId: 'cohere.embed-english-v3',
          body: JSON.stringify({ texts: ['hello world'], input_type: 'search_document' }),
        }),
      );
      return { body: text(r.body), metadata: r.$metadata };
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    const span = await oneSpan();
    expect(span.name).toBe('embeddings cohere.embed-english-v3');
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 7,
    });
    expect(attrs(span)['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(attrs(span)['ailedger.usage.estimated']).toBe(false);
  });

  it('ThrottlingException (429): the same error for the app; error.type from x-amzn-errortype', async () => {
    const call = () =>
      client.send(new ConverseCommand({ modelId: 'throttle.model-v1:0', ...CONVERSE_INPUT })).then(
        () => 'no error',
        (err: Error & { $metadata?: unknown; $fault?: string }) => ({
          name: err.name,
          message: err.message,
          fault: err.$fault,
          metadata: err.$metadata,
        }),
      );
    const { plain, traced } = await both(call);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ name: 'ThrottlingException' });
    const span = await oneSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span)).toMatchObject({
      'error.type': 'ThrottlingException',
      'http.response.status_code': 429,
    });
    expect(attrs(span)['gen_ai.response.model']).toBeUndefined();
    expect(attrs(span)['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('an exception event mid-stream: the same error for the app; error.type from :exception-type', async () => {
    const run = async () => {
      const events: unknown[] = [];
      try {
        const r = await client.send(
          new ConverseStreamCommand({ modelId: 'stream-error.model', ...CONVERSE_INPUT }),
        );
        for await (const e of r.stream ?? []) events.push(e);
        return { events, error: undefined };
      } catch (err) {
        return { events, error: { name: (err as Error).name, message: (err as Error).message } };
      }
    };
    const { plain, traced } = await both(run);
    expect(traced).toEqual(plain);
    expect(traced.error?.name).toBe('ModelStreamErrorException');
    const span = await oneSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span)).toMatchObject({
      'error.type': 'ModelStreamErrorException',
      'gen_ai.request.stream': true,
      'http.response.status_code': 200,
    });
  });
});
