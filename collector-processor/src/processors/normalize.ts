/**
 * Normalization of GenAI spans from any instrumentation to the current OpenTelemetry GenAI conventions, and the
 * ModelCall record pricing and metrics read. Pure functions over plain attribute maps: no OTLP or SDK types, so
 * the OTLP pipeline and the in-process SpanProcessor share them.
 *
 * The alias DATA lives in @ailedger/semantic-conventions (aliases.ts); this module applies it as that file's
 * rules say: current names on the span win, otherwise the first alias present supplies the value; nothing on the
 * span is changed or removed, missing current names are returned as `additions`. On top of the table it applies
 * what the table cannot say: which conventions report input tokens without the cache counts, and which spans
 * only aggregate the model calls below them.
 */

import { type ModelCall, newModelCall, type TokenUsage } from '@ailedger/instrumentation/core';
import {
  AGGREGATE_OPERATION_NAMES,
  AILEDGER_INSTRUMENTATION_SCOPE_NAME,
  ATTR_AILEDGER_TEAM,
  ATTR_AILEDGER_USAGE_ESTIMATED,
  ATTR_AILEDGER_USE_CASE,
  ATTR_AILEDGER_USER,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_REASONING_LEVEL,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_RESPONSE_HEADER_PREFIX,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_OPENAI_API_TYPE,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTRIBUTE_ALIASES,
  type AttributeAlias,
  ERROR_TYPE_VALUE_OTHER,
  FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND,
  FOREIGN_ATTR_VERCEL_OPERATION_ID,
  GEN_AI_MODEL_CALL_OPERATION_NAMES,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GENAI_SPAN_MARKER_KEYS,
  NON_LEAF_SPAN_VALUES,
  normalizeProviderName,
  OPERATION_VALUE_ALIASES,
  OUTPUT_TYPE_VALUE_ALIASES,
  TOTAL_TOKENS_ATTRIBUTES,
} from '@ailedger/semantic-conventions';

export type AttrValue = string | number | boolean | string[] | number[] | boolean[];
export type AttrMap = Record<string, AttrValue | undefined>;

export interface SpanFacts {
  name: string;
  startTimeMs: number;
  endTimeMs: number;
  /** OTel status code: 0 unset, 1 ok, 2 error */
  statusCode?: number;
  statusMessage?: string;
  scopeName?: string;
}

/**
 * `model-call`: one call to a model, counted and priced. `aggregate`: every other GenAI span (workflow, agent,
 * chain, tool, retrieval, ...); a workflow's or agent's usage sums the calls below it (NON_LEAF_SPAN_VALUES), so
 * it is never counted.
 */
export type GenAiSpanKind = 'model-call' | 'aggregate';

export interface NormalizedSpan {
  kind: GenAiSpanKind;
  /**
   * Current-semconv attributes the span lacks, to ADD (existing attributes are never changed or removed; current
   * names on the span win over aliases). Aggregate spans get no usage additions: backends that sum
   * gen_ai.usage.* over spans would otherwise count the calls below them twice.
   */
  additions: AttrMap;
  /** For model calls: the record built from the span (current + aliased attributes), ready for pricing and metrics. */
  call?: ModelCall;
}

/** Provider recorded on a model call whose span names none. */
export const UNKNOWN_PROVIDER = 'unknown';

// --- Foreign names this module reads beyond the alias table (no current attribute to map them to) -------------
/** @anthropic-ai/sdk 1.x: the 5-minute / 1-hour split of cache writes (priced differently). */
const ANTHROPIC_CACHE_WRITE_5M = 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens';
const ANTHROPIC_CACHE_WRITE_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
const ANTHROPIC_RESPONSE_SERVICE_TIER = 'anthropic.response.service_tier';
/** Present only from AI SDK v6, whose ai.usage.inputTokens includes the cache counts. */
const VERCEL_NO_CACHE_TOKENS = 'ai.usage.inputTokenDetails.noCacheTokens';
const VERCEL_PROVIDER = 'ai.model.provider';
const VERCEL_PROVIDER_METADATA = 'ai.response.providerMetadata';
const OPENINFERENCE_INVOCATION_PARAMETERS = 'llm.invocation_parameters';

// --- Value coercion: spans arrive with numbers as strings, ints as doubles, arrays as JSON strings ------------

function toNumber(v: AttrValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    // Number('') and Number(' ') are 0: an empty value is absent, not zero.
    if (v.trim() === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A token count: finite, not negative, whole. */
function toCount(v: AttrValue | undefined): number | undefined {
  const n = toNumber(v);
  return n === undefined || n < 0 ? undefined : Math.round(n);
}

function toNonNegative(v: AttrValue | undefined): number | undefined {
  const n = toNumber(v);
  return n === undefined || n < 0 ? undefined : n;
}

function toStr(v: AttrValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 1) return toStr(v[0]);
  return undefined;
}

function toBool(v: AttrValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    return s === 'true' ? true : s === 'false' ? false : undefined;
  }
  return undefined;
}

/** A string array from an array, a JSON-array string ('["stop"]') or one plain string. */
function toStrings(v: AttrValue | undefined): string[] | undefined {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) if (item !== null && item !== undefined) out.push(String(item));
    return out.length > 0 ? out : undefined;
  }
  const s = toStr(v);
  if (s === undefined) return undefined;
  if (s.charCodeAt(0) === 91 /* [ */) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) {
        const out = parsed.filter((x) => x !== null && x !== undefined).map(String);
        return out.length > 0 ? out : undefined;
      }
    } catch {
      // Not JSON after all: keep the string as one value.
    }
  }
  return [s];
}

// --- The compiled alias table ---------------------------------------------------------------------------------

type Convert = (raw: AttrValue) => AttrValue | undefined;

const COUNT_TARGETS = new Set<string>([
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
]);
const USAGE_TARGETS = COUNT_TARGETS;
const NUMBER_TARGETS = new Set<string>([
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
]);
const ARRAY_TARGETS = new Set<string>([
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
]);
const BOOLEAN_TARGETS = new Set<string>([ATTR_GEN_AI_REQUEST_STREAM]);

/** Plain copy, coerced to the type of the current attribute. */
function converterFor(to: string): Convert {
  if (COUNT_TARGETS.has(to)) return toCount;
  if (NUMBER_TARGETS.has(to)) return toNumber;
  if (ARRAY_TARGETS.has(to)) return toStrings;
  if (BOOLEAN_TARGETS.has(to)) return toBool;
  // Targets added to the table later: strings stay strings, anything else is copied as it is.
  return (raw) => (typeof raw === 'string' ? toStr(raw) : raw);
}

function lookup(
  table: Readonly<Record<string, string>> | undefined,
  key: string | undefined,
): string | undefined {
  // hasOwn: a value such as "constructor" must not find Object.prototype members.
  return table !== undefined && key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function compile(alias: AttributeAlias): Convert {
  switch (alias.transform) {
    case 'ms-to-s':
      return (raw) => {
        const ms = toNonNegative(raw);
        return ms === undefined ? undefined : ms / 1000;
      };
    case 'to-array':
      return toStrings;
    case 'provider-name':
      return (raw) => {
        const s = toStr(raw);
        return s === undefined ? undefined : normalizeProviderName(s);
      };
    case 'operation-name': {
      const table = OPERATION_VALUE_ALIASES[alias.from];
      return (raw) => lookup(table, toStr(raw));
    }
    case 'output-type':
      return (raw) => lookup(OUTPUT_TYPE_VALUE_ALIASES, toStr(raw)?.toLowerCase());
    default:
      return converterFor(alias.to);
  }
}

interface CompiledAlias {
  from: string;
  to: string;
  usage: boolean;
  convert: Convert;
}

const ALIASES: readonly CompiledAlias[] = ATTRIBUTE_ALIASES.map((alias) => ({
  from: alias.from,
  to: alias.to,
  usage: USAGE_TARGETS.has(alias.to),
  convert: compile(alias),
}));

const FOREIGN_OPERATION_KEYS: readonly string[] = ATTRIBUTE_ALIASES.filter(
  (a) => a.to === ATTR_GEN_AI_OPERATION_NAME,
).map((a) => a.from);

const NON_LEAF: readonly (readonly [string, ReadonlySet<string>])[] = Object.entries(
  NON_LEAF_SPAN_VALUES,
).map(([attribute, values]) => [attribute, new Set(values)] as const);
const MODEL_CALL_OPERATIONS = new Set(GEN_AI_MODEL_CALL_OPERATION_NAMES);
const AGGREGATE_OPERATIONS = new Set(AGGREGATE_OPERATION_NAMES);
const TOTAL_KEYS: readonly string[] = TOTAL_TOKENS_ATTRIBUTES.map((a) => a.name);
/** Every name that carries a token count, current or foreign: a span with one of them is a GenAI span. */
const USAGE_KEYS: readonly string[] = [
  ...USAGE_TARGETS,
  ...ATTRIBUTE_ALIASES.filter((a) => USAGE_TARGETS.has(a.to)).map((a) => a.from),
  ...TOTAL_KEYS,
];

// --- Cheap pre-check --------------------------------------------------------------------------------------------

const MARKER_KEYS = new Set(GENAI_SPAN_MARKER_KEYS);
const USAGE_PREFIXES: readonly string[] = ['gen_ai.usage.', 'llm.token_count.', 'llm.usage.', 'ai.usage.'];

/** Cheap pre-check on attribute keys (GENAI_SPAN_MARKER_KEYS or any gen_ai./llm./ai. usage key); false → the span is not GenAI and is skipped. */
export function mayBeGenAi(keys: Iterable<string>): boolean {
  for (const key of keys) if (isGenAiKey(key)) return true;
  return false;
}

/** One key of the pre-check, for callers that hold keys in their own shape (OTLP KeyValues, SDK attributes). */
export function isGenAiKey(key: string): boolean {
  // Every marker and usage key starts with a, g, l, o or t: most keys are rejected on one char code.
  const c = key.charCodeAt(0);
  if (c !== 103 && c !== 108 && c !== 97 && c !== 111 && c !== 116) return false;
  if (MARKER_KEYS.has(key)) return true;
  for (const prefix of USAGE_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

/** Whether a span was recorded by our own instrumentation (already normalized, priced and counted at source). */
export function isOurSpan(scopeName?: string): boolean {
  return scopeName === AILEDGER_INSTRUMENTATION_SCOPE_NAME;
}

// --- Classification --------------------------------------------------------------------------------------------

function hasAny(attrs: AttrMap, keys: Iterable<string>): boolean {
  for (const key of keys) if (attrs[key] !== undefined) return true;
  return false;
}

function isNonLeaf(attrs: AttrMap): boolean {
  for (const [attribute, values] of NON_LEAF) {
    const value = attrs[attribute];
    if (typeof value === 'string' && values.has(value)) return true;
  }
  return false;
}

// --- Usage semantics -------------------------------------------------------------------------------------------

interface CacheCounts {
  read?: number;
  write?: number;
}

/**
 * Cache counts an AI SDK before v6 kept only in ai.response.providerMetadata (JSON): Anthropic's
 * {cacheCreationInputTokens, cacheReadInputTokens}, Bedrock's {usage: {cacheReadInputTokens, cacheWriteInputTokens}}.
 */
function vercelMetadataCache(raw: AttrValue | undefined): CacheCounts {
  if (typeof raw !== 'string' || !raw.includes('ache')) return {};
  try {
    const meta: unknown = JSON.parse(raw);
    if (typeof meta !== 'object' || meta === null) return {};
    const record = meta as Record<string, unknown>;
    const anthropic = record.anthropic as Record<string, AttrValue> | undefined;
    const bedrockUsage = (record.bedrock as { usage?: Record<string, AttrValue> } | undefined)?.usage;
    return {
      read: toCount(anthropic?.cacheReadInputTokens) ?? toCount(bedrockUsage?.cacheReadInputTokens),
      write: toCount(anthropic?.cacheCreationInputTokens) ?? toCount(bedrockUsage?.cacheWriteInputTokens),
    };
  } catch {
    return {};
  }
}

/**
 * AI SDK ≤ v5 reported Anthropic's and Bedrock's own input count, which leaves the cache out; v6 reports the total
 * and adds ai.usage.inputTokenDetails.noCacheTokens.
 */
function vercelInputExcludesCache(attrs: AttrMap): boolean {
  if (attrs[FOREIGN_ATTR_VERCEL_OPERATION_ID] === undefined || attrs[VERCEL_NO_CACHE_TOKENS] !== undefined) {
    return false;
  }
  const provider = toStr(attrs[VERCEL_PROVIDER])?.toLowerCase();
  return provider !== undefined && (provider.includes('anthropic') || provider.includes('bedrock'));
}

/**
 * Token usage in GenAI semantics (input includes cache, output includes reasoning), from the merged view.
 * Writes corrected counts into `additions` where the span lacks the current name.
 */
function resolveUsage(
  attrs: AttrMap,
  additions: AttrMap,
  operation: string,
  get: (key: string) => AttrValue | undefined,
): TokenUsage | undefined {
  let input = toCount(get(ATTR_GEN_AI_USAGE_INPUT_TOKENS));
  let output = toCount(get(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS));
  let cacheRead = toCount(get(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS));
  let cacheWrite = toCount(get(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS));
  const reasoning = toCount(get(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS));

  if (input === undefined && operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    // Embeddings have no output: a total is the input count.
    for (const key of TOTAL_KEYS) {
      input = toCount(attrs[key]);
      if (input !== undefined) break;
    }
  }

  if (input !== undefined) {
    let excludesCache = false;
    if (vercelInputExcludesCache(attrs)) {
      const meta = vercelMetadataCache(attrs[VERCEL_PROVIDER_METADATA]);
      cacheRead ??= meta.read;
      cacheWrite ??= meta.write;
      excludesCache = true;
    } else {
      // Whatever the convention, an input below its own cache subsets cannot include them.
      excludesCache = input < (cacheRead ?? 0) + (cacheWrite ?? 0);
    }
    if (excludesCache) input += (cacheRead ?? 0) + (cacheWrite ?? 0);
  }
  // Likewise an output below its reasoning subset was reported without it (xAI-style).
  if (output !== undefined && reasoning !== undefined && output < reasoning) output += reasoning;

  const usage: TokenUsage = {};
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadInputTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheCreationInputTokens = cacheWrite;
  if (reasoning !== undefined) usage.reasoningOutputTokens = reasoning;
  const write5m = toCount(attrs[ANTHROPIC_CACHE_WRITE_5M]);
  const write1h = toCount(attrs[ANTHROPIC_CACHE_WRITE_1H]);
  if (write5m !== undefined) usage.cacheCreation5mInputTokens = write5m;
  if (write1h !== undefined) usage.cacheCreation1hInputTokens = write1h;

  const add = (key: string, value: number | undefined) => {
    if (value !== undefined && attrs[key] === undefined) additions[key] = value;
  };
  add(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
  add(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output);
  add(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, cacheRead);
  add(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, cacheWrite);

  return input === undefined &&
    output === undefined &&
    cacheRead === undefined &&
    cacheWrite === undefined &&
    reasoning === undefined
    ? undefined
    : usage;
}

// --- OpenInference quirks -------------------------------------------------------------------------------------

const INVOCATION_MODEL = /"model"\s*:\s*"([^"\\]+)"/;
const INVOCATION_STREAM = /"stream"\s*:\s*true\b/;

/**
 * OpenInference's openai instrumentation overwrites llm.model_name with the response's model on non-streamed
 * calls; the model as requested survives only in llm.invocation_parameters (JSON).
 */
function fixOpenInferenceModels(attrs: AttrMap, additions: AttrMap): void {
  if (attrs[ATTR_GEN_AI_REQUEST_MODEL] !== undefined || attrs['llm.request.model_name'] !== undefined) return;
  const params = attrs[OPENINFERENCE_INVOCATION_PARAMETERS];
  const aliased = additions[ATTR_GEN_AI_REQUEST_MODEL];
  if (typeof params !== 'string' || typeof aliased !== 'string' || attrs['llm.model_name'] !== aliased)
    return;
  const requested = INVOCATION_MODEL.exec(params)?.[1];
  if (requested === undefined || requested === aliased) return;
  additions[ATTR_GEN_AI_REQUEST_MODEL] = requested;
  if (
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] === undefined &&
    additions[ATTR_GEN_AI_RESPONSE_MODEL] === undefined
  ) {
    additions[ATTR_GEN_AI_RESPONSE_MODEL] = aliased;
  }
}

/** Streaming, as far as the span tells: Vercel doStream spans, OpenInference's invocation parameters, a TTFC. */
function inferStream(attrs: AttrMap, additions: AttrMap): boolean {
  const vercel = attrs[FOREIGN_ATTR_VERCEL_OPERATION_ID];
  if (typeof vercel === 'string' && vercel.endsWith('.doStream')) return true;
  const params = attrs[OPENINFERENCE_INVOCATION_PARAMETERS];
  if (typeof params === 'string' && INVOCATION_STREAM.test(params)) return true;
  return (
    (attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] ??
      additions[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]) !== undefined
  );
}

// --- The record -------------------------------------------------------------------------------------------------

function buildCall(
  attrs: AttrMap,
  additions: AttrMap,
  facts: SpanFacts,
  provider: string,
  operation: string,
  get: (key: string) => AttrValue | undefined,
): ModelCall {
  const call = newModelCall({
    provider,
    operation,
    serverAddress: toStr(attrs[ATTR_SERVER_ADDRESS]) ?? '',
    serverPort: toCount(attrs[ATTR_SERVER_PORT]) ?? 0,
    startTimeMs: facts.startTimeMs,
  });
  call.endTimeMs = facts.endTimeMs;
  const apiType = toStr(attrs[ATTR_OPENAI_API_TYPE]);
  if (apiType !== undefined) call.apiType = apiType;

  const req = call.request;
  const model = toStr(get(ATTR_GEN_AI_REQUEST_MODEL));
  if (model !== undefined) req.model = model;
  const stream = toBool(attrs[ATTR_GEN_AI_REQUEST_STREAM]) ?? toBool(additions[ATTR_GEN_AI_REQUEST_STREAM]);
  if (stream === undefined) {
    if (inferStream(attrs, additions)) {
      req.stream = true;
      additions[ATTR_GEN_AI_REQUEST_STREAM] = true;
    }
  } else {
    req.stream = stream;
  }
  const set = <K extends keyof typeof req>(key: K, value: (typeof req)[K] | undefined) => {
    if (value !== undefined) req[key] = value;
  };
  set('maxTokens', toCount(attrs[ATTR_GEN_AI_REQUEST_MAX_TOKENS]));
  set('temperature', toNumber(attrs[ATTR_GEN_AI_REQUEST_TEMPERATURE]));
  set('topP', toNumber(attrs[ATTR_GEN_AI_REQUEST_TOP_P]));
  set('topK', toNumber(get(ATTR_GEN_AI_REQUEST_TOP_K)));
  set('stopSequences', toStrings(get(ATTR_GEN_AI_REQUEST_STOP_SEQUENCES)));
  set('seed', toNumber(get(ATTR_GEN_AI_REQUEST_SEED)));
  set('frequencyPenalty', toNumber(get(ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY)));
  set('presencePenalty', toNumber(get(ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY)));
  set('choiceCount', toCount(attrs[ATTR_GEN_AI_REQUEST_CHOICE_COUNT]));
  set('outputType', toStr(get(ATTR_GEN_AI_OUTPUT_TYPE)));
  set('reasoningLevel', toStr(attrs[ATTR_GEN_AI_REQUEST_REASONING_LEVEL]));
  set('encodingFormats', toStrings(attrs[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS]));
  set('dimensions', toCount(attrs[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT]));
  set('serviceTier', toStr(get(ATTR_OPENAI_REQUEST_SERVICE_TIER)));

  const res = call.response;
  const id = toStr(get(ATTR_GEN_AI_RESPONSE_ID));
  if (id !== undefined) res.id = id;
  const responseModel = toStr(get(ATTR_GEN_AI_RESPONSE_MODEL));
  if (responseModel !== undefined) res.model = responseModel;
  res.finishReasons = toStrings(get(ATTR_GEN_AI_RESPONSE_FINISH_REASONS)) ?? [];
  const tier = toStr(get(ATTR_OPENAI_RESPONSE_SERVICE_TIER)) ?? toStr(attrs[ANTHROPIC_RESPONSE_SERVICE_TIER]);
  if (tier !== undefined) res.serviceTier = tier;
  const fingerprint = toStr(get(ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT));
  if (fingerprint !== undefined) res.systemFingerprint = fingerprint;

  const ttfcSeconds = toNonNegative(get(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK));
  if (ttfcSeconds !== undefined) call.firstChunkTimeMs = facts.startTimeMs + ttfcSeconds * 1000;

  const usage = resolveUsage(attrs, additions, operation, get);
  if (usage !== undefined) call.usage = usage;
  call.usageEstimated = toBool(attrs[ATTR_AILEDGER_USAGE_ESTIMATED]) ?? false;

  const httpStatus = toCount(attrs[ATTR_HTTP_RESPONSE_STATUS_CODE]);
  if (httpStatus !== undefined) call.httpStatus = httpStatus;
  const errorType = toStr(attrs[ATTR_ERROR_TYPE]);
  if (errorType !== undefined || facts.statusCode === 2) {
    // error.type precedence of the conventions: provider code, else HTTP status, else _OTHER.
    const type =
      errorType ??
      (httpStatus !== undefined && httpStatus >= 400 ? String(httpStatus) : ERROR_TYPE_VALUE_OTHER);
    call.error = facts.statusMessage ? { type, message: facts.statusMessage } : { type };
    if (errorType === undefined) additions[ATTR_ERROR_TYPE] = type;
  }

  for (const key in attrs) {
    // Our instrumentation records rate-limit headers as http.response.header.<name> = [value].
    if (key.charCodeAt(0) !== 104 /* h */ || !key.startsWith(ATTR_HTTP_RESPONSE_HEADER_PREFIX)) continue;
    const name = key.slice(ATTR_HTTP_RESPONSE_HEADER_PREFIX.length);
    // Other captured headers (content-type, ...) are not rate limits.
    if (!name.includes('ratelimit') && name !== 'retry-after') continue;
    const value = toStr(attrs[key]);
    if (value !== undefined) call.rateLimitHeaders[name] = value;
  }

  const team = toStr(attrs[ATTR_AILEDGER_TEAM]);
  const useCase = toStr(attrs[ATTR_AILEDGER_USE_CASE]);
  const user = toStr(attrs[ATTR_AILEDGER_USER]);
  if (team !== undefined) call.attribution.team = team;
  if (useCase !== undefined) call.attribution.useCase = useCase;
  if (user !== undefined) call.attribution.user = user;
  return call;
}

/**
 * Normalizes one span's attributes. Returns undefined when the span is not a GenAI span of any known convention.
 * Never throws on odd values: they are treated as absent.
 */
export function normalizeGenAiSpan(attrs: AttrMap, facts: SpanFacts): NormalizedSpan | undefined {
  if (!hasAny(attrs, GENAI_SPAN_MARKER_KEYS) && !hasAny(attrs, USAGE_KEYS)) return undefined;
  const nonLeaf = isNonLeaf(attrs);

  // The one pass over the alias table: the first alias present supplies each current name the span lacks.
  const additions: AttrMap = {};
  for (const alias of ALIASES) {
    // Most foreign names are absent: test that first, one lookup per alias.
    const raw = attrs[alias.from];
    if (raw === undefined || (nonLeaf && alias.usage)) continue;
    if (attrs[alias.to] !== undefined || additions[alias.to] !== undefined) continue;
    const value = alias.convert(raw);
    if (value !== undefined) additions[alias.to] = value;
  }
  const get = (key: string): AttrValue | undefined => attrs[key] ?? additions[key];

  let operation = toStr(get(ATTR_GEN_AI_OPERATION_NAME));
  let kind: GenAiSpanKind;
  if (nonLeaf || (operation !== undefined && AGGREGATE_OPERATIONS.has(operation))) {
    kind = 'aggregate';
  } else if (operation !== undefined) {
    kind = MODEL_CALL_OPERATIONS.has(operation) ? 'model-call' : 'aggregate';
  } else if (hasAny(attrs, FOREIGN_OPERATION_KEYS)) {
    // A foreign operation with no current equivalent (OpenLLMetry rerank, an unknown Vercel id): not a model call.
    kind = 'aggregate';
  } else if (get(ATTR_GEN_AI_REQUEST_MODEL) !== undefined || hasAny(attrs, USAGE_KEYS)) {
    // Older emitters with a model and usage but no operation name: a model call, chat unless named embeddings.
    operation = facts.name.startsWith(GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS)
      ? GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS
      : GEN_AI_OPERATION_NAME_VALUE_CHAT;
    additions[ATTR_GEN_AI_OPERATION_NAME] = operation;
    kind = 'model-call';
  } else {
    kind = 'aggregate';
  }

  if (kind === 'aggregate') {
    for (const key of USAGE_TARGETS) delete additions[key];
    return { kind, additions };
  }

  if (attrs[FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND] !== undefined) fixOpenInferenceModels(attrs, additions);
  const providerValue = toStr(get(ATTR_GEN_AI_PROVIDER_NAME));
  const provider = providerValue === undefined ? UNKNOWN_PROVIDER : normalizeProviderName(providerValue);
  const call = buildCall(
    attrs,
    additions,
    facts,
    provider,
    operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT,
    get,
  );
  return { kind, additions, call };
}
