/**
 * Captured content in the GenAI conventions' JSON shapes (gen_ai.system_instructions, gen_ai.input.messages,
 * gen_ai.output.messages), and the helpers provider adapters fill it with. Capture is opt-in: the recorder only
 * creates `call.content` when it is on, and every helper returns at once without it, so with capture off nothing
 * here runs and nothing is kept.
 *
 * Nothing here redacts or truncates for export; `serialize.ts` does both when the span is written. What this module
 * bounds is memory: streamed output is kept only up to a budget slightly above the export limit.
 */
import type { ModelCall } from '../model-call.js';

export interface TextPart {
  type: 'text';
  content: string;
}
export interface ReasoningPart {
  type: 'reasoning';
  content: string;
}
export interface ToolCallPart {
  type: 'tool_call';
  id?: string;
  name: string;
  arguments?: unknown;
}
export interface ToolCallResponsePart {
  type: 'tool_call_response';
  id?: string;
  response: unknown;
}
/** Inline binary data. Its bytes are never kept: `content` only says how many there were. */
export interface BlobPart {
  type: 'blob';
  modality: string;
  mime_type?: string;
  content: string;
}
export interface UriPart {
  type: 'uri';
  modality: string;
  mime_type?: string;
  uri: string;
}
export interface FilePart {
  type: 'file';
  modality: string;
  mime_type?: string;
  file_id: string;
}
export type MessagePart =
  | TextPart
  | ReasoningPart
  | ToolCallPart
  | ToolCallResponsePart
  | BlobPart
  | UriPart
  | FilePart;

export interface ChatMessage {
  role: string;
  parts: MessagePart[];
  name?: string;
}

export interface OutputMessage extends ChatMessage {
  finish_reason: string;
}

/** A tool call whose arguments may still be arriving as JSON text fragments. */
export interface StreamingToolCall {
  type: 'tool_call';
  id?: string;
  name: string;
  argsText: string;
  argsValue?: unknown;
}

export type StreamingPart = TextPart | ReasoningPart | StreamingToolCall | MessagePart;

export interface StreamedChoice {
  role: string;
  parts: StreamingPart[];
  /** Tool calls by the provider's key for them (tool index, content-block index, ...). */
  tools: Record<string, StreamingToolCall>;
}

/** Output assembled from stream events, kept within `CapturedContent.budget` characters in all. */
export interface StreamedOutput {
  choices: StreamedChoice[];
  kept: number;
  /** UTF-8 bytes received beyond the budget and not kept. */
  dropped: number;
  /** The part whose text was cut when the budget ran out. */
  cutPart?: StreamingPart;
}

export interface CapturedContent {
  systemInstructions?: MessagePart[];
  inputMessages?: ChatMessage[];
  /** Whole output messages (a non-streamed body, or a stream's final event that repeats everything). */
  outputMessages?: OutputMessage[];
  streamed?: StreamedOutput;
  /** Characters of streamed output kept at most. */
  budget: number;
}

/**
 * Kept beyond the export limit so a secret cut by the budget can still be recognised and redacted, and the cut
 * region dropped before export (see serialize.ts). Longer than any key or token the redaction rules look for.
 */
export const CLIP_SLACK = 1024;

/** Choice / candidate indexes beyond this are treated as garbage rather than grown into a huge array. */
const MAX_CHOICES = 256;

export function newCapturedContent(maxBytes: number): CapturedContent {
  return { budget: maxBytes + CLIP_SLACK };
}

// --- Parts ----------------------------------------------------------------------------------------------------

export function textPart(content: unknown): TextPart | undefined {
  return typeof content === 'string' && content.length > 0 ? { type: 'text', content } : undefined;
}

export function reasoningPart(content: unknown): ReasoningPart | undefined {
  return typeof content === 'string' && content.length > 0 ? { type: 'reasoning', content } : undefined;
}

/** Tool-call arguments: JSON text is parsed (the conventions record an object), anything else kept as it is. */
export function toolArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  const t = args.trim();
  if (t.length === 0) return undefined;
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return args; // truncated or invalid JSON: kept as text
    }
  }
  return args;
}

export function toolCallPart(id: unknown, name: unknown, args: unknown): ToolCallPart | undefined {
  if (typeof name !== 'string' || name.length === 0) return undefined;
  const part: ToolCallPart = { type: 'tool_call', name };
  if (typeof id === 'string' && id.length > 0) part.id = id;
  const value = toolArguments(args);
  if (value !== undefined && value !== null) part.arguments = value;
  return part;
}

export function toolResponsePart(id: unknown, response: unknown): ToolCallResponsePart {
  const part: ToolCallResponsePart = { type: 'tool_call_response', response: response ?? null };
  if (typeof id === 'string' && id.length > 0) part.id = id;
  return part;
}

function withMime<T extends BlobPart | UriPart | FilePart>(part: T, mimeType: unknown): T {
  if (typeof mimeType === 'string' && mimeType.length > 0) part.mime_type = mimeType;
  return part;
}

/** Inline base64 data: recorded by kind and size only. */
export function blobPart(modality: string, mimeType: unknown, data: unknown): BlobPart {
  const size = typeof data === 'string' ? data.length : 0;
  const part: BlobPart = { type: 'blob', modality, content: truncationMarker(size) };
  return withMime(part, mimeType);
}

/** A URL: `data:` URLs are inline data (a blob part), anything else a uri part. */
export function urlPart(modality: string, url: unknown, mimeType?: unknown): MessagePart | undefined {
  if (typeof url !== 'string' || url.length === 0) return undefined;
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const semi = url.indexOf(';');
    const end = semi !== -1 && (comma === -1 || semi < comma) ? semi : comma;
    const mime = end > 5 ? url.slice(5, end) : mimeType;
    return blobPart(modality, mime, comma === -1 ? '' : url.slice(comma + 1));
  }
  const part: UriPart = { type: 'uri', modality, uri: url };
  return withMime(part, mimeType);
}

export function filePart(modality: string, fileId: unknown, mimeType?: unknown): FilePart | undefined {
  if (typeof fileId !== 'string' || fileId.length === 0) return undefined;
  const part: FilePart = { type: 'file', modality, file_id: fileId };
  return withMime(part, mimeType);
}

/** image/png → image, audio/wav → audio, video/mp4 → video, anything else → document. */
export function modalityOf(mimeType: unknown): string {
  if (typeof mimeType !== 'string') return 'document';
  const major = mimeType.slice(0, mimeType.indexOf('/')).toLowerCase();
  return major === 'image' || major === 'audio' || major === 'video' ? major : 'document';
}

export function push(parts: MessagePart[], part: MessagePart | undefined): void {
  if (part !== undefined) parts.push(part);
}

/** The parts that are defined. */
export function partsOf(...items: (MessagePart | undefined)[]): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const item of items) push(parts, item);
  return parts;
}

export function chatMessage(role: string, parts: MessagePart[], name?: unknown): ChatMessage {
  const m: ChatMessage = { role, parts };
  if (typeof name === 'string' && name.length > 0) m.name = name;
  return m;
}

/** The visible mark left where content was cut. */
export function truncationMarker(bytes: number): string {
  return `…[truncated ${bytes} bytes]`;
}

// --- Filling the record ---------------------------------------------------------------------------------------

export function captureInput(call: ModelCall, messages: ChatMessage[], system?: MessagePart[]): void {
  const c = call.content;
  if (c === undefined) return;
  if (messages.length > 0) c.inputMessages = messages;
  if (system !== undefined && system.length > 0) c.systemInstructions = system;
}

/** Whole output messages; they replace anything assembled from stream events. */
export function captureOutput(call: ModelCall, messages: OutputMessage[]): void {
  const c = call.content;
  if (c === undefined || messages.length === 0) return;
  c.outputMessages = messages;
  c.streamed = undefined;
}

function choiceAt(s: StreamedOutput, index: number): StreamedChoice | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHOICES) return undefined;
  while (s.choices.length <= index) s.choices.push({ role: 'assistant', parts: [], tools: {} });
  return s.choices[index];
}

function streamedOf(c: CapturedContent): StreamedOutput | undefined {
  // Once whole output messages arrived, later deltas add nothing.
  if (c.outputMessages !== undefined) return undefined;
  c.streamed ??= { choices: [], kept: 0, dropped: 0 };
  return c.streamed;
}

/** How much of `piece` fits the budget; counts the rest as dropped. */
function keep(c: CapturedContent, s: StreamedOutput, piece: string, part: () => StreamingPart): string {
  const room = c.budget - s.kept;
  if (piece.length <= room) {
    s.kept += piece.length;
    return piece;
  }
  let end = Math.max(0, room);
  // Never split a surrogate pair.
  if (end > 0 && isHighSurrogate(piece.charCodeAt(end - 1))) end--;
  const kept = piece.slice(0, end);
  s.kept += kept.length;
  s.dropped += Buffer.byteLength(end === 0 ? piece : piece.slice(end), 'utf8');
  s.cutPart ??= part();
  return kept;
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Appends streamed text (or reasoning) to choice `index`, merging with the part before when it is the same kind. */
export function captureDelta(
  call: ModelCall,
  index: number,
  kind: 'text' | 'reasoning',
  text: unknown,
): void {
  const c = call.content;
  if (c === undefined || typeof text !== 'string' || text.length === 0) return;
  const s = streamedOf(c);
  if (s === undefined) return;
  const choice = choiceAt(s, index);
  if (choice === undefined) return;
  const parts = choice.parts;
  const last = parts[parts.length - 1];
  let target: TextPart | ReasoningPart;
  if (last !== undefined && last.type === kind) {
    target = last as TextPart | ReasoningPart;
  } else {
    if (s.cutPart !== undefined) {
      s.dropped += Buffer.byteLength(text, 'utf8');
      return;
    }
    target = { type: kind, content: '' };
    parts.push(target);
  }
  const kept = keep(c, s, text, () => target);
  if (kept.length > 0) target.content += kept;
}

/**
 * A streamed tool call of choice `index`, identified by the provider's `key` for it. `name`/`id` arrive once;
 * `argsDelta` is a fragment of the JSON arguments text; `args` is a whole arguments value (Gemini, Ollama).
 */
export function captureToolCall(
  call: ModelCall,
  index: number,
  key: string | number,
  fields: { id?: unknown; name?: unknown; argsDelta?: unknown; args?: unknown },
): void {
  const c = call.content;
  if (c === undefined) return;
  const s = streamedOf(c);
  if (s === undefined) return;
  const choice = choiceAt(s, index);
  if (choice === undefined) return;
  const k = String(key);
  let tool = choice.tools[k];
  if (tool === undefined) {
    if (s.cutPart !== undefined) return;
    tool = { type: 'tool_call', name: '', argsText: '' };
    choice.tools[k] = tool;
    choice.parts.push(tool);
  }
  if (typeof fields.id === 'string' && fields.id.length > 0) tool.id = fields.id;
  if (typeof fields.name === 'string' && fields.name.length > 0 && tool.name.length === 0) {
    tool.name = keep(c, s, fields.name, () => tool);
  }
  if (typeof fields.argsDelta === 'string' && fields.argsDelta.length > 0) {
    if (s.cutPart !== undefined) s.dropped += Buffer.byteLength(fields.argsDelta, 'utf8');
    else {
      const target = tool;
      target.argsText += keep(c, s, fields.argsDelta, () => target);
    }
  }
  if (fields.args !== undefined && fields.args !== null) tool.argsValue = fields.args;
}

/** Appends a whole part (a tool call that arrives in one piece, inline data, ...) to streamed choice `index`. */
export function capturePart(call: ModelCall, index: number, part: MessagePart | undefined): void {
  const c = call.content;
  if (c === undefined || part === undefined) return;
  const s = streamedOf(c);
  if (s === undefined) return;
  const choice = choiceAt(s, index);
  if (choice === undefined) return;
  let size = 0;
  try {
    size = JSON.stringify(part).length;
  } catch {
    return; // not representable: left out
  }
  if (s.cutPart !== undefined || s.kept + size > c.budget) {
    s.dropped += size;
    s.cutPart ??= choice.parts[choice.parts.length - 1] ?? part;
    return;
  }
  s.kept += size;
  choice.parts.push(part);
}

/** Sets the role of a streamed choice (when the provider says it; `assistant` otherwise). */
export function captureRole(call: ModelCall, index: number, role: unknown): void {
  const c = call.content;
  if (c === undefined || typeof role !== 'string' || role.length === 0) return;
  const s = streamedOf(c);
  if (s === undefined) return;
  const choice = choiceAt(s, index);
  if (choice !== undefined) choice.role = role;
}
