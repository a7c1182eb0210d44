/**
 * The Anthropic family: the Messages API as served by Anthropic, by Anthropic-compatible servers (DeepSeek, xAI,
 * gateways) and by Vertex AI (`…/publishers/anthropic/models/{model}:rawPredict|:streamRawPredict`). Bedrock's
 * InvokeModel carries the same bodies; the Bedrock adapter reuses the exported helpers for them.
 *
 * Pure: reads JSON and writes into the ModelCall. Stream state lives in the record itself: usage is kept in its
 * normalized form and decomposed again when message_delta overwrites individual fields, so the adapter keeps
 * no per-call state.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
} from '@ailedger/semantic-conventions';
import {
  blobPart,
  type ChatMessage,
  captureDelta,
  captureInput,
  captureOutput,
  captureToolCall,
  chatMessage,
  filePart,
  type MessagePart,
  push,
  reasoningPart,
  textPart,
  toolCallPart,
  toolResponsePart,
  urlPart,
} from '../content/messages.js';
import type { ModelCall, TokenUsage } from '../model-call.js';
import {
  addEstimationOutput,
  addJson,
  arr,
  assign,
  count,
  decodeSegment,
  type JsonObject,
  num,
  obj,
  parseJson,
  setEstimationInput,
  strings,
  TextCollector,
  text,
} from './read.js';
import type { BodyFraming, CallClassification, ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

const MESSAGES: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_CHAT });

const VERTEX_MODELS = '/publishers/anthropic/models/';
const MAX_ERROR_MESSAGE = 2048;

/** Vertex: `…/publishers/anthropic/models/{model}:rawPredict` or `:streamRawPredict`. */
function classifyVertex(path: string): CallClassification | undefined {
  const at = path.indexOf(VERTEX_MODELS);
  if (at === -1) return undefined;
  const rest = path.slice(at + VERTEX_MODELS.length);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const method = rest.slice(colon + 1);
  if (method !== 'rawPredict' && method !== 'streamRawPredict') return undefined;
  const model = decodeSegment(rest.slice(0, colon));
  // Vertex counts Claude tokens through a pseudo-model on the same method: not inference.
  if (model.length === 0 || model.includes('/') || model === 'count-tokens') return undefined;
  return {
    operation: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    modelFromPath: model,
    streamFromPath: method === 'streamRawPredict',
    provider: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  };
}

function classify(req: RequestFacts, _provider: string): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  // Suffix match: compatible servers and gateways mount the API under a prefix (/anthropic/v1/messages).
  // /v1/messages/count_tokens and /v1/messages/batches do not end this way.
  if (path.endsWith('/v1/messages')) return MESSAGES;
  if (path.endsWith('Predict')) return classifyVertex(path);
  return undefined;
}

// --- Request --------------------------------------------------------------------------------------------------

/** Text of a content value: a string or an array of blocks (text, thinking, tool_use input, tool_result). */
function addContent(sink: TextCollector, content: unknown, depth = 0): void {
  if (typeof content === 'string') {
    sink.add(content);
    return;
  }
  const blocks = arr(content);
  if (blocks === undefined) return;
  for (const b of blocks) {
    if (sink.full) return;
    const block = obj(b);
    if (block === undefined) continue;
    sink.add(block.text);
    sink.add(block.thinking);
    if (block.type === 'tool_use' || block.type === 'server_tool_use') addJson(sink, block.input);
    // tool_result content is itself a string or blocks; one level of nesting is all the API allows.
    if (depth === 0 && block.content !== undefined) addContent(sink, block.content, depth + 1);
  }
}

function inputText(b: JsonObject): string {
  const sink = new TextCollector();
  addContent(sink, b.system);
  const messages = arr(b.messages);
  if (messages !== undefined) {
    for (const m of messages) {
      if (sink.full) break;
      addContent(sink, obj(m)?.content);
    }
  }
  return sink.value;
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/** An image or document block's `source`: base64 data, a URL, a file id, or (documents) plain text. */
function sourcePart(modality: string, source: JsonObject | undefined): MessagePart | undefined {
  if (source === undefined) return undefined;
  switch (source.type) {
    case 'base64':
      return blobPart(modality, source.media_type, source.data);
    case 'url':
      return urlPart(modality, source.url);
    case 'file':
      return filePart(modality, source.file_id);
    case 'text':
      return textPart(source.data);
    default:
      return undefined;
  }
}

/** A tool result's content: a string, the joined text of text blocks, or the blocks in the conventions' shape. */
function toolResult(content: unknown): unknown {
  if (typeof content === 'string') return content;
  const parts = anthropicParts(content, 1);
  const texts = parts.flatMap((p) => (p.type === 'text' ? [p.content] : []));
  return texts.length === parts.length ? texts.join('') : parts;
}

/** Content blocks (or a string) in the conventions' shape. */
export function anthropicParts(content: unknown, depth = 0): MessagePart[] {
  const parts: MessagePart[] = [];
  if (typeof content === 'string') {
    push(parts, textPart(content));
    return parts;
  }
  for (const b of arr(content) ?? []) {
    const block = obj(b);
    if (block === undefined) continue;
    const type = text(block.type) ?? '';
    if (type === 'thinking') push(parts, reasoningPart(block.thinking));
    else if (type === 'redacted_thinking') continue;
    else if (type === 'image') push(parts, sourcePart('image', obj(block.source)));
    else if (type === 'document') push(parts, sourcePart('document', obj(block.source)));
    else if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
      push(parts, toolCallPart(block.id, block.name, block.input));
    } else if (type.endsWith('tool_result')) {
      // tool_result content nests blocks one level; server tools' results are kept as sent.
      const response = type === 'tool_result' && depth === 0 ? toolResult(block.content) : block.content;
      parts.push(toolResponsePart(block.tool_use_id, response));
    } else push(parts, textPart(block.text));
  }
  return parts;
}

/** `system` and `messages` of a Messages request. */
export function captureAnthropicInput(call: ModelCall, b: JsonObject): void {
  const messages: ChatMessage[] = [];
  for (const m of arr(b.messages) ?? []) {
    const message = obj(m);
    if (message !== undefined)
      messages.push(chatMessage(text(message.role) ?? 'user', anthropicParts(message.content)));
  }
  captureInput(call, messages, anthropicParts(b.system));
}

/** Streamed content blocks: text and thinking deltas, tool_use blocks whose input arrives as JSON fragments. */
function captureAnthropicEvent(call: ModelCall, d: JsonObject): void {
  const index = count(d.index) ?? 0;
  if (d.type === 'content_block_start') {
    const block = obj(d.content_block);
    if (block === undefined) return;
    if (block.type === 'text') captureDelta(call, 0, 'text', block.text);
    else if (block.type === 'thinking') captureDelta(call, 0, 'reasoning', block.thinking);
    else if (block.type === 'tool_use' || block.type === 'server_tool_use' || block.type === 'mcp_tool_use') {
      // The start carries `input: {}`; the real input follows as input_json_delta fragments.
      const input = obj(block.input);
      const args = input !== undefined && Object.keys(input).length > 0 ? input : undefined;
      captureToolCall(call, 0, index, { id: block.id, name: block.name, args });
    }
    return;
  }
  const delta = obj(d.delta);
  if (delta === undefined) return;
  if (delta.type === 'text_delta') captureDelta(call, 0, 'text', delta.text);
  else if (delta.type === 'thinking_delta') captureDelta(call, 0, 'reasoning', delta.thinking);
  else if (delta.type === 'input_json_delta')
    captureToolCall(call, 0, index, { argsDelta: delta.partial_json });
}

/** output_config.effort when sent; else the thinking mode (enabled | adaptive | disabled), so the span says so. */
function reasoningLevel(b: JsonObject): string | undefined {
  return text(obj(b.output_config)?.effort) ?? text(obj(b.thinking)?.type);
}

/** Applies an Anthropic Messages request body (direct, Vertex, or Bedrock InvokeModel). */
export function applyAnthropicRequest(call: ModelCall, b: JsonObject): void {
  const req = call.request;
  // A model from the path (Vertex, Bedrock) is what the app addressed; those bodies carry none anyway.
  if (req.model === undefined) assign(req, 'model', text(b.model));
  if (b.stream === true) req.stream = true;
  assign(req, 'maxTokens', count(b.max_tokens));
  assign(req, 'temperature', num(b.temperature));
  assign(req, 'topP', num(b.top_p));
  assign(req, 'topK', num(b.top_k));
  assign(req, 'stopSequences', strings(b.stop_sequences));
  assign(req, 'reasoningLevel', reasoningLevel(b));
  assign(req, 'serviceTier', text(b.service_tier));
  setEstimationInput(call, inputText(b));
  if (call.content !== undefined) captureAnthropicInput(call, b);
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b !== undefined) applyAnthropicRequest(call, b);
}

// --- Usage ----------------------------------------------------------------------------------------------------

/** Anthropic's own counts, before normalization (input_tokens EXCLUDES cache reads and writes). */
interface RawUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  thinking?: number;
}

/** Overwrites `raw` with each count present (non-null) in an Anthropic usage object. */
function readRaw(raw: RawUsage, u: JsonObject): RawUsage {
  assign(raw, 'input', count(u.input_tokens));
  assign(raw, 'output', count(u.output_tokens));
  assign(raw, 'cacheRead', count(u.cache_read_input_tokens));
  assign(raw, 'cacheWrite', count(u.cache_creation_input_tokens));
  const split = obj(u.cache_creation);
  if (split !== undefined) {
    assign(raw, 'cacheWrite5m', count(split.ephemeral_5m_input_tokens));
    assign(raw, 'cacheWrite1h', count(split.ephemeral_1h_input_tokens));
  }
  assign(raw, 'thinking', count(obj(u.output_tokens_details)?.thinking_tokens));
  return raw;
}

function normalize(raw: RawUsage): TokenUsage {
  const usage: TokenUsage = {};
  if (raw.input !== undefined) {
    usage.inputTokens = raw.input + (raw.cacheRead ?? 0) + (raw.cacheWrite ?? 0);
  }
  assign(usage, 'outputTokens', raw.output);
  assign(usage, 'cacheReadInputTokens', raw.cacheRead);
  assign(usage, 'cacheCreationInputTokens', raw.cacheWrite);
  assign(usage, 'cacheCreation5mInputTokens', raw.cacheWrite5m);
  assign(usage, 'cacheCreation1hInputTokens', raw.cacheWrite1h);
  assign(usage, 'reasoningOutputTokens', raw.thinking);
  return usage;
}

/** The inverse of normalize for a usage this module produced: input_tokens is the total minus cache counts. */
function denormalize(u: TokenUsage | undefined): RawUsage {
  const raw: RawUsage = {};
  if (u === undefined) return raw;
  if (u.inputTokens !== undefined) {
    raw.input = Math.max(
      0,
      u.inputTokens - (u.cacheReadInputTokens ?? 0) - (u.cacheCreationInputTokens ?? 0),
    );
  }
  assign(raw, 'output', u.outputTokens);
  assign(raw, 'cacheRead', u.cacheReadInputTokens);
  assign(raw, 'cacheWrite', u.cacheCreationInputTokens);
  assign(raw, 'cacheWrite5m', u.cacheCreation5mInputTokens);
  assign(raw, 'cacheWrite1h', u.cacheCreation1hInputTokens);
  assign(raw, 'thinking', u.reasoningOutputTokens);
  return raw;
}

/** An Anthropic usage object in GenAI semantics: input = input_tokens + cache reads + cache writes. */
export function anthropicUsage(u: JsonObject): TokenUsage {
  return normalize(readRaw({}, u));
}

/** `prev` (a usage from this module) overwritten by every non-null count of `u`: message_delta's cumulative usage. */
export function mergeAnthropicUsage(prev: TokenUsage | undefined, u: JsonObject): TokenUsage {
  return normalize(readRaw(denormalize(prev), u));
}

function hasCounts(u: TokenUsage): boolean {
  return u.inputTokens !== undefined || u.outputTokens !== undefined;
}

// --- Errors ---------------------------------------------------------------------------------------------------

/**
 * call.error from an Anthropic error object `{type, message}` (or Vertex's Google-shaped `{code, status,
 * message}` when the Vertex layer itself refuses). With no type, an HTTP error leaves it empty for the recorder
 * to fill with the status; an error event inside a 200 stream gets `_OTHER`.
 */
export function applyAnthropicError(call: ModelCall, e: unknown): void {
  const o = obj(e);
  const status = call.httpStatus;
  const fallback = status !== undefined && status < 400 ? '_OTHER' : '';
  const error: ModelCall['error'] = { type: text(o?.type) ?? text(o?.status) ?? fallback };
  const msg = text(o?.message) ?? text(e);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

// --- Responses ------------------------------------------------------------------------------------------------

function setStopReason(call: ModelCall, reason: unknown): void {
  const r = text(reason);
  if (r !== undefined) call.response.finishReasons = [r];
}

function applyMeta(call: ModelCall, m: JsonObject): void {
  assign(call.response, 'id', text(m.id));
  assign(call.response, 'model', text(m.model));
}

/** A whole `type: "message"` object (non-streamed response, or Bedrock InvokeModel's body). */
export function applyAnthropicMessage(call: ModelCall, m: JsonObject): void {
  applyMeta(call, m);
  setStopReason(call, m.stop_reason);
  const u = obj(m.usage);
  if (u !== undefined) {
    const usage = anthropicUsage(u);
    if (hasCounts(usage)) call.usage = usage;
    assign(call.response, 'serviceTier', text(u.service_tier));
  }
  // Output text only matters for estimation.
  if (call.usage?.outputTokens === undefined) {
    const sink = new TextCollector();
    addContent(sink, m.content);
    addEstimationOutput(call, sink.value);
  }
  if (call.content !== undefined) {
    captureOutput(call, [
      {
        role: text(m.role) ?? 'assistant',
        parts: anthropicParts(m.content),
        finish_reason: call.response.finishReasons[0] ?? 'error',
      },
    ]);
  }
}

/** A body that is an error: `{type: "error", error: {...}}`, or a Google-shaped error from Vertex. */
function errorOf(b: JsonObject): unknown {
  if (b.type === 'error' || (b.error !== undefined && b.error !== null)) return b.error ?? b;
  return undefined;
}

/**
 * One decoded stream event (its JSON data). Returns true for the terminal event (message_stop), and for an
 * error event, after which Anthropic sends nothing more.
 */
export function applyAnthropicEvent(call: ModelCall, d: JsonObject): boolean {
  if (call.content !== undefined && (d.type === 'content_block_start' || d.type === 'content_block_delta')) {
    captureAnthropicEvent(call, d);
  }
  switch (d.type) {
    case 'message_start': {
      const m = obj(d.message);
      if (m === undefined) return false;
      applyMeta(call, m);
      const u = obj(m.usage);
      if (u !== undefined) {
        // message_start's output_tokens is a running count (1 or so), not the total: leave output unknown until
        // message_delta, so a stream cut before it estimates output instead of reporting 1.
        const usage = anthropicUsage(u);
        delete usage.outputTokens;
        delete usage.reasoningOutputTokens;
        if (usage.inputTokens !== undefined) call.usage = usage;
        assign(call.response, 'serviceTier', text(u.service_tier));
      }
      return false;
    }
    case 'content_block_start': {
      const block = obj(d.content_block);
      if (block !== undefined) {
        addEstimationOutput(call, block.text);
        addEstimationOutput(call, block.thinking);
      }
      return false;
    }
    case 'content_block_delta': {
      const delta = obj(d.delta);
      if (delta === undefined) return false;
      if (delta.type === 'text_delta') addEstimationOutput(call, delta.text);
      else if (delta.type === 'thinking_delta') addEstimationOutput(call, delta.thinking);
      else if (delta.type === 'input_json_delta') addEstimationOutput(call, delta.partial_json);
      return false;
    }
    case 'message_delta': {
      setStopReason(call, obj(d.delta)?.stop_reason);
      const u = obj(d.usage);
      if (u !== undefined) {
        const usage = mergeAnthropicUsage(call.usage, u);
        if (hasCounts(usage)) call.usage = usage;
      }
      return false;
    }
    case 'message_stop':
      return true;
    case 'error':
      applyAnthropicError(call, d.error ?? d);
      return true;
    default:
      return false; // ping, content_block_stop, and whatever new event appears
  }
}

// --- Adapter --------------------------------------------------------------------------------------------------

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('text/event-stream')) return 'sse';
    if (ct.includes('json')) return 'json';
  }
  return call.request.stream ? 'sse' : 'json';
}

function onResponseBody(call: ModelCall, body: unknown): void {
  // Vertex sometimes wraps a Google error in a one-element array.
  const b = obj(body) ?? obj(arr(body)?.[0]);
  if (b === undefined) return;
  const error = errorOf(b);
  if (error !== undefined) {
    applyAnthropicError(call, error);
    return;
  }
  applyAnthropicMessage(call, b);
}

function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  let d: JsonObject | undefined;
  if (event.kind === 'sse') d = obj(parseJson(event.data));
  else if (event.kind === 'json') d = obj(event.value);
  if (d === undefined) return false;
  // `event:` always equals data.type; data is authoritative.
  return applyAnthropicEvent(call, d);
}

export const anthropicAdapter: ProviderAdapter = {
  family: 'anthropic',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
