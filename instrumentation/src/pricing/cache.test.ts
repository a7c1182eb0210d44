import { describe, expect, it } from 'vitest';
import { Pricer } from './pricer.js';
import type { PriceInput } from './types.js';

// o3 list price: $10 / $40 per 1M tokens until 2025-06-09, $2 / $8 from 2025-06-10 (openai.com/api/pricing).
const O3_BEFORE = { input: 10, output: 40 };
const O3_AFTER = { input: 2, output: 8 };
const BEFORE = Date.parse('2025-06-01T12:00:00Z');
const AFTER = Date.parse('2025-06-20T12:00:00Z');

function o3Call(timestampMs: number): PriceInput {
  return {
    provider: 'openai',
    responseModel: 'o3-2025-04-16',
    usage: { inputTokens: 50_000, outputTokens: 5_000 },
    timestampMs,
  };
}

describe('match cache', () => {
  it('returns identical results for repeated calls', () => {
    const pricer = new Pricer({ overridesFile: false, priceData: false });
    const input: PriceInput = {
      provider: 'anthropic',
      responseModel: 'claude-sonnet-4-5-20250929',
      usage: {
        inputTokens: 30_000,
        cacheReadInputTokens: 20_000,
        cacheCreationInputTokens: 5_000,
        outputTokens: 800,
      },
      timestampMs: AFTER,
    };
    const first = pricer.price(input);
    for (let i = 0; i < 1_000; i++) expect(pricer.price(input)).toEqual(first);
    pricer.clearCache();
    expect(pricer.price(input)).toEqual(first);
  });

  it('matches the catalogue once per (provider, model) and then serves from the cache', () => {
    const pricer = new Pricer({ overridesFile: false, priceData: false });
    for (let i = 0; i < 100; i++) pricer.price(o3Call(i % 2 === 0 ? BEFORE : AFTER));
    expect(pricer.cacheStats()).toEqual({ entries: 1, matches: 1 });
  });

  it('prices calls before and after a price change correctly in any order', () => {
    const pricer = new Pricer({ overridesFile: false, priceData: false });
    const expectedBefore = (50_000 * O3_BEFORE.input + 5_000 * O3_BEFORE.output) / 1e6;
    const expectedAfter = (50_000 * O3_AFTER.input + 5_000 * O3_AFTER.output) / 1e6;
    for (const ts of [AFTER, BEFORE, AFTER, BEFORE, BEFORE, AFTER]) {
      const cost = pricer.price(o3Call(ts));
      expect(cost.totalUsd).toBeCloseTo(ts === AFTER ? expectedAfter : expectedBefore, 12);
      expect(cost.matchedModel).toBe('openai:o3');
    }
  });

  it('keys the cache by response and request model separately', () => {
    const pricer = new Pricer({ overridesFile: false, priceData: false });
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    // gpt-4o $2.50 vs gpt-4o-mini $0.15 per 1M input tokens.
    const a = pricer.price({ provider: 'openai', requestModel: 'gpt-4o', usage, timestampMs: AFTER });
    const b = pricer.price({
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-mini-2024-07-18',
      usage,
      timestampMs: AFTER,
    });
    const c = pricer.price({ provider: 'openai', responseModel: 'gpt-4o', usage, timestampMs: AFTER });
    expect(a.totalUsd).toBeCloseTo(2.5, 12);
    expect(b.totalUsd).toBeCloseTo(0.15, 12);
    expect(c.totalUsd).toBeCloseTo(2.5, 12);
  });

  it('stays bounded', () => {
    const pricer = new Pricer({ overridesFile: false, priceData: false });
    for (let i = 0; i < 10_050; i++) {
      pricer.price({
        provider: 'vllm',
        responseModel: `model-${i}`,
        usage: { inputTokens: 1, outputTokens: 1 },
        timestampMs: AFTER,
      });
    }
    expect(pricer.price(o3Call(AFTER)).status).toBe('priced');
  });
});
