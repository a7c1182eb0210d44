// `npx vitest bench instrumentation/src/pricing`: the cached pricing path against the library's calcPrice.
import { calcPrice } from '@pydantic/genai-prices';
import { bench, describe } from 'vitest';
import { Pricer } from './pricer.js';

const pricer = new Pricer({ overridesFile: false, priceData: false });
const timestampMs = Date.parse('2025-11-01T12:00:00Z');
const usage = {
  inputTokens: 5000,
  outputTokens: 800,
  cacheReadInputTokens: 3000,
  cacheCreationInputTokens: 1000,
};

describe('price one Claude call', () => {
  bench('Pricer.price (cached match)', () => {
    pricer.price({ provider: 'anthropic', responseModel: 'claude-sonnet-4-5-20250929', usage, timestampMs });
  });
  bench('Pricer.price (cold match)', () => {
    pricer.clearCache();
    pricer.price({ provider: 'anthropic', responseModel: 'claude-sonnet-4-5-20250929', usage, timestampMs });
  });
  bench('genai-prices calcPrice', () => {
    calcPrice(
      { input_tokens: 5000, output_tokens: 800, cache_read_tokens: 3000, cache_write_tokens: 1000 },
      'claude-sonnet-4-5-20250929',
      { providerId: 'anthropic', timestamp: new Date(timestampMs) },
    );
  });
});
