/** The `ailedger.*` namespace: cost, pricing provenance, attribution and audit attributes. */

/** Total cost of the call in US dollars (double). Absent unless ailedger.pricing.status is `priced`. */
export const ATTR_AILEDGER_COST_USD = 'ailedger.cost.usd' as const;
/** Cost of uncached input tokens, USD. */
export const ATTR_AILEDGER_COST_INPUT_USD = 'ailedger.cost.input_usd' as const;
/** Cost of cache-read input tokens, USD. */
export const ATTR_AILEDGER_COST_CACHE_READ_USD = 'ailedger.cost.cache_read_usd' as const;
/** Cost of cache-write input tokens, USD. */
export const ATTR_AILEDGER_COST_CACHE_WRITE_USD = 'ailedger.cost.cache_write_usd' as const;
/** Cost of output tokens (including reasoning), USD. */
export const ATTR_AILEDGER_COST_OUTPUT_USD = 'ailedger.cost.output_usd' as const;

export const ATTR_AILEDGER_PRICING_STATUS = 'ailedger.pricing.status' as const;
export const AILEDGER_PRICING_STATUS_VALUE_PRICED = 'priced' as const;
export const AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL = 'unknown_model' as const;
export const AILEDGER_PRICING_STATUS_VALUE_NO_USAGE = 'no_usage' as const;
export type AiLedgerPricingStatus =
  | typeof AILEDGER_PRICING_STATUS_VALUE_PRICED
  | typeof AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL
  | typeof AILEDGER_PRICING_STATUS_VALUE_NO_USAGE;
/** The price-catalogue entry the call was matched to (provider/model id). */
export const ATTR_AILEDGER_PRICING_MODEL = 'ailedger.pricing.model' as const;
/** Where the price came from and which version of it (e.g. `genai-prices@0.1.8` or `override:<file>`). */
export const ATTR_AILEDGER_PRICING_SOURCE = 'ailedger.pricing.source' as const;

/** true when token counts were estimated locally because the provider reported no usage. */
export const ATTR_AILEDGER_USAGE_ESTIMATED = 'ailedger.usage.estimated' as const;

export const ATTR_AILEDGER_TEAM = 'ailedger.team' as const;
export const ATTR_AILEDGER_USE_CASE = 'ailedger.use_case' as const;
export const ATTR_AILEDGER_USER = 'ailedger.user' as const;
/** Truncated HMAC-SHA256 of the credential a call used; never the credential. */
export const ATTR_AILEDGER_API_KEY_FINGERPRINT = 'ailedger.api_key.fingerprint' as const;
/** SHA-256 of request and response content, so a record can be proven without storing the content. */
export const ATTR_AILEDGER_CONTENT_SHA256 = 'ailedger.content.sha256' as const;

// --- Prometheus metric names ---------------------------------------------------------------------------------
export const METRIC_AILEDGER_COST_USD_TOTAL = 'ailedger_cost_usd_total' as const;
export const METRIC_AILEDGER_TOKENS_TOTAL = 'ailedger_tokens_total' as const;
export const METRIC_AILEDGER_REQUESTS_TOTAL = 'ailedger_requests_total' as const;
export const METRIC_AILEDGER_REQUEST_DURATION_SECONDS = 'ailedger_request_duration_seconds' as const;
export const METRIC_AILEDGER_TIME_TO_FIRST_TOKEN_SECONDS = 'ailedger_time_to_first_token_seconds' as const;
export const METRIC_AILEDGER_UNPRICED_REQUESTS_TOTAL = 'ailedger_unpriced_requests_total' as const;
