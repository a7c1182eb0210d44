/**
 * Captured content → the JSON strings of gen_ai.system_instructions, gen_ai.input.messages and
 * gen_ai.output.messages. Every string is redacted before anything is cut, and each attribute is fitted to the
 * byte limit as JSON that still parses: the longest strings are shortened first (so short messages survive a
 * long document next to them), each cut ends with a visible `…[truncated N bytes]`, and only if that is not
 * enough are whole messages dropped from the front (the latest turns are the ones worth keeping).
 *
 * Called once per call, when the span is written, after the app has its response.
 */
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@ailedger/semantic-conventions';
import type { ModelCall } from '../model-call.js';
import {
  CLIP_SLACK,
  isHighSurrogate,
  type MessagePart,
  type OutputMessage,
  type StreamedOutput,
  toolArguments,
  truncationMarker,
} from './messages.js';
import { DEFAULT_REDACTOR, isCardNumber, type Redactor } from './redact.js';

export interface ContentOptions {
  /** Byte limit of each content attribute's JSON. */
  maxBytes: number;
  redactor: Redactor;
}

export const DEFAULT_CONTENT_MAX_BYTES = 64 * 1024;
/** Below this a limit could not even hold one marker message. */
export const MIN_CONTENT_MAX_BYTES = 512;

/** Keys whose values are structure, not content: never redacted or cut. */
const STRUCTURAL_KEYS = new Set(['type', 'role', 'finish_reason', 'modality', 'mime_type']);
const MAX_DEPTH = 64;
/** Room a marker needs, for planning cuts (the loop corrects any difference). */
const MARKER_RESERVE = 32;
const MAX_FIT_ROUNDS = 6;

interface Leaf {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  value: string;
  /** UTF-8 bytes removed from the end so far. */
  cut: number;
  /** Cut before redaction: the tail near the cut may hold part of a secret no rule could recognise. */
  clipped: boolean;
}

const REDACTED_CARD = '[REDACTED:card_number]';

/** A fresh copy of `value` (the record is never changed) with every content string collected as a leaf. */
function copy(value: unknown, leaves: Leaf[], preCut: ReadonlyMap<object, number>, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && Number.isInteger(value) && isCardNumber(String(value)))
      return REDACTED_CARD;
    return value;
  }
  if (depth > MAX_DEPTH) return '…[truncated: nested too deeply]';
  const start = leaves.length;
  let out: Record<string, unknown> | unknown[];
  if (Array.isArray(value)) {
    const arr: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') {
        arr.push(v);
        leaves.push({ holder: arr, key: i, value: v, cut: 0, clipped: false });
      } else arr.push(copy(v, leaves, preCut, depth + 1));
    }
    out = arr;
  } else {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (typeof v === 'string' && !STRUCTURAL_KEYS.has(k)) {
        o[k] = v;
        leaves.push({ holder: o, key: k, value: v, cut: 0, clipped: false });
      } else o[k] = copy(v, leaves, preCut, depth + 1);
    }
    out = o;
  }
  const dropped = preCut.get(value);
  const last = leaves[leaves.length - 1];
  if (dropped !== undefined && leaves.length > start && last !== undefined) {
    last.cut += dropped;
    last.clipped = true;
  }
  return out;
}

/** The largest level L such that cutting every length above L down to L frees at least `need`. */
function waterLevel(lengths: readonly number[], need: number, reservePerCut = 0): number {
  let lo = 0;
  let hi = 0;
  for (const l of lengths) if (l > hi) hi = l;
  const freed = (level: number) => {
    let sum = 0;
    for (const l of lengths) if (l > level) sum += l - level - reservePerCut;
    return sum;
  };
  if (freed(0) < need) return 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (freed(mid) >= need) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `s` cut to at most `chars` UTF-16 units without splitting a surrogate pair. */
function sliceChars(s: string, chars: number): string {
  let end = Math.max(0, Math.min(chars, s.length));
  if (end > 0 && end < s.length && isHighSurrogate(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

/** `s` cut to at most `bytes` UTF-8 bytes on a character boundary. */
function sliceBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = Math.max(0, bytes);
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}

function cutTo(leaf: Leaf, kept: string): void {
  if (kept.length === leaf.value.length) return;
  leaf.cut += Buffer.byteLength(leaf.value, 'utf8') - Buffer.byteLength(kept, 'utf8');
  leaf.value = kept;
}

function render(root: unknown, leaves: readonly Leaf[]): string {
  for (const leaf of leaves) {
    const v = leaf.cut > 0 ? leaf.value + truncationMarker(leaf.cut) : leaf.value;
    (leaf.holder as Record<string | number, unknown>)[leaf.key] = v;
  }
  return JSON.stringify(root);
}

/** One element standing for `count` dropped ones of the same kind (a message, or a part). */
function markerElement(first: unknown, bytes: number): unknown {
  const marker = { type: 'text', content: truncationMarker(bytes) };
  if (first !== null && typeof first === 'object' && 'role' in first) {
    const m = first as { role?: unknown; finish_reason?: unknown };
    const el: Record<string, unknown> = { role: m.role, parts: [marker] };
    if (m.finish_reason !== undefined) el.finish_reason = m.finish_reason;
    return el;
  }
  return marker;
}

/**
 * `items` (a message or part list) as redacted JSON of at most `maxBytes` bytes. `preCut` names objects whose
 * last string already lost bytes before it got here (streamed output beyond the memory budget).
 */
export function fitJson(
  items: readonly unknown[],
  options: ContentOptions,
  preCut: ReadonlyMap<object, number> = new Map(),
): string {
  const maxBytes = Math.max(options.maxBytes, MIN_CONTENT_MAX_BYTES);
  const leaves: Leaf[] = [];
  const root = copy(items, leaves, preCut, 0) as unknown[];

  // 1. Bound the work: no string needs more than it could keep, plus slack for recognising a secret at the cut.
  let total = 0;
  for (const leaf of leaves) total += leaf.value.length;
  if (total > maxBytes) {
    const level = waterLevel(
      leaves.map((l) => l.value.length),
      total - maxBytes,
    );
    for (const leaf of leaves) {
      if (leaf.value.length > level + CLIP_SLACK) {
        cutTo(leaf, sliceChars(leaf.value, level + CLIP_SLACK));
        leaf.clipped = true;
      }
    }
  }
  // 2. Redact whole strings, so no cut can split a secret and hide it from the rules.
  for (const leaf of leaves) leaf.value = options.redactor.redact(leaf.value);
  // 3. Drop the tail of every clipped string: part of a secret cut there may be unrecognisable.
  for (const leaf of leaves) {
    if (leaf.clipped) cutTo(leaf, sliceChars(leaf.value, leaf.value.length - CLIP_SLACK));
  }
  // 4. Shorten the longest strings until the JSON fits.
  let json = render(root, leaves);
  for (let round = 0; round < MAX_FIT_ROUNDS; round++) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes <= maxBytes) return json;
    const lengths = leaves.map((l) => Buffer.byteLength(l.value, 'utf8'));
    const level = waterLevel(lengths, bytes - maxBytes, MARKER_RESERVE);
    let changed = false;
    for (let i = 0; i < leaves.length; i++) {
      if (lengths[i]! > level) {
        cutTo(leaves[i]!, sliceBytes(leaves[i]!.value, level));
        changed = true;
      }
    }
    json = render(root, leaves);
    if (!changed) break;
  }
  // 5. Still too big (thousands of short messages): drop whole elements from the front behind one marker.
  const first = root[0];
  const sizes = root.map((el) => Buffer.byteLength(JSON.stringify(el) ?? 'null', 'utf8'));
  const markerBytes = (dropped: number) =>
    Buffer.byteLength(JSON.stringify(markerElement(first, dropped)), 'utf8') + 1;
  let remaining = Buffer.byteLength(json, 'utf8');
  let drop = 0;
  let droppedBytes = 0;
  while (drop < root.length - 1 && remaining + markerBytes(droppedBytes) > maxBytes) {
    remaining -= sizes[drop]! + 1;
    droppedBytes += sizes[drop]!;
    drop++;
  }
  json = JSON.stringify([markerElement(first, droppedBytes), ...root.slice(drop)]);
  if (Buffer.byteLength(json, 'utf8') > maxBytes) {
    let all = 0;
    for (const size of sizes) all += size;
    json = JSON.stringify([markerElement(first, all)]);
  }
  return json;
}

/** Output messages assembled from stream events, with the part cut by the memory budget noted. */
function streamedMessages(
  call: ModelCall,
  s: StreamedOutput,
): { messages: OutputMessage[]; preCut: Map<object, number> } {
  const preCut = new Map<object, number>();
  const messages: OutputMessage[] = [];
  for (let i = 0; i < s.choices.length; i++) {
    const choice = s.choices[i]!;
    const parts: MessagePart[] = [];
    for (const p of choice.parts) {
      let part: MessagePart;
      if (p.type === 'tool_call' && 'argsText' in p) {
        const args = p.argsValue ?? toolArguments(p.argsText);
        part = { type: 'tool_call', name: p.name };
        if (p.id !== undefined) part.id = p.id;
        if (args !== undefined) part.arguments = args;
      } else {
        part = { ...p } as MessagePart;
      }
      if (p === s.cutPart) preCut.set(part, s.dropped);
      parts.push(part);
    }
    messages.push({
      role: choice.role,
      parts,
      // A choice whose reason never arrived is an unfinished generation.
      finish_reason: call.response.finishReasons[i] ?? 'error',
    });
  }
  const last = messages[messages.length - 1];
  if (s.dropped > 0 && preCut.size === 0 && last !== undefined) {
    // What was dropped was a whole part: say so after the last one kept.
    last.parts.push({ type: 'text', content: truncationMarker(s.dropped) });
  }
  return { messages, preCut };
}

/** The content attributes of a finished call (none when capture was off). */
export function contentAttributes(call: ModelCall, options: ContentOptions): Record<string, string> {
  const attrs: Record<string, string> = {};
  const c = call.content;
  if (c === undefined) return attrs;
  if (c.systemInstructions !== undefined && c.systemInstructions.length > 0) {
    attrs[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = fitJson(c.systemInstructions, options);
  }
  if (c.inputMessages !== undefined && c.inputMessages.length > 0) {
    attrs[ATTR_GEN_AI_INPUT_MESSAGES] = fitJson(c.inputMessages, options);
  }
  if (c.outputMessages !== undefined && c.outputMessages.length > 0) {
    attrs[ATTR_GEN_AI_OUTPUT_MESSAGES] = fitJson(c.outputMessages, options);
  } else if (c.streamed !== undefined && c.streamed.choices.length > 0) {
    const { messages, preCut } = streamedMessages(call, c.streamed);
    attrs[ATTR_GEN_AI_OUTPUT_MESSAGES] = fitJson(messages, options, preCut);
  }
  return attrs;
}

export const DEFAULT_CONTENT_OPTIONS: ContentOptions = {
  maxBytes: DEFAULT_CONTENT_MAX_BYTES,
  redactor: DEFAULT_REDACTOR,
};
