/**
 * The Cohere family: v2 Chat and Embed (the current API), and the legacy v1 Chat and Embed. Cohere's
 * OpenAI-compatible API (/compatibility/v1/...) is left to the openai family, next in the host table's order.
 *
 * Usage is read from `billed_units` (what is billed; `tokens` also counts prompt-template tokens). Responses name
 * no model, so the response model is the requested one. v2 streams are SSE whose `message-end` event carries
 * the finish reason and usage and is terminal (the SDK aborts right after it); v1 streams are JSON lines ending
 * with a `stream-end` event. The two versions are told apart by shape, not by path.
 *
 * Pure: reads JSON and writes into the ModelCall; stream state lives in the record itself.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
} from '@ailedger/semantic-conventions';
import {
  type ChatMessage,
  captureDelta,
  captureInput,
  captureOutput,
  captureToolCall,
  chatMessage,
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
  arr,
  assign,
  count,
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

const CHAT: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_CHAT });
const EMBEDDINGS: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS });

const MAX_ERROR_MESSAGE = 2048;

function classify(req: RequestFacts): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (path.endsWith('/v2/chat') || path.endsWith('/v1/chat')) return CHAT;
  if (path.endsWith('/v2/embed') || path.endsWith('/v1/embed')) return EMBEDDINGS;
  return undefined;
}

// --- Request --------------------------------------------------------------------------------------------------

function outputType(formatType: unknown): string | undefined {
  if (formatType === 'json_object') return 'json';
  if (formatType === 'text') return 'text';
  return undefined;
}

/** A v2 `content` value: a string, or content blocks whose `text` we keep. */
function addContent(sink: TextCollector, content: unknown): void {
  if (typeof content === 'string') {
    sink.add(content);
    return;
  }
  const parts = arr(content);
  if (parts === undefined) return;
  for (const p of parts) sink.add(obj(p)?.text);
}

function addToolCalls(sink: TextCollector, toolCalls: unknown): void {
  const calls = arr(toolCalls);
  if (calls === undefined) return;
  for (const tc of calls) sink.add(obj(obj(tc)?.function)?.arguments);
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/** v1 roles are upper-case: USER, CHATBOT, SYSTEM, TOOL. */
function roleOf(role: unknown): string {
  const r = text(role)?.toLowerCase();
  if (r === undefined) return 'user';
  return r === 'chatbot' ? 'assistant' : r;
}

/** A v2 content value: a string or blocks (text, image_url, document). */
function cohereParts(content: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  if (typeof content === 'string') {
    push(parts, textPart(content));
    return parts;
  }
  for (const c of arr(content) ?? []) {
    const block = obj(c);
    if (block === undefined) continue;
    if (block.type === 'image_url') push(parts, urlPart('image', obj(block.image_url)?.url));
    else if (block.type === 'document') {
      const data = obj(block.document)?.data;
      push(
        parts,
        textPart(typeof data === 'string' ? data : data === undefined ? undefined : JSON.stringify(data)),
      );
    } else push(parts, textPart(block.text));
  }
  return parts;
}

/** v2 tool_calls `{id, function: {name, arguments}}`; v1 `{name, parameters}`. */
function toolCallParts(toolCalls: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const tc of arr(toolCalls) ?? []) {
    const t = obj(tc);
    const fn = obj(t?.function);
    push(
      parts,
      fn !== undefined
        ? toolCallPart(t?.id, fn.name, fn.arguments)
        : toolCallPart(t?.id, t?.name, t?.parameters),
    );
  }
  return parts;
}

/** An assistant message: its plan (the model's reasoning before tool calls), content and tool calls. */
function assistantParts(message: JsonObject): MessagePart[] {
  const parts: MessagePart[] = [];
  push(parts, reasoningPart(message.tool_plan));
  parts.push(...cohereParts(message.content));
  parts.push(...cohereParts(message.message)); // v1 history entries
  parts.push(...toolCallParts(message.tool_calls));
  return parts;
}

/** v2 `messages`; v1 `preamble` (system instructions), `chat_history`, `tool_results` and `message`. */
function captureChatInput(call: ModelCall, b: JsonObject): void {
  const messages: ChatMessage[] = [];
  for (const key of ['chat_history', 'messages'] as const) {
    for (const m of arr(b[key]) ?? []) {
      const message = obj(m);
      if (message === undefined) continue;
      const role = roleOf(message.role);
      if (role === 'tool') {
        // v2: {role: tool, tool_call_id, content}; v1 history: {role: TOOL, tool_results: [{call, outputs}]}
        const results = arr(message.tool_results);
        if (results === undefined) {
          const content = message.content;
          const texts = cohereParts(content).flatMap((p) => (p.type === 'text' ? [p.content] : []));
          messages.push(
            chatMessage('tool', [
              toolResponsePart(message.tool_call_id, texts.length > 0 ? texts.join('') : content),
            ]),
          );
        } else {
          messages.push(
            chatMessage(
              'tool',
              results.map((r) => toolResponsePart(obj(obj(r)?.call)?.name, obj(r)?.outputs)),
            ),
          );
        }
        continue;
      }
      messages.push(
        chatMessage(
          role,
          role === 'assistant'
            ? assistantParts(message)
            : [...cohereParts(message.content), ...cohereParts(message.message)],
        ),
      );
    }
  }
  const results = arr(b.tool_results);
  if (results !== undefined) {
    messages.push(
      chatMessage(
        'tool',
        results.map((r) => toolResponsePart(obj(obj(r)?.call)?.name, obj(r)?.outputs)),
      ),
    );
  }
  const current = textPart(b.message);
  if (current !== undefined) messages.push(chatMessage('user', [current]));
  const system: MessagePart[] = [];
  push(system, textPart(b.preamble));
  captureInput(call, messages, system);
}

/** Embed `texts`, or v2 `inputs[].content`, as one user message. */
function captureEmbedInput(call: ModelCall, b: JsonObject): void {
  const parts: MessagePart[] = [];
  for (const t of arr(b.texts) ?? []) push(parts, textPart(t));
  for (const i of arr(b.inputs) ?? []) parts.push(...cohereParts(obj(i)?.content));
  captureInput(call, parts.length > 0 ? [chatMessage('user', parts)] : []);
}

/** v2 `message`, or v1 `text` + `tool_calls`. */
function captureResponse(call: ModelCall, b: JsonObject): void {
  const message = obj(b.message);
  const parts =
    message !== undefined
      ? assistantParts(message)
      : [...cohereParts(b.text), ...toolCallParts(b.tool_calls)];
  if (parts.length === 0) return;
  captureOutput(call, [
    { role: 'assistant', parts, finish_reason: call.response.finishReasons[0] ?? 'error' },
  ]);
}

/** One v2 stream event's content. */
function captureV2Event(call: ModelCall, type: string | undefined, d: JsonObject): void {
  const message = obj(obj(d.delta)?.message);
  const index = count(d.index) ?? 0;
  switch (type) {
    case 'content-delta':
      captureDelta(call, 0, 'text', obj(message?.content)?.text);
      break;
    case 'tool-plan-delta':
      captureDelta(call, 0, 'reasoning', message?.tool_plan);
      break;
    case 'tool-call-start':
    case 'tool-call-delta': {
      const tc = obj(message?.tool_calls);
      const fn = obj(tc?.function);
      captureToolCall(call, 0, index, { id: tc?.id, name: fn?.name, argsDelta: fn?.arguments });
      break;
    }
    default:
      break;
  }
}

/** v2 `messages` and v1 `preamble` / `chat_history` / `message`, whichever the body has. */
function chatInputText(b: JsonObject): string {
  const sink = new TextCollector();
  sink.add(b.preamble);
  for (const key of ['messages', 'chat_history'] as const) {
    const list = arr(b[key]);
    if (list === undefined) continue;
    for (const m of list) {
      if (sink.full) break;
      const message = obj(m);
      if (message === undefined) continue;
      addContent(sink, message.content);
      sink.add(message.message); // v1 history entries
      sink.add(message.tool_plan);
      addToolCalls(sink, message.tool_calls);
    }
  }
  sink.add(b.message);
  return sink.value;
}

/** Embed `texts`, or v2 `inputs[].content[].text`. */
function embedInputText(b: JsonObject): string {
  const sink = new TextCollector();
  const texts = arr(b.texts);
  if (texts !== undefined) for (const t of texts) sink.add(t);
  const inputs = arr(b.inputs);
  if (inputs !== undefined) {
    for (const i of inputs) {
      if (sink.full) break;
      addContent(sink, obj(i)?.content);
    }
  }
  return sink.value;
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  const req = call.request;
  assign(req, 'model', text(b.model));
  if (b.stream === true) req.stream = true;
  // The response names no model; when it was already seen, it is the requested one.
  if (call.usage !== undefined || call.response.finishReasons.length > 0) answeredBy(call);

  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(req, 'encodingFormats', strings(b.embedding_types));
    assign(req, 'dimensions', count(b.output_dimension));
    setEstimationInput(call, embedInputText(b));
    if (call.content !== undefined) captureEmbedInput(call, b);
    return;
  }

  assign(req, 'maxTokens', count(b.max_tokens));
  assign(req, 'temperature', num(b.temperature));
  assign(req, 'topP', num(b.p));
  assign(req, 'topK', num(b.k));
  assign(req, 'seed', num(b.seed));
  assign(req, 'stopSequences', strings(b.stop_sequences));
  assign(req, 'frequencyPenalty', num(b.frequency_penalty));
  assign(req, 'presencePenalty', num(b.presence_penalty));
  assign(req, 'outputType', outputType(obj(b.response_format)?.type));
  setEstimationInput(call, chatInputText(b));
  if (call.content !== undefined) captureChatInput(call, b);
}

// --- Usage, errors, model -------------------------------------------------------------------------------------

/**
 * v2 `usage` or v1/embed `meta`: `billed_units` counts what is billed; `tokens` (which adds template tokens) only
 * stands in for a count billed_units lacks. cached_tokens is a subset of the input.
 */
function usageOf(call: ModelCall, u: JsonObject): TokenUsage | undefined {
  const billed = obj(u.billed_units);
  const tokens = obj(u.tokens);
  const usage: TokenUsage = {};
  assign(usage, 'inputTokens', count(billed?.input_tokens) ?? count(tokens?.input_tokens));
  if (call.operation !== GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(usage, 'outputTokens', count(billed?.output_tokens) ?? count(tokens?.output_tokens));
  }
  assign(usage, 'cacheReadInputTokens', count(u.cached_tokens));
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  return usage;
}

function applyUsage(call: ModelCall, u: unknown): void {
  const o = obj(u);
  if (o === undefined) return;
  const usage = usageOf(call, o);
  if (usage !== undefined) call.usage = usage; // last wins, never summed
}

/** Cohere responses carry no model: the model that answered is the one requested. */
function answeredBy(call: ModelCall): void {
  if (call.response.model === undefined) assign(call.response, 'model', call.request.model);
}

/** call.error: Cohere error bodies carry only a message, so an HTTP error's type is its status (filled later). */
function setError(call: ModelCall, message: unknown): void {
  const status = call.httpStatus;
  const error: ModelCall['error'] = { type: status !== undefined && status < 400 ? '_OTHER' : '' };
  const msg = text(message);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

function setFinishReason(call: ModelCall, reason: unknown): void {
  const r = text(reason);
  if (r !== undefined) call.response.finishReasons = [r];
}

// --- Whole responses ------------------------------------------------------------------------------------------

/** v2 chat: `{id, finish_reason, message, usage}`; v2 embed: `{id, embeddings, meta}`; v1 chat/embed: `meta`. */
function applyResponse(call: ModelCall, b: JsonObject): void {
  assign(call.response, 'id', text(b.id) ?? text(b.response_id));
  assign(call.response, 'model', text(b.model)); // not sent today; honoured if it ever is
  applyUsage(call, b.usage ?? b.meta);
  setFinishReason(call, b.finish_reason);
  answeredBy(call);
  if (call.content !== undefined && call.operation !== GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    captureResponse(call, b);
  }
  if (call.usage !== undefined) return;
  // No usage: keep the output text for estimation.
  const sink = new TextCollector();
  const message = obj(b.message);
  if (message !== undefined) {
    addContent(sink, message.content);
    sink.add(message.tool_plan);
    addToolCalls(sink, message.tool_calls);
  }
  sink.add(b.text); // v1 chat
  addEstimationOutput(call, sink.value);
}

function onResponseBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if ((call.httpStatus ?? 200) >= 400) {
    setError(call, b.message);
    return;
  }
  applyResponse(call, b);
}

// --- Streams --------------------------------------------------------------------------------------------------

/** One v2 event (`type` in the data, also the SSE event name). Returns true on the terminal message-end. */
function onV2Event(call: ModelCall, type: string | undefined, d: JsonObject): boolean {
  if (call.content !== undefined) captureV2Event(call, type, d);
  const delta = obj(d.delta);
  const message = obj(delta?.message);
  switch (type) {
    case 'message-start':
      assign(call.response, 'id', text(d.id));
      return false;
    case 'content-delta':
      addEstimationOutput(call, obj(message?.content)?.text);
      return false;
    case 'tool-plan-delta':
      addEstimationOutput(call, message?.tool_plan);
      return false;
    case 'tool-call-start':
    case 'tool-call-delta':
      addEstimationOutput(call, obj(obj(message?.tool_calls)?.function)?.arguments);
      return false;
    case 'message-end': {
      setFinishReason(call, delta?.finish_reason);
      applyUsage(call, delta?.usage);
      const error = delta?.error;
      if (error !== undefined && error !== null) setError(call, error);
      answeredBy(call);
      return true;
    }
    default:
      return false;
  }
}

/** One v1 event (`event_type`). Returns true on the terminal stream-end. */
function onV1Event(call: ModelCall, type: string, d: JsonObject): boolean {
  switch (type) {
    case 'stream-start':
      assign(call.response, 'id', text(d.generation_id));
      return false;
    case 'text-generation':
      addEstimationOutput(call, d.text);
      captureDelta(call, 0, 'text', d.text);
      return false;
    case 'stream-end': {
      const response = obj(d.response);
      if (response !== undefined) {
        assign(call.response, 'id', text(response.response_id));
        applyUsage(call, response.meta);
      }
      setFinishReason(call, d.finish_reason);
      answeredBy(call);
      // The final event repeats the whole response.
      if (call.content !== undefined && response !== undefined) captureResponse(call, response);
      return true;
    }
    default:
      return false;
  }
}

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('text/event-stream')) return 'sse';
    // v1 streams are JSON lines (application/stream+json).
    if (ct.includes('stream+json') || ct.includes('ndjson')) return 'ndjson';
    if (ct.includes('json')) return call.request.stream ? 'ndjson' : 'json';
  }
  return call.request.stream ? 'sse' : 'json';
}

function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  let value: unknown;
  let name: string | undefined;
  if (event.kind === 'sse') {
    const data = event.data;
    if (data === '[DONE]' || (data.length < 16 && data.trim() === '[DONE]')) return true;
    name = event.event;
    value = parseJson(data);
  } else if (event.kind === 'json') {
    value = event.value;
  } else {
    return false;
  }
  const d = obj(value);
  if (d === undefined) return false;
  const v1Type = text(d.event_type);
  if (v1Type !== undefined) return onV1Event(call, v1Type, d);
  return onV2Event(call, text(d.type) ?? name, d);
}

export const cohereAdapter: ProviderAdapter = {
  family: 'cohere',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
