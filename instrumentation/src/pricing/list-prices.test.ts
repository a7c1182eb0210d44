/**
 * Real model ids priced against list prices written here by hand, from each provider's published price page
 * (USD per 1M tokens), never from the library under test. Each literal was checked once against genai-prices
 * 0.1.8 and the cross-checked table of the project's reference notes; where they disagree the comment says so.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TokenUsage } from '../model-call.js';
import { GENAI_PRICES_VERSION } from './catalog.js';
import { Pricer } from './pricer.js';
import type { CallCost } from './types.js';

interface ListPrice {
  input: number;
  cachedInput?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  output?: number;
}

// openai.com/api/pricing (platform.openai.com/docs/pricing)
const GPT4O = { input: 2.5, cachedInput: 1.25, output: 10 };
const GPT4O_MINI = { input: 0.15, cachedInput: 0.075, output: 0.6 };
const GPT41 = { input: 2, cachedInput: 0.5, output: 8 };
const GPT5 = { input: 1.25, cachedInput: 0.125, output: 10 };
const GPT5_MINI = { input: 0.25, cachedInput: 0.025, output: 2 };
const O4_MINI = { input: 1.1, cachedInput: 0.275, output: 4.4 };
const TEXT_EMBEDDING_3_SMALL = { input: 0.02 };
// o3 was cut by 80 % on 2025-06-10 (openai.com/api/pricing; OpenAI's announcement that day).
const O3_BEFORE_2025_06_10 = { input: 10, output: 40 };
const O3_FROM_2025_06_10 = { input: 2, cachedInput: 0.5, output: 8 };
// gpt-audio: text $2.50 / $10, audio $32 in / $64 out.
const GPT_AUDIO = { input: 2.5, output: 10, audioInput: 32, audioOutput: 64 };
// anthropic.com/pricing#api: 5-minute cache writes 1.25x input, 1-hour writes 2x input, cache reads 0.1x.
const SONNET_45 = { input: 3, cachedInput: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 };
const SONNET_45_OVER_200K = { input: 6, cachedInput: 0.6, cacheWrite5m: 7.5, cacheWrite1h: 12, output: 22.5 };
const HAIKU_45 = { input: 1, cachedInput: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2, output: 5 };
const OPUS_41 = { input: 15, cachedInput: 1.5, cacheWrite5m: 18.75, cacheWrite1h: 30, output: 75 };
const OPUS_45 = { input: 5, cachedInput: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25 };
const HAIKU_35 = { input: 0.8, cachedInput: 0.08, cacheWrite5m: 1, cacheWrite1h: 1.6, output: 4 };
// aws.amazon.com/bedrock/pricing: Claude Sonnet 4.5 and later cost 10 % more on regional endpoints and
// geographic (us./eu./apac.) profiles than on global. genai-prices prices a bare id as regional too (the
// reference table's LiteLLM column says 3.00 for the bare id; AWS bills in-region calls at the regional rate).
const BEDROCK_SONNET_45_REGIONAL = { input: 3.3, cachedInput: 0.33, cacheWrite5m: 4.125, output: 16.5 };
const BEDROCK_SONNET_45_GLOBAL = { input: 3, cachedInput: 0.3, cacheWrite5m: 3.75, output: 15 };
const BEDROCK_HAIKU_45_REGIONAL = { input: 1.1, cachedInput: 0.11, cacheWrite5m: 1.375, output: 5.5 };
const NOVA_PRO = { input: 0.8, cachedInput: 0.2, output: 3.2 };
const NOVA_MICRO = { input: 0.035, cachedInput: 0.00875, output: 0.14 };
// AWS lists Titan Text Express at $0.0002 / $0.0006 per 1K; the reference table's LiteLLM column (1.30 / 1.70)
// is the outdated one, genai-prices agrees with AWS.
const TITAN_TEXT_EXPRESS = { input: 0.2, output: 0.6 };
const BEDROCK_LLAMA_33_70B = { input: 0.72, output: 0.72 };
// ai.google.dev/gemini-api/docs/pricing (Vertex AI lists the same for these models).
const GEMINI_25_PRO = { input: 1.25, cachedInput: 0.125, output: 10 };
const GEMINI_25_PRO_OVER_200K = { input: 2.5, cachedInput: 0.25, output: 15 };
const GEMINI_25_FLASH = { input: 0.3, cachedInput: 0.03, output: 2.5 };
const GEMINI_25_FLASH_AUDIO_INPUT = 1;
const GEMINI_25_FLASH_LITE = { input: 0.1, cachedInput: 0.01, output: 0.4 };
const GEMINI_20_FLASH = { input: 0.1, cachedInput: 0.025, output: 0.4 };
// azure.microsoft.com/pricing/details/cognitive-services/openai-service (Global deployments).
const AZURE_O3_MINI = { input: 1.1, cachedInput: 0.55, output: 4.4 };
// mistral.ai/pricing
const MISTRAL_LARGE_3 = { input: 0.5, output: 1.5 };
const CODESTRAL_2508 = { input: 0.3, output: 0.9 };
const PIXTRAL_LARGE = { input: 2, output: 6 };
// cohere.com/pricing
const COMMAND_R_PLUS = { input: 2.5, output: 10 };
const COMMAND_R = { input: 0.15, output: 0.6 };
const COMMAND_A = { input: 2.5, output: 10 };
const EMBED_V4 = { input: 0.12 };
// groq.com/pricing
const GROQ_LLAMA_33_70B = { input: 0.59, output: 0.79 };
const GROQ_LLAMA_31_8B = { input: 0.05, output: 0.08 };
// docs.x.ai/docs/models
const GROK_4 = { input: 3, cachedInput: 0.75, output: 15 };
const GROK_3_MINI = { input: 0.3, cachedInput: 0.075, output: 0.5 };
const GROK_4_FAST = { input: 0.2, cachedInput: 0.05, output: 0.5 };
// together.ai/pricing, fireworks.ai/pricing, cerebras.ai/pricing, platform.moonshot.ai pricing
const TOGETHER_LLAMA_33_70B = { input: 0.88, output: 0.88 };
const FIREWORKS_LLAMA_31_8B = { input: 0.2, output: 0.2 };
const CEREBRAS_LLAMA_33_70B = { input: 0.85, output: 1.2 };
const KIMI_K2_0905 = { input: 0.6, cachedInput: 0.15, output: 2.5 };
// api-docs.deepseek.com/quick_start/pricing as published from February to 5 September 2025: standard hours,
// and 50 % off from 16:30 to 00:30 UTC.
const DEEPSEEK_CHAT_2025 = { input: 0.27, cachedInput: 0.07, output: 1.1 };
const DEEPSEEK_CHAT_2025_OFF_PEAK = { input: 0.135, cachedInput: 0.035, output: 0.55 };

interface Tokens {
  input: number;
  cacheRead?: number;
  write5m?: number;
  write1h?: number;
  output?: number;
}

/** The hand formula: uncached input, cache reads, 5-minute and 1-hour writes and output, each at its own rate. */
function byHand(p: ListPrice, t: Tokens): number {
  const cacheRead = t.cacheRead ?? 0;
  const write5m = t.write5m ?? 0;
  const write1h = t.write1h ?? 0;
  if (cacheRead > 0 && p.cachedInput === undefined) throw new Error('test bug: no cached price');
  if (write5m > 0 && p.cacheWrite5m === undefined) throw new Error('test bug: no cache-write price');
  if (write1h > 0 && p.cacheWrite1h === undefined) throw new Error('test bug: no 1h cache-write price');
  const uncached = t.input - cacheRead - write5m - write1h;
  return (
    (uncached * p.input +
      cacheRead * (p.cachedInput ?? 0) +
      write5m * (p.cacheWrite5m ?? 0) +
      write1h * (p.cacheWrite1h ?? 0) +
      (t.output ?? 0) * (p.output ?? 0)) /
    1e6
  );
}

function usageOf(t: Tokens): TokenUsage {
  const u: TokenUsage = { inputTokens: t.input };
  if (t.output !== undefined) u.outputTokens = t.output;
  if (t.cacheRead !== undefined) u.cacheReadInputTokens = t.cacheRead;
  if (t.write5m !== undefined || t.write1h !== undefined) {
    u.cacheCreationInputTokens = (t.write5m ?? 0) + (t.write1h ?? 0);
    if (t.write5m !== undefined) u.cacheCreation5mInputTokens = t.write5m;
    if (t.write1h !== undefined) u.cacheCreation1hInputTokens = t.write1h;
  }
  return u;
}

const NOV_2025 = Date.parse('2025-11-03T12:00:00Z');
const pricer = new Pricer({ overridesFile: false, priceData: false });

function price(
  provider: string,
  models: { response?: string; request?: string },
  usage: TokenUsage | undefined,
  timestampMs = NOV_2025,
): CallCost {
  return pricer.price({
    provider,
    responseModel: models.response,
    requestModel: models.request,
    usage,
    timestampMs,
  });
}

const CHAT: Tokens = { input: 12_000, output: 1_500 };
const CHAT_CACHED: Tokens = { input: 12_000, cacheRead: 4_000, output: 1_500 };
const CLAUDE_CACHED: Tokens = {
  input: 30_000,
  cacheRead: 20_000,
  write5m: 3_000,
  write1h: 2_000,
  output: 2_500,
};
const EMBEDDING: Tokens = { input: 8_000 };

interface Case {
  provider: string;
  response?: string;
  request?: string;
  list: ListPrice;
  tokens: Tokens;
  matched: string;
}

const ARN_NOVA = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0';
const VERTEX_FLASH = 'projects/acme/locations/us-central1/publishers/google/models/gemini-2.0-flash-001';

const CASES: Case[] = [
  {
    provider: 'openai',
    response: 'gpt-4o-2024-08-06',
    list: GPT4O,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-4o',
  },
  {
    provider: 'openai',
    response: 'gpt-4o-mini-2024-07-18',
    list: GPT4O_MINI,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-4o-mini',
  },
  {
    provider: 'openai',
    response: 'gpt-4.1-2025-04-14',
    list: GPT41,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-4.1',
  },
  {
    provider: 'openai',
    response: 'gpt-5-2025-08-07',
    list: GPT5,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-5',
  },
  {
    provider: 'openai',
    response: 'gpt-5-mini-2025-08-07',
    list: GPT5_MINI,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-5-mini',
  },
  {
    provider: 'openai',
    response: 'o4-mini-2025-04-16',
    list: O4_MINI,
    tokens: CHAT_CACHED,
    matched: 'openai:o4-mini',
  },
  {
    provider: 'openai',
    request: 'text-embedding-3-small',
    list: TEXT_EMBEDDING_3_SMALL,
    tokens: EMBEDDING,
    matched: 'openai:text-embedding-3-small',
  },
  {
    provider: 'anthropic',
    response: 'claude-sonnet-4-5-20250929',
    list: SONNET_45,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-sonnet-4-5',
  },
  {
    provider: 'anthropic',
    response: 'claude-haiku-4-5-20251001',
    list: HAIKU_45,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-haiku-4-5',
  },
  {
    provider: 'anthropic',
    response: 'claude-opus-4-1-20250805',
    list: OPUS_41,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-opus-4-1',
  },
  {
    provider: 'anthropic',
    response: 'claude-opus-4-5-20251101',
    list: OPUS_45,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-opus-4-5',
  },
  {
    provider: 'anthropic',
    response: 'claude-3-5-haiku-20241022',
    list: HAIKU_35,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-3-5-haiku-latest',
  },
  {
    provider: 'aws.bedrock',
    request: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    list: BEDROCK_SONNET_45_REGIONAL,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0',
  },
  {
    provider: 'aws.bedrock',
    request: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    list: BEDROCK_SONNET_45_GLOBAL,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'aws:global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  },
  {
    provider: 'aws.bedrock',
    request: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
    list: BEDROCK_HAIKU_45_REGIONAL,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'aws:regional.anthropic.claude-haiku-4-5-20251001-v1:0',
  },
  {
    provider: 'aws.bedrock',
    request: ARN_NOVA,
    list: NOVA_PRO,
    tokens: CHAT_CACHED,
    matched: 'aws:amazon.nova-pro-v1:0',
  },
  {
    provider: 'aws.bedrock',
    request: 'amazon.nova-micro-v1:0',
    list: NOVA_MICRO,
    tokens: CHAT_CACHED,
    matched: 'aws:amazon.nova-micro-v1:0',
  },
  {
    provider: 'aws.bedrock',
    request: 'amazon.titan-text-express-v1',
    list: TITAN_TEXT_EXPRESS,
    tokens: CHAT,
    matched: 'aws:amazon.titan-text-express-v1',
  },
  {
    provider: 'aws.bedrock',
    request: 'us.meta.llama3-3-70b-instruct-v1%3A0',
    list: BEDROCK_LLAMA_33_70B,
    tokens: CHAT,
    matched: 'aws:meta.llama3-3-70b-instruct-v1:0',
  },
  {
    provider: 'gcp.gemini',
    response: 'gemini-2.5-pro',
    list: GEMINI_25_PRO,
    tokens: CHAT_CACHED,
    matched: 'google:gemini-2.5-pro',
  },
  {
    provider: 'gcp.gemini',
    response: 'gemini-2.5-flash',
    list: GEMINI_25_FLASH,
    tokens: CHAT_CACHED,
    matched: 'google:gemini-2.5-flash',
  },
  {
    provider: 'gcp.gemini',
    request: 'models/gemini-2.5-flash-lite',
    list: GEMINI_25_FLASH_LITE,
    tokens: CHAT_CACHED,
    matched: 'google:gemini-2.5-flash-lite',
  },
  {
    provider: 'gcp.vertex_ai',
    request: VERTEX_FLASH,
    list: GEMINI_20_FLASH,
    tokens: CHAT_CACHED,
    matched: 'google:gemini-2.0-flash',
  },
  // Vertex AI's Claude price (global endpoint) equals Anthropic's; genai-prices has no 1-hour rate here.
  {
    provider: 'gcp.vertex_ai',
    response: 'claude-sonnet-4-5@20250929',
    list: SONNET_45,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'google:claude-sonnet-4-5',
  },
  {
    provider: 'gcp.vertex_ai',
    request: 'publishers/anthropic/models/claude-opus-4-1@20250805',
    list: OPUS_41,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'google:claude-4-opus',
  },
  // Azure: the deployment name says nothing; the response names the model (priced at OpenAI's list via the
  // library's Azure → OpenAI fallback, which is Azure's Global price for gpt-4o).
  {
    provider: 'azure.ai.openai',
    request: 'prod-chat',
    response: 'gpt-4o-2024-08-06',
    list: GPT4O,
    tokens: CHAT_CACHED,
    matched: 'openai:gpt-4o',
  },
  {
    provider: 'azure.ai.openai',
    request: 'reasoning-eu',
    response: 'o3-mini-2025-01-31',
    list: AZURE_O3_MINI,
    tokens: CHAT_CACHED,
    matched: 'azure:o3-mini',
  },
  // openrouter.ai/models: OpenRouter bills inference at the vendor's price.
  {
    provider: 'openrouter',
    response: 'openai/gpt-4o-mini',
    list: GPT4O_MINI,
    tokens: CHAT_CACHED,
    matched: 'openrouter:openai/gpt-4o-mini',
  },
  {
    provider: 'openrouter',
    response: 'anthropic/claude-sonnet-4.5',
    list: SONNET_45,
    tokens: { input: 30_000, cacheRead: 20_000, write5m: 3_000, output: 2_500 },
    matched: 'openrouter:anthropic/claude-sonnet-4.5',
  },
  // Not in OpenRouter's list: the vendor's own list applies.
  {
    provider: 'openrouter',
    response: 'anthropic/claude-haiku-4-5',
    list: HAIKU_45,
    tokens: CLAUDE_CACHED,
    matched: 'anthropic:claude-haiku-4-5',
  },
  {
    provider: 'openrouter',
    response: 'google/gemini-2.0-flash',
    list: GEMINI_20_FLASH,
    tokens: CHAT_CACHED,
    matched: 'google:gemini-2.0-flash',
  },
  {
    provider: 'mistral_ai',
    response: 'mistral-large-2512',
    list: MISTRAL_LARGE_3,
    tokens: CHAT,
    matched: 'mistral:mistral-large-2512',
  },
  {
    provider: 'mistral_ai',
    response: 'codestral-2508',
    list: CODESTRAL_2508,
    tokens: CHAT,
    matched: 'mistral:codestral-2508',
  },
  {
    provider: 'mistral_ai',
    response: 'pixtral-large-2411',
    list: PIXTRAL_LARGE,
    tokens: CHAT,
    matched: 'mistral:pixtral-large',
  },
  {
    provider: 'cohere',
    response: 'command-r-plus-08-2024',
    list: COMMAND_R_PLUS,
    tokens: CHAT,
    matched: 'cohere:command-r-plus',
  },
  {
    provider: 'cohere',
    response: 'command-r-08-2024',
    list: COMMAND_R,
    tokens: CHAT,
    matched: 'cohere:command-r',
  },
  {
    provider: 'cohere',
    response: 'command-a-03-2025',
    list: COMMAND_A,
    tokens: CHAT,
    matched: 'cohere:command-a',
  },
  {
    provider: 'cohere',
    request: 'embed-v4.0',
    list: EMBED_V4,
    tokens: EMBEDDING,
    matched: 'cohere:embed-v4.0',
  },
  {
    provider: 'groq',
    response: 'llama-3.3-70b-versatile',
    list: GROQ_LLAMA_33_70B,
    tokens: CHAT,
    matched: 'groq:llama-3.3-70b-versatile',
  },
  {
    provider: 'groq',
    response: 'llama-3.1-8b-instant',
    list: GROQ_LLAMA_31_8B,
    tokens: CHAT,
    matched: 'groq:llama-3.1-8b-instant',
  },
  {
    provider: 'x_ai',
    response: 'grok-4-0709',
    list: GROK_4,
    tokens: CHAT_CACHED,
    matched: 'x-ai:grok-4-0709',
  },
  {
    provider: 'x_ai',
    response: 'grok-3-mini',
    list: GROK_3_MINI,
    tokens: CHAT_CACHED,
    matched: 'x-ai:grok-3-mini',
  },
  {
    provider: 'x_ai',
    response: 'grok-4-fast-reasoning',
    list: GROK_4_FAST,
    tokens: CHAT_CACHED,
    matched: 'x-ai:grok-4-fast-reasoning',
  },
  {
    provider: 'together_ai',
    response: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    list: TOGETHER_LLAMA_33_70B,
    tokens: CHAT,
    matched: 'together:meta-llama/Llama-3.3-70B-Instruct-Turbo',
  },
  {
    provider: 'fireworks',
    response: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
    list: FIREWORKS_LLAMA_31_8B,
    tokens: CHAT,
    matched: 'fireworks:llama-v3p1-8b-instruct',
  },
  {
    provider: 'cerebras',
    response: 'llama-3.3-70b',
    list: CEREBRAS_LLAMA_33_70B,
    tokens: CHAT,
    matched: 'cerebras:llama-3.3-70b',
  },
  {
    provider: 'moonshot_ai',
    response: 'kimi-k2-0905-preview',
    list: KIMI_K2_0905,
    tokens: CHAT_CACHED,
    matched: 'moonshotai:kimi-k2-0905-preview',
  },
];

describe('list prices of real model ids', () => {
  it('covers at least 30 distinct model ids', () => {
    expect(new Set(CASES.map((c) => c.response ?? c.request)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => ({ ...c, id: c.response ?? c.request })))('$provider $id', (c) => {
    const cost = price(c.provider, { response: c.response, request: c.request }, usageOf(c.tokens));
    expect(cost.status).toBe('priced');
    expect(cost.matchedModel).toBe(c.matched);
    expect(cost.source).toBe(`genai-prices@${GENAI_PRICES_VERSION}`);
    expect(cost.totalUsd).toBeCloseTo(byHand(c.list, c.tokens), 12);
    const sum = cost.inputUsd! + cost.cacheReadUsd! + cost.cacheWriteUsd! + cost.outputUsd!;
    expect(cost.totalUsd).toBeCloseTo(sum, 15);
  });

  it('splits the cost into components', () => {
    // Sonnet 4.5: 5,000 uncached, 20,000 cache reads, 3,000 5-minute and 2,000 1-hour writes, 2,500 output.
    const cost = price('anthropic', { response: 'claude-sonnet-4-5-20250929' }, usageOf(CLAUDE_CACHED));
    expect(cost.inputUsd).toBeCloseTo((5_000 * SONNET_45.input) / 1e6, 15);
    expect(cost.cacheReadUsd).toBeCloseTo((20_000 * SONNET_45.cachedInput) / 1e6, 15);
    expect(cost.cacheWriteUsd).toBeCloseTo(
      (3_000 * SONNET_45.cacheWrite5m + 2_000 * SONNET_45.cacheWrite1h) / 1e6,
      15,
    );
    expect(cost.outputUsd).toBeCloseTo((2_500 * SONNET_45.output) / 1e6, 15);
    expect(cost.tier).toBeUndefined();
    expect(cost.notes).toBeUndefined();
  });

  it('checks its version constant against the installed genai-prices', () => {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe(GENAI_PRICES_VERSION);
  });
});

describe('token classes', () => {
  it('prices OpenAI cached input at the cached rate (cached tokens are inside input_tokens)', () => {
    const cost = price(
      'openai',
      { response: 'gpt-4o-2024-08-06' },
      { inputTokens: 10_000, cacheReadInputTokens: 8_000, outputTokens: 0 },
    );
    expect(cost.inputUsd).toBeCloseTo((2_000 * GPT4O.input) / 1e6, 15);
    expect(cost.cacheReadUsd).toBeCloseTo((8_000 * GPT4O.cachedInput) / 1e6, 15);
    expect(cost.totalUsd).toBeCloseTo(0.005 + 0.01, 15);
  });

  it('prices a 1-hour write at 2x input and a 5-minute write at 1.25x input', () => {
    const oneHour = price(
      'anthropic',
      { response: 'claude-haiku-4-5-20251001' },
      usageOf({ input: 100_000, write1h: 100_000 }),
    );
    const fiveMin = price(
      'anthropic',
      { response: 'claude-haiku-4-5-20251001' },
      usageOf({ input: 100_000, write5m: 100_000 }),
    );
    expect(oneHour.cacheWriteUsd).toBeCloseTo((100_000 * 2 * HAIKU_45.input) / 1e6, 15);
    expect(fiveMin.cacheWriteUsd).toBeCloseTo((100_000 * 1.25 * HAIKU_45.input) / 1e6, 15);
    expect(oneHour.inputUsd).toBe(0);
  });

  it('treats unsplit cache writes as 5-minute writes', () => {
    const cost = price(
      'anthropic',
      { response: 'claude-opus-4-5-20251101' },
      { inputTokens: 10_000, cacheCreationInputTokens: 4_000, outputTokens: 100 },
    );
    expect(cost.cacheWriteUsd).toBeCloseTo((4_000 * OPUS_45.cacheWrite5m) / 1e6, 15);
    expect(cost.totalUsd).toBeCloseTo((6_000 * 5 + 4_000 * 6.25 + 100 * 25) / 1e6, 15);
  });

  it('derives a 1-hour write rate of 2x input where the data has none (Bedrock Claude) and says so', () => {
    const cost = price(
      'aws.bedrock',
      { request: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      usageOf({ input: 10_000, write5m: 1_000, write1h: 1_000, output: 0 }),
    );
    const regional = BEDROCK_SONNET_45_REGIONAL;
    expect(cost.cacheWriteUsd).toBeCloseTo(
      (1_000 * regional.cacheWrite5m + 1_000 * 2 * regional.input) / 1e6,
      15,
    );
    expect(cost.notes).toEqual([
      '1-hour cache writes priced at 2x the input price (Anthropic rule; not in the data)',
    ]);
  });

  it('prices reasoning tokens at the output rate (they are inside output_tokens)', () => {
    const cost = price(
      'openai',
      { response: 'gpt-5-2025-08-07' },
      { inputTokens: 1_000, outputTokens: 9_000, reasoningOutputTokens: 8_000 },
    );
    expect(cost.outputUsd).toBeCloseTo((9_000 * GPT5.output) / 1e6, 15);
    const gemini = price(
      'gcp.gemini',
      { response: 'gemini-2.5-flash' },
      { inputTokens: 2_000, outputTokens: 5_000, reasoningOutputTokens: 4_200 },
    );
    expect(gemini.totalUsd).toBeCloseTo(
      (2_000 * GEMINI_25_FLASH.input + 5_000 * GEMINI_25_FLASH.output) / 1e6,
      15,
    );
  });

  it('prices audio tokens at their own rates', () => {
    const cost = price(
      'openai',
      { response: 'gpt-audio-2025-08-28' },
      { inputTokens: 3_000, audioInputTokens: 2_000, outputTokens: 1_500, audioOutputTokens: 1_000 },
    );
    const expected =
      (1_000 * GPT_AUDIO.input +
        2_000 * GPT_AUDIO.audioInput +
        500 * GPT_AUDIO.output +
        1_000 * GPT_AUDIO.audioOutput) /
      1e6;
    expect(cost.totalUsd).toBeCloseTo(expected, 15);
    // Gemini: audio input $1.00; cache reads taken as text while text can hold them.
    const gemini = price(
      'gcp.gemini',
      { response: 'gemini-2.5-flash' },
      { inputTokens: 10_000, audioInputTokens: 3_000, cacheReadInputTokens: 5_000, outputTokens: 0 },
    );
    const flash =
      (2_000 * GEMINI_25_FLASH.input +
        3_000 * GEMINI_25_FLASH_AUDIO_INPUT +
        5_000 * GEMINI_25_FLASH.cachedInput) /
      1e6;
    expect(gemini.totalUsd).toBeCloseTo(flash, 15);
  });

  it('bills cache reads at the input rate when the entry has no cache-read price', () => {
    // OpenRouter lists gpt-4o without a cached price; the conservative reading is the full input price.
    const cost = price(
      'openrouter',
      { response: 'openai/gpt-4o' },
      { inputTokens: 10_000, cacheReadInputTokens: 4_000, outputTokens: 0 },
    );
    expect(cost.cacheReadUsd).toBeCloseTo((4_000 * GPT4O.input) / 1e6, 15);
    expect(cost.totalUsd).toBeCloseTo((10_000 * GPT4O.input) / 1e6, 15);
  });
});

describe('long-context tiers', () => {
  it('applies Gemini 2.5 Pro > 200k prices to the whole request', () => {
    const t: Tokens = { input: 250_000, cacheRead: 50_000, output: 4_000 };
    const cost = price('gcp.gemini', { response: 'gemini-2.5-pro' }, usageOf(t));
    expect(cost.totalUsd).toBeCloseTo(byHand(GEMINI_25_PRO_OVER_200K, t), 12);
    expect(cost.tier).toBe('input_tokens>200000');
  });

  it('counts cache reads and writes toward the Claude Sonnet 4.5 200k threshold', () => {
    const t: Tokens = { input: 260_000, cacheRead: 200_000, write5m: 30_000, write1h: 10_000, output: 3_000 };
    const cost = price('anthropic', { response: 'claude-sonnet-4-5-20250929' }, usageOf(t));
    expect(cost.totalUsd).toBeCloseTo(byHand(SONNET_45_OVER_200K, t), 12);
    expect(cost.tier).toBe('input_tokens>200000');
  });

  it('keeps base prices at exactly 200k input tokens', () => {
    const t: Tokens = { input: 200_000, output: 1_000 };
    const cost = price('gcp.gemini', { response: 'gemini-2.5-pro' }, usageOf(t));
    expect(cost.totalUsd).toBeCloseTo(byHand(GEMINI_25_PRO, t), 12);
    expect(cost.tier).toBeUndefined();
  });
});

describe('prices at the time of the call', () => {
  it('prices o3 before and after its 2025-06-10 price cut', () => {
    const t: Tokens = { input: 100_000, output: 20_000 };
    const before = price(
      'openai',
      { response: 'o3-2025-04-16' },
      usageOf(t),
      Date.parse('2025-06-09T23:59:59Z'),
    );
    const after = price(
      'openai',
      { response: 'o3-2025-04-16' },
      usageOf(t),
      Date.parse('2025-06-10T00:00:00Z'),
    );
    expect(before.totalUsd).toBeCloseTo(byHand(O3_BEFORE_2025_06_10, t), 12);
    expect(after.totalUsd).toBeCloseTo(byHand(O3_FROM_2025_06_10, t), 12);
  });

  it('applies DeepSeek 2025 off-peak hours by the call time of day', () => {
    const t: Tokens = { input: 100_000, cacheRead: 60_000, output: 10_000 };
    const peak = price(
      'deepseek',
      { response: 'deepseek-chat' },
      usageOf(t),
      Date.parse('2025-06-02T10:00:00Z'),
    );
    const offPeak = price(
      'deepseek',
      { response: 'deepseek-chat' },
      usageOf(t),
      Date.parse('2025-06-02T20:00:00Z'),
    );
    const justAfterMidnight = price(
      'deepseek',
      { response: 'deepseek-chat' },
      usageOf(t),
      Date.parse('2025-06-03T00:15:00Z'),
    );
    expect(peak.totalUsd).toBeCloseTo(byHand(DEEPSEEK_CHAT_2025, t), 12);
    expect(offPeak.totalUsd).toBeCloseTo(byHand(DEEPSEEK_CHAT_2025_OFF_PEAK, t), 12);
    expect(justAfterMidnight.totalUsd).toBeCloseTo(byHand(DEEPSEEK_CHAT_2025_OFF_PEAK, t), 12);
  });
});

describe('calls that cannot be priced', () => {
  const COST_FIELDS = ['totalUsd', 'inputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'outputUsd', 'requestUsd'];

  function expectNoCost(cost: CallCost): void {
    for (const field of COST_FIELDS) expect(cost).not.toHaveProperty(field);
  }

  it('says unknown_model, never $0, for a model the catalogue lacks', () => {
    const cost = price(
      'openai',
      { response: 'gpt-9-turbo-2031-01-01' },
      { inputTokens: 1_000, outputTokens: 100 },
    );
    expect(cost.status).toBe('unknown_model');
    expectNoCost(cost);
    expect(cost.source).toBe(`genai-prices@${GENAI_PRICES_VERSION}`);
    expect(cost.detail).toContain('gpt-9-turbo');
  });

  it('says unknown_model for self-hosted runtimes and unknown providers', () => {
    for (const provider of ['ollama', 'vllm', 'acme-llm-gateway']) {
      const cost = price(provider, { response: 'llama3.1:8b' }, { inputTokens: 1_000, outputTokens: 100 });
      expect(cost.status).toBe('unknown_model');
      expectNoCost(cost);
    }
  });

  it('says unknown_model for models billed in units the usage does not carry (audio hours)', () => {
    const cost = price('openai', { request: 'whisper-1' }, { inputTokens: 0, outputTokens: 0 });
    expect(cost.status).toBe('unknown_model');
    expect(cost.detail).toContain('audio_hours');
    expectNoCost(cost);
  });

  it('never prices an Azure call by its deployment name when the response names an unknown model', () => {
    const cost = price(
      'azure.ai.openai',
      { request: 'gpt-4o', response: 'gpt-4o-custom-9000' },
      { inputTokens: 10, outputTokens: 1 },
    );
    expect(cost.status).toBe('unknown_model');
    // Without a response model, the deployment name is all there is.
    const fallback = price(
      'azure.ai.openai',
      { request: 'gpt-4o' },
      { inputTokens: 1_000_000, outputTokens: 0 },
    );
    expect(fallback.totalUsd).toBeCloseTo(GPT4O.input, 12);
  });

  it('does not guess Bedrock account-private ARNs', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123';
    expect(price('aws.bedrock', { request: arn }, { inputTokens: 10, outputTokens: 1 }).status).toBe(
      'unknown_model',
    );
  });

  it('says no_usage when the call reported no tokens', () => {
    for (const usage of [undefined, {}, { cacheReadInputTokens: 10 }]) {
      const cost = price('openai', { response: 'gpt-4o-2024-08-06' }, usage);
      expect(cost.status).toBe('no_usage');
      expect(cost.matchedModel).toBe('openai:gpt-4o');
      expectNoCost(cost);
    }
  });

  it('says invalid_usage for counts that cannot be right', () => {
    const bad: TokenUsage[] = [
      { inputTokens: 100, cacheReadInputTokens: 200, outputTokens: 1 },
      { inputTokens: -1, outputTokens: 1 },
      { inputTokens: Number.NaN, outputTokens: 1 },
      { inputTokens: 100, outputTokens: 10, reasoningOutputTokens: 11 },
      { inputTokens: 100, outputTokens: 1, cacheCreationInputTokens: 10, cacheCreation1hInputTokens: 20 },
    ];
    for (const usage of bad) {
      const cost = price('anthropic', { response: 'claude-sonnet-4-5-20250929' }, usage);
      expect(cost.status).toBe('invalid_usage');
      expect(cost.detail).toBeTruthy();
      expectNoCost(cost);
    }
    const sonarDeep = price(
      'perplexity',
      { response: 'sonar-deep-research' },
      { inputTokens: 100, outputTokens: 10, reasoningOutputTokens: 11 },
    );
    expect(sonarDeep.status).toBe('invalid_usage');
  });

  it('notes a non-standard service tier priced at standard rates', () => {
    const cost = price('openai', { response: 'gpt-4o-2024-08-06' }, { inputTokens: 1_000, outputTokens: 0 });
    expect(cost.notes).toBeUndefined();
    const flex = pricer.price({
      provider: 'openai',
      responseModel: 'gpt-5-2025-08-07',
      usage: { inputTokens: 1_000, outputTokens: 0 },
      timestampMs: NOV_2025,
      serviceTier: 'flex',
    });
    expect(flex.status).toBe('priced');
    expect(flex.notes).toEqual(['service tier "flex" priced at standard list rates']);
  });
});
