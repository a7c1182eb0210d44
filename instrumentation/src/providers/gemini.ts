/**
 * The Gemini family: Google's own models on the Gemini API (generativelanguage, gcp.gemini) and on Vertex AI
 * (aiplatform, gcp.vertex_ai; regional, global, multi-region and express-mode paths, deployed endpoints).
 * generateContent, streamGenerateContent (SSE with `alt=sse`, else one streamed JSON array), embedContent,
 * batchEmbedContents and Vertex `:predict` for embedding models. Other publishers on Vertex (Anthropic, Mistral)
 * and the OpenAI-compatible paths are left to the next family.
 *
 * The model is only in the URL, so classification takes it from there; request bodies carry parameters only.
 * Pure: reads JSON and writes into the ModelCall. Stream state lives in the record (last usage wins, finish
 * reasons by candidate index, output text for estimation).
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
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
  modalityOf,
  type OutputMessage,
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
  TextCollector,
  text,
} from './read.js';
import type { BodyFraming, CallClassification, ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

/** Candidate indexes beyond this are treated as garbage rather than grown into a huge array. */
const MAX_CANDIDATES = 256;
const MAX_ERROR_MESSAGE = 2048;

const PUBLISHERS = '/publishers/';
const MODELS = 'models/';
const TUNED_MODELS = 'tunedModels/';
const ENDPOINTS = '/endpoints/';

type Method = 'generateContent' | 'streamGenerateContent' | 'embedContent' | 'batchEmbedContents' | 'predict';

function methodOf(name: string): Method | undefined {
  switch (name) {
    case 'generateContent':
    case 'streamGenerateContent':
    case 'embedContent':
    case 'batchEmbedContents':
    case 'predict':
      return name;
    default:
      return undefined; // countTokens, rawPredict, streamRawPredict, predictLongRunning, ...
  }
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The next path segment starting at `start` (up to '/' or the end). */
function segmentAt(resource: string, start: number): string {
  const end = resource.indexOf('/', start);
  return resource.slice(start, end === -1 ? undefined : end);
}

/**
 * The model a resource path names: `publishers/google/models/{m}` (Vertex), `endpoints/{id}` (a Vertex deployed
 * or tuned model; the endpoint is what the app addressed, like an Azure deployment), `tunedModels/{id}` (kept
 * whole, as the Gemini API names it) or `models/{m}`. `null` means "another publisher: not ours".
 */
function modelOf(resource: string): string | undefined | null {
  const pub = resource.indexOf(PUBLISHERS);
  if (pub !== -1) {
    const start = pub + PUBLISHERS.length;
    const publisher = segmentAt(resource, start);
    if (publisher !== 'google') return null;
    const after = start + publisher.length + 1;
    if (!resource.startsWith(MODELS, after)) return undefined;
    const model = segmentAt(resource, after + MODELS.length);
    return model.length > 0 ? decode(model) : undefined;
  }
  const endpoint = resource.indexOf(ENDPOINTS);
  if (endpoint !== -1) {
    const id = segmentAt(resource, endpoint + ENDPOINTS.length);
    return id.length > 0 ? `endpoints/${decode(id)}` : undefined;
  }
  const tuned = resource.lastIndexOf(TUNED_MODELS);
  if (tuned !== -1 && (tuned === 0 || resource.charCodeAt(tuned - 1) === 47)) {
    const id = segmentAt(resource, tuned + TUNED_MODELS.length);
    return id.length > 0 ? TUNED_MODELS + decode(id) : undefined;
  }
  const models = resource.lastIndexOf(`/${MODELS}`);
  if (models !== -1) {
    const model = segmentAt(resource, models + 1 + MODELS.length);
    return model.length > 0 ? decode(model) : undefined;
  }
  return undefined;
}

/** Vertex `:predict` also serves Imagen and other non-embedding models; only embedding models are ours. */
function isEmbeddingModel(model: string | undefined): boolean {
  return model?.toLowerCase().includes('embedding') === true;
}

function classify(req: RequestFacts): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  let path = req.path;
  if (path.endsWith('/')) path = path.slice(0, -1);
  const lastSlash = path.lastIndexOf('/');
  // The custom method follows a ':' in the last segment; some clients percent-encode it.
  let colon = path.indexOf(':', lastSlash + 1);
  let methodStart = colon + 1;
  if (colon === -1) {
    const encoded = path
      .slice(lastSlash + 1)
      .toUpperCase()
      .indexOf('%3A');
    if (encoded === -1) return undefined;
    colon = lastSlash + 1 + encoded;
    methodStart = colon + 3;
  }
  const verb = methodOf(path.slice(methodStart));
  if (verb === undefined) return undefined;
  const model = modelOf(path.slice(0, colon));
  if (model === null) return undefined;
  if (verb === 'predict' && !isEmbeddingModel(model)) return undefined;
  const embeddings = verb === 'embedContent' || verb === 'batchEmbedContents' || verb === 'predict';
  const c: CallClassification = {
    operation: embeddings
      ? GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS
      : GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  };
  if (model !== undefined) c.modelFromPath = model;
  if (verb === 'streamGenerateContent') c.streamFromPath = true;
  return c;
}

// --- Request --------------------------------------------------------------------------------------------------

/** `o.camel ?? o.snake`: the API accepts both spellings. */
function field(o: JsonObject | undefined, camel: string, snake: string): unknown {
  if (o === undefined) return undefined;
  const v = o[camel];
  return v === undefined || v === null ? o[snake] : v;
}

function stopSequences(v: unknown): string[] | undefined {
  if (typeof v === 'string') return v.length > 0 ? [v] : undefined;
  const list = arr(v);
  if (list === undefined) return undefined;
  const out: string[] = [];
  for (const s of list) if (typeof s === 'string') out.push(s);
  return out.length > 0 ? out : undefined;
}

function hasModality(modalities: unknown, wanted: string): boolean {
  const list = arr(modalities);
  if (list === undefined) return false;
  for (const m of list) if (typeof m === 'string' && m.toUpperCase() === wanted) return true;
  return false;
}

function outputType(config: JsonObject): string | undefined {
  const mime = text(field(config, 'responseMimeType', 'response_mime_type'))?.toLowerCase();
  if (mime === 'application/json') return 'json';
  const modalities = field(config, 'responseModalities', 'response_modalities');
  if (hasModality(modalities, 'AUDIO')) return 'speech';
  if (hasModality(modalities, 'IMAGE')) return 'image';
  if (mime === 'text/plain') return 'text';
  return undefined;
}

/** thinkingLevel as sent; a thinkingBudget (a token count, -1 = dynamic) as its decimal string. */
function reasoningLevel(config: JsonObject): string | undefined {
  const thinking = obj(field(config, 'thinkingConfig', 'thinking_config'));
  if (thinking === undefined) return undefined;
  const level = text(field(thinking, 'thinkingLevel', 'thinking_level'));
  if (level !== undefined) return level;
  const budget = num(field(thinking, 'thinkingBudget', 'thinking_budget'));
  return budget === undefined ? undefined : String(budget);
}

/** Text of a Content's parts: text, plus function calls and results (billed as tokens too). */
function addParts(sink: TextCollector, content: unknown, skipThoughts: boolean): void {
  const c = obj(content);
  const parts = arr(c !== undefined ? c.parts : content);
  if (parts === undefined) {
    if (typeof content === 'string') sink.add(content);
    return;
  }
  for (const p of parts) {
    if (sink.full) return;
    if (typeof p === 'string') {
      sink.add(p);
      continue;
    }
    const part = obj(p);
    if (part === undefined) continue;
    if (skipThoughts && part.thought === true) continue;
    sink.add(part.text);
    const call = obj(field(part, 'functionCall', 'function_call'));
    if (call !== undefined && call.args !== undefined) sink.add(JSON.stringify(call.args));
    const result = obj(field(part, 'functionResponse', 'function_response'));
    if (result !== undefined && result.response !== undefined) sink.add(JSON.stringify(result.response));
  }
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/** Gemini calls the assistant `model`. */
function roleOf(role: unknown): string {
  const r = text(role);
  return r === undefined ? 'user' : r === 'model' ? 'assistant' : r;
}

/** One Part in the conventions' shape. */
function geminiPart(p: unknown): MessagePart | undefined {
  if (typeof p === 'string') return textPart(p);
  const part = obj(p);
  if (part === undefined) return undefined;
  if (typeof part.text === 'string')
    return part.thought === true ? reasoningPart(part.text) : textPart(part.text);
  const inline = obj(field(part, 'inlineData', 'inline_data'));
  if (inline !== undefined) {
    const mime = field(inline, 'mimeType', 'mime_type');
    return blobPart(modalityOf(mime), mime, inline.data);
  }
  const file = obj(field(part, 'fileData', 'file_data'));
  if (file !== undefined) {
    const mime = field(file, 'mimeType', 'mime_type');
    return urlPart(modalityOf(mime), field(file, 'fileUri', 'file_uri'), mime);
  }
  const fc = obj(field(part, 'functionCall', 'function_call'));
  if (fc !== undefined) return toolCallPart(fc.id, fc.name, fc.args);
  const fr = obj(field(part, 'functionResponse', 'function_response'));
  if (fr !== undefined) return toolResponsePart(text(fr.id) ?? text(fr.name), fr.response);
  const code = obj(field(part, 'executableCode', 'executable_code'));
  if (code !== undefined) return textPart(code.code);
  return textPart(obj(field(part, 'codeExecutionResult', 'code_execution_result'))?.output);
}

/** The parts of a Content (or a bare list of parts, or a string). */
function geminiParts(content: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  if (typeof content === 'string') {
    push(parts, textPart(content));
    return parts;
  }
  const c = obj(content);
  for (const p of arr(c !== undefined ? c.parts : content) ?? []) push(parts, geminiPart(p));
  return parts;
}

/** `contents`: a list of Content, or a single Content or string. */
function geminiMessages(contents: unknown): ChatMessage[] {
  const list = arr(contents);
  if (list === undefined) {
    const parts = geminiParts(contents);
    return parts.length > 0 ? [chatMessage(roleOf(obj(contents)?.role), parts)] : [];
  }
  const out: ChatMessage[] = [];
  for (const c of list) {
    if (typeof c === 'string') out.push(chatMessage('user', geminiParts(c)));
    else out.push(chatMessage(roleOf(obj(c)?.role), geminiParts(c)));
  }
  return out;
}

/** Embedding inputs (content, requests[].content, instances[].content) as one user message. */
function embeddingMessages(b: JsonObject): ChatMessage[] {
  const parts: MessagePart[] = [...geminiParts(b.content)];
  for (const r of arr(b.requests) ?? []) parts.push(...geminiParts(obj(r)?.content));
  for (const i of arr(b.instances) ?? []) parts.push(...geminiParts(obj(i)?.content));
  for (const m of geminiMessages(b.contents)) parts.push(...m.parts);
  return parts.length > 0 ? [chatMessage('user', parts)] : [];
}

/** Candidates of one response (whole) or chunk (streamed), by candidate index. */
function captureCandidates(call: ModelCall, candidates: readonly unknown[], streamed: boolean): void {
  const whole: OutputMessage[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const candidate = obj(candidates[i]);
    if (candidate === undefined) continue;
    const index = count(candidate.index) ?? i;
    const content = obj(candidate.content);
    if (!streamed) {
      whole.push({
        role: roleOf(content?.role ?? 'model'),
        parts: geminiParts(content),
        finish_reason: call.response.finishReasons[index] ?? 'error',
      });
      continue;
    }
    if (content === undefined) continue;
    captureRole(call, index, roleOf(content.role ?? 'model'));
    for (const p of arr(content.parts) ?? []) {
      const part = geminiPart(p);
      // Text arrives in pieces; anything else (function calls, inline data) whole.
      if (part?.type === 'text' || part?.type === 'reasoning')
        captureDelta(call, index, part.type, part.content);
      else capturePart(call, index, part);
    }
  }
  if (!streamed) captureOutput(call, whole);
}

/** `contents`: a list of Content (the REST shape); a single Content or a string are tolerated. */
function addContents(sink: TextCollector, contents: unknown): void {
  const list = arr(contents);
  if (list === undefined) {
    addParts(sink, contents, false);
    return;
  }
  for (const c of list) {
    if (sink.full) return;
    addParts(sink, c, false);
  }
}

function generateRequest(call: ModelCall, b: JsonObject): void {
  const req = call.request;
  const config = obj(field(b, 'generationConfig', 'generation_config'));
  if (config !== undefined) {
    assign(req, 'temperature', num(config.temperature));
    assign(req, 'topP', num(field(config, 'topP', 'top_p')));
    assign(req, 'topK', num(field(config, 'topK', 'top_k')));
    assign(req, 'maxTokens', count(field(config, 'maxOutputTokens', 'max_output_tokens')));
    assign(req, 'stopSequences', stopSequences(field(config, 'stopSequences', 'stop_sequences')));
    assign(req, 'choiceCount', count(field(config, 'candidateCount', 'candidate_count')));
    assign(req, 'seed', num(config.seed));
    assign(req, 'presencePenalty', num(field(config, 'presencePenalty', 'presence_penalty')));
    assign(req, 'frequencyPenalty', num(field(config, 'frequencyPenalty', 'frequency_penalty')));
    assign(req, 'outputType', outputType(config));
    assign(req, 'reasoningLevel', reasoningLevel(config));
  }
  const sink = new TextCollector();
  addParts(sink, field(b, 'systemInstruction', 'system_instruction'), false);
  addContents(sink, b.contents);
  setEstimationInput(call, sink.value);
  if (call.content !== undefined) {
    captureInput(
      call,
      geminiMessages(b.contents),
      geminiParts(field(b, 'systemInstruction', 'system_instruction')),
    );
  }
}

function dimensionsOf(o: JsonObject | undefined): number | undefined {
  if (o === undefined) return undefined;
  return (
    count(field(o, 'outputDimensionality', 'output_dimensionality')) ??
    count(
      field(
        obj(field(o, 'embedContentConfig', 'embed_content_config')),
        'outputDimensionality',
        'output_dimensionality',
      ),
    )
  );
}

/**
 * embedContent `{content, outputDimensionality}` (Vertex: `embedContentConfig.outputDimensionality`),
 * batchEmbedContents `{requests: [...]}`, Vertex predict `{instances: [{content}], parameters}`.
 */
function embeddingRequest(call: ModelCall, b: JsonObject): void {
  const sink = new TextCollector();
  addParts(sink, b.content, false);
  addContents(sink, b.contents);
  let dimensions = dimensionsOf(b) ?? dimensionsOf(obj(b.parameters));
  const requests = arr(b.requests);
  if (requests !== undefined) {
    for (const r of requests) {
      if (sink.full) break;
      const request = obj(r);
      if (request === undefined) continue;
      addParts(sink, request.content, false);
      dimensions ??= dimensionsOf(request);
    }
  }
  const instances = arr(b.instances);
  if (instances !== undefined) {
    for (const i of instances) {
      if (sink.full) break;
      const instance = obj(i);
      if (instance === undefined) continue;
      if (typeof instance.content === 'string') sink.add(instance.content);
      else addParts(sink, instance.content, false);
    }
  }
  assign(call.request, 'dimensions', dimensions);
  setEstimationInput(call, sink.value);
  if (call.content !== undefined) captureInput(call, embeddingMessages(b));
}

/** A body `model` ("models/x") only matters when the path named none; the path is what the app addressed. */
function bodyModel(b: JsonObject): string | undefined {
  const model = text(b.model) ?? text(obj(arr(b.requests)?.[0])?.model);
  if (model === undefined) return undefined;
  return model.startsWith(MODELS) ? model.slice(MODELS.length) : model;
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if (call.request.model === undefined) assign(call.request, 'model', bodyModel(b));
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) embeddingRequest(call, b);
  else generateRequest(call, b);
}

// --- Usage ----------------------------------------------------------------------------------------------------

function sumDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a + b;
}

/** tokenCount of the AUDIO entry of a `*TokensDetails` list, if any. */
function audioTokens(details: unknown): number | undefined {
  const list = arr(details);
  if (list === undefined) return undefined;
  for (const d of list) {
    const entry = obj(d);
    if (entry !== undefined && entry.modality === 'AUDIO')
      return count(field(entry, 'tokenCount', 'token_count'));
  }
  return undefined;
}

/**
 * usageMetadata → TokenUsage. promptTokenCount already includes cachedContentTokenCount; tool-use prompt tokens
 * and thoughts are reported apart, so input = prompt + toolUsePrompt and output = candidates + thoughts.
 */
export function geminiUsage(u: JsonObject): TokenUsage {
  const usage: TokenUsage = {};
  const prompt = count(field(u, 'promptTokenCount', 'prompt_token_count'));
  const toolUse = count(field(u, 'toolUsePromptTokenCount', 'tool_use_prompt_token_count'));
  const candidates = count(field(u, 'candidatesTokenCount', 'candidates_token_count'));
  const thoughts = count(field(u, 'thoughtsTokenCount', 'thoughts_token_count'));
  assign(usage, 'inputTokens', sumDefined(prompt, toolUse));
  assign(usage, 'outputTokens', sumDefined(candidates, thoughts));
  assign(
    usage,
    'cacheReadInputTokens',
    count(field(u, 'cachedContentTokenCount', 'cached_content_token_count')),
  );
  assign(usage, 'reasoningOutputTokens', thoughts);
  assign(usage, 'audioInputTokens', audioTokens(field(u, 'promptTokensDetails', 'prompt_tokens_details')));
  assign(
    usage,
    'audioOutputTokens',
    audioTokens(field(u, 'candidatesTokensDetails', 'candidates_tokens_details')),
  );
  return usage;
}

/** Last usage wins (Gemini repeats cumulative usage on many chunks); one without counts replaces nothing. */
function setUsage(call: ModelCall, usage: TokenUsage): void {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return;
  call.usage = usage;
}

/** Vertex `:predict` embeddings: the sum of predictions[].embeddings.statistics.token_count. */
function predictUsage(predictions: readonly unknown[]): TokenUsage | undefined {
  let total: number | undefined;
  for (const p of predictions) {
    const stats = obj(obj(obj(p)?.embeddings)?.statistics);
    total = sumDefined(total, count(field(stats, 'token_count', 'tokenCount')));
  }
  return total === undefined ? undefined : { inputTokens: total };
}

// --- Errors ---------------------------------------------------------------------------------------------------

/**
 * `{"error": {"code": 429, "message": "…", "status": "RESOURCE_EXHAUSTED"}}`: type ← status, else the numeric
 * code; with neither, an HTTP error leaves type empty for the recorder to fill with the status, and an error
 * inside a 200 stream gets `_OTHER`.
 */
function applyError(call: ModelCall, e: unknown): void {
  const o = obj(e);
  const status = call.httpStatus;
  const fallback = status !== undefined && status < 400 ? '_OTHER' : '';
  const code = num(o?.code);
  const error: ModelCall['error'] = {
    type: text(o?.status) ?? (code !== undefined ? String(code) : fallback),
  };
  const msg = o !== undefined ? text(o.message) : text(e);
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

// --- Responses ------------------------------------------------------------------------------------------------

function setFinishReason(call: ModelCall, index: number, reason: string): void {
  if (index >= MAX_CANDIDATES) return;
  const reasons = call.response.finishReasons;
  // A candidate that never finishes keeps `error` (an unfinished generation) unless its reason arrives later.
  while (reasons.length < index) reasons.push('error');
  reasons[index] = reason;
}

/** One GenerateContentResponse (a whole body or one stream chunk), or an embeddings response. */
function applyResponse(call: ModelCall, b: JsonObject, streamed: boolean): void {
  if (b.error !== undefined && b.error !== null) {
    // An error body, or a bare {error} chunk mid-stream (which ends the stream: see onStreamEvent).
    applyError(call, b.error);
    return;
  }
  const res = call.response;
  assign(res, 'id', text(field(b, 'responseId', 'response_id')));
  assign(res, 'model', text(field(b, 'modelVersion', 'model_version')));
  const u = obj(field(b, 'usageMetadata', 'usage_metadata'));
  if (u !== undefined) setUsage(call, geminiUsage(u));
  const predictions = arr(b.predictions);
  if (predictions !== undefined) {
    const usage = predictUsage(predictions);
    if (usage !== undefined) setUsage(call, usage);
  }
  const candidates = arr(b.candidates);
  if (candidates === undefined) return;
  // Output text only matters for estimation; skip it when a whole response carries usage.
  const wantText = streamed || call.usage?.outputTokens === undefined;
  const sink = new TextCollector();
  for (let i = 0; i < candidates.length; i++) {
    const candidate = obj(candidates[i]);
    if (candidate === undefined) continue;
    // proto3 JSON omits a zero index, so a missing index on the first candidate means 0.
    const index = count(candidate.index) ?? i;
    const reason = text(field(candidate, 'finishReason', 'finish_reason'));
    if (reason !== undefined) setFinishReason(call, index, reason);
    // Thought parts are summaries, not the counted thinking tokens: keep only what the model answered.
    if (wantText) addParts(sink, candidate.content, true);
  }
  addEstimationOutput(call, sink.value);
  if (call.content !== undefined) captureCandidates(call, candidates, streamed);
}

/** `{error}` or `[{error}]`. */
function isError(value: unknown): boolean {
  const o = obj(value) ?? obj(arr(value)?.[0]);
  return o !== undefined && o.error !== undefined && o.error !== null;
}

function applyValue(call: ModelCall, value: unknown, streamed: boolean): void {
  const b = obj(value);
  if (b !== undefined) {
    applyResponse(call, b, streamed);
    return;
  }
  // Errors of streaming methods come wrapped in an array (`[{"error": …}]`), as may a whole streamed body.
  const list = arr(value);
  if (list === undefined) return;
  for (const item of list) {
    const o = obj(item);
    if (o !== undefined) applyResponse(call, o, streamed);
  }
}

// --- Adapter --------------------------------------------------------------------------------------------------

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType?.toLowerCase().includes('text/event-stream')) return 'sse';
  // streamGenerateContent without alt=sse: one JSON array, sent element by element.
  return call.request.stream ? 'json-array' : 'json';
}

function onResponseBody(call: ModelCall, body: unknown): void {
  applyValue(call, body, false);
}

/**
 * Terminal only on an error chunk: Google ends a streaming call with its error status, and @google/genai throws
 * on that chunk and releases the body without cancelling it, so EOF might never be seen.
 *
 * A normal chunk is never terminal. Gemini streams have no end marker: the chunk with the finish reason usually
 * carries the final usage, but with several candidates they finish on different chunks, and nothing promises
 * that no later chunk carries more usage. Both Google SDKs and the AI SDK read to EOF, so finishing there loses
 * nothing; an app that stops reading early ends the call by cancel or the idle timeout.
 */
function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  let value: unknown;
  if (event.kind === 'sse') value = parseJson(event.data);
  else if (event.kind === 'json') value = event.value;
  else return false;
  applyValue(call, value, true);
  return isError(value);
}

export const geminiAdapter: ProviderAdapter = {
  family: 'gemini',
  classify,
  onRequestBody,
  framing,
  onResponseBody,
  onStreamEvent,
};
