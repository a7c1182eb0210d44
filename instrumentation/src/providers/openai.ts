/**
 * The OpenAI family: Chat Completions, Responses, legacy Completions and Embeddings, as served by OpenAI, Azure
 * OpenAI and every OpenAI-compatible server (Groq, DeepSeek, xAI, OpenRouter, Together, Fireworks, vLLM, Ollama's
 * /v1, Cohere's and Gemini's compatibility APIs, ...). Paths are matched by suffix because compatible servers
 * mount the API under any prefix (/v1, /openai/v1, /api/v1, /inference/v1, /compatibility/v1, ...).
 *
 * Pure: reads JSON and writes into the ModelCall. Stream state lives in the record itself (last usage wins,
 * finish reasons by choice index, output text for estimation), so the adapter keeps no per-call state.
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_OLLAMA,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS,
  OPENAI_API_TYPE_VALUE_RESPONSES,
} from '@ailedger/semantic-conventions';
import {
  blobPart,
  type ChatMessage,
  captureDelta,
  captureInput,
  captureOutput,
  captureRole,
  captureToolCall,
  chatMessage,
  filePart,
  type MessagePart,
  type OutputMessage,
  partsOf,
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
  bool,
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

const CHAT: CallClassification = Object.freeze({
  operation: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  apiType: OPENAI_API_TYPE_VALUE_CHAT_COMPLETIONS,
});
const RESPONSES: CallClassification = Object.freeze({
  operation: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  apiType: OPENAI_API_TYPE_VALUE_RESPONSES,
});
const TEXT_COMPLETION: CallClassification = Object.freeze({
  operation: GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
});
const EMBEDDINGS: CallClassification = Object.freeze({ operation: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS });

const AZURE_DEPLOYMENTS = '/openai/deployments/';
/** Choice indexes beyond this are treated as garbage rather than grown into a huge array. */
const MAX_CHOICES = 256;
const MAX_ERROR_MESSAGE = 2048;

/** The deployment segment of a classic Azure OpenAI path, URL-decoded. */
function azureDeployment(path: string): string | undefined {
  const at = path.indexOf(AZURE_DEPLOYMENTS);
  if (at === -1) return undefined;
  const start = at + AZURE_DEPLOYMENTS.length;
  const end = path.indexOf('/', start);
  const segment = path.slice(start, end === -1 ? undefined : end);
  if (segment.length === 0) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function classify(req: RequestFacts, provider: string): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined; // GET /responses/{id} etc.
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  let base: CallClassification;
  if (path.endsWith('/chat/completions')) base = CHAT;
  else if (path.endsWith('/completions')) base = TEXT_COMPLETION;
  else if (path.endsWith('/embeddings')) base = EMBEDDINGS;
  else if (path.endsWith('/responses')) base = RESPONSES;
  else return undefined;
  // Ollama's native legacy embeddings endpoint has its own shapes (its adapter handles it).
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_OLLAMA && path === '/api/embeddings') return undefined;
  const deployment = azureDeployment(path);
  // Foundry hosts serve the model-inference API under /models/… next to Azure OpenAI's /openai/….
  const inference = provider === GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI && path.startsWith('/models/');
  if (deployment === undefined && !inference) return base;
  const c: CallClassification = { ...base };
  if (deployment !== undefined) c.modelFromPath = deployment;
  if (inference) c.provider = GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE;
  return c;
}

// --- Request --------------------------------------------------------------------------------------------------

function outputType(formatType: unknown): string | undefined {
  if (formatType === 'json_object' || formatType === 'json_schema') return 'json';
  if (formatType === 'text') return 'text';
  return undefined;
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/**
 * Parts of a `content` value: a string, or content parts of Chat Completions (text, image_url, input_audio,
 * file, refusal), the Responses API (input_text, output_text, input_image, input_file) and the compatible servers
 * that reuse these shapes (Mistral's image_url as a bare string, its `thinking` chunks).
 */
export function openaiContentParts(content: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  if (typeof content === 'string') {
    push(parts, textPart(content));
    return parts;
  }
  for (const p of arr(content) ?? []) {
    const part = obj(p);
    if (part === undefined) continue;
    switch (part.type) {
      case 'refusal':
        push(parts, textPart(part.refusal));
        break;
      case 'image_url': {
        const image = part.image_url;
        push(parts, urlPart('image', typeof image === 'string' ? image : obj(image)?.url));
        break;
      }
      case 'input_image':
        push(parts, urlPart('image', part.image_url) ?? filePart('image', part.file_id));
        break;
      case 'input_audio': {
        const audio = obj(part.input_audio);
        const format = text(audio?.format);
        push(parts, blobPart('audio', format === undefined ? undefined : `audio/${format}`, audio?.data));
        break;
      }
      case 'file':
      case 'input_file': {
        const file = obj(part.file) ?? part;
        push(
          parts,
          filePart('document', file.file_id) ??
            urlPart('document', file.file_data) ??
            urlPart('document', file.file_url),
        );
        break;
      }
      case 'thinking':
        for (const t of arr(part.thinking) ?? []) push(parts, reasoningPart(obj(t)?.text));
        break;
      default:
        push(parts, textPart(part.text));
    }
  }
  return parts;
}

/** A tool's output in a `tool` message: a string, or the text of its content parts. */
function toolOutput(content: unknown): unknown {
  if (typeof content === 'string') return content;
  const parts = openaiContentParts(content);
  const texts = parts.flatMap((p) => (p.type === 'text' ? [p.content] : []));
  return texts.length === parts.length ? texts.join('') : content;
}

/** The parts of an assistant message: reasoning, content, refusal, tool calls (arguments a string or an object). */
export function openaiMessageParts(message: JsonObject): MessagePart[] {
  const parts: MessagePart[] = [];
  push(parts, reasoningPart(message.reasoning_content ?? message.reasoning));
  parts.push(...openaiContentParts(message.content));
  push(parts, textPart(message.refusal));
  for (const tc of arr(message.tool_calls) ?? []) {
    const t = obj(tc);
    const fn = obj(t?.function);
    push(parts, toolCallPart(t?.id, fn?.name, fn?.arguments));
  }
  const legacy = obj(message.function_call);
  if (legacy !== undefined) push(parts, toolCallPart(undefined, legacy.name, legacy.arguments));
  return parts;
}

/** Chat Completions `messages` in the conventions' shape; tool results become tool_call_response parts. */
export function openaiChatMessages(messages: unknown): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of arr(messages) ?? []) {
    const message = obj(m);
    if (message === undefined) continue;
    const role = text(message.role) ?? 'user';
    if (role === 'tool' || role === 'function') {
      const id = role === 'tool' ? message.tool_call_id : undefined;
      out.push(chatMessage(role, [toolResponsePart(id, toolOutput(message.content))], message.name));
      continue;
    }
    out.push(chatMessage(role, openaiMessageParts(message), message.name));
  }
  return out;
}

/** Plain input strings (embeddings input, completion prompts) as one user message; token arrays carry no text. */
export function stringsMessage(value: unknown): ChatMessage[] {
  const parts: MessagePart[] = [];
  if (typeof value === 'string') push(parts, textPart(value));
  else for (const v of arr(value) ?? []) push(parts, textPart(v));
  return parts.length > 0 ? [chatMessage('user', parts)] : [];
}

function responsesItemMessage(item: JsonObject): ChatMessage | undefined {
  switch (item.type) {
    case 'function_call':
      return chatMessage('assistant', partsOf(toolCallPart(item.call_id, item.name, item.arguments)));
    case 'custom_tool_call':
      return chatMessage('assistant', partsOf(toolCallPart(item.call_id, item.name, item.input)));
    case 'function_call_output':
    case 'custom_tool_call_output':
      return chatMessage('tool', [toolResponsePart(item.call_id, toolOutput(item.output))]);
    case 'reasoning':
      return chatMessage('assistant', reasoningSummary(item));
    default:
      if (item.type !== undefined && item.type !== 'message') return undefined; // web_search_call, ...
      return chatMessage(text(item.role) ?? 'user', openaiContentParts(item.content));
  }
}

function reasoningSummary(item: JsonObject): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const s of arr(item.summary) ?? []) push(parts, reasoningPart(obj(s)?.text));
  for (const c of arr(item.content) ?? []) push(parts, reasoningPart(obj(c)?.text));
  return parts;
}

function captureResponsesInput(call: ModelCall, b: JsonObject): void {
  const system: MessagePart[] = [];
  push(system, textPart(b.instructions));
  const input = b.input;
  const messages: ChatMessage[] = [];
  if (typeof input === 'string') messages.push(...stringsMessage(input));
  for (const it of arr(input) ?? []) {
    const item = obj(it);
    const message = item === undefined ? undefined : responsesItemMessage(item);
    if (message !== undefined) messages.push(message);
  }
  captureInput(call, messages, system);
}

/** A Response's output items as one assistant message. */
function captureResponsesOutput(call: ModelCall, r: JsonObject): void {
  const parts: MessagePart[] = [];
  for (const it of arr(r.output) ?? []) {
    const item = obj(it);
    if (item === undefined) continue;
    if (item.type === 'message') parts.push(...openaiContentParts(item.content));
    else if (item.type === 'reasoning') parts.push(...reasoningSummary(item));
    else if (item.type === 'function_call')
      push(parts, toolCallPart(item.call_id, item.name, item.arguments));
    else if (item.type === 'custom_tool_call') push(parts, toolCallPart(item.call_id, item.name, item.input));
  }
  if (parts.length === 0) return;
  captureOutput(call, [
    { role: 'assistant', parts, finish_reason: call.response.finishReasons[0] ?? 'error' },
  ]);
}

/** Whole choices (chat messages or legacy text) as output messages, by choice index. */
export function captureChoices(call: ModelCall, choices: readonly unknown[]): void {
  const out: OutputMessage[] = [];
  for (let i = 0; i < choices.length; i++) {
    const choice = obj(choices[i]);
    if (choice === undefined) continue;
    const message = obj(choice.message);
    const parts = message !== undefined ? openaiMessageParts(message) : [];
    push(parts, textPart(choice.text));
    out.push({
      role: text(message?.role) ?? 'assistant',
      parts,
      finish_reason: text(choice.finish_reason) ?? 'error',
    });
  }
  captureOutput(call, out);
}

/** One streamed choice delta (Chat Completions shape; also Mistral's, whose content may be chunks). */
export function captureChoiceDelta(call: ModelCall, index: number, delta: JsonObject): void {
  captureRole(call, index, delta.role);
  captureDelta(call, index, 'reasoning', delta.reasoning_content ?? delta.reasoning);
  if (typeof delta.content === 'string') captureDelta(call, index, 'text', delta.content);
  else {
    for (const part of openaiContentParts(delta.content)) {
      if (part.type === 'text' || part.type === 'reasoning')
        captureDelta(call, index, part.type, part.content);
    }
  }
  captureDelta(call, index, 'text', delta.refusal);
  const toolCalls = arr(delta.tool_calls) ?? [];
  for (let t = 0; t < toolCalls.length; t++) {
    const tc = obj(toolCalls[t]);
    if (tc === undefined) continue;
    const fn = obj(tc.function);
    const args = fn?.arguments;
    captureToolCall(call, index, count(tc.index) ?? t, {
      id: tc.id,
      name: fn?.name,
      argsDelta: typeof args === 'string' ? args : undefined,
      args: typeof args === 'string' ? undefined : args,
    });
  }
}

/** Text of a `content` value: a string, or an array of parts whose `text` we keep (text, input_text, ...). */
function addContent(sink: TextCollector, content: unknown): void {
  if (typeof content === 'string') {
    sink.add(content);
    return;
  }
  const parts = arr(content);
  if (parts === undefined) return;
  for (const p of parts) {
    const part = obj(p);
    if (part !== undefined) sink.add(part.text);
  }
}

function addToolCalls(sink: TextCollector, toolCalls: unknown): void {
  const calls = arr(toolCalls);
  if (calls === undefined) return;
  for (const tc of calls) sink.add(obj(obj(tc)?.function)?.arguments);
}

function chatInputText(messages: unknown): string {
  const sink = new TextCollector();
  const list = arr(messages);
  if (list === undefined) return '';
  for (const m of list) {
    if (sink.full) break;
    const message = obj(m);
    if (message === undefined) continue;
    addContent(sink, message.content);
    addToolCalls(sink, message.tool_calls);
    sink.add(obj(message.function_call)?.arguments);
  }
  return sink.value;
}

function responsesInputText(body: JsonObject): string {
  const sink = new TextCollector();
  sink.add(body.instructions);
  const input = body.input;
  if (typeof input === 'string') {
    sink.add(input);
    return sink.value;
  }
  const items = arr(input);
  if (items === undefined) return sink.value;
  for (const it of items) {
    if (sink.full) break;
    const item = obj(it);
    if (item === undefined) continue;
    addContent(sink, item.content);
    sink.add(item.arguments); // function_call items replayed as input
    addContent(sink, item.output); // function_call_output items
  }
  return sink.value;
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  const req = call.request;
  // A model from the path (Azure classic deployment) is what the app addressed; the body cannot override it.
  if (req.model === undefined) assign(req, 'model', text(b.model));
  if (b.stream === true) req.stream = true;

  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(req, 'dimensions', count(b.dimensions));
    const format = text(b.encoding_format);
    if (format !== undefined) req.encodingFormats = [format];
    setEstimationInput(call, stringsText(b.input));
    if (call.content !== undefined) captureInput(call, stringsMessage(b.input));
    return;
  }

  const responses = call.apiType === OPENAI_API_TYPE_VALUE_RESPONSES;
  const maxTokens = responses
    ? count(b.max_output_tokens)
    : (count(b.max_completion_tokens) ?? count(b.max_tokens));
  assign(req, 'maxTokens', maxTokens);
  assign(req, 'temperature', num(b.temperature));
  assign(req, 'topP', num(b.top_p));
  assign(req, 'stopSequences', stopSequences(b.stop));
  assign(req, 'seed', num(b.seed));
  assign(req, 'frequencyPenalty', num(b.frequency_penalty));
  assign(req, 'presencePenalty', num(b.presence_penalty));
  assign(req, 'choiceCount', count(b.n));
  const format = responses ? obj(obj(b.text)?.format)?.type : obj(b.response_format)?.type;
  assign(req, 'outputType', outputType(format));
  assign(req, 'reasoningLevel', text(b.reasoning_effort) ?? text(obj(b.reasoning)?.effort));
  assign(req, 'serviceTier', text(b.service_tier));
  assign(req, 'includeUsage', bool(obj(b.stream_options)?.include_usage));

  let input: string;
  if (responses) input = responsesInputText(b);
  else if (call.operation === GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION) input = stringsText(b.prompt);
  else input = chatInputText(b.messages);
  setEstimationInput(call, input);

  if (call.content === undefined) return;
  if (responses) captureResponsesInput(call, b);
  else if (call.operation === GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION)
    captureInput(call, stringsMessage(b.prompt));
  else captureInput(call, openaiChatMessages(b.messages));
}

// --- Usage ----------------------------------------------------------------------------------------------------

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/**
 * Chat / legacy / embeddings usage. prompt_tokens already includes cached tokens and completion_tokens already
 * includes reasoning tokens, except on xAI, which reports reasoning apart (output = completion + reasoning).
 */
export function chatUsage(u: JsonObject, provider: string, embeddings: boolean): TokenUsage {
  const usage: TokenUsage = {};
  // Some servers misspell the details object (prompt_token_details); read both.
  const promptDetails = obj(u.prompt_tokens_details) ?? obj(u.prompt_token_details);
  const completionDetails = obj(u.completion_tokens_details);
  let input = count(u.prompt_tokens);
  if (input === undefined && embeddings) input = count(u.total_tokens);
  let output = count(u.completion_tokens);
  const reasoning = count(completionDetails?.reasoning_tokens);
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_X_AI && output !== undefined && reasoning !== undefined) {
    output += reasoning;
  }
  // DeepSeek reports cache hits as prompt_cache_hit_tokens (hit + miss = prompt_tokens); Mistral as num_cached_tokens.
  const cacheRead = maxDefined(
    count(promptDetails?.cached_tokens),
    maxDefined(count(u.prompt_cache_hit_tokens), count(u.num_cached_tokens)),
  );
  assign(usage, 'inputTokens', input);
  assign(usage, 'outputTokens', output);
  assign(usage, 'cacheReadInputTokens', cacheRead);
  assign(usage, 'cacheCreationInputTokens', count(promptDetails?.cache_write_tokens));
  assign(usage, 'reasoningOutputTokens', reasoning);
  assign(usage, 'audioInputTokens', count(promptDetails?.audio_tokens));
  assign(usage, 'audioOutputTokens', count(completionDetails?.audio_tokens));
  return usage;
}

/** Responses API usage: input_tokens includes cached; output_tokens includes reasoning. */
export function responsesUsage(u: JsonObject): TokenUsage {
  const usage: TokenUsage = {};
  const inputDetails = obj(u.input_tokens_details);
  const outputDetails = obj(u.output_tokens_details);
  assign(usage, 'inputTokens', count(u.input_tokens));
  assign(usage, 'outputTokens', count(u.output_tokens));
  assign(usage, 'cacheReadInputTokens', count(inputDetails?.cached_tokens));
  assign(usage, 'cacheCreationInputTokens', count(inputDetails?.cache_write_tokens));
  assign(usage, 'reasoningOutputTokens', count(outputDetails?.reasoning_tokens));
  return usage;
}

/** Last usage wins (never summed); an object without any count does not replace a real one. */
export function setUsage(call: ModelCall, usage: TokenUsage): void {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return;
  call.usage = usage;
}

// --- Errors ---------------------------------------------------------------------------------------------------

export function errorCode(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * call.error from an error object: type ← code ?? type. With neither, an HTTP error leaves type empty for the
 * recorder to fill with the status; an error inside a 200 stream gets `_OTHER`.
 */
function setError(call: ModelCall, code: unknown, type: unknown, message: unknown): void {
  const status = call.httpStatus;
  const fallback = status !== undefined && status < 400 ? '_OTHER' : '';
  const error: ModelCall['error'] = { type: errorCode(code) ?? text(type) ?? fallback };
  const msg = text(message);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

function applyError(call: ModelCall, e: unknown): void {
  const o = obj(e);
  if (o !== undefined) setError(call, o.code, o.type, o.message);
  else setError(call, undefined, undefined, e);
}

// --- Chat / legacy completions / embeddings responses ---------------------------------------------------------

export function setFinishReason(call: ModelCall, index: number, reason: string): void {
  if (index >= MAX_CHOICES) return;
  const reasons = call.response.finishReasons;
  // Choices may finish out of order when n > 1; a choice that never finishes keeps `error` (an unfinished
  // generation, as the GenAI conventions call it) unless its real reason arrives later.
  while (reasons.length < index) reasons.push('error');
  reasons[index] = reason;
}

function applyResponseMeta(call: ModelCall, b: JsonObject): void {
  const res = call.response;
  // Azure's first stream chunk has id "" and model "": only non-empty values count.
  assign(res, 'id', text(b.id));
  assign(res, 'model', text(b.model));
  assign(res, 'serviceTier', text(b.service_tier));
  assign(res, 'systemFingerprint', text(b.system_fingerprint));
}

function addMessageOutput(call: ModelCall, message: JsonObject): void {
  const sink = new TextCollector();
  addContent(sink, message.content);
  sink.add(message.reasoning_content);
  sink.add(message.refusal);
  addToolCalls(sink, message.tool_calls);
  addEstimationOutput(call, sink.value);
}

/** A chat.completion / text_completion / embeddings list, or one streamed chunk of the first two. */
function applyCompletion(call: ModelCall, b: JsonObject, streamed: boolean): void {
  applyResponseMeta(call, b);
  const u = obj(b.usage) ?? obj(obj(b.x_groq)?.usage); // Groq's older streams put usage in x_groq
  if (u !== undefined) {
    setUsage(call, chatUsage(u, call.provider, call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS));
  }
  const choices = arr(b.choices);
  if (choices === undefined) return;
  if (call.content !== undefined && !streamed) captureChoices(call, choices);
  // Output text only matters for estimation; skip building it when a whole response carries usage.
  const wantText = streamed || call.usage === undefined;
  for (let i = 0; i < choices.length; i++) {
    const choice = obj(choices[i]);
    if (choice === undefined) continue;
    const index = count(choice.index) ?? i;
    const reason = text(choice.finish_reason);
    if (reason !== undefined) setFinishReason(call, index, reason);
    if (streamed && call.content !== undefined) {
      captureDelta(call, index, 'text', choice.text); // legacy completions
      const delta = obj(choice.delta);
      if (delta !== undefined) captureChoiceDelta(call, index, delta);
    }
    if (!wantText) continue;
    addEstimationOutput(call, choice.text); // legacy completions
    const message = obj(streamed ? choice.delta : choice.message);
    if (message === undefined) continue;
    if (streamed) {
      addEstimationOutput(call, message.content);
      addEstimationOutput(call, message.reasoning_content); // DeepSeek, vLLM
      addEstimationOutput(call, message.reasoning); // OpenRouter
      addEstimationOutput(call, message.refusal);
      const toolCalls = arr(message.tool_calls);
      if (toolCalls !== undefined) {
        for (const tc of toolCalls) addEstimationOutput(call, obj(obj(tc)?.function)?.arguments);
      }
    } else {
      addMessageOutput(call, message);
    }
  }
}

// --- Responses API --------------------------------------------------------------------------------------------

function hasToolCall(output: unknown): boolean {
  const items = arr(output);
  if (items === undefined) return false;
  for (const it of items) {
    const type = obj(it)?.type;
    if (type === 'function_call' || type === 'custom_tool_call') return true;
  }
  return false;
}

/** Responses have no finish_reason; derived from status as the reference describes. */
function responsesFinishReason(r: JsonObject): string | undefined {
  switch (r.status) {
    case 'completed':
      return hasToolCall(r.output) ? 'tool_call' : 'stop';
    case 'incomplete': {
      const reason = text(obj(r.incomplete_details)?.reason);
      if (reason === undefined || reason === 'max_output_tokens') return 'length';
      return reason; // content_filter, or whatever new reason appears
    }
    case 'failed':
    case 'cancelled':
      return 'error';
    default:
      return undefined; // queued / in_progress (background mode): not finished yet
  }
}

function addResponsesOutputText(call: ModelCall, output: unknown): void {
  const items = arr(output);
  if (items === undefined) return;
  const sink = new TextCollector();
  for (const it of items) {
    const item = obj(it);
    if (item === undefined) continue;
    addContent(sink, item.content);
    sink.add(item.arguments);
  }
  addEstimationOutput(call, sink.value);
}

/** A Response object; `final` when it is the finished one (whole body or terminal stream event). */
function applyResponse(call: ModelCall, r: JsonObject | undefined, final: boolean): void {
  if (r === undefined) return;
  applyResponseMeta(call, r);
  if (!final) return;
  const u = obj(r.usage);
  if (u !== undefined) setUsage(call, responsesUsage(u));
  const reason = responsesFinishReason(r);
  if (reason !== undefined) call.response.finishReasons = [reason];
  const err = obj(r.error);
  if (err !== undefined) setError(call, err.code, err.type, err.message);
  if (call.usage === undefined && !call.estimation?.output) addResponsesOutputText(call, r.output);
  if (call.content !== undefined) captureResponsesOutput(call, r);
}

function isResponseObject(b: JsonObject, call: ModelCall): boolean {
  return b.object === 'response' || (call.apiType === OPENAI_API_TYPE_VALUE_RESPONSES && 'output' in b);
}

/** Streamed Responses output, for a stream cut before response.completed (which repeats the whole output). */
function captureResponsesEvent(call: ModelCall, type: string | undefined, d: JsonObject): void {
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      captureDelta(call, 0, 'text', d.delta);
      break;
    case 'response.reasoning_text.delta':
    case 'response.reasoning_summary_text.delta':
      captureDelta(call, 0, 'reasoning', d.delta);
      break;
    case 'response.output_item.added': {
      const item = obj(d.item);
      if (item?.type === 'function_call' || item?.type === 'custom_tool_call') {
        captureToolCall(call, 0, text(item.id) ?? String(d.output_index), {
          id: item.call_id,
          name: item.name,
        });
      }
      break;
    }
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta':
      captureToolCall(call, 0, text(d.item_id) ?? String(d.output_index), { argsDelta: d.delta });
      break;
    default:
      break;
  }
}

function onResponsesEvent(call: ModelCall, name: string | undefined, d: JsonObject): boolean {
  const type = text(d.type) ?? name;
  if (call.content !== undefined) captureResponsesEvent(call, type, d);
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta':
    case 'response.reasoning_text.delta':
      addEstimationOutput(call, d.delta);
      return false;
    case 'response.created':
    case 'response.in_progress':
    case 'response.queued':
      applyResponse(call, obj(d.response), false);
      return false;
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      applyResponse(call, obj(d.response), true);
      return true;
    case 'error': {
      // { type: "error", code, message, param } — `type` here names the event, not the error.
      const nested = obj(d.error);
      if (nested !== undefined) setError(call, nested.code, nested.type, nested.message);
      else setError(call, d.code, undefined, d.message);
      return false; // a response.failed may still follow with usage; the app's cancel ends the call otherwise
    }
    default:
      return false;
  }
}

// --- Adapter --------------------------------------------------------------------------------------------------

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('text/event-stream')) return 'sse';
    if (ct.includes('ndjson')) return 'ndjson';
    if (ct.includes('json')) return 'json';
  }
  return call.request.stream ? 'sse' : 'json';
}

function onResponseBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if (isResponseObject(b, call)) {
    applyResponse(call, b, true);
    return;
  }
  if (b.error !== undefined && b.error !== null) {
    applyError(call, b.error);
    return;
  }
  if (b.object === 'error') {
    // vLLM and some other servers: { object: "error", message, type, code }
    setError(call, b.code, b.type, b.message);
    return;
  }
  applyCompletion(call, b, false);
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
  if (call.apiType === OPENAI_API_TYPE_VALUE_RESPONSES) return onResponsesEvent(call, name, d);
  if (d.error !== undefined && d.error !== null) {
    // The SDK throws on an in-stream error; the app's cancel (or EOF) then ends the call with this error kept.
    applyError(call, d.error);
    return false;
  }
  applyCompletion(call, d, true);
  return false;
}

export const openaiAdapter: ProviderAdapter = {
  family: 'openai',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
