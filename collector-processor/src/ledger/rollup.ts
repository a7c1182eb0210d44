/**
 * The daily rollup: one row per (day, service, environment, team, use case, provider, model, operation, pricing
 * status, estimated) with call, token and cost sums, so a month's report reads a few thousand rollup rows instead
 * of millions of calls. It is updated in the same transaction as the calls, from the rows that transaction
 * actually inserted, so a duplicate export that inserts nothing changes nothing here either.
 *
 * Dimension columns are NOT NULL with '' for "absent": NULL never equals NULL in a unique key, on either database.
 */
import type { LedgerRow } from './row.js';

export const DAILY_DIMENSIONS = [
  'day',
  'service',
  'environment',
  'team',
  'use_case',
  'provider',
  'model',
  'operation',
  'pricing_status',
  'usage_estimated',
] as const;

export const DAILY_MEASURES = [
  'calls',
  'error_calls',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_nanos',
  'cost_input_nanos',
  'cost_cache_read_nanos',
  'cost_cache_write_nanos',
  'cost_output_nanos',
] as const;

export type DailyDimension = (typeof DAILY_DIMENSIONS)[number];
export type DailyMeasure = (typeof DAILY_MEASURES)[number];

export interface DailyDelta {
  day: string;
  service: string;
  environment: string;
  team: string;
  use_case: string;
  provider: string;
  model: string;
  operation: string;
  pricing_status: string;
  usage_estimated: boolean;
  /** Sums as BigInt: a month of a busy team's tokens or nano-dollars outgrows 2^53. */
  measures: Record<DailyMeasure, bigint>;
}

function big(v: number | null): bigint {
  return v === null ? 0n : BigInt(v);
}

/** The rollup increments for a set of newly inserted rows, one per key, in key order (a stable lock order). */
export function dailyDeltas(rows: readonly LedgerRow[]): DailyDelta[] {
  const byKey = new Map<string, DailyDelta>();
  for (const r of rows) {
    const dims = {
      day: r.day,
      service: r.service ?? '',
      environment: r.environment ?? '',
      team: r.team,
      use_case: r.use_case ?? '',
      provider: r.provider,
      model: r.model,
      operation: r.operation,
      pricing_status: r.pricing_status,
      usage_estimated: r.usage_estimated,
    };
    const key = JSON.stringify(DAILY_DIMENSIONS.map((d) => dims[d]));
    let delta = byKey.get(key);
    if (delta === undefined) {
      const measures = {} as Record<DailyMeasure, bigint>;
      for (const m of DAILY_MEASURES) measures[m] = 0n;
      delta = { ...dims, measures };
      byKey.set(key, delta);
    }
    const m = delta.measures;
    m.calls += 1n;
    if (r.error_type !== null) m.error_calls += 1n;
    m.input_tokens += big(r.input_tokens);
    m.output_tokens += big(r.output_tokens);
    m.cache_read_tokens += big(r.cache_read_tokens);
    m.cache_write_tokens += big(r.cache_write_tokens);
    m.reasoning_tokens += big(r.reasoning_tokens);
    m.cost_nanos += big(r.cost_nanos);
    m.cost_input_nanos += big(r.cost_input_nanos);
    m.cost_cache_read_nanos += big(r.cost_cache_read_nanos);
    m.cost_cache_write_nanos += big(r.cost_cache_write_nanos);
    m.cost_output_nanos += big(r.cost_output_nanos);
  }
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, d]) => d);
}
