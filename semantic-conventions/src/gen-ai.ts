/**
 * OpenTelemetry GenAI semantic conventions, as released in semantic-conventions v1.41.1 (the last tag with
 * normative GenAI docs). Names that exist only on the unreleased main branch of the GenAI conventions repository
 * are marked "unreleased"; we read them, and do not emit them (the one exception, reasoning.level, says so).
 * Names from older releases are at the end of the file under "Deprecated": read, never emitted.
 */

// --- Operation and provider ---------------------------------------------------------------------------------
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name' as const;
/** Discriminates the telemetry flavour: Claude on Bedrock is `aws.bedrock`, not `anthropic`. */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name' as const;

export const GEN_AI_OPERATION_NAME_VALUE_CHAT = 'chat' as const;
export const GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION = 'text_completion' as const;
export const GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS = 'embeddings' as const;
export const GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT = 'generate_content' as const;
export const GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT = 'create_agent' as const;
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = 'invoke_agent' as const;
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool' as const;
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW = 'invoke_workflow' as const;
export const GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL = 'retrieval' as const;

export type GenAiOperationName =
  | typeof GEN_AI_OPERATION_NAME_VALUE_CHAT
  | typeof GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION
  | typeof GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS
  | typeof GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT
  | typeof GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT
  | typeof GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT
  | typeof GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL
  | typeof GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW
  | typeof GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL;

// Unreleased operation values (GenAI conventions main branch): read, not emitted.
export const GEN_AI_OPERATION_NAME_VALUE_PLAN = 'plan' as const;
export const GEN_AI_OPERATION_NAME_VALUE_CREATE_MEMORY_STORE = 'create_memory_store' as const;
export const GEN_AI_OPERATION_NAME_VALUE_DELETE_MEMORY_STORE = 'delete_memory_store' as const;
export const GEN_AI_OPERATION_NAME_VALUE_CREATE_MEMORY = 'create_memory' as const;
export const GEN_AI_OPERATION_NAME_VALUE_UPDATE_MEMORY = 'update_memory' as const;
export const GEN_AI_OPERATION_NAME_VALUE_UPSERT_MEMORY = 'upsert_memory' as const;
export const GEN_AI_OPERATION_NAME_VALUE_SEARCH_MEMORY = 'search_memory' as const;
export const GEN_AI_OPERATION_NAME_VALUE_DELETE_MEMORY = 'delete_memory' as const;
/** Unreleased: lookup of a stored response (e.g. GET /v1/responses/{id}); carries no usage. Read, not emitted. */
export const GEN_AI_OPERATION_NAME_VALUE_FETCH_RESPONSE = 'fetch_response' as const;

/** Operations that are one call to a model and may carry usage we count. */
export const GEN_AI_MODEL_CALL_OPERATION_NAMES: readonly string[] = [
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
];

export const GEN_AI_PROVIDER_NAME_VALUE_OPENAI = 'openai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI = 'azure.ai.openai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE = 'azure.ai.inference' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC = 'anthropic' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK = 'aws.bedrock' as const;
/** Gemini API / AI Studio (generativelanguage.googleapis.com). */
export const GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI = 'gcp.gemini' as const;
/** Vertex AI (aiplatform.googleapis.com), whatever the model family. */
export const GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI = 'gcp.vertex_ai' as const;
/** Google, backend unknown. */
export const GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI = 'gcp.gen_ai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI = 'mistral_ai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_COHERE = 'cohere' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_GROQ = 'groq' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK = 'deepseek' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY = 'perplexity' as const;
/** Note the underscore: the deprecated gen_ai.system value was `xai`. */
export const GEN_AI_PROVIDER_NAME_VALUE_X_AI = 'x_ai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI = 'ibm.watsonx.ai' as const;
/** Unreleased well-known value (GenAI conventions main branch); read, not emitted until released. */
export const GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI = 'moonshot_ai' as const;
/** Not standardized by the GenAI conventions; lowercase snake case as the spec advises for custom values. */
export const GEN_AI_PROVIDER_NAME_VALUE_OLLAMA = 'ollama' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_OPENROUTER = 'openrouter' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI = 'together_ai' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS = 'fireworks' as const;
export const GEN_AI_PROVIDER_NAME_VALUE_VLLM = 'vllm' as const;
/** Custom value, like the five above. */
export const GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS = 'cerebras' as const;

/** Every provider value above: the well-known ones, the unreleased one and our custom ones. */
export const GEN_AI_PROVIDER_NAME_VALUES: readonly string[] = [
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OLLAMA,
  GEN_AI_PROVIDER_NAME_VALUE_OPENROUTER,
  GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS,
  GEN_AI_PROVIDER_NAME_VALUE_VLLM,
  GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS,
];

// --- Request -------------------------------------------------------------------------------------------------
/** The model name exactly as requested (an Azure deployment name, a Bedrock inference profile id, ...). */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model' as const;
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens' as const;
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature' as const;
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p' as const;
/** double in v1.41; becomes int on the unreleased main branch. Never taken from OpenAI `top_logprobs`. */
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k' as const;
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences' as const;
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed' as const;
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty' as const;
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty' as const;
/** Set only when the request asked for a number of choices other than 1. */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count' as const;
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats' as const;
/** true iff the response is streamed; unset means not streamed. */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream' as const;
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type' as const;
export const GEN_AI_OUTPUT_TYPE_VALUE_TEXT = 'text' as const;
export const GEN_AI_OUTPUT_TYPE_VALUE_JSON = 'json' as const;
export const GEN_AI_OUTPUT_TYPE_VALUE_IMAGE = 'image' as const;
export const GEN_AI_OUTPUT_TYPE_VALUE_SPEECH = 'speech' as const;
/** Requested embedding dimensions (OpenAI `dimensions`, Gemini `outputDimensionality`). */
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count' as const;
/** Only when the provider or app supplies one; never synthesized. */
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id' as const;
/**
 * Unreleased (semantic-conventions-genai main): the reasoning effort exactly as sent. A pure addition, so unlike
 * the other unreleased names the instrumentation does emit it.
 */
export const ATTR_GEN_AI_REQUEST_REASONING_LEVEL = 'gen_ai.request.reasoning.level' as const;
/** Unreleased: OpenAI Responses `previous_response_id`. Read, not emitted. */
export const ATTR_GEN_AI_REQUEST_PREVIOUS_RESPONSE_ID = 'gen_ai.request.previous_response.id' as const;

// --- Response ------------------------------------------------------------------------------------------------
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id' as const;
/** The model that actually answered (often a dated snapshot of the requested one). */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model' as const;
/** One raw provider reason per choice, in choice order. */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons' as const;
/** Seconds from request issue to the first chunk of a streamed response. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk' as const;

// Normalized finish reasons, used inside gen_ai.output.messages (finish_reasons keeps the raw provider value).
export const GEN_AI_FINISH_REASON_VALUE_STOP = 'stop' as const;
export const GEN_AI_FINISH_REASON_VALUE_LENGTH = 'length' as const;
export const GEN_AI_FINISH_REASON_VALUE_CONTENT_FILTER = 'content_filter' as const;
export const GEN_AI_FINISH_REASON_VALUE_TOOL_CALL = 'tool_call' as const;
export const GEN_AI_FINISH_REASON_VALUE_ERROR = 'error' as const;

// --- Usage ---------------------------------------------------------------------------------------------------
/**
 * All input tokens, INCLUDING cache reads and cache writes: add the cache counts when a provider reports them
 * apart (Anthropic, Bedrock). Billed counts win over consumed counts (Cohere billed_units).
 */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens' as const;
/** All output tokens, INCLUDING reasoning tokens: add them when a provider reports them apart (Gemini, xAI). */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens' as const;
/** Input tokens served from the provider's prompt cache; a subset of gen_ai.usage.input_tokens. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens' as const;
/** Input tokens written to the prompt cache; a subset of gen_ai.usage.input_tokens. */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS =
  'gen_ai.usage.cache_creation.input_tokens' as const;
/** Unreleased rename of cache_creation (semantic-conventions-genai #440); read, not emitted. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens' as const;
/** Reasoning ("thinking") tokens; a subset of gen_ai.usage.output_tokens. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens' as const;

// Unreleased per-modality subsets (GenAI conventions main branch): read, not emitted.
export const ATTR_GEN_AI_USAGE_TEXT_INPUT_TOKENS = 'gen_ai.usage.text.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_IMAGE_INPUT_TOKENS = 'gen_ai.usage.image.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_AUDIO_INPUT_TOKENS = 'gen_ai.usage.audio.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_TEXT_OUTPUT_TOKENS = 'gen_ai.usage.text.output_tokens' as const;
export const ATTR_GEN_AI_USAGE_IMAGE_OUTPUT_TOKENS = 'gen_ai.usage.image.output_tokens' as const;
export const ATTR_GEN_AI_USAGE_AUDIO_OUTPUT_TOKENS = 'gen_ai.usage.audio.output_tokens' as const;
export const ATTR_GEN_AI_USAGE_TEXT_CACHE_READ_INPUT_TOKENS =
  'gen_ai.usage.text.cache_read.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_IMAGE_CACHE_READ_INPUT_TOKENS =
  'gen_ai.usage.image.cache_read.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_AUDIO_CACHE_READ_INPUT_TOKENS =
  'gen_ai.usage.audio.cache_read.input_tokens' as const;

// --- Content (opt-in) ----------------------------------------------------------------------------------------
/** Chat history sent to the model, as JSON. Opt-in: may hold personal data. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages' as const;
/** Model output, one message per choice, as JSON. Opt-in. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages' as const;
/** System prompt / instructions sent apart from the chat history, as JSON. Opt-in. */
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions' as const;
/** Tool definitions offered to the model, as JSON. Opt-in. */
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions' as const;
/** Arguments a tool was called with. Opt-in. */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments' as const;
/** What a tool returned. Opt-in. */
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result' as const;
/** Documents a retrieval returned (`[{id, score}]`). Opt-in. */
export const ATTR_GEN_AI_RETRIEVAL_DOCUMENTS = 'gen_ai.retrieval.documents' as const;
/** The query text of a retrieval. Opt-in. */
export const ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT = 'gen_ai.retrieval.query.text' as const;

/** Every current attribute that can carry prompt or response content: drop or redact these unless opted in. */
export const GEN_AI_CONTENT_ATTRIBUTES: readonly string[] = [
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
  ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT,
];

// --- Tools, agents, workflows, prompts (spans we do not create but the collector reads) ----------------------
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name' as const;
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id' as const;
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description' as const;
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type' as const;
export const GEN_AI_TOOL_TYPE_VALUE_FUNCTION = 'function' as const;
export const GEN_AI_TOOL_TYPE_VALUE_EXTENSION = 'extension' as const;
export const GEN_AI_TOOL_TYPE_VALUE_DATASTORE = 'datastore' as const;
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id' as const;
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name' as const;
export const ATTR_GEN_AI_AGENT_DESCRIPTION = 'gen_ai.agent.description' as const;
export const ATTR_GEN_AI_AGENT_VERSION = 'gen_ai.agent.version' as const;
export const ATTR_GEN_AI_WORKFLOW_NAME = 'gen_ai.workflow.name' as const;
export const ATTR_GEN_AI_DATA_SOURCE_ID = 'gen_ai.data_source.id' as const;
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name' as const;

// --- Evaluation (event gen_ai.evaluation.result) -------------------------------------------------------------
export const ATTR_GEN_AI_EVALUATION_NAME = 'gen_ai.evaluation.name' as const;
export const ATTR_GEN_AI_EVALUATION_SCORE_VALUE = 'gen_ai.evaluation.score.value' as const;
export const ATTR_GEN_AI_EVALUATION_SCORE_LABEL = 'gen_ai.evaluation.score.label' as const;
export const ATTR_GEN_AI_EVALUATION_EXPLANATION = 'gen_ai.evaluation.explanation' as const;

// --- Events --------------------------------------------------------------------------------------------------
/** Carries the inference span's attributes (including content) for log-based capture. */
export const EVENT_GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS =
  'gen_ai.client.inference.operation.details' as const;
export const EVENT_GEN_AI_CLIENT_OPERATION_EXCEPTION = 'gen_ai.client.operation.exception' as const;
export const EVENT_GEN_AI_EVALUATION_RESULT = 'gen_ai.evaluation.result' as const;

// --- OpenAI refinements --------------------------------------------------------------------------------------
export const ATTR_OPENAI_API_TYPE = 'openai.api.type' as const;
export const OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS = 'chat_completions' as const;
export const OPENAI_API_TYPE_VALUE_RESPONSES = 'responses' as const;
/** Set only when present and not `auto`. */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier' as const;
export const OPENAI_REQUEST_SERVICE_TIER_VALUE_AUTO = 'auto' as const;
export const OPENAI_REQUEST_SERVICE_TIER_VALUE_DEFAULT = 'default' as const;
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier' as const;
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = 'openai.response.system_fingerprint' as const;

// --- AWS Bedrock and Azure AI Inference refinements ----------------------------------------------------------
export const ATTR_AWS_BEDROCK_GUARDRAIL_ID = 'aws.bedrock.guardrail.id' as const;
export const ATTR_AWS_BEDROCK_KNOWLEDGE_BASE_ID = 'aws.bedrock.knowledge_base.id' as const;
export const ATTR_AZURE_RESOURCE_PROVIDER_NAMESPACE = 'azure.resource_provider.namespace' as const;
export const AZURE_RESOURCE_PROVIDER_NAMESPACE_VALUE_COGNITIVE_SERVICES =
  'Microsoft.CognitiveServices' as const;

// --- General attributes the GenAI spans use ------------------------------------------------------------------
/** Host of the GenAI endpoint (the logical server behind a proxy when known). */
export const ATTR_SERVER_ADDRESS = 'server.address' as const;
/** Port of the GenAI endpoint; the scheme default (443/80) when the URL has none. */
export const ATTR_SERVER_PORT = 'server.port' as const;
/** Provider error code, else HTTP status as a string, else exception name, else `_OTHER`. Set only on failure. */
export const ATTR_ERROR_TYPE = 'error.type' as const;
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code' as const;
export const ERROR_TYPE_VALUE_OTHER = '_OTHER' as const;
/**
 * HTTP semconv prefix for response headers: `http.response.header.<lower-case header name>`, value a string
 * array. We record provider rate-limit headers under it (e.g. `http.response.header.x-ratelimit-remaining-tokens`).
 */
export const ATTR_HTTP_RESPONSE_HEADER_PREFIX = 'http.response.header.' as const;

// --- Metrics -------------------------------------------------------------------------------------------------
/** Histogram, `{token}`, TOKENS buckets; one point per token type per call, only when usage is known. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage' as const;
/** Histogram, `s`, DURATION buckets; required. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration' as const;
/** Histogram, `s`, DURATION buckets; streaming only. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK =
  'gen_ai.client.operation.time_to_first_chunk' as const;
/** Histogram, `s`, DURATION buckets; streaming only, one point per chunk after the first. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK =
  'gen_ai.client.operation.time_per_output_chunk' as const;
// Model-server metrics: emitted by inference servers, never by us.
export const METRIC_GEN_AI_SERVER_REQUEST_DURATION = 'gen_ai.server.request.duration' as const;
export const METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN = 'gen_ai.server.time_per_output_token' as const;
export const METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN = 'gen_ai.server.time_to_first_token' as const;

export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type' as const;
/** Input tokens, including cached ones (as gen_ai.usage.input_tokens). */
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = 'input' as const;
/** Output tokens, including reasoning (as gen_ai.usage.output_tokens). */
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = 'output' as const;
export type GenAiTokenType = typeof GEN_AI_TOKEN_TYPE_VALUE_INPUT | typeof GEN_AI_TOKEN_TYPE_VALUE_OUTPUT;

export const METRIC_UNIT_TOKEN = '{token}' as const;
export const METRIC_UNIT_SECONDS = 's' as const;

/** Explicit bucket boundaries of gen_ai.client.token.usage (powers of 4, 1 to 67,108,864). */
export const GEN_AI_TOKEN_BUCKETS: readonly number[] = /* @__PURE__ */ Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);
/** Explicit bucket boundaries, in seconds, of every gen_ai.client.operation.* duration histogram. */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = /* @__PURE__ */ Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);
/** Bucket boundaries, in seconds, of gen_ai.server.time_per_output_token. */
export const GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN_BUCKETS: readonly number[] = /* @__PURE__ */ Object.freeze([
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
]);
/** Bucket boundaries, in seconds, of gen_ai.server.time_to_first_token. */
export const GEN_AI_SERVER_TIME_TO_FIRST_TOKEN_BUCKETS: readonly number[] = /* @__PURE__ */ Object.freeze([
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
]);

// Unreleased metric renames (GenAI conventions main branch). Not emitted; kept so a future opt-in and the
// collector agree on the names.
export const METRIC_GEN_AI_CLIENT_INFERENCE_DURATION = 'gen_ai.client.inference.duration' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK =
  'gen_ai.client.inference.time_to_first_chunk' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_TIME_PER_OUTPUT_CHUNK =
  'gen_ai.client.inference.time_per_output_chunk' as const;
/** Counter, `{token}`, with gen_ai.token.modality. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS =
  'gen_ai.client.inference.usage.input_tokens' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS =
  'gen_ai.client.inference.usage.output_tokens' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS =
  'gen_ai.client.inference.usage.cache_read.input_tokens' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS =
  'gen_ai.client.inference.usage.cache_write.input_tokens' as const;
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS =
  'gen_ai.client.inference.usage.reasoning.output_tokens' as const;
export const METRIC_GEN_AI_CLIENT_EMBEDDINGS_DURATION = 'gen_ai.client.embeddings.duration' as const;
/** Unreleased metric dimension: `text`, `image`, `audio` or `unknown`. */
export const ATTR_GEN_AI_TOKEN_MODALITY = 'gen_ai.token.modality' as const;
export const GEN_AI_TOKEN_MODALITY_VALUE_TEXT = 'text' as const;
export const GEN_AI_TOKEN_MODALITY_VALUE_IMAGE = 'image' as const;
export const GEN_AI_TOKEN_MODALITY_VALUE_AUDIO = 'audio' as const;
export const GEN_AI_TOKEN_MODALITY_VALUE_UNKNOWN = 'unknown' as const;

// --- Deprecated: names of older releases. Read (see aliases.ts), never emitted -------------------------------
/** ≤ v1.36 name of gen_ai.provider.name; some values differ (see PROVIDER_VALUE_ALIASES). */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system' as const;
export const GEN_AI_SYSTEM_VALUE_XAI = 'xai' as const;
export const GEN_AI_SYSTEM_VALUE_AZ_AI_OPENAI = 'az.ai.openai' as const;
export const GEN_AI_SYSTEM_VALUE_AZ_AI_INFERENCE = 'az.ai.inference' as const;
export const GEN_AI_SYSTEM_VALUE_VERTEX_AI = 'vertex_ai' as const;
export const GEN_AI_SYSTEM_VALUE_GEMINI = 'gemini' as const;
/** < v1.28 name of gen_ai.usage.input_tokens. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens' as const;
/** < v1.28 name of gen_ai.usage.output_tokens. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens' as const;
/** Removed content attributes (flattened as gen_ai.prompt.<i>.* by some instrumentations). May hold content. */
export const ATTR_GEN_AI_PROMPT = 'gen_ai.prompt' as const;
export const ATTR_GEN_AI_COMPLETION = 'gen_ai.completion' as const;
export const ATTR_GEN_AI_OPENAI_REQUEST_SEED = 'gen_ai.openai.request.seed' as const;
/** Became gen_ai.output.type (`json_object` and `json_schema` map to `json`). */
export const ATTR_GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT = 'gen_ai.openai.request.response_format' as const;
export const GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT_VALUE_TEXT = 'text' as const;
export const GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT_VALUE_JSON_OBJECT = 'json_object' as const;
export const GEN_AI_OPENAI_REQUEST_RESPONSE_FORMAT_VALUE_JSON_SCHEMA = 'json_schema' as const;
export const ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier' as const;
export const GEN_AI_OPENAI_REQUEST_SERVICE_TIER_VALUE_AUTO = 'auto' as const;
export const GEN_AI_OPENAI_REQUEST_SERVICE_TIER_VALUE_DEFAULT = 'default' as const;
export const ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier' as const;
export const ATTR_GEN_AI_OPENAI_RESPONSE_SYSTEM_FINGERPRINT =
  'gen_ai.openai.response.system_fingerprint' as const;
// Per-message events of ≤ v1.36; their bodies hold content.
export const EVENT_GEN_AI_SYSTEM_MESSAGE = 'gen_ai.system.message' as const;
export const EVENT_GEN_AI_USER_MESSAGE = 'gen_ai.user.message' as const;
export const EVENT_GEN_AI_ASSISTANT_MESSAGE = 'gen_ai.assistant.message' as const;
export const EVENT_GEN_AI_TOOL_MESSAGE = 'gen_ai.tool.message' as const;
export const EVENT_GEN_AI_CHOICE = 'gen_ai.choice' as const;
