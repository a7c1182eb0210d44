/**
 * The Ollama family, native API: /api/chat, /api/generate, /api/embed and the legacy /api/embeddings. Ollama's
 * OpenAI-compatible /v1 API is left to the openai family, next in the host table's order.
 *
 * Chat and generate stream by default (an omitted `stream` means true) as JSON lines. The line with
 * `done: true` carries done_reason and the counts and is terminal: the SDK stops reading there without
 * cancelling. Counts are Go `omitempty` fields, so once done a missing count is zero (a fully cached prompt).
 * Ollama sends no response id.
 *
 * Pure: reads JSON and writes into the ModelCall; stream state lives in the record itself.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
} from '@ailedger/semantic-conventions';
import {
  blobPart,
  type ChatMessage,
  captureDelta,
  captureInput,
  captureOutput,
  capturePart,
  captureRole,
  chatMessage,
  type MessagePart,
  push,
  reasoningPart,
  textPart,
  toolCallPart,
  toolResponsePart,
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
  stopSequences,
  TextCollector,
  text,
} from './read.js';
import type { BodyFraming, CallClassification, ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

// Streaming is the default for chat and generate; a body with `"stream": false` turns it off.
const CHAT: CallClassification = Object.freeze({
  operation: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  streamFromPath: true,
});
const GENERATE: CallClassification = Object.freeze({
  operation: GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  streamFromPath: true,
});
const EMBEDDINGS: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS });

const MAX_ERROR_MESSAGE = 2048;

function classify(req: RequestFacts): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  // Suffixes, so Ollama behind a reverse proxy's path prefix still matches.
  if (path.endsWith('/api/chat')) return CHAT;
  if (path.endsWith('/api/generate')) return GENERATE;
  if (path.endsWith('/api/embed') || path.endsWith('/api/embeddings')) return EMBEDDINGS;
  return undefined; // /api/tags, /api/pull, /api/show, ...: no model call
}

// --- Request --------------------------------------------------------------------------------------------------

/** `format`: "json" or a JSON schema object both ask for JSON output. */
function outputType(format: unknown): string | undefined {
  if (format === 'json' || obj(format) !== undefined) return 'json';
  return undefined;
}

/** `think` exactly as sent: true/false or "low" | "medium" | "high" | ... */
function reasoningLevel(think: unknown): string | undefined {
  if (typeof think === 'boolean') return String(think);
  return text(think);
}

/** Tool-call arguments are objects in Ollama's API. */
function addToolCalls(sink: TextCollector, toolCalls: unknown): void {
  const calls = arr(toolCalls);
  if (calls === undefined) return;
  for (const tc of calls) {
    const args = obj(obj(tc)?.function)?.arguments;
    if (obj(args) !== undefined) sink.add(JSON.stringify(args));
    else sink.add(args);
  }
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/** Images are base64 strings without a media type. */
function imageParts(images: unknown): MessagePart[] {
  return (arr(images) ?? []).map((image) => blobPart('image', undefined, image));
}

function toolCallParts(toolCalls: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const tc of arr(toolCalls) ?? []) {
    const fn = obj(obj(tc)?.function);
    push(parts, toolCallPart(obj(tc)?.id, fn?.name, fn?.arguments));
  }
  return parts;
}

/** A chat message: thinking, content, images, tool calls. */
function messageParts(message: JsonObject): MessagePart[] {
  const parts: MessagePart[] = [];
  push(parts, reasoningPart(message.thinking));
  push(parts, textPart(message.content));
  parts.push(...imageParts(message.images));
  parts.push(...toolCallParts(message.tool_calls));
  return parts;
}

function captureRequest(call: ModelCall, b: JsonObject): void {
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    const parts: MessagePart[] = [];
    const input = b.input ?? b.prompt;
    if (typeof input === 'string') push(parts, textPart(input));
    else for (const s of arr(input) ?? []) push(parts, textPart(s));
    captureInput(call, parts.length > 0 ? [chatMessage('user', parts)] : []);
    return;
  }
  const messages: ChatMessage[] = [];
  for (const m of arr(b.messages) ?? []) {
    const message = obj(m);
    if (message === undefined) continue;
    const role = text(message.role) ?? 'user';
    if (role === 'tool') {
      // Tool results name the tool, not a call id.
      messages.push(
        chatMessage(role, [toolResponsePart(message.tool_name, message.content)], message.tool_name),
      );
    } else messages.push(chatMessage(role, messageParts(message)));
  }
  // generate: prompt (+ suffix for fill-in-the-middle) and images.
  const prompt: MessagePart[] = [];
  push(prompt, textPart(b.prompt));
  push(prompt, textPart(b.suffix));
  prompt.push(...imageParts(b.images));
  if (prompt.length > 0) messages.push(chatMessage('user', prompt));
  const system: MessagePart[] = [];
  push(system, textPart(b.system));
  captureInput(call, messages, system);
}

/** A chat/generate object's output: whole, or one line of a stream. */
function captureGeneration(call: ModelCall, b: JsonObject): void {
  const message = obj(b.message);
  if (!call.request.stream) {
    const parts = message !== undefined ? messageParts(message) : [];
    push(parts, reasoningPart(b.thinking));
    push(parts, textPart(b.response));
    captureOutput(call, [
      {
        role: text(message?.role) ?? 'assistant',
        parts,
        finish_reason: call.response.finishReasons[0] ?? 'error',
      },
    ]);
    return;
  }
  if (message !== undefined) {
    captureRole(call, 0, message.role);
    captureDelta(call, 0, 'reasoning', message.thinking);
    captureDelta(call, 0, 'text', message.content);
    for (const part of toolCallParts(message.tool_calls)) capturePart(call, 0, part);
  }
  captureDelta(call, 0, 'reasoning', b.thinking);
  captureDelta(call, 0, 'text', b.response);
}

function inputText(call: ModelCall, b: JsonObject): string {
  const sink = new TextCollector();
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    const input = b.input ?? b.prompt; // /api/embed: input (string or list); /api/embeddings: prompt
    if (typeof input === 'string') sink.add(input);
    else {
      const list = arr(input);
      if (list !== undefined) for (const s of list) sink.add(s);
    }
    return sink.value;
  }
  sink.add(b.system);
  sink.add(b.prompt);
  sink.add(b.suffix);
  const messages = arr(b.messages);
  if (messages !== undefined) {
    for (const m of messages) {
      if (sink.full) break;
      const message = obj(m);
      if (message === undefined) continue;
      sink.add(message.content);
      addToolCalls(sink, message.tool_calls);
    }
  }
  return sink.value;
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  const req = call.request;
  assign(req, 'model', text(b.model));
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(req, 'dimensions', count(b.dimensions));
  } else {
    if (b.stream === false) req.stream = false;
    else if (b.stream === true) req.stream = true;
    const options = obj(b.options);
    if (options !== undefined) {
      // num_predict -1 (unlimited) and -2 (fill the context) are no limit; count() drops them.
      assign(req, 'maxTokens', count(options.num_predict));
      assign(req, 'temperature', num(options.temperature));
      assign(req, 'topP', num(options.top_p));
      assign(req, 'topK', num(options.top_k));
      assign(req, 'seed', num(options.seed));
      assign(req, 'stopSequences', stopSequences(options.stop));
      assign(req, 'frequencyPenalty', num(options.frequency_penalty));
      assign(req, 'presencePenalty', num(options.presence_penalty));
    }
    assign(req, 'outputType', outputType(b.format));
    assign(req, 'reasoningLevel', reasoningLevel(b.think));
  }
  setEstimationInput(call, inputText(call, b));
  if (call.content !== undefined) captureRequest(call, b);
}

// --- Responses ------------------------------------------------------------------------------------------------

function setError(call: ModelCall, message: unknown): void {
  const status = call.httpStatus;
  // Ollama errors carry only a message: an HTTP error's type is its status (filled later), in-stream `_OTHER`.
  const error: ModelCall['error'] = { type: status !== undefined && status < 400 ? '_OTHER' : '' };
  const msg = text(message) ?? text(obj(message)?.message);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

function isError(b: JsonObject): boolean {
  return b.error !== undefined && b.error !== null;
}

/** Output text of a chunk (or a whole response), kept for estimation should the counts never arrive. */
function addOutput(call: ModelCall, b: JsonObject): void {
  const sink = new TextCollector();
  const message = obj(b.message);
  if (message !== undefined) {
    sink.add(message.content);
    sink.add(message.thinking);
    addToolCalls(sink, message.tool_calls);
  }
  sink.add(b.response); // generate
  sink.add(b.thinking);
  addEstimationOutput(call, sink.value);
}

/** A chat/generate object, streamed or whole; `done: true` makes it the final one. Returns whether it was. */
function applyGeneration(call: ModelCall, b: JsonObject): boolean {
  assign(call.response, 'model', text(b.model));
  if (b.done !== true) {
    addOutput(call, b);
    if (call.content !== undefined) captureGeneration(call, b);
    return false;
  }
  const reason = text(b.done_reason);
  if (reason !== undefined) call.response.finishReasons = [reason];
  if (call.content !== undefined) captureGeneration(call, b);
  // Go's omitempty drops zero counts: absent once done means zero (e.g. a prompt served from the KV cache).
  call.usage = { inputTokens: count(b.prompt_eval_count) ?? 0, outputTokens: count(b.eval_count) ?? 0 };
  if (call.request.stream) addOutput(call, b); // the final line may still carry the last piece of text
  return true;
}

/** /api/embed: `{model, embeddings, prompt_eval_count}`; /api/embeddings: `{embedding}` without counts. */
function applyEmbeddings(call: ModelCall, b: JsonObject): void {
  assign(call.response, 'model', text(b.model));
  const input = count(b.prompt_eval_count);
  if (input !== undefined) call.usage = { inputTokens: input } satisfies TokenUsage;
}

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('ndjson')) return 'ndjson';
    if (ct.includes('text/event-stream')) return 'sse';
  }
  // A missing or application/json content type on a streamed request is still JSON lines.
  return call.request.stream ? 'ndjson' : 'json';
}

function onResponseBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if (isError(b)) {
    setError(call, b.error);
    return;
  }
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) applyEmbeddings(call, b);
  else applyGeneration(call, b);
}

function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  let value: unknown;
  if (event.kind === 'json') value = event.value;
  else if (event.kind === 'sse') value = parseJson(event.data);
  else return false;
  const b = obj(value);
  if (b === undefined) return false;
  if (isError(b)) {
    // A mid-stream `{"error": ...}` line is the last one: the SDK throws on it and stops reading.
    setError(call, b.error);
    return true;
  }
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    applyEmbeddings(call, b);
    return false;
  }
  return applyGeneration(call, b);
}

export const ollamaAdapter: ProviderAdapter = {
  family: 'ollama',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
