/**
 * AWS Bedrock Runtime: Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream. The model is in
 * the path (URL-encoded foundation model id, inference profile or ARN); Converse has its own request/response
 * shapes, InvokeModel carries the model's native body (Anthropic Messages through the Anthropic helpers, Amazon
 * Nova, Meta Llama, Titan, ...). Streams are AWS event streams, decoded by the recorder into headers + payload.
 *
 * Usage preference: a known native body, then Bedrock's model-agnostic token-count response headers
 * (InvokeModel) or the final chunk's `amazon-bedrock-invocationMetrics` (InvokeModelWithResponseStream).
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
  captureRole,
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
import { applyAnthropicEvent, applyAnthropicMessage, applyAnthropicRequest } from './anthropic.js';
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
  stringsText,
  TextCollector,
  text,
} from './read.js';
import type { BodyFraming, CallClassification, ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

/** The action segment of the path. */
const CONVERSE = 'converse';
const CONVERSE_STREAM = 'converse-stream';
const INVOKE = 'invoke';
const INVOKE_STREAM = 'invoke-with-response-stream';

const MODEL_PREFIX = '/model/';
const MAX_ERROR_MESSAGE = 2048;
const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

const utf8 = new TextDecoder();

/** `…/model/{modelId}/{action}`: the decoded model id and the action, or undefined. */
function parsePath(path: string): { modelId: string; action: string } | undefined {
  const at = path.indexOf(MODEL_PREFIX);
  if (at === -1) return undefined;
  let end = path.length;
  if (path.endsWith('/')) end--;
  const slash = path.lastIndexOf('/', end - 1);
  const start = at + MODEL_PREFIX.length;
  // The id is everything between /model/ and the action: an unencoded ARN may itself contain '/'.
  if (slash < start + 1) return undefined;
  return { modelId: decodeSegment(path.slice(start, slash)), action: path.slice(slash + 1, end) };
}

function isEmbeddingModel(modelId: string): boolean {
  return modelId.toLowerCase().includes('embed');
}

function classify(req: RequestFacts, _provider: string): CallClassification | undefined {
  const method = req.method;
  if (method !== 'POST' && method.toUpperCase() !== 'POST') return undefined;
  const parsed = parsePath(req.path);
  if (parsed === undefined || parsed.modelId.length === 0) return undefined;
  const { modelId, action } = parsed;
  let stream: boolean;
  let operation: string = GEN_AI_OPERATION_NAME_VALUE_CHAT;
  switch (action) {
    case CONVERSE:
      stream = false;
      break;
    case CONVERSE_STREAM:
      stream = true;
      break;
    case INVOKE:
    case INVOKE_STREAM:
      stream = action === INVOKE_STREAM;
      if (isEmbeddingModel(modelId)) operation = GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS;
      break;
    default:
      return undefined; // count-tokens, async-invoke, bidirectional streams: not (observable) inference
  }
  return { operation, modelFromPath: modelId, streamFromPath: stream };
}

/**
 * Converse vs InvokeModel is not kept on the record: the body shapes tell them apart. Anthropic bodies on
 * Bedrock always carry anthropic_version (bedrock-2023-05-31).
 */
function isAnthropicBody(b: JsonObject): boolean {
  return typeof b.anthropic_version === 'string';
}

// --- Request --------------------------------------------------------------------------------------------------

/** Converse / Nova content blocks: text, toolUse input, toolResult content, reasoning text. */
function addConverseContent(sink: TextCollector, content: unknown, depth = 0): void {
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
    const toolUse = obj(block.toolUse);
    if (toolUse !== undefined) addJson(sink, toolUse.input);
    const toolResult = obj(block.toolResult);
    if (toolResult !== undefined && depth === 0) addConverseContent(sink, toolResult.content, depth + 1);
    if (block.json !== undefined) addJson(sink, block.json);
    sink.add(obj(obj(block.reasoningContent)?.reasoningText)?.text);
  }
}

function converseInputText(b: JsonObject): string {
  const sink = new TextCollector();
  addConverseContent(sink, b.system);
  const messages = arr(b.messages);
  if (messages !== undefined) {
    for (const m of messages) {
      if (sink.full) break;
      addConverseContent(sink, obj(m)?.content);
    }
  }
  return sink.value;
}

// --- Content (only read when capture is on) ---------------------------------------------------------------------

/** An image / document / video block: bytes (base64 in JSON) or an S3 location. */
function mediaPart(modality: string, block: JsonObject | undefined): MessagePart | undefined {
  if (block === undefined) return undefined;
  const source = obj(block.source);
  const format = text(block.format);
  const mime =
    format === undefined ? undefined : modality === 'document' ? undefined : `${modality}/${format}`;
  if (source?.bytes !== undefined) return blobPart(modality, mime, source.bytes);
  if (typeof source?.text === 'string') return textPart(source.text);
  return urlPart(modality, obj(source?.s3Location)?.uri, mime);
}

/** A tool result's content: the joined text when it is all text, else the blocks in the conventions' shape. */
function toolResultValue(content: unknown): unknown {
  const list = arr(content);
  if (list === undefined) return content;
  const values: unknown[] = [];
  let allText = true;
  for (const c of list) {
    const block = obj(c);
    if (typeof block?.text === 'string') values.push(block.text);
    else {
      allText = false;
      values.push(block?.json ?? block);
    }
  }
  return allText ? values.join('') : values;
}

/** Converse (and Nova) content blocks in the conventions' shape; a plain string is one text part. */
function converseParts(content: unknown): MessagePart[] {
  const parts: MessagePart[] = [];
  if (typeof content === 'string') {
    push(parts, textPart(content));
    return parts;
  }
  for (const b of arr(content) ?? []) {
    const block = obj(b);
    if (block === undefined) continue;
    push(parts, textPart(block.text));
    push(parts, textPart(obj(obj(block.guardContent)?.text)?.text));
    push(parts, reasoningPart(obj(obj(block.reasoningContent)?.reasoningText)?.text));
    const toolUse = obj(block.toolUse);
    if (toolUse !== undefined) push(parts, toolCallPart(toolUse.toolUseId, toolUse.name, toolUse.input));
    const toolResult = obj(block.toolResult);
    if (toolResult !== undefined) {
      parts.push(toolResponsePart(toolResult.toolUseId, toolResultValue(toolResult.content)));
    }
    for (const modality of ['image', 'document', 'video'] as const) {
      push(parts, mediaPart(modality, obj(block[modality])));
    }
  }
  return parts;
}

function captureConverseInput(call: ModelCall, b: JsonObject): void {
  const messages: ChatMessage[] = [];
  for (const m of arr(b.messages) ?? []) {
    const message = obj(m);
    if (message !== undefined)
      messages.push(chatMessage(text(message.role) ?? 'user', converseParts(message.content)));
  }
  captureInput(call, messages, converseParts(b.system));
}

/** Converse, and Nova's InvokeModel body, which has the same messages/system/inferenceConfig shape. */
function applyConverseRequest(call: ModelCall, b: JsonObject): void {
  const req = call.request;
  const config = obj(b.inferenceConfig);
  if (config !== undefined) {
    // Nova's native body also accepts max_new_tokens.
    assign(req, 'maxTokens', count(config.maxTokens) ?? count(config.max_new_tokens));
    assign(req, 'temperature', num(config.temperature));
    assign(req, 'topP', num(config.topP));
    assign(req, 'topK', num(config.topK));
    assign(req, 'stopSequences', strings(config.stopSequences));
  }
  const extra = obj(b.additionalModelRequestFields);
  if (extra !== undefined) assign(req, 'topK', num(extra.top_k) ?? num(extra.topK));
  assign(req, 'serviceTier', text(obj(b.serviceTier)?.type));
  setEstimationInput(call, converseInputText(b));
  if (call.content !== undefined) captureConverseInput(call, b);
}

/** InvokeModel with a body that is neither Anthropic nor Converse-shaped: Llama, Titan, Mistral, Cohere, ... */
function applyOtherNativeRequest(call: ModelCall, b: JsonObject): void {
  const req = call.request;
  if (call.operation === GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS) {
    assign(req, 'dimensions', count(b.dimensions));
    // Titan: inputText; Cohere: texts[]; Nova multimodal embeddings carry their text deeper (left to headers).
    setEstimationInput(call, stringsText(b.inputText ?? b.texts));
    if (call.content !== undefined) captureInput(call, userTexts(b.inputText ?? b.texts));
    return;
  }
  const titan = obj(b.textGenerationConfig);
  if (titan !== undefined) {
    assign(req, 'maxTokens', count(titan.maxTokenCount));
    assign(req, 'temperature', num(titan.temperature));
    assign(req, 'topP', num(titan.topP));
    assign(req, 'stopSequences', strings(titan.stopSequences));
  }
  // Llama: max_gen_len; Mistral: max_tokens.
  assign(req, 'maxTokens', count(b.max_gen_len) ?? count(b.max_tokens));
  assign(req, 'temperature', num(b.temperature));
  assign(req, 'topP', num(b.top_p));
  assign(req, 'topK', num(b.top_k));
  assign(req, 'stopSequences', strings(b.stop));
  const prompt = text(b.prompt) ?? text(b.inputText);
  if (prompt !== undefined) {
    // A raw prompt string, not messages.
    call.operation = GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION;
    setEstimationInput(call, stringsText(prompt));
    if (call.content !== undefined) captureInput(call, userTexts(prompt));
  }
}

/** Plain input strings (a prompt, embedding texts) as one user message. */
function userTexts(value: unknown): ChatMessage[] {
  const parts: MessagePart[] = [];
  if (typeof value === 'string') push(parts, textPart(value));
  else for (const v of arr(value) ?? []) push(parts, textPart(v));
  return parts.length > 0 ? [chatMessage('user', parts)] : [];
}

function onRequestBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (b === undefined) return;
  if (isAnthropicBody(b)) {
    applyAnthropicRequest(call, b);
    return;
  }
  // Converse and Nova (messages/system/inferenceConfig); OpenAI-style and Mistral chat bodies share `messages`.
  if (Array.isArray(b.messages) || Array.isArray(b.system) || obj(b.inferenceConfig) !== undefined) {
    applyConverseRequest(call, b);
  }
  applyOtherNativeRequest(call, b);
}

// --- Usage ----------------------------------------------------------------------------------------------------

/** Input total = uncached + cache reads + cache writes; the parts are only added when present. */
function withCache(
  input: number | undefined,
  output: number | undefined,
  cacheRead: number | undefined,
  cacheWrite: number | undefined,
): TokenUsage {
  const usage: TokenUsage = {};
  if (input !== undefined) usage.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  assign(usage, 'outputTokens', output);
  assign(usage, 'cacheReadInputTokens', cacheRead);
  assign(usage, 'cacheCreationInputTokens', cacheWrite);
  return usage;
}

/**
 * Converse(Stream) usage, also Nova's InvokeModel usage (…InputTokenCount names). inputTokens is only the
 * uncached part.
 */
export function converseUsage(u: JsonObject): TokenUsage {
  return withCache(
    count(u.inputTokens),
    count(u.outputTokens),
    count(u.cacheReadInputTokens) ?? count(u.cacheReadInputTokenCount),
    count(u.cacheWriteInputTokens) ?? count(u.cacheWriteInputTokenCount),
  );
}

/** The `amazon-bedrock-invocationMetrics` object of a stream's last chunk. */
export function invocationMetricsUsage(m: JsonObject): TokenUsage {
  return withCache(
    count(m.inputTokenCount),
    count(m.outputTokenCount),
    count(m.cacheReadInputTokenCount),
    count(m.cacheWriteInputTokenCount),
  );
}

function hasCounts(u: TokenUsage | undefined): u is TokenUsage {
  return u !== undefined && (u.inputTokens !== undefined || u.outputTokens !== undefined);
}

function complete(u: TokenUsage | undefined): boolean {
  return u !== undefined && u.inputTokens !== undefined && u.outputTokens !== undefined;
}

function setUsage(call: ModelCall, usage: TokenUsage): void {
  if (hasCounts(usage)) call.usage = usage;
}

function headerCount(header: (name: string) => string | undefined, name: string): number | undefined {
  const v = header(name);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return v.trim().length > 0 && Number.isFinite(n) && n >= 0 ? n : undefined;
}

// --- Errors ---------------------------------------------------------------------------------------------------

/** `ThrottlingException:http://internal.amazon.com/coral/…` or `com.amazon.coral.service#ThrottlingException`. */
function awsErrorType(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let t = raw;
  const colon = t.indexOf(':');
  if (colon !== -1) t = t.slice(0, colon);
  const hash = t.lastIndexOf('#');
  if (hash !== -1) t = t.slice(hash + 1);
  t = t.trim();
  return t.length > 0 ? t : undefined;
}

function setError(call: ModelCall, type: string | undefined, message: unknown): void {
  const status = call.httpStatus;
  const fallback = status !== undefined && status < 400 ? '_OTHER' : '';
  const error: ModelCall['error'] = { type: type ?? call.error?.type ?? fallback };
  const msg = text(message) ?? call.error?.message;
  if (msg !== undefined)
    error.message = msg.length > MAX_ERROR_MESSAGE ? msg.slice(0, MAX_ERROR_MESSAGE) : msg;
  call.error = error;
}

/** Error body `{message}` / `{Message}`, sometimes with `__type`; the header's type (if any) is kept. */
function applyErrorBody(call: ModelCall, b: JsonObject | undefined): void {
  setError(call, call.error?.type || awsErrorType(text(b?.__type)), b?.message ?? b?.Message);
}

// --- Responses ------------------------------------------------------------------------------------------------

/** Converse has no model in its responses; the model the app addressed is the best answer there is. */
function defaultResponseModel(call: ModelCall): void {
  if (call.response.model === undefined) assign(call.response, 'model', call.request.model);
}

function setStopReason(call: ModelCall, reason: unknown): void {
  const r = text(reason);
  if (r !== undefined) call.response.finishReasons = [r];
}

/** Converse response, and Nova's InvokeModel response (same output/stopReason/usage shape). */
function applyConverseResponse(call: ModelCall, b: JsonObject): void {
  setStopReason(call, b.stopReason);
  const message = obj(obj(b.output)?.message);
  if (call.content !== undefined && message !== undefined) {
    captureOutput(call, [
      {
        role: text(message.role) ?? 'assistant',
        parts: converseParts(message.content),
        finish_reason: call.response.finishReasons[0] ?? 'error',
      },
    ]);
  }
  const u = obj(b.usage);
  if (u !== undefined) setUsage(call, converseUsage(u));
  if (call.usage?.outputTokens === undefined) {
    const sink = new TextCollector();
    addConverseContent(sink, obj(obj(b.output)?.message)?.content);
    addEstimationOutput(call, sink.value);
  }
}

/** Other InvokeModel bodies: Llama, Titan text / embeddings, Mistral, Cohere. */
function applyOtherNativeResponse(call: ModelCall, b: JsonObject): void {
  // Meta Llama
  const prompt = count(b.prompt_token_count);
  const generation = count(b.generation_token_count);
  if (prompt !== undefined || generation !== undefined) {
    setUsage(call, withCache(prompt, generation, undefined, undefined));
    setStopReason(call, b.stop_reason);
    if (generation === undefined) addEstimationOutput(call, b.generation);
    captureNativeOutput(call, [b.generation]);
    return;
  }
  // Titan: embeddings have inputTextTokenCount only; text generation adds results[].tokenCount.
  const titanInput = count(b.inputTextTokenCount);
  const results = arr(b.results);
  if (titanInput !== undefined || results !== undefined) {
    let output: number | undefined;
    if (results !== undefined) {
      for (const r of results) {
        const result = obj(r);
        const n = count(result?.tokenCount);
        if (n !== undefined) output = (output ?? 0) + n;
        setStopReason(call, result?.completionReason);
        if (n === undefined) addEstimationOutput(call, result?.outputText);
      }
    }
    setUsage(call, withCache(titanInput, output, undefined, undefined));
    captureNativeOutput(
      call,
      (results ?? []).map((r) => obj(r)?.outputText),
    );
    return;
  }
  // OpenAI-format models (gpt-oss, DeepSeek, Mistral chat) report OpenAI usage.
  const openaiUsage = obj(b.usage);
  if (openaiUsage !== undefined) {
    setUsage(
      call,
      withCache(count(openaiUsage.prompt_tokens), count(openaiUsage.completion_tokens), undefined, undefined),
    );
  }
  // Mistral: outputs[{text, stop_reason}]; Cohere command: generations[{text, finish_reason}]; OpenAI-format:
  // choices[{message, finish_reason}]. Without counts in the body, the token-count headers stand.
  const outputs = arr(b.outputs) ?? arr(b.generations) ?? arr(b.choices);
  if (outputs !== undefined) {
    const reasons: string[] = [];
    for (const o of outputs) {
      const item = obj(o);
      const reason = text(item?.stop_reason) ?? text(item?.finish_reason);
      if (reason !== undefined) reasons.push(reason);
      if (call.usage?.outputTokens === undefined) {
        addEstimationOutput(call, item?.text);
        addEstimationOutput(call, obj(item?.message)?.content);
      }
    }
    if (reasons.length > 0) call.response.finishReasons = reasons;
    captureNativeOutput(
      call,
      outputs.map((o) => obj(o)?.text ?? obj(obj(o)?.message)?.content),
    );
  }
}

/** Text outputs of native InvokeModel bodies (Llama, Titan, Mistral, Cohere, OpenAI-format), one per output. */
function captureNativeOutput(call: ModelCall, texts: readonly unknown[]): void {
  if (call.content === undefined) return;
  const messages = texts.flatMap((t, i) => {
    const part = textPart(t);
    if (part === undefined) return [];
    return [{ role: 'assistant', parts: [part], finish_reason: call.response.finishReasons[i] ?? 'error' }];
  });
  captureOutput(call, messages);
}

function onResponseBody(call: ModelCall, body: unknown): void {
  const b = obj(body);
  if (call.httpStatus !== undefined && call.httpStatus >= 400) {
    applyErrorBody(call, b);
    return;
  }
  if (b === undefined) return;
  if (b.type === 'message' || (arr(b.content) !== undefined && obj(b.usage)?.input_tokens !== undefined)) {
    applyAnthropicMessage(call, b);
    return;
  }
  if (b.output !== undefined || b.stopReason !== undefined) {
    applyConverseResponse(call, b);
    return;
  }
  applyOtherNativeResponse(call, b);
}

function onResponseHeaders(call: ModelCall, header: (name: string) => string | undefined): void {
  const status = call.httpStatus;
  if (status !== undefined && status >= 400) {
    const type = awsErrorType(header('x-amzn-errortype'));
    if (type !== undefined) call.error = { type };
    return;
  }
  defaultResponseModel(call);
  // Model-agnostic InvokeModel counts: the baseline a known body shape overwrites.
  const usage = withCache(
    headerCount(header, 'x-amzn-bedrock-input-token-count'),
    headerCount(header, 'x-amzn-bedrock-output-token-count'),
    headerCount(header, 'x-amzn-bedrock-cache-read-input-token-count'),
    headerCount(header, 'x-amzn-bedrock-cache-write-input-token-count'),
  );
  setUsage(call, usage);
}

// --- Streams --------------------------------------------------------------------------------------------------

function headerText(headers: Record<string, string | number | boolean>, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Stream exception member names are lowerCamel (`throttlingException`); the shape names match the header form. */
function exceptionName(memberName: string): string {
  return memberName.charAt(0).toUpperCase() + memberName.slice(1);
}

/** ConverseStream events; also Nova's InvokeModel stream chunks, which carry the same members. */
function applyConverseEvent(call: ModelCall, type: string, d: JsonObject): boolean {
  if (call.content !== undefined) captureConverseEvent(call, type, d);
  switch (type) {
    case 'contentBlockDelta': {
      const delta = obj(d.delta);
      if (delta === undefined) return false;
      addEstimationOutput(call, delta.text);
      addEstimationOutput(call, obj(delta.toolUse)?.input);
      addEstimationOutput(call, obj(delta.reasoningContent)?.text);
      return false;
    }
    case 'messageStop':
      setStopReason(call, d.stopReason);
      return false;
    case 'metadata': {
      const u = obj(d.usage);
      if (u !== undefined) setUsage(call, converseUsage(u));
      return true;
    }
    default:
      return false; // messageStart, contentBlockStart, contentBlockStop, and whatever new event appears
  }
}

/** Streamed blocks: text and reasoning deltas; tool uses start with their name and stream their input as JSON text. */
function captureConverseEvent(call: ModelCall, type: string, d: JsonObject): void {
  const index = count(d.contentBlockIndex) ?? 0;
  if (type === 'messageStart') captureRole(call, 0, d.role);
  else if (type === 'contentBlockStart') {
    const toolUse = obj(obj(d.start)?.toolUse);
    if (toolUse !== undefined) captureToolCall(call, 0, index, { id: toolUse.toolUseId, name: toolUse.name });
  } else if (type === 'contentBlockDelta') {
    const delta = obj(d.delta);
    if (delta === undefined) return;
    captureDelta(call, 0, 'text', delta.text);
    captureDelta(call, 0, 'reasoning', obj(delta.reasoningContent)?.text);
    const toolUse = obj(delta.toolUse);
    if (toolUse !== undefined) captureToolCall(call, 0, index, { argsDelta: toolUse.input });
  }
}

const NOVA_MEMBERS = [
  'messageStart',
  'contentBlockStart',
  'contentBlockDelta',
  'messageStop',
  'metadata',
] as const;

/** One decoded InvokeModelWithResponseStream chunk: model-native JSON. Returns true at the last one. */
function applyNativeChunk(call: ModelCall, d: JsonObject): boolean {
  let terminal = false;
  if (typeof d.type === 'string') {
    terminal = applyAnthropicEvent(call, d);
  } else {
    let nova = false;
    for (const member of NOVA_MEMBERS) {
      const m = obj(d[member]);
      if (m === undefined) continue;
      nova = true;
      // Nova's metadata chunk is not its last: the invocation metrics still follow (or share the chunk).
      applyConverseEvent(call, member, m);
    }
    if (!nova) applyOtherNativeChunk(call, d);
  }
  const metrics = obj(d[INVOCATION_METRICS]);
  if (metrics !== undefined) {
    if (!complete(call.usage)) setUsage(call, invocationMetricsUsage(metrics));
    terminal = true;
  }
  return terminal;
}

/** Llama / Titan / Mistral / Cohere chunks: output text, stop reasons and whatever counts they carry. */
function applyOtherNativeChunk(call: ModelCall, d: JsonObject): void {
  addEstimationOutput(call, d.generation); // Llama
  addEstimationOutput(call, d.outputText); // Titan
  addEstimationOutput(call, d.text); // Cohere command
  if (call.content !== undefined) {
    captureDelta(call, 0, 'text', d.generation ?? d.outputText ?? d.text);
    for (const o of arr(d.outputs) ?? []) captureDelta(call, 0, 'text', obj(o)?.text);
  }
  const reason = text(d.stop_reason) ?? text(d.completionReason) ?? text(d.finish_reason);
  if (reason !== undefined) setStopReason(call, reason);
  const outputs = arr(d.outputs); // Mistral
  if (outputs !== undefined) {
    for (const o of outputs) {
      const item = obj(o);
      addEstimationOutput(call, item?.text);
      setStopReason(call, item?.stop_reason);
    }
  }
  // Llama reports prompt_token_count on the first chunk and a running generation_token_count.
  const prompt = count(d.prompt_token_count) ?? count(d.inputTextTokenCount);
  const generation = count(d.generation_token_count) ?? count(d.totalOutputTextTokenCount);
  if (prompt !== undefined || generation !== undefined) {
    const usage: TokenUsage = { ...call.usage };
    assign(usage, 'inputTokens', prompt);
    assign(usage, 'outputTokens', generation);
    setUsage(call, usage);
  }
}

function decodeChunkBytes(payload: JsonObject): JsonObject | undefined {
  const b64 = text(payload.bytes);
  if (b64 === undefined) return undefined;
  try {
    return obj(parseJson(Buffer.from(b64, 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
}

function onStreamEvent(call: ModelCall, event: StreamEvent): boolean {
  if (event.kind !== 'aws-eventstream') return false;
  const headers = event.headers;
  const messageType = headerText(headers, ':message-type') ?? 'event';
  if (messageType === 'exception') {
    const d = obj(parseJson(utf8.decode(event.payload)));
    const type = headerText(headers, ':exception-type');
    setError(call, type === undefined ? awsErrorType(text(d?.__type)) : exceptionName(type), d?.message);
    return true; // nothing follows an exception
  }
  if (messageType === 'error') {
    setError(call, headerText(headers, ':error-code'), headerText(headers, ':error-message'));
    return true;
  }
  const type = headerText(headers, ':event-type');
  if (type === undefined) return false;
  const d = obj(parseJson(utf8.decode(event.payload)));
  if (d === undefined) return false;
  if (type === 'chunk') {
    const chunk = decodeChunkBytes(d);
    return chunk === undefined ? false : applyNativeChunk(call, chunk);
  }
  return applyConverseEvent(call, type, d);
}

function framing(call: ModelCall, contentType: string | undefined): BodyFraming {
  if (contentType !== undefined) {
    const ct = contentType.toLowerCase();
    if (ct.includes('vnd.amazon.eventstream')) return 'aws-eventstream';
    if (ct.includes('json')) return 'json';
  }
  return call.request.stream ? 'aws-eventstream' : 'json';
}

export const bedrockAdapter: ProviderAdapter = {
  family: 'bedrock',
  classify,
  onRequestBody,
  onResponseHeaders,
  framing,
  onResponseBody,
  onStreamEvent,
};
