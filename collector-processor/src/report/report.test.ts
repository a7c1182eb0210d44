import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRow } from '../ledger/__fixtures__/calls.js';
import type { LedgerRow } from '../ledger/row.js';
import { SqliteLedgerStore } from '../ledger/sqlite-store.js';
import { buildFocus, FOCUS_COLUMNS, focusCsv, focusJson } from './focus.js';
import { formatCsv, formatJson, formatTable } from './format.js';
import { buildReport, lastMonth, parseBy, parseDay, totalCost } from './report.js';

const OCT = (day: number, hour = 12) => Date.UTC(2026, 9, day, hour);
let dir: string;
let store: SqliteLedgerStore;
const rows: LedgerRow[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-report-'));
  store = await SqliteLedgerStore.open(path.join(dir, 'ledger.db'));
  await store.migrate();
  const teams = ['support', 'search', 'sales', 'platform'];
  const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5'];
  for (let i = 0; i < 120; i++) {
    rows.push(
      ledgerRow({
        team: teams[i % 4],
        model: models[i % 3],
        provider: i % 3 === 2 ? 'anthropic' : 'openai',
        user: `u-${i % 5}`,
        useCase: i % 2 === 0 ? 'reply-drafter' : 'summary',
        service: 'helpdesk-api',
        at: OCT(1 + (i % 28), i % 24),
        // Awkward amounts: many are not whole micro-dollars, so rounding each line alone would not add up.
        costUsd: 0.0000004 + i * 0.0000137,
        inputTokens: 100 + i,
        outputTokens: 10 + i,
        status: i % 10 === 9 ? 'unknown_model' : 'priced',
        estimated: i % 10 === 4,
      }),
    );
  }
  // Outside the range: the day before and the (exclusive) end day.
  rows.push(ledgerRow({ at: Date.UTC(2026, 8, 30, 23, 59), costUsd: 1 }));
  rows.push(ledgerRow({ at: Date.UTC(2026, 10, 1, 0, 0), costUsd: 1 }));
  await store.insert(rows);
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const RANGE = { since: '2026-10-01', until: '2026-11-01' };
const inRange = () => rows.filter((r) => r.day >= RANGE.since && r.day < RANGE.until);
const sumNanos = (rs: LedgerRow[]) => rs.reduce((s, r) => s + BigInt(r.cost_nanos ?? 0), 0n);

describe('report arguments', () => {
  it('parses dates, dimensions and the default range', () => {
    expect(parseDay('2026-10-01', '--since')).toBe('2026-10-01');
    expect(() => parseDay('2026-02-30', '--since')).toThrow(/YYYY-MM-DD/);
    expect(() => parseDay('10/01/2026', '--until')).toThrow(/--until/);
    expect(parseBy('team, model,team')).toEqual(['team', 'model']);
    expect(() => parseBy('team,region')).toThrow(/unknown dimension "region"/);
    expect(() => parseBy('')).toThrow(/at least one/);
    expect(lastMonth(new Date(Date.UTC(2026, 10, 17)))).toEqual({ since: '2026-10-01', until: '2026-11-01' });
    expect(lastMonth(new Date(Date.UTC(2027, 0, 3)))).toEqual({ since: '2026-12-01', until: '2027-01-01' });
  });
});

describe('buildReport', () => {
  it('lines add up exactly to the total, which is exactly the sum of the calls; the range end is exclusive', async () => {
    const report = await buildReport(store, { ...RANGE, by: ['team', 'model'] });
    expect(report.lines).toHaveLength(12);
    const calls = inRange();
    const priced = calls.filter((r) => r.pricing_status === 'priced' && !r.usage_estimated);
    const estimated = calls.filter((r) => r.pricing_status === 'priced' && r.usage_estimated);
    const unpriced = calls.filter((r) => r.pricing_status !== 'priced');
    expect(report.total.calls).toBe(BigInt(calls.length));
    expect(report.total.costNanos).toBe(sumNanos(priced));
    expect(report.total.estimatedCostNanos).toBe(sumNanos(estimated));
    expect(report.total.unpricedCalls).toBe(BigInt(unpriced.length));
    expect(report.lines.reduce((s, l) => s + l.costNanos, 0n)).toBe(report.total.costNanos);
    expect(report.lines.reduce((s, l) => s + l.estimatedCostNanos, 0n)).toBe(report.total.estimatedCostNanos);
    expect(report.lines.reduce((s, l) => s + l.calls, 0n)).toBe(report.total.calls);
    // Largest first.
    const totals = report.lines.map(totalCost);
    expect([...totals].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(totals);
    // Unpriced calls are listed apart, with their tokens and no cost.
    expect(report.unpriced.reduce((s, u) => s + u.calls, 0n)).toBe(BigInt(unpriced.length));
    expect(report.unpriced[0]).toMatchObject({ status: 'unknown_model', provider: expect.any(String) });
  });

  it('grouping by user reads the calls table and agrees with the rollup', async () => {
    const byUser = await buildReport(store, { ...RANGE, by: ['user'] });
    const byTeam = await buildReport(store, { ...RANGE, by: ['team'] });
    expect(byUser.lines.map((l) => l.key[0]).sort()).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'u-4']);
    expect(byUser.total).toEqual(byTeam.total);
    const u0 = inRange().filter(
      (r) => r.user_id === 'u-0' && r.pricing_status === 'priced' && !r.usage_estimated,
    );
    expect(byUser.lines.find((l) => l.key[0] === 'u-0')?.costNanos).toBe(sumNanos(u0));
  });

  it('--top keeps the largest lines and sums the rest into one, so the total is unchanged', async () => {
    const full = await buildReport(store, { ...RANGE, by: ['team', 'model'] });
    const top = await buildReport(store, { ...RANGE, by: ['team', 'model'], top: 3 });
    expect(top.lines).toEqual(full.lines.slice(0, 3));
    expect(top.other?.lineCount).toBe(9);
    expect(top.lines.reduce((s, l) => s + totalCost(l), 0n) + totalCost(top.other!)).toBe(
      totalCost(top.total),
    );
    expect(top.total).toEqual(full.total);
  });

  it('by day is chronological and covers only the range', async () => {
    const report = await buildReport(store, { ...RANGE, by: ['day'] });
    const days = report.lines.map((l) => l.key[0]);
    expect(days[0]).toBe('2026-10-01');
    expect(days.at(-1)).toBe('2026-10-28');
    expect([...days].sort()).toEqual(days);
  });
});

describe('report output', () => {
  it('table: the rounded lines add up to the rounded total shown under them', async () => {
    const report = await buildReport(store, { ...RANGE, by: ['team', 'model'] });
    const text = formatTable(report);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('TEAM'));
    const totalLine = lines.find((l) => l.startsWith('TOTAL'))!;
    const cols = (l: string) => l.trim().split(/\s+/);
    const items = lines.slice(header + 2, header + 2 + report.lines.length);
    const micro = (v: string) => BigInt(v.replace('.', ''));
    const costAt = cols(totalLine).length - 3;
    const shownSum = items.reduce((s, l) => s + micro(cols(l)[cols(l).length - 3]!), 0n);
    expect(shownSum).toBe(micro(cols(totalLine)[costAt]!));
    const estSum = items.reduce((s, l) => s + micro(cols(l)[cols(l).length - 2]!), 0n);
    expect(estSum).toBe(micro(cols(totalLine)[costAt + 1]!));
    expect(text).toContain('Unpriced calls (no price known, so no cost; not in any amount above): 12');
    expect(text).toContain('ESTIMATED USD: 12 calls');
    expect(text).toMatch(/Exact: \d+\.\d{9} USD/);
  });

  it('csv and json carry exact amounts whose lines sum to the total', async () => {
    const report = await buildReport(store, { ...RANGE, by: ['team'], top: 2 });
    const csv = formatCsv(report).trim().split('\r\n');
    const header = csv[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['line', 'team', 'calls']);
    const nanosAt = header.indexOf('total_cost_nanos');
    const body = csv.slice(1).map((l) => l.split(','));
    const items = body.filter((r) => r[0] === 'item' || r[0] === 'other');
    const total = body.find((r) => r[0] === 'total')!;
    expect(items.reduce((s, r) => s + BigInt(r[nanosAt]!), 0n)).toBe(BigInt(total[nanosAt]!));
    expect(total[header.indexOf('total_cost_usd')]).toMatch(/^\d+\.\d{9}$/);

    const json = JSON.parse(formatJson(report)) as {
      lines: Array<{ total_cost_nanos: string }>;
      other: { total_cost_nanos: string; lines: number };
      total: { total_cost_nanos: string; unpriced_calls: string };
      unpriced: unknown[];
    };
    const sum =
      json.lines.reduce((s, l) => s + BigInt(l.total_cost_nanos), 0n) + BigInt(json.other.total_cost_nanos);
    expect(sum).toBe(BigInt(json.total.total_cost_nanos));
    expect(json.other.lines).toBe(2);
    expect(json.total.unpriced_calls).toBe('12');
    expect(json.unpriced.length).toBeGreaterThan(0);
  });

  it('FOCUS: every column of the layout, exact costs that add up to the report total, unpriced left out', async () => {
    const report = await buildReport(store, { ...RANGE, by: ['team'] });
    const focus = await buildFocus(store, RANGE);
    expect(focus.totalNanos).toBe(totalCost(report.total));
    expect(focus.rows.reduce((s, r) => s + BigInt(r.x_BilledCostNanoUsd!), 0n)).toBe(totalCost(report.total));
    expect(focus.unpricedCalls).toBe(12n);
    const row = focus.rows[0]!;
    expect(Object.keys(row)).toEqual([...FOCUS_COLUMNS]);
    expect(row).toMatchObject({
      BillingCurrency: 'USD',
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeFrequency: 'Usage-Based',
      ChargePeriodStart: '2026-10-01T00:00:00Z',
      ChargePeriodEnd: '2026-10-02T00:00:00Z',
      BillingPeriodStart: '2026-10-01T00:00:00Z',
      BillingPeriodEnd: '2026-11-01T00:00:00Z',
      ConsumedUnit: 'Tokens',
      ServiceCategory: 'AI and Machine Learning',
      ServiceSubcategory: 'Generative AI',
    });
    expect(row.BilledCost).toBe(row.EffectiveCost);
    expect(JSON.parse(row.Tags!)).toMatchObject({ team: expect.any(String), service: 'helpdesk-api' });
    expect(Number(row.ConsumedQuantity)).toBe(Number(row.x_InputTokens) + Number(row.x_OutputTokens));

    const csv = focusCsv(focus.rows).trim().split('\r\n');
    expect(csv[0]).toBe(FOCUS_COLUMNS.join(','));
    expect(csv).toHaveLength(focus.rows.length + 1);
    const json = JSON.parse(focusJson(focus.rows)) as Array<{ Tags: { team: string } }>;
    expect(typeof json[0]?.Tags.team).toBe('string');
  });
});
