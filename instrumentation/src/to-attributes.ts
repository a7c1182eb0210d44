/**
 * THE mapping from a ModelCall (plus its price) to span attributes. Nothing else in the project writes GenAI or
 * ailedger attributes onto a span, so the span, the collector's normalization and the ledger can never disagree.
 */

import * as SC from '@ailedger/semantic-conventions';
import type { Attributes } from '@opentelemetry/api';
import { type ContentOptions, contentAttributes, DEFAULT_CONTENT_OPTIONS } from './content/serialize.js';
import type { ModelCall } from './model-call.js';

/** The part of a pricing result the span needs; structurally satisfied by the pricing module's CallCost. */
export interface CostAttributesInput {
  status: string;
  totalUsd?: number;
  inputUsd?: number;
  cacheReadUsd?: number;
  cacheWriteUsd?: number;
  outputUsd?: number;
  matchedModel?: string;
  source?: string;
}

/** `{operation} {request model}`, or just the operation when the model is unknown (per the GenAI conventions). */
export function spanName(call: ModelCall): string {
  const model = call.request.model;
  return model ? `${call.operation} ${model}` : call.operation;
}

/** Attributes known before the request is sent; set at span start because samplers may read them. */
export function startAttributes(call: ModelCall): Attributes {
  const attrs: Attributes = {
    [SC.ATTR_GEN_AI_OPERATION_NAME]: call.operation,
    [SC.ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    [SC.ATTR_SERVER_ADDRESS]: call.serverAddress,
    [SC.ATTR_SERVER_PORT]: call.serverPort,
  };
  if (call.request.model !== undefined) attrs[SC.ATTR_GEN_AI_REQUEST_MODEL] = call.request.model;
  return attrs;
}

function put(attrs: Attributes, key: string, value: string | number | boolean | string[] | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'number' && !Number.isFinite(value)) return;
  attrs[key] = value;
}

/**
 * Every attribute of a finished call. Captured content (present only when capture is on) is redacted and fitted
 * to `content.maxBytes` here; without options the built-in redaction rules and the default limit apply.
 */
export function modelCallAttributes(
  call: ModelCall,
  cost?: CostAttributesInput,
  content: ContentOptions = DEFAULT_CONTENT_OPTIONS,
): Attributes {
  const attrs = startAttributes(call);
  const req = call.request;
  put(attrs, SC.ATTR_OPENAI_API_TYPE, call.apiType);
  if (req.stream) attrs[SC.ATTR_GEN_AI_REQUEST_STREAM] = true;
  put(attrs, SC.ATTR_GEN_AI_REQUEST_MAX_TOKENS, req.maxTokens);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_TEMPERATURE, req.temperature);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_TOP_P, req.topP);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_TOP_K, req.topK);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, req.stopSequences);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_SEED, req.seed);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, req.frequencyPenalty);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, req.presencePenalty);
  if (req.choiceCount !== undefined && req.choiceCount !== 1) {
    attrs[SC.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = req.choiceCount;
  }
  put(attrs, SC.ATTR_GEN_AI_OUTPUT_TYPE, req.outputType);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_REASONING_LEVEL, req.reasoningLevel);
  put(attrs, SC.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS, req.encodingFormats);
  put(attrs, SC.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, req.dimensions);
  // The openai.* refinements are defined for OpenAI and Azure OpenAI only; other providers' tiers stay unrecorded
  // rather than appear under OpenAI's names.
  const openaiFamily =
    call.provider === SC.GEN_AI_PROVIDER_NAME_VALUE_OPENAI ||
    call.provider === SC.GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI;
  if (openaiFamily && req.serviceTier !== undefined && req.serviceTier !== 'auto') {
    attrs[SC.ATTR_OPENAI_REQUEST_SERVICE_TIER] = req.serviceTier;
  }

  const res = call.response;
  put(attrs, SC.ATTR_GEN_AI_RESPONSE_ID, res.id);
  put(attrs, SC.ATTR_GEN_AI_RESPONSE_MODEL, res.model);
  if (res.finishReasons.length > 0) attrs[SC.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = res.finishReasons;
  if (openaiFamily) {
    put(attrs, SC.ATTR_OPENAI_RESPONSE_SERVICE_TIER, res.serviceTier);
    put(attrs, SC.ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT, res.systemFingerprint);
  }
  if (req.stream && call.firstChunkTimeMs !== undefined) {
    attrs[SC.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = (call.firstChunkTimeMs - call.startTimeMs) / 1000;
  }

  const usage = call.usage;
  if (usage) {
    put(attrs, SC.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
    put(attrs, SC.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    put(attrs, SC.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
    put(attrs, SC.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
    put(attrs, SC.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningOutputTokens);
    attrs[SC.ATTR_AILEDGER_USAGE_ESTIMATED] = call.usageEstimated;
  }

  put(attrs, SC.ATTR_HTTP_RESPONSE_STATUS_CODE, call.httpStatus);
  if (call.error) attrs[SC.ATTR_ERROR_TYPE] = call.error.type;
  for (const [name, value] of Object.entries(call.rateLimitHeaders)) {
    // HTTP semconv records response headers as string arrays under http.response.header.<lower-case name>.
    attrs[`${SC.ATTR_HTTP_RESPONSE_HEADER_PREFIX}${name}`] = [value];
  }

  put(attrs, SC.ATTR_AILEDGER_TEAM, call.attribution.team);
  put(attrs, SC.ATTR_AILEDGER_USE_CASE, call.attribution.useCase);
  put(attrs, SC.ATTR_AILEDGER_USER, call.attribution.user);
  put(attrs, SC.ATTR_AILEDGER_API_KEY_FINGERPRINT, call.apiKeyFingerprint);
  put(attrs, SC.ATTR_AILEDGER_CONTENT_REQUEST_SHA256, call.requestSha256);
  put(attrs, SC.ATTR_AILEDGER_CONTENT_RESPONSE_SHA256, call.responseSha256);
  if (call.content !== undefined) Object.assign(attrs, contentAttributes(call, content));

  if (cost) Object.assign(attrs, costAttributes(cost));
  return attrs;
}

/** The pricing result alone; the collector adds these to foreign spans it prices. */
export function costAttributes(cost: CostAttributesInput): Attributes {
  const attrs: Attributes = { [SC.ATTR_AILEDGER_PRICING_STATUS]: cost.status };
  put(attrs, SC.ATTR_AILEDGER_PRICING_MODEL, cost.matchedModel);
  put(attrs, SC.ATTR_AILEDGER_PRICING_SOURCE, cost.source);
  put(attrs, SC.ATTR_AILEDGER_COST_USD, cost.totalUsd);
  put(attrs, SC.ATTR_AILEDGER_COST_INPUT_USD, cost.inputUsd);
  put(attrs, SC.ATTR_AILEDGER_COST_CACHE_READ_USD, cost.cacheReadUsd);
  put(attrs, SC.ATTR_AILEDGER_COST_CACHE_WRITE_USD, cost.cacheWriteUsd);
  put(attrs, SC.ATTR_AILEDGER_COST_OUTPUT_USD, cost.outputUsd);
  return attrs;
}
