/**
 * One ledger row per counted model call (AccountedCall), priced or not: unpriced calls are recorded with their
 * pricing status and no cost so a report can show them beside the priced spend instead of losing them. The row
 * is plain JSON-safe data (it is what the ledger queue stores on disk) and the same for SQLite and PostgreSQL.
 */
import {
  ATTR_AILEDGER_API_KEY_FINGERPRINT,
  ATTR_AILEDGER_CONTENT_REQUEST_SHA256,
  ATTR_AILEDGER_CONTENT_RESPONSE_SHA256,
} from '@ailedger/semantic-conventions';
import type { AccountedCall } from '../processors/enrich.js';
import { usdToNanos } from './money.js';

/** A status of our own for a call marked priced whose amount is missing or not a valid number. */
export const PRICING_STATUS_INVALID_COST = 'invalid_cost';

export interface LedgerRow {
  trace_id: string;
  span_id: string;
  /** ISO 8601, UTC, millisecond precision. */
  start_time: string;
  end_time: string | null;
  /** UTC calendar day of start_time, YYYY-MM-DD: the rollup and report key. */
  day: string;
  service: string | null;
  environment: string | null;
  team: string;
  team_source: string;
  use_case: string | null;
  user_id: string | null;
  provider: string;
  operation: string;
  request_model: string | null;
  response_model: string | null;
  /** The response model, else the request model, else "unknown" (the same rule as the metrics' `model`). */
  model: string;
  response_id: string | null;
  server_address: string | null;
  error_type: string | null;
  /** Token counts as in the GenAI conventions: input includes cache reads and writes, output includes reasoning. */
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  usage_estimated: boolean;
  pricing_status: string;
  pricing_model: string | null;
  pricing_source: string | null;
  /** Integer nano-USD; null unless pricing_status is "priced". */
  cost_nanos: number | null;
  cost_input_nanos: number | null;
  cost_cache_read_nanos: number | null;
  cost_cache_write_nanos: number | null;
  cost_output_nanos: number | null;
  api_key_fingerprint: string | null;
  request_sha256: string | null;
  response_sha256: string | null;
  /** The span came from another instrumentation and was priced by the collector. */
  foreign_span: boolean;
}

/** Insert order of the calls table's columns (both dialects). */
export const LEDGER_COLUMNS = [
  'trace_id',
  'span_id',
  'start_time',
  'end_time',
  'day',
  'service',
  'environment',
  'team',
  'team_source',
  'use_case',
  'user_id',
  'provider',
  'operation',
  'request_model',
  'response_model',
  'model',
  'response_id',
  'server_address',
  'error_type',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'usage_estimated',
  'pricing_status',
  'pricing_model',
  'pricing_source',
  'cost_nanos',
  'cost_input_nanos',
  'cost_cache_read_nanos',
  'cost_cache_write_nanos',
  'cost_output_nanos',
  'api_key_fingerprint',
  'request_sha256',
  'response_sha256',
  'foreign_span',
] as const satisfies ReadonlyArray<keyof LedgerRow>;

/** Caps what one app can put in a text column (a runaway team name must not bloat every row). */
const MAX_TEXT = 512;

function text(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null;
  return v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v;
}

function count(v: number | undefined): number | null {
  return v !== undefined && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

function iso(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const d = new Date(Math.floor(ms));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function toLedgerRow(a: AccountedCall, now: number = Date.now()): LedgerRow {
  const call = a.call;
  // A span without a usable start time is booked at the time it reached us rather than dropped.
  const start = iso(call.startTimeMs) ?? (new Date(now).toISOString() as string);
  const usage = call.usage;
  const cost = a.cost;
  let status = text(cost.status) ?? 'unknown';
  let total = usdToNanos(cost.totalUsd);
  if (status === 'priced' && total === undefined) status = PRICING_STATUS_INVALID_COST;
  if (status !== 'priced') total = undefined;
  const component = (usd: number | undefined) => (total === undefined ? null : (usdToNanos(usd) ?? null));
  const requestModel = text(call.request.model);
  const responseModel = text(call.response.model);
  return {
    trace_id: a.traceId,
    span_id: a.spanId,
    start_time: start,
    end_time: iso(call.endTimeMs),
    day: start.slice(0, 10),
    service: text(a.service),
    environment: text(a.environment),
    team: text(a.team) ?? 'unassigned',
    team_source: a.teamSource,
    use_case: text(a.useCase),
    user_id: text(a.user),
    provider: text(call.provider) ?? 'unknown',
    operation: text(call.operation) ?? 'unknown',
    request_model: requestModel,
    response_model: responseModel,
    model: responseModel ?? requestModel ?? 'unknown',
    response_id: text(call.response.id),
    server_address: text(call.serverAddress),
    error_type: text(call.error?.type),
    input_tokens: count(usage?.inputTokens),
    output_tokens: count(usage?.outputTokens),
    cache_read_tokens: count(usage?.cacheReadInputTokens),
    cache_write_tokens: count(usage?.cacheCreationInputTokens),
    reasoning_tokens: count(usage?.reasoningOutputTokens),
    usage_estimated: call.usageEstimated === true,
    pricing_status: status,
    pricing_model: text(cost.matchedModel),
    pricing_source: text(cost.source),
    cost_nanos: total ?? null,
    cost_input_nanos: component(cost.inputUsd),
    cost_cache_read_nanos: component(cost.cacheReadUsd),
    cost_cache_write_nanos: component(cost.cacheWriteUsd),
    cost_output_nanos: component(cost.outputUsd),
    api_key_fingerprint:
      text(a.attributes[ATTR_AILEDGER_API_KEY_FINGERPRINT]) ?? text(call.apiKeyFingerprint),
    request_sha256: text(a.attributes[ATTR_AILEDGER_CONTENT_REQUEST_SHA256]) ?? text(call.requestSha256),
    response_sha256: text(a.attributes[ATTR_AILEDGER_CONTENT_RESPONSE_SHA256]) ?? text(call.responseSha256),
    foreign_span: a.foreign,
  };
}

/** The key that makes a row idempotent. */
export function rowKey(r: Pick<LedgerRow, 'trace_id' | 'span_id'>): string {
  return `${r.trace_id}/${r.span_id}`;
}

/** Rows decoded from a queue body; throws on anything that is not an array of rows with ids. */
export function decodeRows(body: Uint8Array): LedgerRow[] {
  const parsed: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString());
  if (!Array.isArray(parsed)) throw new Error('ledger queue item is not an array');
  for (const r of parsed) {
    const row = r as Partial<LedgerRow> | null;
    if (typeof row?.trace_id !== 'string' || typeof row.span_id !== 'string' || typeof row.day !== 'string') {
      throw new Error('ledger queue item holds a row without trace_id, span_id or day');
    }
  }
  return parsed as LedgerRow[];
}

export function encodeRows(rows: readonly LedgerRow[]): Uint8Array {
  return Buffer.from(JSON.stringify(rows), 'utf8');
}
