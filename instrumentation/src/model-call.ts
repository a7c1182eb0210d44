/**
 * The one normalized model-call record. Provider adapters fill it from the request and the response (or stream
 * events); `to-attributes.ts` is the only module that turns it into span attributes, and pricing, metrics and the
 * ledger read the same record. It holds no OpenTelemetry types so the collector can build it from foreign spans.
 */

import type { CapturedContent } from './content/messages.js';

export type {
  CapturedContent,
  ChatMessage,
  MessagePart,
  OutputMessage,
} from './content/messages.js';

/** Token counts in OpenTelemetry GenAI semantics. Absent fields mean "not reported", never zero. */
export interface TokenUsage {
  /** Every input token, INCLUDING cache reads and cache writes (gen_ai.usage.input_tokens). */
  inputTokens?: number;
  /** Every output token, INCLUDING reasoning tokens (gen_ai.usage.output_tokens). */
  outputTokens?: number;
  /** Input tokens served from the provider's prompt cache; a subset of inputTokens. */
  cacheReadInputTokens?: number;
  /** Input tokens written to the provider's prompt cache; a subset of inputTokens. */
  cacheCreationInputTokens?: number;
  /** Anthropic's split of cache writes by lifetime (priced differently); each a subset of cacheCreationInputTokens. */
  cacheCreation5mInputTokens?: number;
  cacheCreation1hInputTokens?: number;
  /** Reasoning ("thinking") tokens; a subset of outputTokens. */
  reasoningOutputTokens?: number;
  /** Audio tokens where the provider reports them; subsets of input and output. */
  audioInputTokens?: number;
  audioOutputTokens?: number;
}

export interface ModelCallRequest {
  /** The model exactly as requested (for Azure: the deployment name). */
  model?: string;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  choiceCount?: number;
  /** gen_ai.output.type: text | json | image | speech */
  outputType?: string;
  /** Reasoning effort exactly as sent (OpenAI reasoning_effort, Anthropic output_config.effort, ...). */
  reasoningLevel?: string;
  encodingFormats?: string[];
  /** Requested embedding dimensions. */
  dimensions?: number;
  serviceTier?: string;
  /** Whether the request asked a streaming OpenAI-style API to include usage (stream_options.include_usage). */
  includeUsage?: boolean;
}

export interface ModelCallResponse {
  id?: string;
  /** The model that actually answered (for Azure: the real model behind the deployment). */
  model?: string;
  /** Raw provider finish reasons, one per choice, in order. */
  finishReasons: string[];
  serviceTier?: string;
  systemFingerprint?: string;
}

export interface ModelCallError {
  /** Low-cardinality: the provider's error code/type, else the HTTP status, else the exception name. */
  type: string;
  message?: string;
}

export interface ModelCallAttribution {
  team?: string;
  useCase?: string;
  user?: string;
}

/** Text kept only so tokens can be estimated when the provider reports no usage (capped, dropped after use). */
export interface EstimationText {
  input: string;
  output: string;
}

export interface ModelCall {
  /** gen_ai.provider.name */
  provider: string;
  /** gen_ai.operation.name */
  operation: string;
  /** openai.api.type for the OpenAI family (chat_completions | responses). */
  apiType?: string;
  serverAddress: string;
  serverPort: number;
  request: ModelCallRequest;
  response: ModelCallResponse;
  usage?: TokenUsage;
  /** true when `usage` was counted locally rather than reported by the provider. */
  usageEstimated: boolean;
  /** Epoch milliseconds (fractional). */
  startTimeMs: number;
  firstChunkTimeMs?: number;
  endTimeMs?: number;
  httpStatus?: number;
  error?: ModelCallError;
  /** Rate-limit response headers (lower-case name → value), recorded because a wire tap sees them for free. */
  rateLimitHeaders: Record<string, string>;
  attribution: ModelCallAttribution;
  estimation?: EstimationText;
  /** Truncated HMAC-SHA256 of the credential the call used (ailedger.api_key.fingerprint); never the credential. */
  apiKeyFingerprint?: string;
  /** SHA-256 (hex) of the request body bytes as sent. */
  requestSha256?: string;
  /** SHA-256 (hex) of the response body as decoded (after content-encoding), up to the protocol's last event. */
  responseSha256?: string;
  /** Messages in the GenAI conventions' shapes; only present when content capture is on. */
  content?: CapturedContent;
}

export function newModelCall(init: {
  provider: string;
  operation: string;
  serverAddress: string;
  serverPort: number;
  startTimeMs: number;
}): ModelCall {
  return {
    provider: init.provider,
    operation: init.operation,
    serverAddress: init.serverAddress,
    serverPort: init.serverPort,
    request: { stream: false },
    response: { finishReasons: [] },
    usageEstimated: false,
    startTimeMs: init.startTimeMs,
    rateLimitHeaders: {},
    attribution: {},
  };
}
