/**
 * Organisation overrides, read from real YAML and JSON files. Every expected total is worked out here by hand
 * from the fixture's numbers or, for catalogue models, from published list prices written as literals (USD per
 * 1M tokens), never by asking the code under test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenUsage } from '../model-call.js';
import { GENAI_PRICES_VERSION } from './catalog.js';
import { PricingConfigError, type PricingOverrides, parseOverrides } from './overrides.js';
import { Pricer } from './pricer.js';
import type { CallCost } from './types.js';

// openai.com/api/pricing
const GPT4O = { input: 2.5, cachedInput: 1.25, output: 10 };
const GPT4O_MINI = { input: 0.15, cachedInput: 0.075, output: 0.6 };
const GPT5 = { input: 1.25, cachedInput: 0.125, output: 10 };
// anthropic.com/pricing#api: 5-minute writes 1.25x input, 1-hour writes 2x input.
const SONNET_45 = { input: 3, cachedInput: 0.3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 };
// ai.google.dev/gemini-api/docs/pricing
const GEMINI_25_FLASH = { input: 0.3, output: 2.5 };
const GEMINI_25_PRO_OVER_200K = { input: 2.5, cachedInput: 0.25, output: 15 };

const LIST_SOURCE = `genai-prices@${GENAI_PRICES_VERSION}`;
const NOV_2025 = Date.parse('2025-11-03T12:00:00Z');

/** USD for `tokens` at `usdPerMtok`. */
function at(tokens: number, usdPerMtok: number): number {
  return (tokens * usdPerMtok) / 1e6;
}

const dir = mkdtempSync(join(tmpdir(), 'ailedger-overrides-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` to a fresh file so no test sees another's overrides. */
function writeFixture(text: string, ext: 'yaml' | 'json' | 'yml' = 'yaml'): string {
  const file = join(dir, `pricing-${++fileCount}.${ext}`);
  writeFileSync(file, text);
  return file;
}

// The same prices in both formats; a test below checks they parse to the same overrides.
const FIXTURE_YAML = `
# Prices for the tests below: each number is used by hand there.
version: 1
models:
  - name: llama-8b-onprem
    provider: vllm
    model: meta-llama/Llama-3.1-8B-Instruct
    input_per_mtok: 0.05
    output_per_mtok: 0.10
    cached_input_per_mtok: 0.01
    per_request: 0.0002
  - name: llama-any-onprem          # after the specific entry, so that one wins for its model
    provider: vllm
    model: meta-llama/*
    input_per_mtok: 0.20
    output_per_mtok: 0.60
  - name: support-bot
    provider: openai
    model: "ft:gpt-4.1-mini-2025-04-14:acme:support:*"
    input_per_mtok: 0.80
    cached_input_per_mtok: 0.20
    output_per_mtok: 3.20
  - provider: acme-gateway          # unnamed: labelled by its index
    model: "*"
    per_request: 0.002
  - name: mistral-old-gpus
    provider: vllm
    model: mistralai/Mistral-Small-24B-Instruct-2501
    input_per_mtok: 0.10
    output_per_mtok: 0.30
    until: 2025-09-01
  - name: mistral-new-gpus
    provider: vllm
    model: mistralai/Mistral-Small-24B-Instruct-2501
    input_per_mtok: 0.06
    output_per_mtok: 0.18
    from: 2025-09-01
corrections:
  - name: gpt-5-flex
    provider: openai
    model: gpt-5
    service_tier: flex
    input_per_mtok: 0.625
    cached_input_per_mtok: 0.0625
    output_per_mtok: 5.00
  - name: gpt-4o-input
    provider: openai
    model: gpt-4o
    input_per_mtok: 2.00
    from: 2025-10-01
  - name: gemini-pro-input
    provider: gcp.gemini
    model: gemini-2.5-pro
    input_per_mtok: 2.00
discounts:
  - name: anthropic-batch
    provider: anthropic
    service_tier: batch
    percent_off: 50
  - name: anthropic-commit
    provider: anthropic
    percent_off: 10
    from: 2025-10-01
  - name: gemini-flash-any-provider
    model: gemini-2.5-flash*
    percent_off: 5
`;

const FIXTURE_JSON = {
  version: 1,
  models: [
    {
      name: 'llama-8b-onprem',
      provider: 'vllm',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      input_per_mtok: 0.05,
      output_per_mtok: 0.1,
      cached_input_per_mtok: 0.01,
      per_request: 0.0002,
    },
    {
      name: 'llama-any-onprem',
      provider: 'vllm',
      model: 'meta-llama/*',
      input_per_mtok: 0.2,
      output_per_mtok: 0.6,
    },
    {
      name: 'support-bot',
      provider: 'openai',
      model: 'ft:gpt-4.1-mini-2025-04-14:acme:support:*',
      input_per_mtok: 0.8,
      cached_input_per_mtok: 0.2,
      output_per_mtok: 3.2,
    },
    { provider: 'acme-gateway', model: '*', per_request: 0.002 },
    {
      name: 'mistral-old-gpus',
      provider: 'vllm',
      model: 'mistralai/Mistral-Small-24B-Instruct-2501',
      input_per_mtok: 0.1,
      output_per_mtok: 0.3,
      until: '2025-09-01',
    },
    {
      name: 'mistral-new-gpus',
      provider: 'vllm',
      model: 'mistralai/Mistral-Small-24B-Instruct-2501',
      input_per_mtok: 0.06,
      output_per_mtok: 0.18,
      from: '2025-09-01',
    },
  ],
  corrections: [
    {
      name: 'gpt-5-flex',
      provider: 'openai',
      model: 'gpt-5',
      service_tier: 'flex',
      input_per_mtok: 0.625,
      cached_input_per_mtok: 0.0625,
      output_per_mtok: 5,
    },
    { name: 'gpt-4o-input', provider: 'openai', model: 'gpt-4o', input_per_mtok: 2, from: '2025-10-01' },
    { name: 'gemini-pro-input', provider: 'gcp.gemini', model: 'gemini-2.5-pro', input_per_mtok: 2 },
  ],
  discounts: [
    { name: 'anthropic-batch', provider: 'anthropic', service_tier: 'batch', percent_off: 50 },
    { name: 'anthropic-commit', provider: 'anthropic', percent_off: 10, from: '2025-10-01' },
    { name: 'gemini-flash-any-provider', model: 'gemini-2.5-flash*', percent_off: 5 },
  ],
};

/** Overrides as plain data, with the file name taken out of the labels. */
function comparable(o: PricingOverrides): unknown {
  const name = basename(o.file);
  const plain = (e: object): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (k === 'label') out[k] = String(v).replace(name, '<file>');
      else if (typeof v === 'object' && v !== null && 'text' in v) out[k] = (v as { text: string }).text;
      else out[k] = v;
    }
    return out;
  };
  return {
    models: o.models.map(plain),
    corrections: o.corrections.map(plain),
    discounts: o.discounts.map(plain),
  };
}

it('reads the YAML and the JSON fixture as the same overrides', () => {
  const yaml = parseOverrides(FIXTURE_YAML, 'pricing.yaml');
  const json = parseOverrides(JSON.stringify(FIXTURE_JSON), 'pricing.json');
  expect(comparable(yaml)).toEqual(comparable(json));
  expect(yaml.models).toHaveLength(6);
  expect(yaml.corrections).toHaveLength(3);
  expect(yaml.discounts).toHaveLength(3);
});

describe.each([
  { format: 'yaml', text: FIXTURE_YAML },
  { format: 'json', text: JSON.stringify(FIXTURE_JSON, null, 2) },
] as const)('overrides from a $format file', ({ format, text }) => {
  const file = writeFixture(text, format);
  const name = basename(file);
  const pricer = new Pricer({ overridesFile: file, priceData: false, strict: true });

  function price(
    provider: string,
    models: { response?: string; request?: string },
    usage: TokenUsage | undefined,
    timestampMs = NOV_2025,
    serviceTier?: string,
  ): CallCost {
    return pricer.price({
      provider,
      responseModel: models.response,
      requestModel: models.request,
      usage,
      timestampMs,
      serviceTier,
    });
  }

  describe('models', () => {
    it('prices a self-hosted model per 1M tokens plus a per-request fee', () => {
      const cost = price(
        'vllm',
        { request: 'meta-llama/Llama-3.1-8B-Instruct' },
        { inputTokens: 10_000, cacheReadInputTokens: 4_000, outputTokens: 2_000 },
      );
      expect(cost.status).toBe('priced');
      expect(cost.inputUsd).toBeCloseTo(at(6_000, 0.05), 15);
      expect(cost.cacheReadUsd).toBeCloseTo(at(4_000, 0.01), 15);
      expect(cost.outputUsd).toBeCloseTo(at(2_000, 0.1), 15);
      expect(cost.requestUsd).toBe(0.0002);
      expect(cost.totalUsd).toBeCloseTo(0.0003 + 0.00004 + 0.0002 + 0.0002, 15);
      expect(cost.source).toBe(`override:${name}#models[llama-8b-onprem]`);
      expect(cost.matchedModel).toBe('vllm:meta-llama/Llama-3.1-8B-Instruct');
    });

    it('bills cache reads at the input price when the entry sets no cached price', () => {
      const cost = price(
        'vllm',
        { response: 'meta-llama/Llama-3.3-70B-Instruct' },
        { inputTokens: 10_000, cacheReadInputTokens: 4_000, outputTokens: 1_000 },
      );
      expect(cost.totalUsd).toBeCloseTo(at(10_000, 0.2) + at(1_000, 0.6), 15);
      expect(cost.requestUsd).toBeUndefined();
    });

    it('matches model names case-insensitively', () => {
      const cost = price(
        'vllm',
        { response: 'META-LLAMA/llama-3.1-8b-instruct' },
        { inputTokens: 1_000_000, outputTokens: 0 },
      );
      expect(cost.source).toBe(`override:${name}#models[llama-8b-onprem]`);
      expect(cost.totalUsd).toBeCloseTo(0.05 + 0.0002, 15);
    });

    it('prices a fine-tuned model through a wildcard', () => {
      const cost = price(
        'openai',
        { response: 'ft:gpt-4.1-mini-2025-04-14:acme:support:AbC123' },
        { inputTokens: 20_000, cacheReadInputTokens: 5_000, outputTokens: 1_000 },
      );
      expect(cost.status).toBe('priced');
      expect(cost.totalUsd).toBeCloseTo(at(15_000, 0.8) + at(5_000, 0.2) + at(1_000, 3.2), 15);
      expect(cost.source).toBe(`override:${name}#models[support-bot]`);
      expect(cost.matchedModel).toBe('openai:ft:gpt-4.1-mini-2025-04-14:acme:support:AbC123');
      // Another organisation's fine-tune does not match the pattern.
      const other = price(
        'openai',
        { response: 'ft:gpt-4.1-mini-2025-04-14:other:support:XyZ' },
        { inputTokens: 20_000, outputTokens: 1_000 },
      );
      expect(other.source).not.toContain('override:');
    });

    it('labels an unnamed entry by its index and prices a per-request-only entry', () => {
      const cost = price('acme-gateway', { response: 'anything' }, { inputTokens: 500, outputTokens: 50 });
      expect(cost.status).toBe('priced');
      expect(cost.totalUsd).toBeCloseTo(0.002, 15);
      expect(cost.inputUsd).toBe(0);
      expect(cost.outputUsd).toBe(0);
      expect(cost.source).toBe(`override:${name}#models[3]`);
      expect(cost.matchedModel).toBe('acme-gateway:anything');
    });

    it('takes the entry in force at the call time (until exclusive, from inclusive)', () => {
      const usage = { inputTokens: 100_000, outputTokens: 10_000 };
      const model = { response: 'mistralai/Mistral-Small-24B-Instruct-2501' };
      const before = price('vllm', model, usage, Date.parse('2025-08-31T23:59:59.999Z'));
      const from = price('vllm', model, usage, Date.parse('2025-09-01T00:00:00Z'));
      expect(before.totalUsd).toBeCloseTo(at(100_000, 0.1) + at(10_000, 0.3), 15);
      expect(before.source).toBe(`override:${name}#models[mistral-old-gpus]`);
      expect(from.totalUsd).toBeCloseTo(at(100_000, 0.06) + at(10_000, 0.18), 15);
      expect(from.source).toBe(`override:${name}#models[mistral-new-gpus]`);
    });

    it('applies the first matching entry in file order', () => {
      // Both llama entries match; the specific one comes first in the fixture.
      const specific = price(
        'vllm',
        { response: 'meta-llama/Llama-3.1-8B-Instruct' },
        { inputTokens: 1_000_000, outputTokens: 0 },
      );
      expect(specific.source).toBe(`override:${name}#models[llama-8b-onprem]`);
      // A self-hosted model no entry names stays unknown, never $0.
      const unknown = price('vllm', { response: 'qwen/Qwen2.5-7B' }, { inputTokens: 1_000, outputTokens: 1 });
      expect(unknown.status).toBe('unknown_model');
      expect(unknown.totalUsd).toBeUndefined();
    });
  });

  describe('corrections', () => {
    const usage = { inputTokens: 12_000, cacheReadInputTokens: 4_000, outputTokens: 1_500 };

    it('replaces one list price from its date; the other prices stay at list', () => {
      const corrected = price('openai', { response: 'gpt-4o-2024-08-06' }, usage);
      expect(corrected.inputUsd).toBeCloseTo(at(8_000, 2), 15);
      expect(corrected.cacheReadUsd).toBeCloseTo(at(4_000, GPT4O.cachedInput), 15);
      expect(corrected.outputUsd).toBeCloseTo(at(1_500, GPT4O.output), 15);
      expect(corrected.totalUsd).toBeCloseTo(0.016 + 0.005 + 0.015, 15);
      expect(corrected.source).toBe(`${LIST_SOURCE}+override:${name}#corrections[gpt-4o-input]`);
      expect(corrected.matchedModel).toBe('openai:gpt-4o');

      const before = price(
        'openai',
        { response: 'gpt-4o-2024-08-06' },
        usage,
        Date.parse('2025-09-30T23:59:59Z'),
      );
      expect(before.inputUsd).toBeCloseTo(at(8_000, GPT4O.input), 15);
      expect(before.totalUsd).toBeCloseTo(0.02 + 0.005 + 0.015, 15);
      expect(before.source).toBe(LIST_SOURCE);
    });

    it('leaves other catalogue models alone', () => {
      const mini = price('openai', { response: 'gpt-4o-mini-2024-07-18' }, usage);
      expect(mini.totalUsd).toBeCloseTo(
        at(8_000, GPT4O_MINI.input) + at(4_000, GPT4O_MINI.cachedInput) + at(1_500, GPT4O_MINI.output),
        15,
      );
      expect(mini.source).toBe(LIST_SOURCE);
    });

    it('applies a service-tier correction only to calls in that tier', () => {
      const reasoning = { inputTokens: 10_000, cacheReadInputTokens: 2_000, outputTokens: 3_000 };
      const model = { response: 'gpt-5-2025-08-07' };
      const flex = price('openai', model, { ...reasoning, reasoningOutputTokens: 2_500 }, NOV_2025, 'FLEX');
      expect(flex.totalUsd).toBeCloseTo(at(8_000, 0.625) + at(2_000, 0.0625) + at(3_000, 5), 15);
      expect(flex.source).toBe(`${LIST_SOURCE}+override:${name}#corrections[gpt-5-flex]`);
      expect(flex.notes).toBeUndefined();

      const standard = price('openai', model, reasoning);
      const list = at(8_000, GPT5.input) + at(2_000, GPT5.cachedInput) + at(3_000, GPT5.output);
      expect(standard.totalUsd).toBeCloseTo(list, 15);
      expect(standard.source).toBe(LIST_SOURCE);

      const priority = price('openai', model, reasoning, NOV_2025, 'priority');
      expect(priority.totalUsd).toBeCloseTo(list, 15);
      expect(priority.notes).toEqual(['service tier "priority" priced at standard list rates']);
    });

    it('replaces a tiered list price with its flat price; the other prices keep their tiers', () => {
      // Gemini 2.5 Pro above 200k input tokens: input corrected to 2.00 flat, cache reads and output at the
      // long-context list prices.
      const cost = price(
        'gcp.gemini',
        { response: 'gemini-2.5-pro' },
        { inputTokens: 250_000, cacheReadInputTokens: 50_000, outputTokens: 4_000 },
      );
      expect(cost.totalUsd).toBeCloseTo(
        at(200_000, 2) +
          at(50_000, GEMINI_25_PRO_OVER_200K.cachedInput) +
          at(4_000, GEMINI_25_PRO_OVER_200K.output),
        15,
      );
      expect(cost.tier).toBe('input_tokens>200000');
    });
  });

  describe('discounts', () => {
    // Sonnet 4.5: 5,000 uncached, 20,000 cache reads, 3,000 5-minute and 2,000 1-hour writes, 2,500 output.
    const usage: TokenUsage = {
      inputTokens: 30_000,
      cacheReadInputTokens: 20_000,
      cacheCreationInputTokens: 5_000,
      cacheCreation5mInputTokens: 3_000,
      cacheCreation1hInputTokens: 2_000,
      outputTokens: 2_500,
    };
    const model = { response: 'claude-sonnet-4-5-20250929' };
    const list =
      at(5_000, SONNET_45.input) +
      at(20_000, SONNET_45.cachedInput) +
      at(3_000, SONNET_45.cacheWrite5m) +
      at(2_000, SONNET_45.cacheWrite1h) +
      at(2_500, SONNET_45.output);

    it('takes a percentage off from its date; calls before are at list', () => {
      expect(list).toBeCloseTo(0.08175, 15);
      const before = price('anthropic', model, usage, Date.parse('2025-09-30T23:59:59Z'));
      expect(before.totalUsd).toBeCloseTo(list, 15);
      expect(before.discountPercent).toBeUndefined();
      expect(before.listTotalUsd).toBeUndefined();
      expect(before.source).toBe(LIST_SOURCE);

      const from = price('anthropic', model, usage, Date.parse('2025-10-01T00:00:00Z'));
      expect(from.totalUsd).toBeCloseTo(list * 0.9, 15);
      expect(from.listTotalUsd).toBeCloseTo(list, 15);
      expect(from.discountPercent).toBe(10);
      expect(from.outputUsd).toBeCloseTo(at(2_500, SONNET_45.output) * 0.9, 15);
      expect(from.cacheWriteUsd).toBeCloseTo(
        (at(3_000, SONNET_45.cacheWrite5m) + at(2_000, SONNET_45.cacheWrite1h)) * 0.9,
        15,
      );
      expect(from.source).toBe(`${LIST_SOURCE}+override:${name}#discounts[anthropic-commit]`);
      expect(from.matchedModel).toBe('anthropic:claude-sonnet-4-5');
    });

    it('applies the first matching discount: a service-tier entry listed first wins for its tier', () => {
      const batch = price('anthropic', model, usage, NOV_2025, 'batch');
      expect(batch.totalUsd).toBeCloseTo(list * 0.5, 15);
      expect(batch.discountPercent).toBe(50);
      expect(batch.source).toBe(`${LIST_SOURCE}+override:${name}#discounts[anthropic-batch]`);
      expect(batch.notes).toBeUndefined();
      // The batch entry has no date.
      const early = price('anthropic', model, usage, Date.parse('2025-06-01T00:00:00Z'), 'batch');
      expect(early.totalUsd).toBeCloseTo(list * 0.5, 15);
    });

    it('matches a discount by model alone, for any provider', () => {
      const usage = { inputTokens: 10_000, outputTokens: 1_000 };
      const expected = (at(10_000, GEMINI_25_FLASH.input) + at(1_000, GEMINI_25_FLASH.output)) * 0.95;
      for (const provider of ['gcp.gemini', 'gcp.vertex_ai']) {
        const cost = price(provider, { response: 'gemini-2.5-flash' }, usage);
        expect(cost.totalUsd).toBeCloseTo(expected, 15);
        expect(cost.source).toBe(`${LIST_SOURCE}+override:${name}#discounts[gemini-flash-any-provider]`);
      }
    });
  });
});

it('applies the first matching models entry even when a later one is more specific', () => {
  const file = writeFixture(`
models:
  - name: any-llama
    provider: vllm
    model: meta-llama/*
    input_per_mtok: 0.20
    output_per_mtok: 0.60
  - name: llama-8b
    provider: vllm
    model: meta-llama/Llama-3.1-8B-Instruct
    input_per_mtok: 0.05
    output_per_mtok: 0.10
`);
  const pricer = new Pricer({ overridesFile: file, priceData: false, strict: true });
  const cost = pricer.price({
    provider: 'vllm',
    responseModel: 'meta-llama/Llama-3.1-8B-Instruct',
    usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
    timestampMs: NOV_2025,
  });
  expect(cost.totalUsd).toBeCloseTo(0.2 + 0.6, 15);
  expect(cost.source).toBe(`override:${basename(file)}#models[any-llama]`);
});

it('reports no long-context tier once a correction has replaced every tiered price', () => {
  const file = writeFixture(`
corrections:
  - provider: gcp.gemini
    model: gemini-2.5-pro
    input_per_mtok: 1.00
    cached_input_per_mtok: 0.10
    output_per_mtok: 8.00
`);
  const pricer = new Pricer({ overridesFile: file, priceData: false, strict: true });
  const cost = pricer.price({
    provider: 'gcp.gemini',
    responseModel: 'gemini-2.5-pro',
    usage: { inputTokens: 250_000, cacheReadInputTokens: 50_000, outputTokens: 4_000 },
    timestampMs: NOV_2025,
  });
  expect(cost.totalUsd).toBeCloseTo(at(200_000, 1) + at(50_000, 0.1) + at(4_000, 8), 15);
  expect(cost.tier).toBeUndefined();
});

it('says which entries exist but are not in force when a call falls outside their dates', () => {
  const file = writeFixture(
    'models:\n  - name: next-quarter\n    provider: vllm\n    model: m\n    per_request: 0.01\n    from: 2026-01-01\n',
  );
  const pricer = new Pricer({ overridesFile: file, priceData: false, strict: true });
  const cost = pricer.price({
    provider: 'vllm',
    responseModel: 'm',
    usage: { inputTokens: 10, outputTokens: 1 },
    timestampMs: NOV_2025,
  });
  expect(cost.status).toBe('unknown_model');
  expect(cost.totalUsd).toBeUndefined();
  expect(cost.detail).toContain(
    `override:${basename(file)}#models[next-quarter] not in force at 2025-11-03T12:00:00.000Z`,
  );
});

it('accepts an ISO 8601 time with a zone as a date', () => {
  const o = parseOverrides(
    'discounts:\n  - provider: openai\n    percent_off: 5\n    from: 2025-10-01T09:30:00+02:00\n',
    'pricing.yaml',
  );
  expect(o.discounts[0]!.fromMs).toBe(Date.parse('2025-10-01T07:30:00Z'));
});

it('accepts the example file of the README', () => {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const o = parseOverrides(example!, 'pricing.yaml');
  expect([o.models.length, o.corrections.length, o.discounts.length]).toEqual([6, 2, 2]);
});

it('treats an empty file as no overrides', () => {
  const o = parseOverrides('# nothing yet\n', 'pricing.yaml');
  expect(o.models).toEqual([]);
  expect(o.corrections).toEqual([]);
  expect(o.discounts).toEqual([]);
});

describe('validation errors name the file, the entry and the field', () => {
  /** The error a strict Pricer throws for a file holding `text`. */
  function failure(text: string, ext: 'yaml' | 'json' = 'yaml'): { file: string; error: PricingConfigError } {
    const file = writeFixture(text, ext);
    try {
      new Pricer({ overridesFile: file, priceData: false, strict: true });
    } catch (e) {
      if (e instanceof PricingConfigError) return { file, error: e };
      throw e;
    }
    throw new Error('expected a PricingConfigError');
  }

  function expectIssue(text: string, where: string, what: string, ext: 'yaml' | 'json' = 'yaml'): void {
    const { file, error } = failure(text, ext);
    expect(error.file).toBe(file);
    expect(error.message).toContain(`pricing overrides ${file}: ${where}: `);
    expect(error.message).toContain(what);
  }

  it('a non-numeric price', () => {
    expectIssue(
      'models:\n  - model: m\n    input_per_mtok: "0.05"\n    output_per_mtok: 0.1\n',
      'models[0].input_per_mtok',
      'expected a non-negative number, got "0.05"',
    );
    expectIssue(
      'corrections:\n  - model: gpt-4o\n    output_per_mtok: $10\n',
      'corrections[0].output_per_mtok',
      'got "$10"',
    );
    expectIssue(
      JSON.stringify({ models: [{ model: 'm', per_request: '0.01' }] }),
      'models[0].per_request',
      'got "0.01"',
      'json',
    );
  });

  it('a negative price', () => {
    expectIssue(
      'models:\n  - model: m\n    input_per_mtok: 0.05\n    output_per_mtok: -0.1\n',
      'models[0].output_per_mtok',
      'got -0.1',
    );
  });

  it('percent_off above 100', () => {
    expectIssue(
      'discounts:\n  - provider: openai\n    percent_off: 150\n',
      'discounts[0].percent_off',
      'expected a number from 0 to 100, got 150',
    );
  });

  it('a missing percent_off, and a discount that names neither provider nor model', () => {
    expectIssue('discounts:\n  - provider: openai\n', 'discounts[0].percent_off', 'required');
    expectIssue('discounts:\n  - percent_off: 10\n', 'discounts[0]', 'needs provider and/or model');
  });

  it('a missing model', () => {
    expectIssue(
      'corrections:\n  - provider: openai\n    input_per_mtok: 2\n',
      'corrections[0].model',
      'required',
    );
    expectIssue(
      'models:\n  - model: a\n    per_request: 0.01\n  - provider: vllm\n    per_request: 0.01\n',
      'models[1].model',
      'required',
    );
  });

  it('an unknown field (a typo would otherwise drop a price silently)', () => {
    expectIssue(
      'models:\n  - model: m\n    input_per_mtk: 0.05\n    output_per_mtok: 0.1\n',
      'models[0].input_per_mtk',
      'unknown field',
    );
    // service_tier belongs to corrections and discounts; a models entry is the whole price.
    expectIssue(
      'models:\n  - model: m\n    per_request: 0.01\n    service_tier: flex\n',
      'models[0].service_tier',
      'unknown field',
    );
  });

  it('an unknown section', () => {
    expectIssue('discount:\n  - provider: openai\n    percent_off: 10\n', 'discount', 'unknown section');
  });

  it('a models entry without a complete price', () => {
    expectIssue(
      'models:\n  - model: m\n    input_per_mtok: 0.05\n',
      'models[0].output_per_mtok',
      'required when input_per_mtok is given',
    );
    expectIssue('models:\n  - model: m\n', 'models[0]', 'needs input_per_mtok and output_per_mtok');
    expectIssue('corrections:\n  - model: gpt-4o\n', 'corrections[0]', 'needs at least one price field');
  });

  it('a bad date', () => {
    expectIssue(
      'discounts:\n  - provider: openai\n    percent_off: 10\n    from: 2025-02-30\n',
      'discounts[0].from',
      'expected a date (YYYY-MM-DD, UTC) or an ISO 8601 time with zone, got "2025-02-30"',
    );
    expectIssue(
      'models:\n  - model: m\n    per_request: 1\n    until: 01/07/2025\n',
      'models[0].until',
      'got "01/07/2025"',
    );
    // A time without a zone would depend on the machine's clock settings.
    expectIssue(
      'models:\n  - model: m\n    per_request: 1\n    from: 2025-07-01T10:00:00\n',
      'models[0].from',
      'got "2025-07-01T10:00:00"',
    );
  });

  it('from not before until', () => {
    expectIssue(
      'discounts:\n  - provider: openai\n    percent_off: 10\n    from: 2025-07-01\n    until: 2025-07-01\n',
      'discounts[0].until',
      'must be after from',
    );
    expectIssue(
      'corrections:\n  - model: gpt-4o\n    input_per_mtok: 2\n    from: 2025-07-01\n    until: 2025-01-01\n',
      'corrections[0].until',
      'must be after from',
    );
  });

  it('names a named entry too', () => {
    const { error } = failure(
      'discounts:\n  - name: enterprise\n    provider: openai\n    percent_off: 101\n',
    );
    expect(error.message).toContain('discounts[0].percent_off: ');
    expect(error.message).toContain('(entry "enterprise")');
  });

  it('a duplicate entry name', () => {
    expectIssue(
      'models:\n  - name: a\n    model: x\n    per_request: 1\n  - name: a\n    model: y\n    per_request: 1\n',
      'models[1].name',
      'duplicate name "a" (also models[0])',
    );
  });

  it('lists every problem at once', () => {
    const { error } = failure(
      'models:\n  - model: m\n    input_per_mtok: -1\n    output_per_mtok: x\ndiscounts:\n  - provider: p\n    percent_off: 101\n',
    );
    expect(error.issues).toHaveLength(3);
    expect(error.message.split('\n')).toHaveLength(3);
  });

  it('invalid YAML syntax, with its line', () => {
    const { file, error } = failure('models:\n  - model: m\n    input_per_mtok: [0.05\n');
    expect(error.message).toContain(`pricing overrides ${file}: invalid YAML: `);
    expect(error.message).toMatch(/at line \d+, column \d+/);
    // A pattern starting with `*` must be quoted in YAML (a bare `*` starts an alias).
    const alias = failure('models:\n  - model: *\n    per_request: 1\n');
    expect(alias.error.message).toContain(`pricing overrides ${alias.file}: invalid YAML: `);
    // A key given twice is refused rather than one of the values picked.
    const twice = failure('discounts:\n  - provider: openai\n    percent_off: 10\n    percent_off: 20\n');
    expect(twice.error.message).toContain('invalid YAML: Map keys must be unique');
  });

  it('invalid JSON syntax', () => {
    const { file, error } = failure('{"models": [', 'json');
    expect(error.message).toContain(`pricing overrides ${file}: invalid JSON: `);
  });

  it('a file that does not exist', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => new Pricer({ overridesFile: file, priceData: false, strict: true })).toThrow(
      `pricing overrides ${file}: cannot read the file: ENOENT`,
    );
  });

  it('a top level that is not a mapping', () => {
    const { file, error } = failure('- model: m\n  per_request: 1\n');
    expect(error.message).toBe(
      `pricing overrides ${file}: expected a mapping with models, corrections and/or discounts, got a list`,
    );
    expectIssue('models:\n  model: m\n', 'models', 'expected a list, got a mapping');
    expectIssue('version: 2\n', 'version', 'expected 1, got 2');
  });

  it('without strict, warns and prices without the file (unknown, never a guess)', () => {
    const file = writeFixture('models:\n  - model: m\n    input_per_mtk: 1\n    output_per_mtok: 1\n');
    const warnings: string[] = [];
    const pricer = new Pricer({ overridesFile: file, priceData: false, onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${file}: models[0].input_per_mtk: unknown field`);
    expect(pricer.overridesError).toContain('models[0].input_per_mtk');
    const cost = pricer.price({
      provider: 'vllm',
      responseModel: 'm',
      usage: { inputTokens: 1, outputTokens: 1 },
      timestampMs: NOV_2025,
    });
    expect(cost.status).toBe('unknown_model');
  });
});

describe('reload', () => {
  const call = {
    provider: 'vllm',
    responseModel: 'meta-llama/Llama-3.1-8B-Instruct',
    usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
    timestampMs: NOV_2025,
  };
  const valid = (input: number, output: number): string =>
    `models:\n  - name: llama\n    provider: vllm\n    model: meta-llama/*\n    input_per_mtok: ${input}\n    output_per_mtok: ${output}\n`;

  it('keeps the previous overrides when the new file is invalid, then takes the fixed file', () => {
    const file = writeFixture(valid(0.05, 0.1));
    const warnings: string[] = [];
    const pricer = new Pricer({ overridesFile: file, priceData: false, onWarning: (m) => warnings.push(m) });
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.15, 15);

    writeFileSync(file, valid(0.05, 0.1).replace('output_per_mtok: 0.1', 'output_per_mtok: -0.1'));
    const refused = pricer.reload();
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain(`pricing overrides ${file}: models[0].output_per_mtok: `);
    expect(refused.error).toContain('got -0.1');
    expect(pricer.overridesError).toBe(refused.error);
    expect(warnings.at(-1)).toContain('keeping the previous pricing overrides');
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.15, 15);

    writeFileSync(file, 'models: [\n');
    const syntax = pricer.reload();
    expect(syntax.ok).toBe(false);
    expect(syntax.error).toContain(`pricing overrides ${file}: invalid YAML`);
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.15, 15);

    rmSync(file);
    const missing = pricer.reload();
    expect(missing.ok).toBe(false);
    expect(missing.error).toContain('ENOENT');
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.15, 15);

    // The cached match still holds the old entry; a good reload must replace it.
    writeFileSync(file, valid(0.08, 0.24));
    expect(pricer.reload()).toEqual({ ok: true });
    expect(pricer.overridesError).toBeUndefined();
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.32, 15);
  });

  it('takes effect after a start with an invalid file', () => {
    const file = writeFixture('models:\n  - model: [\n');
    const pricer = new Pricer({ overridesFile: file, priceData: false, onWarning: () => {} });
    expect(pricer.price(call).status).toBe('unknown_model');
    writeFileSync(file, valid(0.05, 0.1));
    expect(pricer.reload().ok).toBe(true);
    expect(pricer.price(call).totalUsd).toBeCloseTo(0.15, 15);
  });

  it('reads the file named by AILEDGER_PRICING_FILE', () => {
    const file = writeFixture(valid(0.05, 0.1));
    const pricer = new Pricer({ priceData: false, env: { AILEDGER_PRICING_FILE: file } });
    expect(pricer.price(call).source).toBe(`override:${basename(file)}#models[llama]`);
  });
});
