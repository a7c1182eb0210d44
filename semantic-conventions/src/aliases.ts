/**
 * Older and foreign names mapped to the current ones, so the collector can normalize spans from other
 * instrumentations: older OpenTelemetry GenAI releases, OpenLLMetry (Traceloop), OpenInference (Arize), the
 * Vercel AI SDK and OpenLIT. Data only, plus one tiny pure lookup function.
 *
 * How the tables are meant to be applied to one span:
 * 1. If the span already has the current attribute, it wins and the aliases of that attribute are ignored.
 * 2. Otherwise the FIRST alias, in ATTRIBUTE_ALIASES order, that is present on the span supplies the value,
 *    converted as its `transform` says.
 * 3. Foreign attributes stay on the span (it is evidence); normalization only adds the current names.
 * 4. Usage on a span matched by NON_LEAF_SPAN_VALUES sums the model calls below it: never count it.
 */

import {
  ATTR_GEN_AI_COMPLETION,
  ATTR_GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT,
  ATTR_GEN_AI_OPENAI_REQUEST_SEED,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROMPT,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_OUTPUT_TYPE_VALUE_JSON,
  GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS,
  GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  GEN_AI_PROVIDER_NAME_VALUES,
  GEN_AI_SYSTEM_VALUE_AZ_AI_INFERENCE,
  GEN_AI_SYSTEM_VALUE_AZ_AI_OPENAI,
  GEN_AI_SYSTEM_VALUE_GEMINI,
  GEN_AI_SYSTEM_VALUE_VERTEX_AI,
  GEN_AI_SYSTEM_VALUE_XAI,
} from './gen-ai.js';

/** Where a foreign name comes from. `otel-unreleased` = the GenAI conventions' main branch, not yet tagged. */
export type AliasConvention =
  | 'otel-legacy'
  | 'otel-unreleased'
  | 'openllmetry'
  | 'openinference'
  | 'vercel-ai'
  | 'openlit'
  | 'other';

/**
 * How a foreign value becomes the current one. Absent means copy it unchanged.
 * - `ms-to-s`: the foreign value is in milliseconds, the current one in seconds (divide by 1000).
 * - `to-array`: the foreign value is one string, the current attribute a string array (wrap it).
 * - `provider-name`: map the value with normalizeProviderName.
 * - `operation-name`: map the value with OPERATION_VALUE_ALIASES[from]; no entry means "not a model call".
 * - `output-type`: map the value with OUTPUT_TYPE_VALUE_ALIASES.
 */
export type AliasTransform = 'ms-to-s' | 'to-array' | 'provider-name' | 'operation-name' | 'output-type';

export interface AttributeAlias {
  /** The older or foreign attribute name, as it appears on spans. */
  readonly from: string;
  /** The current attribute name it stands for. */
  readonly to: string;
  readonly convention: AliasConvention;
  readonly transform?: AliasTransform;
  /** Where the meaning differs from the current attribute, or which versions emit it. */
  readonly note?: string;
}

// Foreign attributes that say what kind of span it is.
export const FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE = 'llm.request.type' as const;
export const FOREIGN_ATTR_TRACELOOP_SPAN_KIND = 'traceloop.span.kind' as const;
export const FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind' as const;
export const FOREIGN_ATTR_VERCEL_OPERATION_ID = 'ai.operationId' as const;

/** Ordered: for each target, earlier entries win (older OTel names first, then newer foreign spellings first). */
export const ATTRIBUTE_ALIASES: readonly AttributeAlias[] = [
  // Provider
  {
    from: ATTR_GEN_AI_SYSTEM,
    to: ATTR_GEN_AI_PROVIDER_NAME,
    convention: 'otel-legacy',
    transform: 'provider-name',
    note: 'OTel ≤ v1.36; still emitted by OpenLLMetry, OpenLIT and the Vercel AI SDK',
  },
  {
    from: 'llm.provider',
    to: ATTR_GEN_AI_PROVIDER_NAME,
    convention: 'openinference',
    transform: 'provider-name',
    note: 'hosting provider (azure, aws, google, ...); preferred over llm.system',
  },
  {
    from: 'llm.system',
    to: ATTR_GEN_AI_PROVIDER_NAME,
    convention: 'openinference',
    transform: 'provider-name',
    note: 'the AI product (openai, anthropic, ...), not the host',
  },
  {
    from: 'ai.model.provider',
    to: ATTR_GEN_AI_PROVIDER_NAME,
    convention: 'vercel-ai',
    transform: 'provider-name',
    note: '<provider>.<api>, e.g. openai.chat, anthropic.messages',
  },

  // Operation
  {
    from: FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE,
    to: ATTR_GEN_AI_OPERATION_NAME,
    convention: 'openllmetry',
    transform: 'operation-name',
  },
  {
    from: FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND,
    to: ATTR_GEN_AI_OPERATION_NAME,
    convention: 'openinference',
    transform: 'operation-name',
  },
  {
    from: FOREIGN_ATTR_VERCEL_OPERATION_ID,
    to: ATTR_GEN_AI_OPERATION_NAME,
    convention: 'vercel-ai',
    transform: 'operation-name',
  },

  // Models and response identity
  { from: 'llm.request.model_name', to: ATTR_GEN_AI_REQUEST_MODEL, convention: 'openinference' },
  {
    from: 'llm.model_name',
    to: ATTR_GEN_AI_REQUEST_MODEL,
    convention: 'openinference',
    note: 'older single model attribute; often filled from the response, so it may be the resolved model',
  },
  { from: 'embedding.model_name', to: ATTR_GEN_AI_REQUEST_MODEL, convention: 'openinference' },
  { from: 'ai.model.id', to: ATTR_GEN_AI_REQUEST_MODEL, convention: 'vercel-ai' },
  { from: 'llm.response.model_name', to: ATTR_GEN_AI_RESPONSE_MODEL, convention: 'openinference' },
  { from: 'ai.response.model', to: ATTR_GEN_AI_RESPONSE_MODEL, convention: 'vercel-ai' },
  { from: 'ai.response.id', to: ATTR_GEN_AI_RESPONSE_ID, convention: 'vercel-ai' },
  {
    from: 'llm.response.finish_reason',
    to: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    convention: 'openllmetry',
    transform: 'to-array',
  },
  {
    from: 'llm.finish_reason',
    to: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    convention: 'openinference',
    transform: 'to-array',
  },
  {
    from: 'ai.response.finishReason',
    to: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    convention: 'vercel-ai',
    transform: 'to-array',
    note: 'AI SDK v4+',
  },
  {
    from: 'ai.finishReason',
    to: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    convention: 'vercel-ai',
    transform: 'to-array',
    note: 'AI SDK v3',
  },
  {
    from: 'anthropic.message.stop_reason',
    to: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    convention: 'other',
    transform: 'to-array',
    note: '@anthropic-ai/sdk 1.x tracing itself (scope com.anthropic.sdk.typescript): the raw stop_reason',
  },
  {
    from: 'ai.response.msToFirstChunk',
    to: ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    convention: 'vercel-ai',
    transform: 'ms-to-s',
    note: 'milliseconds, on the doStream span',
  },
  {
    from: 'ai.stream.msToFirstChunk',
    to: ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    convention: 'vercel-ai',
    transform: 'ms-to-s',
    note: 'milliseconds',
  },

  // Request parameters
  { from: ATTR_GEN_AI_OPENAI_REQUEST_SEED, to: ATTR_GEN_AI_REQUEST_SEED, convention: 'otel-legacy' },
  {
    from: ATTR_GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT,
    to: ATTR_GEN_AI_OUTPUT_TYPE,
    convention: 'otel-legacy',
    transform: 'output-type',
  },
  { from: 'llm.top_k', to: ATTR_GEN_AI_REQUEST_TOP_K, convention: 'openllmetry' },
  { from: 'llm.frequency_penalty', to: ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, convention: 'openllmetry' },
  { from: 'llm.presence_penalty', to: ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, convention: 'openllmetry' },
  { from: 'llm.chat.stop_sequences', to: ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, convention: 'openllmetry' },
  { from: 'llm.is_streaming', to: ATTR_GEN_AI_REQUEST_STREAM, convention: 'openllmetry' },
  { from: 'gen_ai.request.is_stream', to: ATTR_GEN_AI_REQUEST_STREAM, convention: 'openlit' },

  // OpenAI refinements
  {
    from: ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
    to: ATTR_OPENAI_REQUEST_SERVICE_TIER,
    convention: 'otel-legacy',
  },
  { from: 'gen_ai.request.service_tier', to: ATTR_OPENAI_REQUEST_SERVICE_TIER, convention: 'openlit' },
  {
    from: ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
    to: ATTR_OPENAI_RESPONSE_SERVICE_TIER,
    convention: 'otel-legacy',
  },
  { from: 'gen_ai.response.service_tier', to: ATTR_OPENAI_RESPONSE_SERVICE_TIER, convention: 'openlit' },
  {
    from: ATTR_GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    to: ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    convention: 'otel-legacy',
  },
  {
    from: 'gen_ai.openai.system_fingerprint',
    to: ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    convention: 'openllmetry',
  },
  {
    from: 'gen_ai.response.system_fingerprint',
    to: ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT,
    convention: 'openlit',
  },

  // Input tokens (current meaning: all input, cache included)
  {
    from: ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
    to: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    convention: 'otel-legacy',
    note: 'OTel < v1.28; OpenLLMetry and AI SDK v3. Some older emitters left Anthropic cache tokens out',
  },
  { from: 'llm.token_count.prompt', to: ATTR_GEN_AI_USAGE_INPUT_TOKENS, convention: 'openinference' },
  {
    from: 'ai.usage.inputTokens',
    to: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v5+',
  },
  {
    from: 'ai.usage.promptTokens',
    to: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK ≤ v4; excluded Anthropic cache tokens (add cache read/write when present)',
  },
  {
    from: 'ai.usage.tokens',
    to: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'embed/embedMany spans only: the tokens embedded',
  },

  // Output tokens (current meaning: all output, reasoning included)
  {
    from: ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
    to: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    convention: 'otel-legacy',
    note: 'OTel < v1.28; OpenLLMetry and AI SDK v3',
  },
  { from: 'llm.token_count.completion', to: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, convention: 'openinference' },
  {
    from: 'ai.usage.outputTokens',
    to: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v5+',
  },
  {
    from: 'ai.usage.completionTokens',
    to: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK ≤ v4',
  },

  // Cache reads (a subset of input)
  {
    from: 'gen_ai.usage.cache_read_input_tokens',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'openllmetry',
    note: 'OpenLLMetry semconv-ai < 0.5',
  },
  {
    from: 'llm.token_count.prompt_details.cache_read',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'openinference',
  },
  {
    from: 'llm.token_count.prompt_details.cache_input',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'openinference',
    note: 'older spelling seen in some instrumentations',
  },
  {
    from: 'ai.usage.inputTokenDetails.cacheReadTokens',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v6',
  },
  {
    from: 'ai.usage.cachedInputTokens',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v5',
  },
  { from: 'gen_ai.usage.cached_tokens', to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, convention: 'other' },
  {
    from: 'gen_ai.usage.input_cached_tokens',
    to: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    convention: 'other',
    note: 'recognized by Langfuse',
  },

  // Cache writes (a subset of input)
  {
    from: ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
    to: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    convention: 'otel-unreleased',
    note: 'rename on the GenAI conventions main branch; we keep emitting the released cache_creation name',
  },
  {
    from: 'gen_ai.usage.cache_creation_input_tokens',
    to: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    convention: 'openllmetry',
    note: 'OpenLLMetry semconv-ai < 0.5',
  },
  {
    from: 'llm.token_count.prompt_details.cache_write',
    to: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    convention: 'openinference',
  },
  {
    from: 'ai.usage.inputTokenDetails.cacheWriteTokens',
    to: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v6; older versions only in ai.response.providerMetadata',
  },

  // Reasoning (a subset of output)
  {
    from: 'gen_ai.usage.reasoning_tokens',
    to: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    convention: 'openllmetry',
    note: 'also OpenLIT',
  },
  {
    from: 'llm.usage.reasoning_tokens',
    to: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    convention: 'openllmetry',
  },
  {
    from: 'llm.token_count.completion_details.reasoning',
    to: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    convention: 'openinference',
  },
  {
    from: 'ai.usage.outputTokenDetails.reasoningTokens',
    to: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v6',
  },
  {
    from: 'ai.usage.reasoningTokens',
    to: ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    convention: 'vercel-ai',
    note: 'AI SDK v5',
  },
];

export interface ForeignAttribute {
  readonly name: string;
  readonly convention: AliasConvention;
  readonly note?: string;
}

/**
 * Total-token attributes. No current attribute exists for a total, so none is ever written. The collector uses
 * a total only (a) to check input + output against it and (b) for embeddings, which have no output tokens, as
 * the input count when no input count is present.
 */
export const TOTAL_TOKENS_ATTRIBUTES: readonly ForeignAttribute[] = [
  { name: 'gen_ai.usage.total_tokens', convention: 'openlit', note: 'also seen from other emitters' },
  { name: 'llm.usage.total_tokens', convention: 'openllmetry' },
  { name: 'llm.token_count.total', convention: 'openinference' },
  { name: 'ai.usage.totalTokens', convention: 'vercel-ai' },
];

/**
 * Costs computed by other tools. Read for comparison only: ailedger.cost.usd always comes from our own pricing,
 * so another tool's price table never becomes ours.
 */
export const FOREIGN_COST_ATTRIBUTES: readonly ForeignAttribute[] = [
  { name: 'gen_ai.usage.cost', convention: 'openlit', note: 'USD; also read by Langfuse' },
  { name: 'llm.cost.total', convention: 'openinference', note: 'USD' },
  { name: 'llm.cost.prompt', convention: 'openinference', note: 'USD' },
  { name: 'llm.cost.completion', convention: 'openinference', note: 'USD' },
];

export interface ForeignContentAttribute extends ForeignAttribute {
  /** true: the name is also used flattened, `<name>.<index>.<field>` (e.g. gen_ai.prompt.0.content). */
  readonly indexed: boolean;
}

/** Older and foreign attributes that carry prompt or response content: redact or drop them like ours. */
export const FOREIGN_CONTENT_ATTRIBUTES: readonly ForeignContentAttribute[] = [
  { name: ATTR_GEN_AI_PROMPT, convention: 'otel-legacy', indexed: true, note: 'OpenLLMetry flattens it' },
  { name: ATTR_GEN_AI_COMPLETION, convention: 'otel-legacy', indexed: true, note: 'OpenLLMetry flattens it' },
  { name: 'traceloop.entity.input', convention: 'openllmetry', indexed: false },
  { name: 'traceloop.entity.output', convention: 'openllmetry', indexed: false },
  { name: 'llm.input_messages', convention: 'openinference', indexed: true },
  { name: 'llm.output_messages', convention: 'openinference', indexed: true },
  { name: 'llm.prompts', convention: 'openinference', indexed: true },
  { name: 'llm.choices', convention: 'openinference', indexed: true },
  { name: 'llm.prompt_template.variables', convention: 'openinference', indexed: false },
  { name: 'input.value', convention: 'openinference', indexed: false },
  { name: 'output.value', convention: 'openinference', indexed: false },
  { name: 'embedding.embeddings', convention: 'openinference', indexed: true },
  { name: 'ai.prompt', convention: 'vercel-ai', indexed: false },
  { name: 'ai.prompt.messages', convention: 'vercel-ai', indexed: false },
  { name: 'ai.response.text', convention: 'vercel-ai', indexed: false },
  { name: 'ai.response.object', convention: 'vercel-ai', indexed: false },
  { name: 'ai.response.reasoning', convention: 'vercel-ai', indexed: false },
  { name: 'ai.response.toolCalls', convention: 'vercel-ai', indexed: false },
  { name: 'ai.toolCall.args', convention: 'vercel-ai', indexed: false },
  { name: 'ai.toolCall.result', convention: 'vercel-ai', indexed: false },
  { name: 'ai.value', convention: 'vercel-ai', indexed: false },
  { name: 'ai.values', convention: 'vercel-ai', indexed: false },
  { name: 'gen_ai.tool.args', convention: 'openlit', indexed: false },
];

/**
 * Provider values of older and foreign conventions → current gen_ai.provider.name values. Keys are lower case:
 * look values up lower-cased (normalizeProviderName does). Current values are not listed; they map to themselves.
 */
export const PROVIDER_VALUE_ALIASES: Readonly<Record<string, string>> = {
  // gen_ai.system values that were renamed (OTel ≤ v1.36, still used by OpenLLMetry and OpenLIT)
  [GEN_AI_SYSTEM_VALUE_XAI]: GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  [GEN_AI_SYSTEM_VALUE_AZ_AI_OPENAI]: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  [GEN_AI_SYSTEM_VALUE_AZ_AI_INFERENCE]: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  [GEN_AI_SYSTEM_VALUE_VERTEX_AI]: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  [GEN_AI_SYSTEM_VALUE_GEMINI]: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  // OpenLLMetry before semconv-ai 0.5 (capitalized: Anthropic, MistralAI, TogetherAI, Watsonx, AWS, Google, ...)
  mistralai: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  togetherai: GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  watsonx: GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  aws: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  bedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  google: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI,
  // OpenInference llm.provider / llm.system
  azure: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  vertexai: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  together: GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  moonshot: GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI,
  // OpenLIT
  'ibm.watson.ai': GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  'google.ai.studio': GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  mistral: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  // Vercel AI SDK ai.model.provider: '<provider>.<api>'
  'openai.chat': GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  'openai.responses': GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  'openai.completion': GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  'openai.embedding': GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  'azure.chat': GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  'azure.responses': GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  'azure.completion': GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  'azure.embedding': GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  'anthropic.messages': GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  'google.generative-ai': GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  'google.vertex': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'google.vertex.chat': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'google.vertex.embedding': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'vertex.anthropic': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'vertex.anthropic.messages': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'amazon-bedrock': GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  'mistral.chat': GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  'mistral.embedding': GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  'cohere.chat': GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  'cohere.textembedding': GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  'groq.chat': GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  'xai.chat': GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  'xai.responses': GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  'deepseek.chat': GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  'togetherai.chat': GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  'fireworks.chat': GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS,
  'cerebras.chat': GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS,
};

/** The `<api>` suffixes of Vercel ai.model.provider values, stripped when the full value is not in the table. */
export const VERCEL_PROVIDER_API_SUFFIXES: readonly string[] = [
  'chat',
  'responses',
  'completion',
  'embedding',
  'textembedding',
  'messages',
  'image',
  'transcription',
  'speech',
];

function lookupProvider(key: string): string | undefined {
  if (Object.hasOwn(PROVIDER_VALUE_ALIASES, key)) return PROVIDER_VALUE_ALIASES[key];
  return GEN_AI_PROVIDER_NAME_VALUES.includes(key) ? key : undefined;
}

/**
 * Current gen_ai.provider.name value for an older or foreign provider value, case-insensitively
 * (`Anthropic` → `anthropic`, `xai` → `x_ai`, `openai.responses` → `openai`). An unknown value is returned
 * unchanged, so nothing the span said is lost.
 */
export function normalizeProviderName(value: string): string {
  const key = value.trim().toLowerCase();
  const known = lookupProvider(key);
  if (known !== undefined) return known;
  // Vercel providers not in the table, e.g. 'ollama.chat' or a custom 'openrouter.chat'.
  const dot = key.lastIndexOf('.');
  if (dot > 0 && VERCEL_PROVIDER_API_SUFFIXES.includes(key.slice(dot + 1))) {
    return lookupProvider(key.slice(0, dot)) ?? value;
  }
  return value;
}

/**
 * Operation values per foreign attribute → gen_ai.operation.name. A value with no entry (OpenLLMetry `rerank`,
 * OpenInference `CHAIN`, Vercel `ai.generateText`) is not a model call we can name.
 */
export const OPERATION_VALUE_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE]: {
    chat: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    completion: GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
    embedding: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  },
  [FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND]: {
    // OpenInference does not tell chat from text completion; chat is by far the common case.
    LLM: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    EMBEDDING: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    TOOL: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    AGENT: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    RETRIEVER: GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
  },
  [FOREIGN_ATTR_VERCEL_OPERATION_ID]: {
    'ai.generateText.doGenerate': GEN_AI_OPERATION_NAME_VALUE_CHAT,
    'ai.streamText.doStream': GEN_AI_OPERATION_NAME_VALUE_CHAT,
    'ai.generateObject.doGenerate': GEN_AI_OPERATION_NAME_VALUE_CHAT,
    'ai.streamObject.doStream': GEN_AI_OPERATION_NAME_VALUE_CHAT,
    'ai.embed.doEmbed': GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    'ai.embedMany.doEmbed': GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    'ai.toolCall': GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  },
};

/**
 * Span kinds, per foreign attribute, that are NOT one model call. Their usage (if any) is the sum or a copy of
 * the model-call spans below them (Vercel's ai.generateText root sums every step), so counting it double-counts.
 */
export const NON_LEAF_SPAN_VALUES: Readonly<Record<string, readonly string[]>> = {
  [FOREIGN_ATTR_VERCEL_OPERATION_ID]: [
    'ai.generateText',
    'ai.streamText',
    'ai.generateObject',
    'ai.streamObject',
    'ai.embed',
    'ai.embedMany',
    'ai.rerank',
  ],
  [FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND]: [
    'CHAIN',
    'AGENT',
    'TOOL',
    'RETRIEVER',
    'RERANKER',
    'GUARDRAIL',
    'EVALUATOR',
    'PROMPT',
  ],
  [FOREIGN_ATTR_TRACELOOP_SPAN_KIND]: ['workflow', 'task', 'agent', 'tool'],
};

/**
 * Current operations whose usage may aggregate child model calls (an in-process agent or workflow). Count
 * their usage only when no model-call span below them was counted (a remote agent's span is the only record).
 */
export const AGGREGATE_OPERATION_NAMES: readonly string[] = [
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
];

/** gen_ai.openai.request.response_format values → gen_ai.output.type values. */
export const OUTPUT_TYPE_VALUE_ALIASES: Readonly<Record<string, string>> = {
  text: GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
  json_object: GEN_AI_OUTPUT_TYPE_VALUE_JSON,
  json_schema: GEN_AI_OUTPUT_TYPE_VALUE_JSON,
};

/**
 * Attribute keys whose presence marks a span as a GenAI span of some convention (current or foreign). Used to
 * decide cheaply whether a span needs normalizing, and whether an enclosing span is another instrumentation's
 * record of the same model call.
 */
export const GENAI_SPAN_MARKER_KEYS: readonly string[] = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_SYSTEM,
  'llm.system',
  'llm.provider',
  FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE,
  FOREIGN_ATTR_TRACELOOP_SPAN_KIND,
  FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND,
  FOREIGN_ATTR_VERCEL_OPERATION_ID,
  'ai.model.provider',
];
