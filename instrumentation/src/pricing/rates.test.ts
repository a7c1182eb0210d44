/**
 * The cached fast path must give the library's own total for every catalogue entry: this runs each entry's
 * prices, at each of its periods, through both. (The list-price tests check the numbers against published prices;
 * this checks that the re-implemented arithmetic and period choice never drift from genai-prices'.)
 */
import { calcPrice, type ModelInfo, type Provider, type Usage, waitForUpdate } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import type { TokenUsage } from '../model-call.js';
import { compilePrices, computeComponents, parseTimeOfDay, ratesAt } from './rates.js';
import type { CallCost } from './types.js';

const USAGES: Array<{ ours: TokenUsage; library: Usage }> = [
  { ours: { inputTokens: 1_000, outputTokens: 200 }, library: { input_tokens: 1_000, output_tokens: 200 } },
  {
    ours: {
      inputTokens: 50_000,
      cacheReadInputTokens: 30_000,
      cacheCreationInputTokens: 5_000,
      outputTokens: 900,
    },
    library: {
      input_tokens: 50_000,
      cache_read_tokens: 30_000,
      cache_write_tokens: 5_000,
      output_tokens: 900,
    },
  },
  {
    ours: {
      inputTokens: 400_000,
      cacheReadInputTokens: 100_000,
      cacheCreationInputTokens: 20_000,
      cacheCreation1hInputTokens: 8_000,
      outputTokens: 7_000,
      reasoningOutputTokens: 3_000,
    },
    library: {
      input_tokens: 400_000,
      cache_read_tokens: 100_000,
      cache_write_tokens: 20_000,
      cache_write_1h_tokens: 8_000,
      output_tokens: 7_000,
      output_reasoning_tokens: 3_000,
    },
  },
  {
    ours: { inputTokens: 9_000, audioInputTokens: 4_000, outputTokens: 3_000, audioOutputTokens: 1_000 },
    library: {
      input_tokens: 9_000,
      input_audio_tokens: 4_000,
      output_tokens: 3_000,
      output_audio_tokens: 1_000,
    },
  },
  {
    // Audio and cache reads together: the library needs the cached-audio count, which our usage lacks; with
    // text able to hold all cache reads we take it as 0, so the library is told the same.
    ours: { inputTokens: 9_000, audioInputTokens: 4_000, cacheReadInputTokens: 2_000, outputTokens: 10 },
    library: {
      input_tokens: 9_000,
      input_audio_tokens: 4_000,
      cache_read_tokens: 2_000,
      cache_audio_read_tokens: 0,
      output_tokens: 10,
    },
  },
];

/** Moments that fall on either side of every start date and time-of-day boundary an entry has. */
function momentsFor(model: ModelInfo): number[] {
  const moments = [
    Date.parse('2024-01-01T12:00:00Z'),
    Date.parse('2025-11-03T03:00:00Z'),
    Date.parse('2026-09-01T20:00:00Z'),
  ];
  if (!Array.isArray(model.prices)) return moments;
  for (const p of model.prices) {
    const c = p.constraint;
    if (c?.type === 'start_date') {
      const t = Date.parse(`${c.start_date}T00:00:00Z`);
      moments.push(t - 1, t, t + 3_600_000);
    } else if (c?.type === 'time_of_date') {
      for (const edge of [c.start_time, c.end_time]) {
        const sec = parseTimeOfDay(edge);
        const day = Date.parse('2025-11-03T00:00:00Z');
        moments.push(day + sec * 1000 - 1, day + sec * 1000);
      }
    }
  }
  return moments;
}

describe('fast path equals genai-prices over the whole catalogue', () => {
  it('gives the library total for every entry, period and usage shape', async () => {
    const providers = (await waitForUpdate()) as Provider[];
    let compared = 0;
    const mismatches: string[] = [];
    for (const provider of providers) {
      for (const model of provider.models) {
        // Derivation off: the library has no 1-hour rule of its own.
        const compiled = compilePrices(model.prices, false);
        if ('unsupported' in compiled) continue;
        const probe: Provider = { ...provider, models: [{ ...model, match: { equals: '__probe__' } }] };
        for (const ts of momentsFor(model)) {
          const rates = ratesAt(compiled.periods, ts);
          for (const u of USAGES) {
            const lib = calcPrice(u.library, '__probe__', { provider: probe, timestamp: new Date(ts) });
            const ours: CallCost = { status: 'priced', source: '' };
            const result = computeComponents(rates, u.ours, ours);
            if (typeof result === 'string' || lib === null) {
              mismatches.push(`${provider.id}:${model.id}: ${String(result)} / ${String(lib)}`);
              continue;
            }
            const total =
              ours.inputUsd! +
              ours.cacheReadUsd! +
              ours.cacheWriteUsd! +
              ours.outputUsd! +
              (ours.requestUsd ?? 0);
            compared++;
            if (Math.abs(total - lib.total_price) > 1e-12 * Math.max(1, lib.total_price)) {
              mismatches.push(
                `${provider.id}:${model.id} at ${new Date(ts).toISOString()}: ${total} vs ${lib.total_price}`,
              );
            }
            const outputs = ours.outputUsd!;
            if (Math.abs(outputs - lib.output_price) > 1e-12 * Math.max(1, lib.output_price)) {
              mismatches.push(`${provider.id}:${model.id} output: ${outputs} vs ${lib.output_price}`);
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(5_000);
  });
});

describe('compilePrices', () => {
  it('refuses entries billed only in units the usage record does not carry', () => {
    expect(compilePrices({ audio_hours: 0.36, input_audio_hours: 0.36 }, false)).toEqual({
      unsupported: ['audio_hours', 'input_audio_hours'],
    });
    expect(compilePrices({ input_document_kpages: 1 }, false)).toEqual({
      unsupported: ['input_document_kpages'],
    });
  });

  it('keeps an empty price record (a free model) as zero rates', () => {
    const compiled = compilePrices({}, false);
    if ('unsupported' in compiled) throw new Error('unexpected');
    const out: CallCost = { status: 'priced', source: '' };
    computeComponents(ratesAt(compiled.periods, 0), { inputTokens: 10, outputTokens: 10 }, out);
    expect(out.inputUsd! + out.outputUsd!).toBe(0);
  });

  it('prices per-request fees once per call', () => {
    const compiled = compilePrices({ input_mtok: 1, output_mtok: 1, requests_kcount: 12 }, false);
    if ('unsupported' in compiled) throw new Error('unexpected');
    const out: CallCost = { status: 'priced', source: '' };
    computeComponents(ratesAt(compiled.periods, 0), { inputTokens: 1_000, outputTokens: 0 }, out);
    expect(out.requestUsd).toBeCloseTo(0.012, 15);
    expect(out.inputUsd).toBeCloseTo(0.001, 15);
  });

  it('reads time-of-day bounds with zones as seconds of the UTC day', () => {
    expect(parseTimeOfDay('00:30:00Z')).toBe(1_800);
    expect(parseTimeOfDay('08:30:00+08:00')).toBe(1_800);
    expect(parseTimeOfDay('23:00:00-02:00')).toBe(3_600);
    expect(() => parseTimeOfDay('25:00:00Z')).toThrow();
  });
});
