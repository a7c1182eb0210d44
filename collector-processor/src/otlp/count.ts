/**
 * Counts the items in OTLP metrics and logs requests without decoding them: metrics and logs are forwarded
 * byte for byte, but queue bounds and self-metrics want real item counts. The protobuf path walks only the
 * length-delimited fields on the way to the items (skipping everything else), so it is far cheaper than a
 * decode, and it still rejects bodies whose framing is broken.
 *
 * Field numbers (opentelemetry-proto v1.11.0):
 *   ExportMetricsServiceRequest.resource_metrics = 1 → ResourceMetrics.scope_metrics = 2 →
 *   ScopeMetrics.metrics = 2 → Metric.{gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11} →
 *   <data>.data_points = 1 (the counted items).
 *   ExportLogsServiceRequest.resource_logs = 1 → ResourceLogs.scope_logs = 2 → ScopeLogs.log_records = 2.
 */
import protobuf from 'protobufjs';
import { OtlpDecodeError } from './codec.js';
import type { OtlpEncoding } from './types.js';

type Levels = ReadonlyArray<ReadonlySet<number>>;

const METRIC_LEVELS: Levels = [
  new Set([1]),
  new Set([2]),
  new Set([2]),
  new Set([5, 7, 9, 10, 11]),
  new Set([1]),
];
const LOG_LEVELS: Levels = [new Set([1]), new Set([2]), new Set([2])];

const WIRE_LDELIM = 2;

/** Counts the messages at the last level under `end`; every level is a set of length-delimited field numbers. */
function scan(r: protobuf.Reader, end: number, levels: Levels, level: number): number {
  const wanted = levels[level] as ReadonlySet<number>;
  const last = level === levels.length - 1;
  let n = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === WIRE_LDELIM && wanted.has(tag >>> 3)) {
      const len = r.uint32();
      const stop = r.pos + len;
      if (stop > end) throw new RangeError(`index out of range: ${r.pos} + ${len} > ${end}`);
      if (last) n++;
      else n += scan(r, stop, levels, level + 1);
      r.pos = stop;
    } else {
      r.skipType(wire);
    }
  }
  if (r.pos !== end)
    throw new RangeError(`index out of range: a field runs past its message (${r.pos} > ${end})`);
  return n;
}

type Obj = Record<string, unknown>;

function list(o: unknown, camel: string, snake: string): unknown[] {
  if (typeof o !== 'object' || o === null) return [];
  const rec = o as Obj;
  const v = rec[camel] ?? rec[snake];
  return Array.isArray(v) ? v : [];
}

const METRIC_DATA: ReadonlyArray<readonly [string, string]> = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

function countJson(signal: 'metrics' | 'logs', body: Uint8Array): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OtlpDecodeError('expected a JSON object at the top level');
  }
  // Shapes below the top are not validated: the body is forwarded as is and the backend judges it.
  let n = 0;
  if (signal === 'logs') {
    for (const rl of list(parsed, 'resourceLogs', 'resource_logs')) {
      for (const sl of list(rl, 'scopeLogs', 'scope_logs')) n += list(sl, 'logRecords', 'log_records').length;
    }
    return n;
  }
  for (const rm of list(parsed, 'resourceMetrics', 'resource_metrics')) {
    for (const sm of list(rm, 'scopeMetrics', 'scope_metrics')) {
      for (const m of list(sm, 'metrics', 'metrics')) {
        if (typeof m !== 'object' || m === null) continue;
        for (const [camel, snake] of METRIC_DATA) {
          const data = (m as Obj)[camel] ?? (m as Obj)[snake];
          if (data !== undefined && data !== null) n += list(data, 'dataPoints', 'data_points').length;
        }
      }
    }
  }
  return n;
}

/** Data points (metrics) or log records (logs) in an OTLP request body; throws OtlpDecodeError when malformed. */
export function countRawItems(signal: 'metrics' | 'logs', body: Uint8Array, encoding: OtlpEncoding): number {
  if (encoding === 'json') return countJson(signal, body);
  try {
    const r = protobuf.Reader.create(body);
    return scan(r, r.len, signal === 'metrics' ? METRIC_LEVELS : LOG_LEVELS, 0);
  } catch (e) {
    throw new OtlpDecodeError(`protobuf: ${(e as Error).message}`);
  }
}
