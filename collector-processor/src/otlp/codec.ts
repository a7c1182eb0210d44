/**
 * OTLP trace request codec.
 *
 * Protobuf goes through protobufjs reflection (schema.ts, compiled once at module load). OTLP/JSON is walked by
 * hand because it deviates from proto3 JSON (hex ids, integer enums) and because the Collector-compatible
 * leniency (snake_case keys, enum names, int64 as numbers) needs it. Both decoders return the shape of
 * types.ts: absent optional fields are `undefined` (never null), proto3 defaults (0, "", empty bytes) are left
 * out except inside AnyValue, every repeated field is an array, 64-bit integers are `Long`s (unsigned for
 * the fixed64 timestamps). Unknown protobuf fields are kept as raw bytes on the decoded messages and written
 * back by `encodeTraceRequest`, so protobuf forwarding is lossless even for fields newer than this schema.
 */
import type Long from 'long';
import protobuf from 'protobufjs';
import { otlpTraceSchema, TYPE_NAMES } from './schema.js';
import type {
  AnyValue,
  EntityRef,
  InstrumentationScope,
  Int64,
  KeyValue,
  OtlpEncoding,
  OtlpSpan,
  OtlpStatus,
  Resource,
  ResourceSpans,
  ScopeSpans,
  TraceRequest,
} from './types.js';

/** A span event as decoded (OtlpSpan.events holds these). */
export interface SpanEvent {
  timeUnixNano?: Int64;
  name?: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
}

/** A span link as decoded (OtlpSpan.links holds these). Empty ids are tolerated, as the Collector does. */
export interface SpanLink {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

/** Why a request body could not be decoded; the message is meant for the sender (it goes into the 400 body). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

// ---------------------------------------------------------------------------------------------------------
// protobufjs setup

// protobufjs finds `long` through its own require; reuse that class so every Long we create is the same kind.
const LongImpl = protobuf.util.Long as unknown as typeof Long | null;
if (!LongImpl)
  throw new Error('protobufjs was loaded without the "long" package; 64-bit fields would lose precision');

const root = protobuf.Root.fromJSON(otlpTraceSchema);
const RequestType = root.lookupType(TYPE_NAMES.exportTraceRequest);
const ResponseType = root.lookupType(TYPE_NAMES.exportTraceResponse);
const RpcStatusType = root.lookupType(TYPE_NAMES.rpcStatus);

/** Scalars whose default stays on the prototype because types.ts declares them non-optional. */
const KEEP_DEFAULT = new Set(['Span.name', 'KeyValue.key']);

// protobufjs puts field defaults on message prototypes: null for sub-messages, "" / 0 / a frozen empty array for
// scalars and bytes. types.ts promises `undefined` for absent fields (processors test `!== undefined`, and an
// AnyValue must not appear to hold stringValue ""), so the defaults become undefined. Assigned rather than
// deleted: deleting would turn the prototypes into slow dictionaries that every field lookup then walks.
// Decoding and encoding only look at own properties, so this changes nothing on the wire.
function stripPrototypeDefaults(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const proto = nested.ctor.prototype as Record<string, unknown>;
      for (const field of nested.fieldsArray) {
        if (field.repeated || KEEP_DEFAULT.has(`${nested.name}.${field.name}`)) continue;
        proto[field.name] = undefined;
      }
    }
    if (nested instanceof protobuf.Namespace) stripPrototypeDefaults(nested);
  }
}
stripPrototypeDefaults(root);

// ---------------------------------------------------------------------------------------------------------
// small helpers

/** Lower-case hex of raw bytes (ids). */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Long or number → number (exact up to 2^53; beyond that the nearest double). */
export function int64ToNumber(v: Int64 | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}

export function countSpans(req: TraceRequest): number {
  let n = 0;
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

function isZero64(v: Int64 | undefined): boolean {
  if (v === undefined || v === null) return true;
  return typeof v === 'number' ? v === 0 : v.low === 0 && v.high === 0;
}

/** Decimal string of a 64-bit value, reading the bits as signed or unsigned as the field type says. */
function int64String(v: Int64, unsigned: boolean): string {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return String(v);
    return (LongImpl as typeof Long).fromNumber(Math.trunc(v), unsigned).toString();
  }
  if (v.unsigned === unsigned) return v.toString();
  return (LongImpl as typeof Long).fromBits(v.low, v.high, unsigned).toString();
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---------------------------------------------------------------------------------------------------------
// protobuf decode

/** Message nesting allowed (the protobuf decoder and encoder enforce the same limit). */
const MAX_DEPTH = protobuf.util.recursionLimit;

function protobufError(e: unknown): OtlpDecodeError {
  const msg = describeError(e);
  if (e instanceof TypeError && /encoded data was not valid/i.test(msg)) {
    return new OtlpDecodeError('protobuf: a string field is not valid UTF-8');
  }
  if (msg === 'max depth exceeded') {
    return new OtlpDecodeError(`protobuf: messages nested more than ${MAX_DEPTH} levels deep`);
  }
  return new OtlpDecodeError(`protobuf: ${msg}`);
}

function checkIdBytes(v: Uint8Array | undefined, len: number, optional: boolean, path: () => string): void {
  const n = v === undefined ? 0 : v.length;
  if (n === len || (n === 0 && optional)) return;
  throw new OtlpDecodeError(`${path()}: expected ${len} bytes, got ${n}`);
}

/** protobufjs does not know OTLP's id rules; check them with one pass over the spans. */
function validateDecoded(req: TraceRequest): void {
  const rss = req.resourceSpans;
  for (let r = 0; r < rss.length; r++) {
    const sss = (rss[r] as ResourceSpans).scopeSpans;
    for (let s = 0; s < sss.length; s++) {
      const spans = (sss[s] as ScopeSpans).spans;
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i] as OtlpSpan;
        const at = () => `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        checkIdBytes(span.traceId, 16, false, () => `${at()}.traceId`);
        checkIdBytes(span.spanId, 8, false, () => `${at()}.spanId`);
        checkIdBytes(span.parentSpanId, 8, true, () => `${at()}.parentSpanId`);
        const links = span.links as SpanLink[] | undefined;
        if (links !== undefined) {
          for (let l = 0; l < links.length; l++) {
            const link = links[l] as SpanLink;
            checkIdBytes(link.traceId, 16, true, () => `${at()}.links[${l}].traceId`);
            checkIdBytes(link.spanId, 8, true, () => `${at()}.links[${l}].spanId`);
          }
        }
      }
    }
  }
}

function decodeProtobuf(body: Uint8Array): TraceRequest {
  let req: TraceRequest;
  try {
    const reader = protobuf.Reader.create(body);
    // Keep fields this schema does not know, so forwarding writes them back.
    reader.discardUnknown = false;
    req = RequestType.decode(reader) as unknown as TraceRequest;
  } catch (e) {
    throw protobufError(e);
  }
  validateDecoded(req);
  return req;
}

// ---------------------------------------------------------------------------------------------------------
// JSON decode

type Obj = Record<string, unknown>;

/** Thrown inside the JSON walk; each level adds its path segment on the way out (free when nothing fails). */
class JsonPathError extends Error {
  readonly segments: string[] = [];
}

function fail(problem: string): never {
  throw new JsonPathError(problem);
}

function failAt(segment: string, problem: string): never {
  const e = new JsonPathError(problem);
  e.segments.push(segment);
  throw e;
}

function rethrowAt(e: unknown, segment: string): never {
  if (e instanceof JsonPathError) e.segments.push(segment);
  throw e;
}

/** A string for messages: quoted and cut short, or the JSON type. */
function shown(v: unknown): string {
  return typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeName(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

/** camelCase key, else the snake_case spelling (the Collector accepts both); null counts as absent. */
function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  if (v !== undefined && v !== null) return v;
  const w = o[snake];
  return w === null ? undefined : w;
}

function asObject(v: unknown): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`expected an object, got ${typeName(v)}`);
  return v as Obj;
}

function asArray(v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(`expected an array, got ${typeName(v)}`);
  return v;
}

function jsonString(o: Obj, camel: string, snake: string): string | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') failAt(camel, `expected a string, got ${typeName(v)}`);
  return v;
}

/** Digits only (optionally a leading minus); avoids a regex per timestamp. */
function isDecimal(s: string, signed: boolean): boolean {
  const start = signed && s.charCodeAt(0) === 45 ? 1 : 0;
  if (s.length === start || s.length - start > 20) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const UINT64_MAX = '18446744073709551615';
const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';

/** Whether a digit string is numerically above `max` (leading zeros allowed). */
function exceeds(digits: string, max: string): boolean {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  const d = i === 0 ? digits : digits.slice(i);
  return d.length > max.length || (d.length === max.length && d > max);
}

function parseInt64(v: unknown, unsigned: boolean): Long {
  const L = LongImpl as typeof Long;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(`expected an integer, got ${v}`);
    if (unsigned && v < 0) fail(`expected a non-negative integer, got ${v}`);
    if (Math.abs(v) >= 2 ** 64) fail(`integer ${v} out of 64-bit range`);
    return L.fromNumber(v, unsigned);
  }
  if (typeof v === 'string') {
    if (!isDecimal(v, !unsigned)) fail(`expected a decimal integer string, got ${shown(v)}`);
    const negative = v.charCodeAt(0) === 45;
    const digits = negative ? v.slice(1) : v;
    if (digits.length >= 19) {
      const max = unsigned ? UINT64_MAX : negative ? INT64_MIN_ABS : INT64_MAX;
      if (exceeds(digits, max)) fail(`integer "${v}" out of 64-bit range`);
    }
    return L.fromString(v, unsigned);
  }
  return fail(`expected an integer (number or decimal string), got ${typeName(v)}`);
}

function jsonUint32(o: Obj, camel: string, snake: string): number | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && isDecimal(v, false) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    failAt(camel, `expected an unsigned 32-bit integer, got ${shown(v)}`);
  }
  return n === 0 ? undefined : n;
}

function jsonFixed64(o: Obj, camel: string, snake: string): Long | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  let n: Long;
  try {
    n = parseInt64(v, true);
  } catch (e) {
    rethrowAt(e, camel);
  }
  return n.isZero() ? undefined : n;
}

/** Enums: integers per OTLP/JSON; names ("SPAN_KIND_CLIENT") accepted leniently as the Collector does. */
function jsonEnum(o: Obj, camel: string, snake: string, names: Record<string, number>): number | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  let n: number | undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) n = v;
  else if (typeof v === 'string')
    n = Object.hasOwn(names, v) ? names[v] : isDecimal(v, true) ? Number(v) : undefined;
  if (n === undefined || !Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    failAt(camel, `expected an enum integer, got ${shown(v)}`);
  }
  return n === 0 ? undefined : n;
}

const SPAN_KIND: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Case-insensitive hex id of exactly `bytes` bytes; "" is allowed (= absent) when `optional`. */
function jsonId(o: Obj, camel: string, snake: string, bytes: number, optional: boolean): Buffer | undefined {
  const v = field(o, camel, snake);
  const want = `expected ${bytes * 2} hex characters`;
  if (v === undefined || v === '') {
    if (optional) return undefined;
    failAt(camel, `${want}, got ${v === undefined ? 'nothing' : 'an empty string'}`);
  }
  if (typeof v !== 'string') failAt(camel, `${want}, got ${typeName(v)}`);
  if (v.length !== bytes * 2) failAt(camel, `${want}, got ${v.length}`);
  // Buffer.from stops at the first non-hex pair, so a short result means a bad character.
  const b = Buffer.from(v, 'hex');
  if (b.length !== bytes) failAt(camel, `${want}, got ${shown(v)} (not hex)`);
  return b;
}

function isBase64(s: string): boolean {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--; // '=' padding
  if (s.length - end > 2) return false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 47 ||
      c === 45 ||
      c === 95;
    if (!ok) return false;
  }
  return true;
}

function parseDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Number.POSITIVE_INFINITY;
    if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isNaN(n)) return n;
    fail(`expected a number, got ${shown(v)}`);
  }
  return fail(`expected a number, got ${typeName(v)}`);
}

// Depth follows protobufjs' count (request = 0, ResourceSpans = 1, …) so anything the JSON decoder accepts the
// protobuf encoder can write.
function decodeAnyValue(v: unknown, depth: number): AnyValue {
  if (depth > MAX_DEPTH) fail(`values nested more than ${MAX_DEPTH} levels deep`);
  const o = asObject(v);
  const out: AnyValue = {};
  let x = field(o, 'stringValue', 'string_value');
  if (x !== undefined) {
    if (typeof x !== 'string') failAt('stringValue', `expected a string, got ${typeName(x)}`);
    out.stringValue = x;
    return out;
  }
  x = field(o, 'intValue', 'int_value');
  if (x !== undefined) {
    try {
      out.intValue = parseInt64(x, false);
    } catch (e) {
      rethrowAt(e, 'intValue');
    }
    return out;
  }
  x = field(o, 'boolValue', 'bool_value');
  if (x !== undefined) {
    if (typeof x !== 'boolean') failAt('boolValue', `expected true or false, got ${shown(x)}`);
    out.boolValue = x;
    return out;
  }
  x = field(o, 'doubleValue', 'double_value');
  if (x !== undefined) {
    try {
      out.doubleValue = parseDouble(x);
    } catch (e) {
      rethrowAt(e, 'doubleValue');
    }
    return out;
  }
  x = field(o, 'arrayValue', 'array_value');
  if (x !== undefined) {
    if (depth + 1 > MAX_DEPTH) fail(`values nested more than ${MAX_DEPTH} levels deep`);
    try {
      const a = asObject(x);
      const raw = field(a, 'values', 'values');
      const values: AnyValue[] = [];
      if (raw !== undefined) {
        const arr = asArray(raw);
        for (let i = 0; i < arr.length; i++) {
          try {
            values.push(decodeAnyValue(arr[i], depth + 2));
          } catch (e) {
            rethrowAt(e, `values[${i}]`);
          }
        }
      }
      out.arrayValue = { values };
    } catch (e) {
      rethrowAt(e, 'arrayValue');
    }
    return out;
  }
  x = field(o, 'kvlistValue', 'kvlist_value');
  if (x !== undefined) {
    if (depth + 1 > MAX_DEPTH) fail(`values nested more than ${MAX_DEPTH} levels deep`);
    try {
      const kl = asObject(x);
      const raw = field(kl, 'values', 'values');
      out.kvlistValue = { values: raw === undefined ? [] : decodeKeyValues(raw, depth + 2, 'values') };
    } catch (e) {
      rethrowAt(e, 'kvlistValue');
    }
    return out;
  }
  x = field(o, 'bytesValue', 'bytes_value');
  if (x !== undefined) {
    if (typeof x !== 'string' || !isBase64(x))
      failAt('bytesValue', `expected a base64 string, got ${shown(x)}`);
    out.bytesValue = Buffer.from(x, 'base64');
  }
  return out;
}

/** A JSON list of KeyValue; `depth` is that of the KeyValue messages. */
function decodeKeyValues(v: unknown, depth: number, name: string): KeyValue[] {
  if (depth > MAX_DEPTH) fail(`values nested more than ${MAX_DEPTH} levels deep`);
  const arr = asArray(v);
  const out: KeyValue[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    try {
      const o = asObject(arr[i]);
      const key = jsonString(o, 'key', 'key') ?? '';
      const raw = field(o, 'value', 'value');
      let value: AnyValue | undefined;
      if (raw !== undefined) {
        try {
          value = decodeAnyValue(raw, depth + 1);
        } catch (e) {
          rethrowAt(e, 'value');
        }
      }
      out[i] = value === undefined ? { key } : { key, value };
    } catch (e) {
      rethrowAt(e, `${name}[${i}]`);
    }
  }
  return out;
}

function jsonAttributes(o: Obj, depth: number): KeyValue[] {
  const raw = field(o, 'attributes', 'attributes');
  return raw === undefined ? [] : decodeKeyValues(raw, depth, 'attributes');
}

function jsonStringList(o: Obj, camel: string, snake: string): string[] {
  const raw = field(o, camel, snake);
  if (raw === undefined) return [];
  try {
    const arr = asArray(raw);
    for (let i = 0; i < arr.length; i++) {
      if (typeof arr[i] !== 'string') failAt(`[${i}]`, `expected a string, got ${typeName(arr[i])}`);
    }
    return arr as string[];
  } catch (e) {
    rethrowAt(e, camel);
  }
}

/** Optional proto3 scalar: set only when not the default, like the protobuf decoder. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

/** Runs `fn` over a JSON array field, adding `name[i]` to the path of any error. */
function mapArray<T>(o: Obj, camel: string, snake: string, fn: (v: unknown) => T): T[] {
  const raw = field(o, camel, snake);
  if (raw === undefined) return [];
  let arr: unknown[];
  try {
    arr = asArray(raw);
  } catch (e) {
    rethrowAt(e, camel);
  }
  const out: T[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    try {
      out[i] = fn(arr[i]);
    } catch (e) {
      rethrowAt(e, `${camel}[${i}]`);
    }
  }
  return out;
}

function decodeEntityRef(v: unknown): EntityRef {
  const o = asObject(v);
  const out: EntityRef = {
    idKeys: jsonStringList(o, 'idKeys', 'id_keys'),
    descriptionKeys: jsonStringList(o, 'descriptionKeys', 'description_keys'),
  };
  put(out, 'schemaUrl', jsonString(o, 'schemaUrl', 'schema_url'));
  put(out, 'type', jsonString(o, 'type', 'type'));
  return out;
}

function decodeResource(v: unknown): Resource {
  const o = asObject(v);
  const out: Resource = {
    attributes: jsonAttributes(o, 3),
    entityRefs: mapArray(o, 'entityRefs', 'entity_refs', decodeEntityRef),
  };
  put(out, 'droppedAttributesCount', jsonUint32(o, 'droppedAttributesCount', 'dropped_attributes_count'));
  return out;
}

function decodeScope(v: unknown): InstrumentationScope {
  const o = asObject(v);
  const out: InstrumentationScope = { attributes: jsonAttributes(o, 4) };
  put(out, 'name', jsonString(o, 'name', 'name'));
  put(out, 'version', jsonString(o, 'version', 'version'));
  put(out, 'droppedAttributesCount', jsonUint32(o, 'droppedAttributesCount', 'dropped_attributes_count'));
  return out;
}

function decodeEvent(v: unknown): SpanEvent {
  const o = asObject(v);
  const out: SpanEvent = { attributes: jsonAttributes(o, 5) };
  put(out, 'timeUnixNano', jsonFixed64(o, 'timeUnixNano', 'time_unix_nano'));
  put(out, 'name', jsonString(o, 'name', 'name'));
  put(out, 'droppedAttributesCount', jsonUint32(o, 'droppedAttributesCount', 'dropped_attributes_count'));
  return out;
}

function decodeLink(v: unknown): SpanLink {
  const o = asObject(v);
  const out: SpanLink = { attributes: jsonAttributes(o, 5) };
  put(out, 'traceId', jsonId(o, 'traceId', 'trace_id', 16, true));
  put(out, 'spanId', jsonId(o, 'spanId', 'span_id', 8, true));
  put(out, 'traceState', jsonString(o, 'traceState', 'trace_state'));
  put(out, 'droppedAttributesCount', jsonUint32(o, 'droppedAttributesCount', 'dropped_attributes_count'));
  put(out, 'flags', jsonUint32(o, 'flags', 'flags'));
  return out;
}

function decodeStatus(v: unknown): OtlpStatus {
  const o = asObject(v);
  const out: OtlpStatus = {};
  put(out, 'message', jsonString(o, 'message', 'message'));
  put(out, 'code', jsonEnum(o, 'code', 'code', STATUS_CODE));
  return out;
}

function decodeSpan(v: unknown): OtlpSpan {
  const o = asObject(v);
  const span: OtlpSpan = {
    traceId: jsonId(o, 'traceId', 'trace_id', 16, false) as Buffer,
    spanId: jsonId(o, 'spanId', 'span_id', 8, false) as Buffer,
    name: jsonString(o, 'name', 'name') ?? '',
    attributes: jsonAttributes(o, 4),
    events: mapArray(o, 'events', 'events', decodeEvent),
    links: mapArray(o, 'links', 'links', decodeLink),
  };
  put(span, 'traceState', jsonString(o, 'traceState', 'trace_state'));
  put(span, 'parentSpanId', jsonId(o, 'parentSpanId', 'parent_span_id', 8, true));
  put(span, 'flags', jsonUint32(o, 'flags', 'flags'));
  put(span, 'kind', jsonEnum(o, 'kind', 'kind', SPAN_KIND));
  put(span, 'startTimeUnixNano', jsonFixed64(o, 'startTimeUnixNano', 'start_time_unix_nano'));
  put(span, 'endTimeUnixNano', jsonFixed64(o, 'endTimeUnixNano', 'end_time_unix_nano'));
  put(span, 'droppedAttributesCount', jsonUint32(o, 'droppedAttributesCount', 'dropped_attributes_count'));
  put(span, 'droppedEventsCount', jsonUint32(o, 'droppedEventsCount', 'dropped_events_count'));
  put(span, 'droppedLinksCount', jsonUint32(o, 'droppedLinksCount', 'dropped_links_count'));
  const status = field(o, 'status', 'status');
  if (status !== undefined) {
    try {
      span.status = decodeStatus(status);
    } catch (e) {
      rethrowAt(e, 'status');
    }
  }
  return span;
}

function decodeScopeSpans(v: unknown): ScopeSpans {
  const o = asObject(v);
  const out: ScopeSpans = { spans: mapArray(o, 'spans', 'spans', decodeSpan) };
  const scope = field(o, 'scope', 'scope');
  if (scope !== undefined) {
    try {
      out.scope = decodeScope(scope);
    } catch (e) {
      rethrowAt(e, 'scope');
    }
  }
  put(out, 'schemaUrl', jsonString(o, 'schemaUrl', 'schema_url'));
  return out;
}

function decodeResourceSpans(v: unknown): ResourceSpans {
  const o = asObject(v);
  const out: ResourceSpans = { scopeSpans: mapArray(o, 'scopeSpans', 'scope_spans', decodeScopeSpans) };
  const resource = field(o, 'resource', 'resource');
  if (resource !== undefined) {
    try {
      out.resource = decodeResource(resource);
    } catch (e) {
      rethrowAt(e, 'resource');
    }
  }
  put(out, 'schemaUrl', jsonString(o, 'schemaUrl', 'schema_url'));
  return out;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Offset of the first JSON syntax error. Only run after JSON.parse failed: V8's messages carry a position for
 * some errors ("… at position 12") but not for others ("Unexpected token"), and the sender deserves one.
 */
function jsonErrorPosition(s: string): number {
  let i = 0;
  const ws = () => {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  // Returns false at the offending offset `i`; an explicit stack keeps absurd nesting off the call stack.
  const stack: number[] = []; // 91 '[' or 123 '{'
  const str = (): boolean => {
    i++; // opening quote
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
            i++;
            return false;
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i++;
          return false;
        }
        i += 2;
        continue;
      }
      i++;
    }
    return false;
  };
  const scalar = (): boolean => {
    const c = s[i];
    if (c === '"') return str();
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) {
        i += lit.length;
        return true;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m === null) return false;
    i += m[0].length;
    return true;
  };
  // Iterative walk: after each value, handle the separators of the enclosing containers.
  for (;;) {
    ws();
    const c = s[i];
    if (c === '{' || c === '[') {
      stack.push(c.charCodeAt(0));
      i++;
      ws();
      if (s[i] === (c === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else {
        if (c === '{') {
          if (s[i] !== '"' || !str()) return i;
          ws();
          if (s[i] !== ':') return i;
          i++;
        }
        continue;
      }
    } else if (!scalar()) {
      return i;
    }
    // A value ended: close containers or move to the next element.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return Math.min(i, s.length);
      const close = top === 123 ? '}' : ']';
      if (s[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (s[i] !== ',') return i;
      i++;
      if (top === 123) {
        ws();
        if (s[i] !== '"' || !str()) return i;
        ws();
        if (s[i] !== ':') return i;
        i++;
      }
      break;
    }
  }
}

function decodeJson(body: Uint8Array): TraceRequest {
  let text: string;
  try {
    text = utf8Strict.decode(body);
  } catch {
    throw new OtlpDecodeError('invalid JSON: the body is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const msg = describeError(e);
    const pos = /at position (\d+)/.exec(msg)?.[1] ?? String(jsonErrorPosition(text));
    throw new OtlpDecodeError(`invalid JSON at position ${pos}: ${msg}`);
  }
  try {
    const o = asObject(parsed);
    return { resourceSpans: mapArray(o, 'resourceSpans', 'resource_spans', decodeResourceSpans) };
  } catch (e) {
    if (e instanceof JsonPathError) {
      const path = e.segments.reverse().join('.').replace(/\.\[/g, '[');
      throw new OtlpDecodeError(path === '' ? e.message : `${path}: ${e.message}`);
    }
    // Anything else (e.g. a stack overflow on absurd input) is still the sender's malformed body.
    throw new OtlpDecodeError(`invalid OTLP/JSON: ${describeError(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// public decode / encode

export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): TraceRequest {
  return encoding === 'json' ? decodeJson(body) : decodeProtobuf(body);
}

export function encodeTraceRequest(req: TraceRequest): Uint8Array {
  return RequestType.encode(req as unknown as Record<string, unknown>).finish();
}

// JSON encoding: build plain objects, then one JSON.stringify.

function bytesBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function jsonDouble(n: number): number | string {
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

function anyValueJson(v: AnyValue): Obj {
  if (v.stringValue !== undefined) return { stringValue: v.stringValue };
  if (v.intValue !== undefined) return { intValue: int64String(v.intValue, false) };
  if (v.boolValue !== undefined) return { boolValue: v.boolValue };
  if (v.doubleValue !== undefined) return { doubleValue: jsonDouble(v.doubleValue) };
  if (v.arrayValue !== undefined)
    return { arrayValue: { values: (v.arrayValue.values ?? []).map(anyValueJson) } };
  if (v.kvlistValue !== undefined)
    return { kvlistValue: { values: keyValuesJson(v.kvlistValue.values ?? []) } };
  if (v.bytesValue !== undefined) return { bytesValue: bytesBase64(v.bytesValue) };
  return {};
}

function keyValuesJson(kvs: readonly KeyValue[]): Obj[] {
  const out: Obj[] = new Array(kvs.length);
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i] as KeyValue;
    out[i] = kv.value === undefined ? { key: kv.key } : { key: kv.key, value: anyValueJson(kv.value) };
  }
  return out;
}

/** Sets `o[key]` unless the value is a proto3 default (omitted in JSON as in protobuf). */
function setIf(o: Obj, key: string, v: string | number | undefined): void {
  if (v !== undefined && v !== '' && v !== 0) o[key] = v;
}

function attrsInto(o: Obj, kvs: readonly KeyValue[] | undefined, dropped: number | undefined): void {
  if (kvs !== undefined && kvs.length > 0) o.attributes = keyValuesJson(kvs);
  setIf(o, 'droppedAttributesCount', dropped);
}

function fixed64Into(o: Obj, key: string, v: Int64 | undefined): void {
  if (!isZero64(v)) o[key] = int64String(v as Int64, true);
}

function idInto(o: Obj, key: string, v: Uint8Array | undefined): void {
  if (v !== undefined && v !== null && v.length > 0) o[key] = hex(v);
}

function spanJson(s: OtlpSpan): Obj {
  const o: Obj = {};
  idInto(o, 'traceId', s.traceId);
  idInto(o, 'spanId', s.spanId);
  setIf(o, 'traceState', s.traceState);
  idInto(o, 'parentSpanId', s.parentSpanId);
  setIf(o, 'flags', s.flags);
  o.name = s.name ?? '';
  setIf(o, 'kind', s.kind);
  fixed64Into(o, 'startTimeUnixNano', s.startTimeUnixNano);
  fixed64Into(o, 'endTimeUnixNano', s.endTimeUnixNano);
  attrsInto(o, s.attributes, s.droppedAttributesCount);
  const events = s.events as SpanEvent[] | undefined;
  if (events !== undefined && events.length > 0) {
    o.events = events.map((e) => {
      const eo: Obj = {};
      fixed64Into(eo, 'timeUnixNano', e.timeUnixNano);
      setIf(eo, 'name', e.name);
      attrsInto(eo, e.attributes, e.droppedAttributesCount);
      return eo;
    });
  }
  setIf(o, 'droppedEventsCount', s.droppedEventsCount);
  const links = s.links as SpanLink[] | undefined;
  if (links !== undefined && links.length > 0) {
    o.links = links.map((l) => {
      const lo: Obj = {};
      idInto(lo, 'traceId', l.traceId);
      idInto(lo, 'spanId', l.spanId);
      setIf(lo, 'traceState', l.traceState);
      attrsInto(lo, l.attributes, l.droppedAttributesCount);
      setIf(lo, 'flags', l.flags);
      return lo;
    });
  }
  setIf(o, 'droppedLinksCount', s.droppedLinksCount);
  if (s.status !== undefined && s.status !== null) {
    const st: Obj = {};
    setIf(st, 'message', s.status.message);
    setIf(st, 'code', s.status.code);
    o.status = st;
  }
  return o;
}

function entityRefJson(e: EntityRef): Obj {
  const o: Obj = {};
  setIf(o, 'schemaUrl', e.schemaUrl);
  setIf(o, 'type', e.type);
  if (e.idKeys !== undefined && e.idKeys.length > 0) o.idKeys = e.idKeys;
  if (e.descriptionKeys !== undefined && e.descriptionKeys.length > 0) o.descriptionKeys = e.descriptionKeys;
  return o;
}

function traceRequestJson(req: TraceRequest): Obj {
  return {
    resourceSpans: req.resourceSpans.map((rs) => {
      const ro: Obj = {};
      if (rs.resource !== undefined && rs.resource !== null) {
        const res: Obj = {};
        attrsInto(res, rs.resource.attributes, rs.resource.droppedAttributesCount);
        const refs = rs.resource.entityRefs;
        if (refs !== undefined && refs.length > 0) res.entityRefs = refs.map(entityRefJson);
        ro.resource = res;
      }
      ro.scopeSpans = rs.scopeSpans.map((ss) => {
        const so: Obj = {};
        if (ss.scope !== undefined && ss.scope !== null) {
          const sc: Obj = {};
          setIf(sc, 'name', ss.scope.name);
          setIf(sc, 'version', ss.scope.version);
          attrsInto(sc, ss.scope.attributes, ss.scope.droppedAttributesCount);
          so.scope = sc;
        }
        so.spans = ss.spans.map(spanJson);
        setIf(so, 'schemaUrl', ss.schemaUrl);
        return so;
      });
      setIf(ro, 'schemaUrl', rs.schemaUrl);
      return ro;
    }),
  };
}

const utf8Encoder = new TextEncoder();

/** OTLP/JSON: hex ids, 64-bit integers as decimal strings, enums as integers, defaults left out. */
export function encodeTraceRequestJson(req: TraceRequest): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(traceRequestJson(req)));
}

/** For exporters configured with http/json: re-encode a protobuf body (as queued) as OTLP/JSON. */
export function protobufTracesToJson(body: Uint8Array): Uint8Array {
  return encodeTraceRequestJson(decodeTraceRequest(body, 'protobuf'));
}

/** ExportTraceServiceResponse: empty on full success; partial_success only when given. */
export function encodeExportTraceResponse(
  encoding: OtlpEncoding,
  partial?: { rejectedSpans: number; errorMessage: string },
): Uint8Array {
  if (encoding === 'json') {
    if (partial === undefined) return utf8Encoder.encode('{}');
    const ps: Obj = {};
    if (partial.rejectedSpans !== 0) ps.rejectedSpans = String(Math.trunc(partial.rejectedSpans));
    if (partial.errorMessage !== '') ps.errorMessage = partial.errorMessage;
    return utf8Encoder.encode(JSON.stringify({ partialSuccess: ps }));
  }
  if (partial === undefined) return new Uint8Array(0);
  const L = LongImpl as typeof Long;
  return ResponseType.encode({
    partialSuccess: {
      rejectedSpans: L.fromNumber(Math.trunc(partial.rejectedSpans)),
      errorMessage: partial.errorMessage,
    },
  }).finish();
}

/** google.rpc.Status, the body of OTLP/HTTP error responses. */
export function encodeRpcStatus(encoding: OtlpEncoding, code: number, message: string): Uint8Array {
  if (encoding === 'json') return utf8Encoder.encode(JSON.stringify({ code, message }));
  return RpcStatusType.encode({ code, message }).finish();
}
