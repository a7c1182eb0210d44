/**
 * The audit record end to end, through the real SDKs against the stand-ins: the API-key fingerprint of every
 * provider's credential, SHA-256 of request and response bodies (always, also with capture off), and opt-in
 * content capture in the GenAI conventions' shapes with redaction and truncation. Known fake keys must never
 * appear in what is exported, with capture on or off.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CohereClientV2 } from 'cohere-ai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentSettings } from '../instrumentation/src/content/config.js';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { apiKeyFingerprint } from '../instrumentation/src/fingerprint.js';
import { runtime } from '../instrumentation/src/runtime.js';
import { startAnthropicStandin } from './standins/anthropic.mjs';
import { BEDROCK_STANDIN, type BedrockStandin, startBedrockStandin } from './standins/bedrock.mjs';
import { startCohereStandin } from './standins/cohere.mjs';
import { startGeminiStandin } from './standins/gemini.mjs';
import { startMistralStandin } from './standins/mistral.mjs';
import { startOllamaStandin } from './standins/ollama.mjs';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { assertNoSecrets, attrs, waitForOurs } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const tracing = setupTracing();
const ollamaSdk = await import('ollama'); // after the taps: the SDK captures fetch at import

const KEYS = {
  openai: 'sk-test-AUDITFAKEKEY0123456789abcdefFAKE',
  anthropic: 'sk-ant-api03-AUDITFAKE0123456789abcdefFAKE',
  gemini: 'AIzaSyAUDITFAKE-gemini-key-0123456789',
  mistral: 'mistral-AUDITFAKE0123456789abcdefFAKE',
  cohere: 'cohere-AUDITFAKE0123456789abcdefFAKE',
  ollama: 'ollama-AUDITFAKE0123456789abcdefFAKE',
  awsAccessKey: 'AKIAAUDITFAKEFAKE123',
  awsSecret: 'audit/fake/secret',
};

/** What a user might paste into a prompt; none of it may leave the process. */
const PASTED = {
  openaiKey: 'sk-proj-PASTEDFAKEKEY0123456789abcdefghijKLMN',
  awsKey: 'AKIAPASTEDFAKEKEY123',
  email: 'pasted.person@example.org',
  card: '4111 1111 1111 1111',
  privateKey: 'PASTEDFAKEPRIVATEKEYBODYnotREAL',
};
const SECRET_PROMPT = `Please debug: OPENAI_API_KEY=${PASTED.openaiKey}, aws ${PASTED.awsKey}, mail ${PASTED.email}, card ${PASTED.card},
-----BEGIN RSA PRIVATE KEY-----
${PASTED.privateKey}
-----END RSA PRIVATE KEY-----`;

const ALL_SECRETS = [...Object.values(KEYS), ...Object.values(PASTED), 'Bearer ', 'Credential='];

const standins: Record<string, Standin | BedrockStandin> = {};
let openai: OpenAI;
let anthropic: Anthropic;
let genai: GoogleGenAI;
let mistral: Mistral;
let cohere: CohereClientV2;
let bedrock: BedrockRuntimeClient;
let ollama: InstanceType<typeof ollamaSdk.Ollama>;
const defaultContent = runtime.content;

beforeAll(async () => {
  standins.openai = await startOpenAIStandin();
  standins.anthropic = await startAnthropicStandin();
  standins.gemini = await startGeminiStandin();
  standins.mistral = await startMistralStandin();
  standins.cohere = await startCohereStandin();
  standins.ollama = await startOllamaStandin();
  standins.bedrock = await startBedrockStandin({ protocol: 'h2c' });
  const providers = ['openai', 'anthropic', 'gcp.gemini', 'mistral_ai', 'cohere', 'ollama', 'aws.bedrock'];
  const names = ['openai', 'anthropic', 'gemini', 'mistral', 'cohere', 'ollama', 'bedrock'];
  configureProviderHosts(names.map((n, i) => `127.0.0.1:${standins[n]!.port}=${providers[i]}`).join(','));
  openai = new OpenAI({ baseURL: `${standins.openai.url}/v1`, apiKey: KEYS.openai, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: standins.anthropic.url, apiKey: KEYS.anthropic, maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: KEYS.gemini, httpOptions: { baseUrl: standins.gemini.url } });
  mistral = new Mistral({ apiKey: KEYS.mistral, serverURL: standins.mistral.url });
  cohere = new CohereClientV2({ token: KEYS.cohere, environment: standins.cohere.url, maxRetries: 0 });
  bedrock = new BedrockRuntimeClient({
    endpoint: standins.bedrock.url,
    region: 'us-east-1',
    credentials: { accessKeyId: KEYS.awsAccessKey, secretAccessKey: KEYS.awsSecret },
    maxAttempts: 1,
  });
  ollama = new ollamaSdk.Ollama({
    host: standins.ollama.url,
    headers: { Authorization: `Bearer ${KEYS.ollama}` },
  });
});
afterAll(async () => {
  bedrock.destroy();
  for (const s of Object.values(standins)) await s.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());
afterEach(() => {
  runtime.content = defaultContent;
});

function capture(options: { maxBytes?: number; patterns?: RegExp[] } = {}): void {
  runtime.content = contentSettings(
    { captureMessageContent: true, contentMaxBytes: options.maxBytes, redactPatterns: options.patterns },
    {},
  ).settings;
}

async function ourSpan(): Promise<ReadableSpan> {
  const { ours, all } = await waitForOurs(tracing, 1, 10_000, 50);
  expect(ours).toHaveLength(1);
  assertNoSecrets(all, ALL_SECRETS);
  return ours[0]!;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface Message {
  role: string;
  parts: Array<{ type: string; content?: string; name?: string; arguments?: unknown }>;
  finish_reason?: string;
}

function messages(span: ReadableSpan, key: string): Message[] | undefined {
  const v = attrs(span)[key];
  return typeof v === 'string' ? (JSON.parse(v) as Message[]) : undefined;
}

/** The text parts of the output, in order. */
function outputText(span: ReadableSpan): string {
  return (messages(span, 'gen_ai.output.messages') ?? [])
    .flatMap((m) => m.parts)
    .filter((p) => p.type === 'text')
    .map((p) => p.content)
    .join('');
}

function inputText(span: ReadableSpan): string {
  return (messages(span, 'gen_ai.input.messages') ?? [])
    .flatMap((m) => m.parts)
    .filter((p) => p.type === 'text')
    .map((p) => p.content)
    .join('\n');
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Each provider: one call whose output text the app sees, and the credential the span must fingerprint. */
const CALLS: ReadonlyArray<{
  name: string;
  credential: string;
  standin: string;
  run: (prompt: string) => Promise<string>;
}> = [
  {
    name: 'openai chat',
    credential: KEYS.openai,
    standin: 'openai',
    run: async (prompt) => {
      const r = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: prompt }],
      });
      return r.choices[0]!.message.content ?? '';
    },
  },
  {
    name: 'openai chat stream',
    credential: KEYS.openai,
    standin: 'openai',
    run: async (prompt) => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 6,
      });
      return (await collect(stream)).map((c) => c.choices[0]?.delta.content ?? '').join('');
    },
  },
  {
    name: 'openai responses stream',
    credential: KEYS.openai,
    standin: 'openai',
    run: async (prompt) => {
      const stream = await openai.responses.create({ model: 'gpt-4o', input: prompt, stream: true });
      return (await collect(stream))
        .map((e) => (e.type === 'response.output_text.delta' ? e.delta : ''))
        .join('');
    },
  },
  {
    name: 'anthropic messages.create',
    credential: KEYS.anthropic,
    standin: 'anthropic',
    run: async (prompt) => {
      const r = await anthropic.messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      });
      return r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    },
  },
  {
    name: 'anthropic messages.stream',
    credential: KEYS.anthropic,
    standin: 'anthropic',
    run: async (prompt) => {
      const stream = anthropic.messages.stream({
        model: 'claude-sonnet-5-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: prompt }],
      });
      return (await stream.finalText()) ?? '';
    },
  },
  {
    name: 'gemini generateContent',
    credential: KEYS.gemini,
    standin: 'gemini',
    run: async (prompt) => {
      const r = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: prompt });
      return r.text ?? '';
    },
  },
  {
    name: 'gemini generateContentStream',
    credential: KEYS.gemini,
    standin: 'gemini',
    run: async (prompt) => {
      const stream = await genai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: prompt,
      });
      return (await collect(stream)).map((c) => c.text ?? '').join('');
    },
  },
  {
    name: 'bedrock Converse',
    credential: KEYS.awsAccessKey,
    standin: 'bedrock',
    run: async (prompt) => {
      const r = await bedrock.send(
        new ConverseCommand({
          modelId: 'amazon.nova-pro-v1:0',
          messages: [{ role: 'user', content: [{ text: prompt }] }],
        }),
      );
      return (r.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
    },
  },
  {
    name: 'bedrock ConverseStream',
    credential: KEYS.awsAccessKey,
    standin: 'bedrock',
    run: async (prompt) => {
      const r = await bedrock.send(
        new ConverseStreamCommand({
          modelId: 'amazon.nova-pro-v1:0',
          messages: [{ role: 'user', content: [{ text: prompt }] }],
        }),
      );
      return (await collect(r.stream!)).map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
    },
  },
  {
    name: 'mistral chat.stream',
    credential: KEYS.mistral,
    standin: 'mistral',
    run: async (prompt) => {
      const stream = await mistral.chat.stream({
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: prompt }],
      });
      return (await collect(stream)).map((e) => String(e.data.choices[0]?.delta.content ?? '')).join('');
    },
  },
  {
    name: 'cohere v2 chat',
    credential: KEYS.cohere,
    standin: 'cohere',
    run: async (prompt) => {
      const r = await cohere.chat({
        model: 'command-a-03-2025',
        messages: [{ role: 'user', content: prompt }],
      });
      return (r.message.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
    },
  },
  {
    name: 'ollama chat stream',
    credential: KEYS.ollama,
    standin: 'ollama',
    run: async (prompt) => {
      const stream = await ollama.chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: prompt }],
        stream: true,
      });
      return (await collect(stream)).map((p) => p.message.content).join('');
    },
  },
];

describe('with content capture off (the default)', () => {
  it.each(CALLS)('$name: key fingerprint and request hash, no content', async (c) => {
    const before = standins[c.standin]!.requests.length;
    await c.run('Say hello');
    const span = await ourSpan();
    const a = attrs(span);
    expect(a['ailedger.api_key.fingerprint']).toBe(apiKeyFingerprint(c.credential));
    const sent = standins[c.standin]!.requests.slice(before).at(-1)!;
    expect(a['ailedger.content.request_sha256']).toBe(sha256(sent.body));
    expect(a['ailedger.content.response_sha256']).toMatch(/^[0-9a-f]{64}$/);
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) {
      expect(a[key]).toBeUndefined();
    }
  });

  it('pasted secrets: only hashes leave the process', async () => {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: SECRET_PROMPT }],
    });
    const span = await ourSpan();
    expect(attrs(span)['ailedger.content.request_sha256']).toBe(
      sha256(standins.openai!.requests.at(-1)!.body),
    );
  });

  it('the response hash is of the body as the app reads it, also when it came gzip-compressed', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', stream: true, max_tokens: 8, messages: [] });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEYS.openai}` };
    const viaFetch = await fetch(`${standins.openai!.url}/gzip/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'accept-encoding': 'gzip' },
      body,
    }).then((r) => r.text());
    const fetched = await ourSpan();
    expect(attrs(fetched)['ailedger.content.response_sha256']).toBe(sha256(viaFetch));
    tracing.reset();
    // node:http hands the app the compressed bytes; the hash is of the content they decode to.
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const req = http.request(
        `${standins.openai!.url}/gzip/v1/chat/completions`,
        { method: 'POST', headers: { ...headers, 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const viaHttp = await ourSpan();
    expect(attrs(viaHttp)['ailedger.content.response_sha256']).toBe(sha256(zlib.gunzipSync(raw)));
    expect(attrs(viaHttp)['ailedger.content.request_sha256']).toBe(sha256(body));
  });
});

describe('with content capture on', () => {
  it.each(CALLS)('$name: input and output messages in the conventions shape', async (c) => {
    capture();
    const appText = await c.run('Say hello');
    const span = await ourSpan();
    const input = messages(span, 'gen_ai.input.messages')!;
    expect(input.at(-1)!.role).toBe('user');
    expect(inputText(span)).toContain('Say hello');
    const output = messages(span, 'gen_ai.output.messages')!;
    expect(output.length).toBeGreaterThanOrEqual(1);
    expect(output[0]!.role).toBe('assistant');
    expect(typeof output[0]!.finish_reason).toBe('string');
    expect(appText.length).toBeGreaterThan(0);
    expect(outputText(span)).toBe(appText);
    expect(attrs(span)['ailedger.api_key.fingerprint']).toBe(apiKeyFingerprint(c.credential));
  });

  it('system instructions and tool calls (Anthropic system, OpenAI assistant tool calls and tool results)', async () => {
    capture();
    await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 50,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const claude = await ourSpan();
    expect(attrs(claude)['gen_ai.system_instructions']).toBe('[{"type":"text","content":"Be brief."}]');
    tracing.reset();
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy, 57°F' },
      ],
    });
    const span = await ourSpan();
    expect(messages(span, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
    ]);
  });

  it('redacts pasted secrets in input and output, streamed or not, and keeps the rest', async () => {
    capture({ patterns: [/ticket-\d{6}/] });
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `${SECRET_PROMPT} see ticket-123456` }],
    });
    const span = await ourSpan();
    const input = inputText(span);
    for (const kind of ['api_key', 'aws_access_key', 'email', 'card_number', 'private_key']) {
      expect(input).toContain(`[REDACTED:${kind}]`);
    }
    expect(input).toContain('[REDACTED]');
    expect(input).toContain('Please debug:');
    tracing.reset();
    // Bedrock's stand-in answers with fixed text; a stream passes through the same redaction.
    const r = await bedrock.send(
      new ConverseStreamCommand({
        modelId: 'amazon.nova-pro-v1:0',
        messages: [{ role: 'user', content: [{ text: SECRET_PROMPT }] }],
      }),
    );
    await collect(r.stream!);
    const streamed = await ourSpan();
    expect(outputText(streamed)).toBe(BEDROCK_STANDIN.text);
    expect(inputText(streamed)).toContain('[REDACTED:private_key]');
  });

  it('truncates each attribute to AILEDGER_CONTENT_MAX_BYTES with a visible marker, as valid JSON', async () => {
    capture({ maxBytes: 1024 });
    const long = `${'All work and no play. '.repeat(2_000)}The end.`;
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: long },
        { role: 'user', content: 'Summarise.' },
      ],
    });
    const span = await ourSpan();
    const json = attrs(span)['gen_ai.input.messages'] as string;
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024);
    const input = JSON.parse(json) as Message[];
    expect(input[0]!.parts[0]!.content).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(input[1]!.parts[0]!.content).toBe('Summarise.');
    // The request hash is still of everything sent.
    expect(attrs(span)['ailedger.content.request_sha256']).toBe(
      sha256(standins.openai!.requests.at(-1)!.body),
    );
  });
});
