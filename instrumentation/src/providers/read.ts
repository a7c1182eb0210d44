/**
 * Small typed readers for untrusted JSON, shared by the provider adapters. Provider bodies change without notice
 * and OpenAI-compatible servers disagree on details, so adapters never cast: every access goes through these,
 * and a wrong type simply reads as "absent".
 */
import type { ModelCall } from '../model-call.js';

export type JsonObject = Record<string, unknown>;

export function obj(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function arr(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A string with at least one character (empty ids and models are "not reported"). */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A token or item count: a finite, non-negative number. */
export function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Sets `target[key]` only when a value was read, so records carry no `undefined` keys. */
export function assign<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

/** Max characters of input and of output text kept for token estimation. */
export const ESTIMATION_TEXT_CAP = 1024 * 1024;

/** Appends `piece` to `current` (separated when both are non-empty) without exceeding the cap. */
export function appendCapped(current: string, piece: string, separator = ''): string {
  if (piece.length === 0 || current.length >= ESTIMATION_TEXT_CAP) return current;
  const sep = current.length > 0 ? separator : '';
  const room = ESTIMATION_TEXT_CAP - current.length - sep.length;
  if (room <= 0) return current;
  return current + sep + (piece.length > room ? piece.slice(0, room) : piece);
}

/** Collects text pieces up to the estimation cap. */
export class TextCollector {
  value = '';

  add(piece: unknown): void {
    if (typeof piece === 'string') this.value = appendCapped(this.value, piece, '\n');
  }

  get full(): boolean {
    return this.value.length >= ESTIMATION_TEXT_CAP;
  }
}

export function setEstimationInput(call: ModelCall, input: string): void {
  if (input.length === 0) return;
  if (call.estimation) call.estimation.input = input;
  else call.estimation = { input, output: '' };
}

export function addEstimationOutput(call: ModelCall, piece: unknown): void {
  if (typeof piece !== 'string' || piece.length === 0) return;
  if (call.estimation) call.estimation.output = appendCapped(call.estimation.output, piece);
  else call.estimation = { input: '', output: appendCapped('', piece) };
}

/** A URL path segment decoded; a malformed escape leaves it as sent. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The strings of an array (others skipped); undefined when there are none. */
export function strings(v: unknown): string[] | undefined {
  const list = arr(v);
  if (list === undefined) return undefined;
  const out: string[] = [];
  for (const s of list) if (typeof s === 'string') out.push(s);
  return out.length > 0 ? out : undefined;
}

/** `stop`: one string or an array of them (OpenAI-compatible APIs accept both). */
export function stopSequences(v: unknown): string[] | undefined {
  return typeof v === 'string' ? [v] : strings(v);
}

/** A string, or an array of strings, as estimation text (token arrays and other items carry no text). */
export function stringsText(v: unknown): string {
  const sink = new TextCollector();
  if (typeof v === 'string') sink.add(v);
  else {
    const list = arr(v);
    if (list !== undefined) for (const s of list) sink.add(s);
  }
  return sink.value;
}

/** Tool inputs replayed in a conversation are stringified for estimation only up to this size each. */
const MAX_TOOL_INPUT_CHARS = 64 * 1024;

/** A JSON value (e.g. a tool call's input) as estimation text: strings as they are, anything else stringified. */
export function addJson(sink: TextCollector, v: unknown): void {
  if (v === undefined || v === null || sink.full) return;
  if (typeof v === 'string') {
    sink.add(v);
    return;
  }
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) sink.add(s.length > MAX_TOOL_INPUT_CHARS ? s.slice(0, MAX_TOOL_INPUT_CHARS) : s);
  } catch {
    // values from JSON.parse always stringify; nothing to add otherwise
  }
}
