/**
 * `ailedger report`: itemized spend for a date range, grouped by any of team, use case, service, provider, model,
 * user and day. Amounts are integer nano-USD summed as BigInt, so every line is exact and the total is exactly the
 * sum of the lines. Priced calls with provider-reported usage, priced calls whose tokens were counted locally
 * (estimated) and unpriced calls are kept in separate columns and never folded into one another.
 *
 * Reads the daily rollup, except when grouping by user (the rollup has no user: one row per user per day would
 * make it as large as the calls), which reads the calls table over the same date range.
 */
import type { LedgerStore, SqlValue } from '../ledger/store.js';

export const REPORT_DIMENSIONS = ['team', 'use_case', 'service', 'provider', 'model', 'user', 'day'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportOptions {
  /** First day, YYYY-MM-DD (UTC), inclusive. */
  since: string;
  /** Last day, YYYY-MM-DD (UTC), exclusive. */
  until: string;
  by: readonly ReportDimension[];
  /** Keep the N lines with the largest total; the rest become one "other" line. */
  top?: number;
}

export interface Amounts {
  calls: bigint;
  /** Priced from provider-reported usage. */
  pricedCalls: bigint;
  /** Priced from locally counted tokens (the provider reported none). */
  estimatedCalls: bigint;
  /** No price: unknown model, no usage, invalid usage. */
  unpricedCalls: bigint;
  errorCalls: bigint;
  /** Every input token (cache reads and writes included) of every call, priced or not. */
  inputTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  /** Every output token (reasoning included). */
  outputTokens: bigint;
  /** nano-USD of pricedCalls. */
  costNanos: bigint;
  /** nano-USD of estimatedCalls. */
  estimatedCostNanos: bigint;
}

export interface ReportLine extends Amounts {
  /** Dimension values in `by` order; '' = not recorded. */
  key: string[];
}

export interface UnpricedLine {
  provider: string;
  model: string;
  status: string;
  calls: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
}

export interface Report {
  since: string;
  until: string;
  by: ReportDimension[];
  ledger: string;
  lines: ReportLine[];
  /** The lines beyond --top, summed (absent without --top or when nothing was cut). */
  other?: ReportLine & { lineCount: number };
  total: Amounts;
  /** Unpriced calls by provider, model and pricing status. */
  unpriced: UnpricedLine[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD that names a real calendar day; throws otherwise. */
export function parseDay(value: string, flag: string): string {
  const d = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new Error(`${flag}: expected a date YYYY-MM-DD (UTC), got "${value}"`);
  }
  return value;
}

/** The previous calendar month in UTC, as [since, until). */
export function lastMonth(now: Date = new Date()): { since: string; until: string } {
  const until = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { since: since.toISOString().slice(0, 10), until: until.toISOString().slice(0, 10) };
}

export function parseBy(value: string): ReportDimension[] {
  const out: ReportDimension[] = [];
  for (const raw of value.split(',')) {
    const d = raw.trim();
    if (d === '') continue;
    if (!(REPORT_DIMENSIONS as readonly string[]).includes(d)) {
      throw new Error(`--by: unknown dimension "${d}" (choose from ${REPORT_DIMENSIONS.join(', ')})`);
    }
    if (!out.includes(d as ReportDimension)) out.push(d as ReportDimension);
  }
  if (out.length === 0) throw new Error(`--by: name at least one of ${REPORT_DIMENSIONS.join(', ')}`);
  return out;
}

/** Integers from either driver (BigInt from SQLite, decimal text from PostgreSQL), null as 0. */
export function toBig(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+\.0*$/.test(v)) return BigInt(v.slice(0, v.indexOf('.')));
  if (v === null || v === undefined) return 0n;
  throw new Error(`ledger returned a non-integer amount: ${String(v)}`);
}

function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v);
}

function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true';
}

export function zeroAmounts(): Amounts {
  return {
    calls: 0n,
    pricedCalls: 0n,
    estimatedCalls: 0n,
    unpricedCalls: 0n,
    errorCalls: 0n,
    inputTokens: 0n,
    cacheReadTokens: 0n,
    cacheWriteTokens: 0n,
    outputTokens: 0n,
    costNanos: 0n,
    estimatedCostNanos: 0n,
  };
}

const AMOUNT_KEYS = Object.keys(zeroAmounts()) as Array<keyof Amounts>;

/** Adds the amounts only (lines carry a key and other fields that must not be touched). */
export function addAmounts(into: Amounts, a: Amounts): void {
  for (const k of AMOUNT_KEYS) into[k] += a[k];
}

export function totalCost(a: Amounts): bigint {
  return a.costNanos + a.estimatedCostNanos;
}

/** SQL expression for a dimension in the rollup or in the calls table. */
function dimensionSql(d: ReportDimension, raw: boolean): string {
  if (d === 'day') return 'CAST(day AS TEXT)';
  if (d === 'user') return "COALESCE(user_id, '')";
  return raw ? `COALESCE(${d}, '')` : d;
}

const SUMS_ROLLUP = `SUM(calls) AS calls, SUM(error_calls) AS error_calls, SUM(input_tokens) AS input_tokens,
  SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens,
  SUM(cache_write_tokens) AS cache_write_tokens, SUM(cost_nanos) AS cost_nanos`;
const SUMS_RAW = `COUNT(*) AS calls, SUM(CASE WHEN error_type IS NULL THEN 0 ELSE 1 END) AS error_calls,
  SUM(COALESCE(input_tokens, 0)) AS input_tokens, SUM(COALESCE(output_tokens, 0)) AS output_tokens,
  SUM(COALESCE(cache_read_tokens, 0)) AS cache_read_tokens, SUM(COALESCE(cache_write_tokens, 0)) AS cache_write_tokens,
  SUM(COALESCE(cost_nanos, 0)) AS cost_nanos`;

function amountsOf(row: Record<string, unknown>): Amounts {
  const a = zeroAmounts();
  const calls = toBig(row.calls);
  const status = toText(row.pricing_status);
  const estimated = toBool(row.usage_estimated);
  const cost = toBig(row.cost_nanos);
  a.calls = calls;
  a.errorCalls = toBig(row.error_calls);
  a.inputTokens = toBig(row.input_tokens);
  a.outputTokens = toBig(row.output_tokens);
  a.cacheReadTokens = toBig(row.cache_read_tokens);
  a.cacheWriteTokens = toBig(row.cache_write_tokens);
  if (status === 'priced' && !estimated) {
    a.pricedCalls = calls;
    a.costNanos = cost;
  } else if (status === 'priced') {
    a.estimatedCalls = calls;
    a.estimatedCostNanos = cost;
  } else {
    a.unpricedCalls = calls;
  }
  return a;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export async function buildReport(store: LedgerStore, options: ReportOptions): Promise<Report> {
  const by = [...options.by];
  const raw = by.includes('user');
  const table = raw ? 'ledger_calls' : 'ledger_daily';
  const dims = by.map((d, i) => `${dimensionSql(d, raw)} AS d${i}`);
  const groupBy = [...by.map((d) => dimensionSql(d, raw)), 'pricing_status', 'usage_estimated'];
  const params: SqlValue[] = [options.since, options.until];
  const rows = await store.select(
    `SELECT ${[...dims, 'pricing_status', 'usage_estimated', raw ? SUMS_RAW : SUMS_ROLLUP].join(', ')}
     FROM ${table} WHERE day >= ? AND day < ? GROUP BY ${groupBy.join(', ')}`,
    params,
  );

  const lines = new Map<string, ReportLine>();
  for (const row of rows) {
    const key = by.map((_, i) => toText(row[`d${i}`]));
    const id = JSON.stringify(key);
    let line = lines.get(id);
    if (line === undefined) {
      line = { key, ...zeroAmounts() };
      lines.set(id, line);
    }
    addAmounts(line, amountsOf(row));
  }

  // Largest total first (ties by key) for --top; chronological when grouped by day.
  const byTotal = [...lines.values()].sort((a, b) => {
    const ta = totalCost(a);
    const tb = totalCost(b);
    if (ta !== tb) return ta > tb ? -1 : 1;
    if (a.calls !== b.calls) return a.calls > b.calls ? -1 : 1;
    return compareKeys(a.key, b.key);
  });
  let kept = byTotal;
  let other: Report['other'];
  if (options.top !== undefined && byTotal.length > options.top) {
    kept = byTotal.slice(0, options.top);
    const rest = byTotal.slice(options.top);
    other = { key: by.map(() => ''), ...zeroAmounts(), lineCount: rest.length };
    for (const l of rest) addAmounts(other, l);
  }
  if (by.includes('day')) kept = [...kept].sort((a, b) => compareKeys(a.key, b.key));

  const total = zeroAmounts();
  for (const l of byTotal) addAmounts(total, l);

  const unpricedRows = await store.select(
    `SELECT provider, model, pricing_status, ${SUMS_ROLLUP} FROM ledger_daily
     WHERE day >= ? AND day < ? AND pricing_status <> 'priced'
     GROUP BY provider, model, pricing_status`,
    params,
  );
  const unpriced = unpricedRows
    .map((r) => ({
      provider: toText(r.provider),
      model: toText(r.model),
      status: toText(r.pricing_status),
      calls: toBig(r.calls),
      inputTokens: toBig(r.input_tokens),
      outputTokens: toBig(r.output_tokens),
    }))
    .sort(
      (a, b) =>
        (a.calls === b.calls ? 0 : a.calls > b.calls ? -1 : 1) ||
        compareKeys([a.provider, a.model, a.status], [b.provider, b.model, b.status]),
    );

  const report: Report = {
    since: options.since,
    until: options.until,
    by,
    ledger: store.description,
    lines: kept,
    total,
    unpriced,
  };
  if (other !== undefined) report.other = other;
  return report;
}
