/**
 * The Mistral family (La Plateforme: api.mistral.ai and its EU/US hosts): Chat Completions, FIM completions,
 * Agents completions and Embeddings. The shapes are OpenAI-like, with differences that matter for spend:
 * streams carry usage on the final chunk without any opt-in, the seed is `random_seed`, cache hits arrive under
 * three spellings (read by the shared `chatUsage`), and `model_length` is an extra finish reason (kept raw).
 *
 * Pure: reads JSON and writes into the ModelCall; stream state lives in the record itself.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
} from '@ailedger/semantic-conventions';
import { captureInput, chatMessage, partsOf, textPart } from '../content/messages.js';
import type { ModelCall, TokenUsage } from '../model-call.js';
import {
  captureChoiceDelta,
  captureChoices,
  chatUsage,
  errorCode,
  openaiChatMessages,
  setFinishReason,
  setUsage,
  stringsMessage,
} from './openai.js';
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
  stringsText,
  TextCollector,
  text,
} from './read.js';
import type { BodyFraming, CallClassification, ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

const CHAT: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_CHAT });
const FIM: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION });
const EMBEDDINGS: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS });

const MAX_ERROR_MESSAGE = 2048;

function classify(req: RequestFacts): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  // Suffixes, so a gateway prefix in front of the API still matches.
  if (path.endsWith('/fim/completions')) return FIM;
  if (path.endsWith('/agents/completions')) return CHAT;
  if (path.endsWith('/chat/completions')) return CHAT;
  if (path.endsWith('/embeddings')) return EMBEDDINGS;
  return undefined; // /v1/conversations, /v1/ocr, files, batch, ...: not handled here
}

// --- Request --------------------------------------------------------------------------------------------------

function outputType(formatType: unknown): string | undefined {
  if (formatType === 'json_object' || formatType === 'json_schema') return 'json';
  if (formatType === 'text') return 'text';
  return undefined;
}

/** A `content` value: a string, or chunks whose text we keep (text chunks; thinking chunks nest more chunks). */
function addContent(sink: TextCollector, content: unknown): void {
  if (typeof content === 'string') {
    sink.add(content);
    return;
  }
  const parts = arr(content);
  if (parts === undefined) return;
  for (const p of parts) {
    const part = obj(p);
    if (part === undefined) continue;
    sink.add(part.text);
    const thinking = arr(part.thinking);
    if (thinking !== undefined) for (const t of thinking) sink.add(obj(t)?.text);
  }
}

function addToolCalls(sink: TextCollector, toolCalls: unknown): void {
  const calls = arr(toolCalls);
  if (calls === undefined) return;
  for (const tc of calls) {
    const args = obj(obj(tc)?.function)?.arguments;
    // Mistral accepts arguments as a JSON string or as an object.
    if (typeof args === 'string') sink.add(args);
    else if (obj(args) !== undefined) sink.add(JSON.stringify(args));
  }
}

function messagesText(messages: unknown): string {
  const sink = new TextCollector();
  const list = arr(messages);
  if (list === undefined) return '';
  for (const m of list) {
    if (sink.full) break;
    const message = obj(m);
    if (message === undefined) continue;
    addContent(sink, message.content);
    addToolCalls(sink, message.tool_calls);
  }
  return sink.value;
}

function encodingFormats(b: JsonObject): string[] | undefined {
  const out: string[] = [];
  for (const v of [text(b.output_dtype), text(b.encoding_format)]) {
    if (v !== undefined && !out.includes(v)) out.push(v);
  }
  return out.length > 0 ? out : undefined;
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  const req = call.request;
  assign(req, 'model', text(b.model)); // agents completions send agent_id and no model
  if (b.stream === true) req.stream = true;

  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(req, 'dimensions', count(b.output_dimension));
    assign(req, 'encodingFormats', encodingFormats(b));
    setEstimationInput(call, stringsText(b.input));
    if (call.content !== undefined) captureInput(call, stringsMessage(b.input));
    return;
  }

  assign(req, 'maxTokens', count(b.max_tokens));
  assign(req, 'temperature', num(b.temperature));
  assign(req, 'topP', num(b.top_p));
  assign(req, 'stopSequences', stopSequences(b.stop));
  assign(req, 'seed', num(b.random_seed) ?? num(b.seed));
  assign(req, 'frequencyPenalty', num(b.frequency_penalty));
  assign(req, 'presencePenalty', num(b.presence_penalty));
  assign(req, 'choiceCount', count(b.n));
  assign(req, 'outputType', outputType(obj(b.response_format)?.type));
  assign(req, 'reasoningLevel', text(b.reasoning_effort));

  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION) {
    const sink = new TextCollector();
    sink.add(b.prompt);
    sink.add(b.suffix);
    setEstimationInput(call, sink.value);
    // FIM: the code before and after the gap, in that order.
    if (call.content !== undefined) {
      captureInput(call, [chatMessage('user', partsOf(textPart(b.prompt), textPart(b.suffix)))]);
    }
  } else {
    setEstimationInput(call, messagesText(b.messages));
    // The message shapes are OpenAI's (image_url as a string, thinking chunks and object arguments included).
    if (call.content !== undefined) captureInput(call, openaiChatMessages(b.messages));
  }
}

// --- Usage and errors -----------------------------------------------------------------------------------------

function usageOf(call: ModelCall, u: JsonObject): TokenUsage {
  const embeddings = call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS;
  const usage = chatUsage(u, call.provider, embeddings);
  // Embeddings report completion_tokens: 0; an embeddings call has no output tokens at all.
  if (embeddings) delete usage.outputTokens;
  return usage;
}

/**
 * call.error. Mistral's `type` names the error (`rate_limited`, `invalid_model`) while `code` is a numeric
 * string, so type wins. With neither, an HTTP error leaves type empty for the recorder to fill with the status.
 */
function setError(call: ModelCall, type: unknown, code: unknown, message: unknown): void {
  const status = call.httpStatus;
  const fallback = status !== undefined && status < 400 ? '_OTHER' : '';
  const error: ModelCall['error'] = { type: errorCode(type) ?? errorCode(code) ?? fallback };
  const msg = text(message);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

/** 422 validation errors: `{"detail": [{loc, msg, type}]}` (or a plain string detail). */
function detailMessage(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  const list = arr(detail);
  if (list === undefined) return undefined;
  const sink = new TextCollector();
  for (const d of list) {
    if (sink.value.length >= MAX_ERROR_MESSAGE) break;
    sink.add(obj(d)?.msg);
  }
  return sink.value.length > 0 ? sink.value : undefined;
}

/** Applies an error body if `b` is one; returns whether it was. */
function applyError(call: ModelCall, b: JsonObject): boolean {
  if (b.object === 'error') {
    setError(call, b.type, b.code, b.message);
    return true;
  }
  const nested = b.error;
  if (nested !== undefined && nested !== null) {
    const e = obj(nested);
    if (e !== undefined) setError(call, e.type, e.code, e.message);
    else setError(call, undefined, undefined, nested);
    return true;
  }
  if (b.detail !== undefined && b.choices === undefined && b.data === undefined) {
    setError(call, undefined, undefined, detailMessage(b.detail));
    return true;
  }
  // Gateway-level errors (401 and the like) carry only a message.
  if ((call.httpStatus ?? 200) >= 400 && b.message !== undefined) {
    setError(call, b.type, b.code, b.message);
    return true;
  }
  return false;
}

// --- Responses ------------------------------------------------------------------------------------------------

/** A chat/FIM/agents completion or embeddings list, or one streamed chunk. */
function applyCompletion(call: ModelCall, b: JsonObject, streamed: boolean): void {
  assign(call.response, 'id', text(b.id));
  assign(call.response, 'model', text(b.model));
  const u = obj(b.usage);
  if (u !== undefined) setUsage(call, usageOf(call, u));
  const choices = arr(b.choices);
  if (choices === undefined) return;
  if (call.content !== undefined && !streamed) captureChoices(call, choices);
  // Output text only matters for estimation; skip it when a whole response carries usage.
  const wantText = streamed || call.usage === undefined;
  for (let i = 0; i < choices.length; i++) {
    const choice = obj(choices[i]);
    if (choice === undefined) continue;
    const index = count(choice.index) ?? i;
    const reason = text(choice.finish_reason);
    if (reason !== undefined) setFinishReason(call, index, reason);
    const delta = obj(choice.delta);
    if (streamed && delta !== undefined && call.content !== undefined) captureChoiceDelta(call, index, delta);
    if (!wantText) continue;
    const message = obj(streamed ? choice.delta : choice.message);
    if (message === undefined) continue;
    const sink = new TextCollector();
    addContent(sink, message.content);
    addToolCalls(sink, message.tool_calls);
    addEstimationOutput(call, sink.value);
  }
}

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('text/event-stream')) return 'sse';
    if (ct.includes('json')) return 'json';
  }
  return call.request.stream ? 'sse' : 'json';
}

function onResponseBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if (applyError(call, b)) return;
  applyCompletion(call, b, false);
}

function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  if (event.kind !== 'sse') return false;
  const data = event.data;
  // [DONE] ends the stream; the SDK cancels the body right after it.
  if (data === '[DONE]' || (data.length < 16 && data.trim() === '[DONE]')) return true;
  const d = obj(parseJson(data));
  if (d === undefined) return false;
  // The SDK throws on an in-stream error; its cancel (or EOF) then ends the call with this error kept.
  if (applyError(call, d)) return false;
  applyCompletion(call, d, true); // the padding field `p` is simply never read
  return false;
}

export const mistralAdapter: ProviderAdapter = {
  family: 'mistral',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
