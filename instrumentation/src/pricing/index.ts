export { benchmarkPricing, type PricingBenchmark } from './benchmark.js';
export { priceInputFromCall } from './call-input.js';
export { BUNDLED_SOURCE, GENAI_PRICES_VERSION, type PriceDataStatus } from './catalog.js';
export { PricingConfigError, type PricingOverrides, parseOverrides } from './overrides.js';
export {
  ENV_PRICES_DATA,
  ENV_PRICING_FILE,
  Pricer,
  type PricerOptions,
  type ReloadResult,
} from './pricer.js';
export {
  type CallCost,
  PRICING_STATUS_INVALID_USAGE,
  PRICING_STATUS_NO_USAGE,
  PRICING_STATUS_PRICED,
  PRICING_STATUS_UNKNOWN_MODEL,
  type PriceInput,
  type PricingStatus,
} from './types.js';
