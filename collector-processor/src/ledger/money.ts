/**
 * Money in the ledger is an integer count of nano-dollars (1 USD = 1 000 000 000 nano-USD), stored as BIGINT and
 * summed as BigInt, so totals are exact whatever the number of rows. Spans carry cost as a double; each per-call
 * amount is rounded to the nearest nano-USD once, when its row is written, and never again. A nano-dollar is far
 * below any provider's price step (the cheapest token prices are ~10 nano-USD per token), and BIGINT holds
 * ~9.2 billion USD of them.
 */

export const NANOS_PER_USD = 1_000_000_000n;
const NANOS_PER_USD_NUMBER = 1e9;
/** Largest per-call amount accepted (a single model call of a million dollars is a bug, not a call). */
const MAX_CALL_USD = 1e6;

/** A per-call USD amount (double) as integer nano-USD; undefined for missing, negative or absurd values. */
export function usdToNanos(usd: number | undefined): number | undefined {
  if (usd === undefined || !Number.isFinite(usd) || usd < 0 || usd > MAX_CALL_USD) return undefined;
  return Math.round(usd * NANOS_PER_USD_NUMBER);
}

/** Exact decimal USD text of a nano-USD amount with all 9 decimals, e.g. 1234n → "0.000001234". */
export function nanosToDecimal(nanos: bigint): string {
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const whole = abs / NANOS_PER_USD;
  const frac = (abs % NANOS_PER_USD).toString().padStart(9, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/**
 * Rounds a nano-USD amount to `decimals` places (0-9) of USD, half away from zero, as a decimal string.
 * Used for display only; the exact amount stays in the ledger and in CSV/JSON.
 */
export function roundNanos(nanos: bigint, decimals: number): bigint {
  const step = 10n ** BigInt(9 - decimals);
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const rounded = ((abs + step / 2n) / step) * step;
  return negative ? -rounded : rounded;
}

/** `amount` (already a multiple of the display step) as USD text with exactly `decimals` places. */
export function formatUsd(nanos: bigint, decimals: number): string {
  const exact = nanosToDecimal(nanos);
  if (decimals >= 9) return exact;
  const cut = exact.length - (9 - decimals);
  return decimals === 0 ? exact.slice(0, cut - 1) : exact.slice(0, cut);
}

/**
 * Display amounts for `values` at `decimals` places whose sum is exactly the rounded `total` (largest-remainder
 * apportionment): each line is rounded down to the display step, then the steps still missing go to the lines
 * with the largest remainders (earlier lines first on ties). Each displayed line is off its exact value by less
 * than one display step, and the displayed lines always add up to the displayed total. Non-negative input only.
 */
export function apportion(values: readonly bigint[], decimals: number): { lines: bigint[]; total: bigint } {
  const step = 10n ** BigInt(9 - decimals);
  const exactTotal = values.reduce((s, v) => s + v, 0n);
  const total = roundNanos(exactTotal, decimals);
  const lines = values.map((v) => (v / step) * step);
  let missing = (total - lines.reduce((s, v) => s + v, 0n)) / step;
  const order = values
    .map((v, i) => ({ i, remainder: v % step }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (missing <= 0n) break;
    lines[i] = (lines[i] as bigint) + step;
    missing--;
  }
  return { lines, total };
}
