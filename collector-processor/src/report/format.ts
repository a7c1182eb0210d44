/**
 * Report output. CSV and JSON carry exact amounts (9-decimal USD text and integer nano-USD). The table shows USD
 * rounded to TABLE_DECIMALS places; the rounded lines of each money column are apportioned (largest remainder)
 * so they still add up exactly to the rounded total printed under them.
 */
import { apportion, formatUsd, nanosToDecimal } from '../ledger/money.js';
import { type Amounts, type Report, type ReportLine, totalCost } from './report.js';

/** Micro-dollars: enough to see single cheap calls, few enough to read. */
export const TABLE_DECIMALS = 6;

const NONE = '(none)';

function label(dimension: string): string {
  return dimension.replace('_', ' ').toUpperCase();
}

function keyLabel(l: ReportLine): string[] {
  return l.key.map((v) => (v === '' ? NONE : v));
}

function table(rows: string[][], rightAligned: (col: number) => boolean): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (rightAligned(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatTable(report: Report): string {
  const dims = report.by.length;
  const items: Array<{ key: string[]; a: Amounts }> = report.lines.map((l) => ({ key: keyLabel(l), a: l }));
  if (report.other) {
    const label = `(${report.other.lineCount} more lines)`;
    items.push({ key: [label, ...report.by.slice(1).map(() => '')], a: report.other });
  }
  const priced = apportion(
    items.map((i) => i.a.costNanos),
    TABLE_DECIMALS,
  );
  const estimated = apportion(
    items.map((i) => i.a.estimatedCostNanos),
    TABLE_DECIMALS,
  );
  const header = [
    ...report.by.map(label),
    'CALLS',
    'INPUT TOKENS',
    'OUTPUT TOKENS',
    'COST USD',
    'ESTIMATED USD',
    'UNPRICED CALLS',
  ];
  const rows: string[][] = [header];
  items.forEach((item, i) => {
    rows.push([
      ...item.key,
      String(item.a.calls),
      String(item.a.inputTokens),
      String(item.a.outputTokens),
      formatUsd(priced.lines[i] as bigint, TABLE_DECIMALS),
      formatUsd(estimated.lines[i] as bigint, TABLE_DECIMALS),
      String(item.a.unpricedCalls),
    ]);
  });
  const t = report.total;
  rows.push([
    'TOTAL',
    ...report.by.slice(1).map(() => ''),
    String(t.calls),
    String(t.inputTokens),
    String(t.outputTokens),
    formatUsd(priced.total, TABLE_DECIMALS),
    formatUsd(estimated.total, TABLE_DECIMALS),
    String(t.unpricedCalls),
  ]);
  const rendered = table(rows, (col) => col >= dims);
  const ruleWidth = Math.max(...rendered.split('\n').map((l) => l.length));
  const renderedLines = rendered.split('\n');
  renderedLines.splice(1, 0, '-'.repeat(ruleWidth));
  renderedLines.splice(renderedLines.length - 1, 0, '-'.repeat(ruleWidth));

  const out: string[] = [];
  out.push(
    `Spend ${report.since} to ${report.until} (UTC, end exclusive) by ${report.by.join(', ')}`,
    `Ledger: ${report.ledger}`,
    '',
    ...renderedLines,
    '',
    `Total spend: ${formatUsd(priced.total + estimated.total, TABLE_DECIMALS)} USD = ${formatUsd(priced.total, TABLE_DECIMALS)} priced from reported usage + ${formatUsd(estimated.total, TABLE_DECIMALS)} estimated. Exact: ${nanosToDecimal(totalCost(t))} USD.`,
    `Amounts are rounded to $${formatUsd(10n ** BigInt(9 - TABLE_DECIMALS), TABLE_DECIMALS)}; rounded lines are apportioned so they add up to the rounded total. --format csv or json gives exact amounts.`,
  );
  if (t.estimatedCalls > 0n) {
    out.push(
      `ESTIMATED USD: ${t.estimatedCalls} calls whose provider reported no token usage were priced from tokens counted locally.`,
    );
  }
  if (report.unpriced.length === 0) {
    out.push('Unpriced calls: none.');
  } else {
    out.push('', `Unpriced calls (no price known, so no cost; not in any amount above): ${t.unpricedCalls}`);
    out.push(
      table(
        [
          ['PROVIDER', 'MODEL', 'STATUS', 'CALLS', 'INPUT TOKENS', 'OUTPUT TOKENS'],
          ...report.unpriced.map((u) => [
            u.provider,
            u.model,
            u.status,
            String(u.calls),
            String(u.inputTokens),
            String(u.outputTokens),
          ]),
        ],
        (col) => col >= 3,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvRows(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const AMOUNT_COLUMNS = [
  'calls',
  'priced_calls',
  'estimated_calls',
  'unpriced_calls',
  'error_calls',
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'output_tokens',
  'cost_usd',
  'estimated_cost_usd',
  'total_cost_usd',
  'cost_nanos',
  'estimated_cost_nanos',
  'total_cost_nanos',
] as const;

function amountFields(a: Amounts): Record<(typeof AMOUNT_COLUMNS)[number], string> {
  return {
    calls: String(a.calls),
    priced_calls: String(a.pricedCalls),
    estimated_calls: String(a.estimatedCalls),
    unpriced_calls: String(a.unpricedCalls),
    error_calls: String(a.errorCalls),
    input_tokens: String(a.inputTokens),
    cache_read_tokens: String(a.cacheReadTokens),
    cache_write_tokens: String(a.cacheWriteTokens),
    output_tokens: String(a.outputTokens),
    cost_usd: nanosToDecimal(a.costNanos),
    estimated_cost_usd: nanosToDecimal(a.estimatedCostNanos),
    total_cost_usd: nanosToDecimal(totalCost(a)),
    cost_nanos: String(a.costNanos),
    estimated_cost_nanos: String(a.estimatedCostNanos),
    total_cost_nanos: String(totalCost(a)),
  };
}

/** One row per line, then `other` (lines beyond --top) and `total`, told apart by the `line` column. */
export function formatCsv(report: Report): string {
  const rows: string[][] = [['line', ...report.by, ...AMOUNT_COLUMNS]];
  const push = (kind: string, key: readonly string[], a: Amounts) => {
    const f = amountFields(a);
    rows.push([kind, ...key, ...AMOUNT_COLUMNS.map((c) => f[c])]);
  };
  for (const l of report.lines) push('item', l.key, l);
  if (report.other)
    push(
      'other',
      report.by.map(() => ''),
      report.other,
    );
  push(
    'total',
    report.by.map(() => ''),
    report.total,
  );
  return csvRows(rows);
}

export function formatJson(report: Report): string {
  const line = (key: readonly string[], a: Amounts) => ({
    ...Object.fromEntries(report.by.map((d, i) => [d, key[i] ?? ''])),
    ...amountFields(a),
  });
  const out = {
    since: report.since,
    until: report.until,
    by: report.by,
    ledger: report.ledger,
    currency: 'USD',
    lines: report.lines.map((l) => line(l.key, l)),
    ...(report.other
      ? {
          other: {
            lines: report.other.lineCount,
            ...line(
              report.by.map(() => ''),
              report.other,
            ),
          },
        }
      : {}),
    total: amountFields(report.total),
    unpriced: report.unpriced.map((u) => ({
      provider: u.provider,
      model: u.model,
      status: u.status,
      calls: String(u.calls),
      input_tokens: String(u.inputTokens),
      output_tokens: String(u.outputTokens),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
