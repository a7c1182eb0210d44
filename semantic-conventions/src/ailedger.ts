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

/** Whether the call could be priced; an unknown model is never silently $0. */
export const ATTR_AILEDGER_PRICING_STATUS = 'ailedger.pricing.status' as const;
/** A price was found and ailedger.cost.* are set. */
export const AILEDGER_PRICING_STATUS_VALUE_PRICED = 'priced' as const;
/** The model matched no price entry: the call is unpriced, not free. */
export const AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL = 'unknown_model' as const;
/** No token counts, reported or estimated, so nothing to price. */
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

/** Team the call is billed to (from withAttribution, W3C baggage, AILEDGER_TEAM or OTEL_RESOURCE_ATTRIBUTES). */
export const ATTR_AILEDGER_TEAM = 'ailedger.team' as const;
/** Feature or use case the call served (from withAttribution, baggage, AILEDGER_USE_CASE or the resource). */
export const ATTR_AILEDGER_USE_CASE = 'ailedger.use_case' as const;
/** End user or principal on whose behalf the call was made, as the app identifies it. */
export const ATTR_AILEDGER_USER = 'ailedger.user' as const;
/**
 * Which rule named ailedger.team (set by the collector): app (the app set it), resource, key_fingerprint,
 * service, resource_rule or default.
 */
export const ATTR_AILEDGER_TEAM_SOURCE = 'ailedger.team.source' as const;
/** Truncated HMAC-SHA256 of the credential a call used; never the credential. */
export const ATTR_AILEDGER_API_KEY_FINGERPRINT = 'ailedger.api_key.fingerprint' as const;
/**
 * SHA-256 (lower-case hex) of the request body bytes as sent, so a record can be proven later without storing the
 * content. Set whether or not content is captured.
 */
export const ATTR_AILEDGER_CONTENT_REQUEST_SHA256 = 'ailedger.content.request_sha256' as const;
/**
 * SHA-256 (lower-case hex) of the response body as decoded (after content-encoding), up to the protocol's last
 * event for streams. Set whether or not content is captured.
 */
export const ATTR_AILEDGER_CONTENT_RESPONSE_SHA256 = 'ailedger.content.response_sha256' as const;

// --- Count-once marks ----------------------------------------------------------------------------------------
// When another instrumentation (an SDK's own tracing, a framework) also records the same model call, the usage
// would be counted twice. Our span is the one counted; the foreign span is marked, never deleted.
/** On a foreign GenAI span: the span id (16 hex chars) of our span that counted the same call. */
export const ATTR_AILEDGER_ACCOUNTED_BY = 'ailedger.accounted_by' as const;
/** boolean. false on a span whose usage and cost must not be summed (foreign duplicate or aggregate span). */
export const ATTR_AILEDGER_BILLABLE = 'ailedger.billable' as const;

/** Instrumentation scope (tracer/meter name) of every span and metric the instrumentation records. */
export const AILEDGER_INSTRUMENTATION_SCOPE_NAME = '@ailedger/instrumentation' as const;

// --- Prometheus metric names ---------------------------------------------------------------------------------
/** Counter, USD: sum of ailedger.cost.usd over priced calls. */
export const METRIC_AILEDGER_COST_USD_TOTAL = 'ailedger_cost_usd_total' as const;
/** Counter, tokens, split by `type` (disjoint, see AILEDGER_TOKEN_TYPE_VALUE_*). */
export const METRIC_AILEDGER_TOKENS_TOTAL = 'ailedger_tokens_total' as const;
/** Counter: model calls, by `status`. */
export const METRIC_AILEDGER_REQUESTS_TOTAL = 'ailedger_requests_total' as const;
/** Histogram, seconds: request issue to end of the response (stream end for streams). */
export const METRIC_AILEDGER_REQUEST_DURATION_SECONDS = 'ailedger_request_duration_seconds' as const;
/** Histogram, seconds: request issue to first chunk; streamed calls only. */
export const METRIC_AILEDGER_TIME_TO_FIRST_TOKEN_SECONDS = 'ailedger_time_to_first_token_seconds' as const;
/** Counter: calls that could not be priced, by `status` (the ailedger.pricing.status value). */
export const METRIC_AILEDGER_UNPRICED_REQUESTS_TOTAL = 'ailedger_unpriced_requests_total' as const;

// Label names. Kept to bounded sets: per-call detail (user, response id) belongs in spans and the ledger.
export const AILEDGER_METRIC_LABEL_TEAM = 'team' as const;
export const AILEDGER_METRIC_LABEL_USE_CASE = 'use_case' as const;
/** The gen_ai.provider.name value. */
export const AILEDGER_METRIC_LABEL_PROVIDER = 'provider' as const;
/** The response model, else the request model. */
export const AILEDGER_METRIC_LABEL_MODEL = 'model' as const;
/** The gen_ai.operation.name value. */
export const AILEDGER_METRIC_LABEL_OPERATION = 'operation' as const;
/** The service.name resource attribute of the app that made the call. */
export const AILEDGER_METRIC_LABEL_SERVICE = 'service' as const;
export const AILEDGER_METRIC_LABEL_TYPE = 'type' as const;
export const AILEDGER_METRIC_LABEL_STATUS = 'status' as const;

// Values of `type` on ailedger_tokens_total. Disjoint on purpose, so sum() over type is the total token count
// and each type lines up with one ailedger.cost.* component (unlike gen_ai.token.type, whose input includes cache).
/** Uncached input tokens: input − cache read − cache write. */
export const AILEDGER_TOKEN_TYPE_VALUE_INPUT = 'input' as const;
export const AILEDGER_TOKEN_TYPE_VALUE_CACHE_READ = 'cache_read' as const;
export const AILEDGER_TOKEN_TYPE_VALUE_CACHE_WRITE = 'cache_write' as const;
/** All output tokens, reasoning included (priced at the output rate). */
export const AILEDGER_TOKEN_TYPE_VALUE_OUTPUT = 'output' as const;

// Values of `status` on ailedger_requests_total and ailedger_request_duration_seconds.
export const AILEDGER_REQUEST_STATUS_VALUE_OK = 'ok' as const;
/** The call failed (error.type is set on its span). */
export const AILEDGER_REQUEST_STATUS_VALUE_ERROR = 'error' as const;

// Plain keys and no spreads, so bundlers can drop the table when it is unused (a test checks the keys).
/** The label set of each ailedger metric, in a stable order. */
export const AILEDGER_METRIC_LABELS: Readonly<Record<string, readonly string[]>> = {
  ailedger_cost_usd_total: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
  ],
  ailedger_tokens_total: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
    AILEDGER_METRIC_LABEL_TYPE,
  ],
  ailedger_requests_total: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
    AILEDGER_METRIC_LABEL_STATUS,
  ],
  ailedger_request_duration_seconds: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
    AILEDGER_METRIC_LABEL_STATUS,
  ],
  ailedger_time_to_first_token_seconds: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
  ],
  ailedger_unpriced_requests_total: [
    AILEDGER_METRIC_LABEL_TEAM,
    AILEDGER_METRIC_LABEL_USE_CASE,
    AILEDGER_METRIC_LABEL_PROVIDER,
    AILEDGER_METRIC_LABEL_MODEL,
    AILEDGER_METRIC_LABEL_OPERATION,
    AILEDGER_METRIC_LABEL_SERVICE,
    AILEDGER_METRIC_LABEL_STATUS,
  ],
};
