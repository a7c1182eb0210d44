/**
 * The dashboards and rules against a real Prometheus: instrumented apps (real SDKs under our register, against
 * the stand-ins) send to the real collector, the real Prometheus scrapes it every second and evaluates the
 * ailedger rules, and every PromQL expression of every panel and every rule is run through Prometheus' HTTP
 * API. Spend by team must equal the cost on the spans the backend received, to the cent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { budgetRules } from '../dashboards/budgets.mjs';
import { startAnthropicStandin } from './standins/anthropic.mjs';
import { startOpenAIStandin } from './standins/openai.mjs';
import type { Standin } from './standins/server.mjs';
import { metricValue, type RunningCollector, startCollector, tempDir } from './support/collector.js';
import { type ReceivedSpan, type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { type RunningPrometheus, startPrometheus } from './support/prometheus.js';

const here = import.meta.dirname;
const root = path.resolve(here, '..');
const FAKE_KEY = 'sk-dashboards-FAKE-0123456789abcdef';
const RULE_FILES = [
  'ailedger-rollups.rules.yml',
  'ailedger-budget.rules.yml',
  'ailedger-alerts.rules.yml',
].map((f) => path.join(root, 'dashboards/prometheus', f));
/** The test's budgets: research's is tiny, so its budget alerts must fire; the others' are not reached. */
const BUDGETS = [
  { team: 'support', usd: 1000 },
  { team: 'search', usd: 1000 },
  { team: 'research', usd: 0.0001 },
];
/** Grafana's variables as the test sets them: All for every label, the whole test inside $__range. */
const VARIABLES: Record<string, string> = {
  __range_s: '3600',
  __range: '1h',
  __interval_ms: '15000',
  __interval: '15s',
  __rate_interval: '1m',
  team: '.*',
  use_case: '.*',
  provider: '.*',
  model: '.*',
  service: '.*',
  environment: '.*',
};
const STEP = 15;

// biome-ignore lint/suspicious/noExplicitAny: dashboard JSON.
type Json = any;

function substitute(expr: string, vars: Record<string, string> = VARIABLES): string {
  const out = expr.replace(
    /\$\{?(__range_s|__range|__interval_ms|__interval|__rate_interval|[a-z_]+)\}?/g,
    (m, name) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`no value for ${m} in ${expr}`);
      return v;
    },
  );
  expect(out, 'every variable substituted').not.toContain('$');
  return out;
}

function runApp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: here,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const num = (v: string): number => Number(v);
/**
 * A range query over the whole test, 15 s steps, as a Grafana time series panel runs it. The last step is one
 * step past now so its window reaches the newest rollup (recorded at most 15 s ago).
 */
const rangeOf = (now: number): [number, number, number] => [Math.floor(startedAt) - STEP, now + STEP, STEP];
const cents = (n: number): string => n.toFixed(2);

let openai: Standin;
let anthropic: Standin;
let backend: Receiver;
let rejecting: Receiver;
let collector: RunningCollector;
let prometheus: RunningPrometheus;
let startedAt: number;
/** The spans that count (ours, billable), as the backend received them. */
let billable: ReceivedSpan[];
let expected: {
  costByTeam: Map<string, number>;
  total: number;
  calls: number;
  errors: number;
  unknownModel: number;
  unpriced: number;
};

beforeAll(async () => {
  startedAt = Date.now() / 1000;
  [openai, anthropic, backend, rejecting] = await Promise.all([
    startOpenAIStandin(),
    startAnthropicStandin(),
    startOtlpReceiver(),
    // A second backend that answers 400 to everything: the collector drops what it sends there, which the
    // "collector dropping data" alert must see.
    startOtlpReceiver({ fault: () => ({ status: 400, body: 'rejected by the test' }) }),
  ]);
  collector = await startCollector({
    config: `
exporters:
  - name: backend
    endpoint: ${backend.url}
    batch: { max_spans: 256, timeout_ms: 20 }
  - name: rejecting
    endpoint: ${rejecting.url}
    batch: { max_spans: 256, timeout_ms: 20 }
shutdown: { drain_timeout_ms: 1000 }
`,
  });
  const dir = tempDir('ailedger-dashboards-');
  const budgetsFile = path.join(dir, 'budgets.rules.yml');
  fs.writeFileSync(budgetsFile, budgetRules(BUDGETS, 'the test'));
  prometheus = await startPrometheus({
    config: `
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
${[...RULE_FILES, budgetsFile].map((f) => `  - ${JSON.stringify(f)}`).join('\n')}
scrape_configs:
  - job_name: ailedger-collector
    static_configs:
      - targets: ['${new URL(collector.adminUrl).host}']
`,
  });
  await waitUntil(
    async () => (await prometheus.query('up{job="ailedger-collector"} == 1')).length === 1,
    15_000,
    'the first scrape',
  );

  // Two rounds of three services, a few seconds apart (so rate() over the histograms sees increments too).
  const hosts = `127.0.0.1:${openai.port}=openai,127.0.0.1:${anthropic.port}=anthropic`;
  const common = { FAKE_KEY, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, AILEDGER_PROVIDER_HOSTS: hosts };
  const round = () =>
    Promise.all([
      runApp(['--require', '@ailedger/instrumentation/register', 'fixtures/openai-app.cjs'], {
        ...common,
        STANDIN_URL: openai.url,
        OTEL_SERVICE_NAME: 'helpdesk-api',
        AILEDGER_TEAM: 'support',
        AILEDGER_USE_CASE: 'reply-drafter',
      }),
      runApp(['--require', '@ailedger/instrumentation/register', 'support/dashboards-workload.cjs'], {
        ...common,
        STANDIN_URL: openai.url,
        OTEL_SERVICE_NAME: 'search-api',
        AILEDGER_TEAM: 'search',
        AILEDGER_USE_CASE: 'query-rewrite',
        CHATS: '2',
        ERRORS: '3',
        UNPRICED: '1',
      }),
      runApp(['--require', '@ailedger/instrumentation/register', 'fixtures/anthropic-app.cjs'], {
        ...common,
        STANDIN_URL: anthropic.url,
        OTEL_SERVICE_NAME: 'research-api',
        AILEDGER_TEAM: 'research',
        AILEDGER_USE_CASE: 'summarizer',
      }),
    ]);
  for (let i = 0; i < 2; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 2500));
    for (const app of await round()) {
      expect(app.stderr).toBe('');
      expect(app.code).toBe(0);
    }
  }

  // Every span delivered, and the collector's counters agree with the billable spans.
  let count = -1;
  await waitUntil(
    async () => {
      const stable = backend.spans.length === count;
      count = backend.spans.length;
      const mine = backend.spans.filter((s) => s.attributes['ailedger.billable'] === true).length;
      return stable && mine > 0 && metricValue(await collector.metrics(), 'ailedger_requests_total') === mine;
    },
    15_000,
    'spans at the backend and in /metrics',
  );
  billable = backend.spans.filter((s) => s.attributes['ailedger.billable'] === true);
  const costByTeam = new Map<string, number>();
  for (const s of billable) {
    const team = String(s.attributes['ailedger.team']);
    costByTeam.set(team, (costByTeam.get(team) ?? 0) + ((s.attributes['ailedger.cost.usd'] as number) ?? 0));
  }
  const status = (s: ReceivedSpan) => s.attributes['ailedger.pricing.status'];
  expected = {
    costByTeam,
    total: [...costByTeam.values()].reduce((a, b) => a + b, 0),
    calls: billable.length,
    errors: billable.filter((s) => s.statusCode === 2).length,
    unknownModel: billable.filter((s) => status(s) === 'unknown_model').length,
    unpriced: billable.filter((s) => status(s) !== 'priced').length,
  };

  // Prometheus has scraped the final values; then the rollups (windows ending 10 s back) and the budget rules
  // must have been evaluated past that point.
  await waitUntil(
    async () => {
      const r = await prometheus.query('sum(ailedger_requests_total)');
      return r.length === 1 && num(r[0]!.value[1]) === expected.calls;
    },
    10_000,
    'Prometheus to scrape the final counters',
  );
  const scraped = Date.now() + 1000;
  const group = async (name: string) => {
    const g = (await prometheus.rules()).find((x) => x.name === name);
    return { started: g ? Date.parse(g.lastEvaluation) : 0, ms: g ? g.evaluationTime * 1000 : 0 };
  };
  let rolledUp = 0;
  await waitUntil(
    async () => {
      const g = await group('ailedger-rollups');
      rolledUp = g.started + g.ms;
      return g.started > scraped + 10_000;
    },
    30_000,
    'the rollups to cover the workload',
  );
  // The budget rules read the team rollups, so they must run after that rollup was written (groups run
  // independently).
  await waitUntil(
    async () =>
      (await group('ailedger-budget')).started > rolledUp + 50 &&
      (await group('ailedger-team-budgets')).started > 0,
    30_000,
    'the budget rules to run on the final rollups',
  );
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await collector?.stop();
  await Promise.all([backend?.close(), rejecting?.close(), openai?.close(), anthropic?.close()]);
});

describe('the workload', () => {
  it('has three teams, failed calls, an unknown model and cached tokens', () => {
    expect([...expected.costByTeam.keys()].sort()).toEqual(['research', 'search', 'support']);
    for (const cost of expected.costByTeam.values()) expect(cost).toBeGreaterThan(0);
    // Enough that "to the cent" means something (long completions on gpt-4o).
    expect(expected.costByTeam.get('search')!).toBeGreaterThan(0.05);
    expect(expected.errors).toBe(6);
    expect(expected.unknownModel).toBe(2);
    expect(billable.some((s) => (s.attributes['gen_ai.usage.cache_read.input_tokens'] as number) > 0)).toBe(
      true,
    );
  });
});

describe('every dashboard panel', () => {
  const files = ['ailedger-spend.json', 'ailedger-operations.json', 'ailedger-drilldown.json'];
  const dashboards = files.map((f) => [
    f,
    JSON.parse(fs.readFileSync(path.join(root, 'dashboards/grafana', f), 'utf8')),
  ]);

  it.each(dashboards)(
    '%s: every PromQL query parses and returns series with values',
    async (_file, d: Json) => {
      const now = Date.now() / 1000;
      let queries = 0;
      for (const panel of d.panels) {
        if (panel.type === 'row' || panel.datasource.type !== 'prometheus') continue;
        for (const t of panel.targets) {
          const expr = substitute(t.expr);
          const where = `"${panel.title}" ${t.refId}: ${expr}`;
          queries++;
          if (t.instant) {
            const result = await prometheus.query(expr, now);
            expect(result.length, where).toBeGreaterThan(0);
            expect(
              result.some((r) => Number.isFinite(num(r.value[1]))),
              where,
            ).toBe(true);
          } else {
            const result = await prometheus.queryRange(expr, ...rangeOf(now));
            expect(result.length, where).toBeGreaterThan(0);
            expect(
              result.some((r) => r.values.some(([, v]) => Number.isFinite(num(v)))),
              where,
            ).toBe(true);
          }
        }
      }
      expect(queries).toBeGreaterThan(0);
    },
  );

  const spend = (title: string, refId = 'A'): string => {
    const d = dashboards.find(([f]) => f === 'ailedger-spend.json')![1] as Json;
    const panel = d.panels.find((p: Json) => p.type !== 'row' && p.title === title);
    expect(panel, title).toBeDefined();
    return substitute(panel.targets.find((t: Json) => t.refId === refId).expr);
  };

  it('spend by team equals the cost on the spans, to the cent (instant, as the bar gauge)', async () => {
    const result = await prometheus.query(spend('Spend by team in range'));
    const got = new Map(result.map((r) => [r.metric.team, num(r.value[1])]));
    expect([...got.keys()].sort()).toEqual([...expected.costByTeam.keys()].sort());
    for (const [team, cost] of expected.costByTeam) {
      expect(cents(got.get(team)!), team).toBe(cents(cost));
      // The rollups telescope, so it is in fact exact up to float rounding.
      expect(got.get(team)!, team).toBeCloseTo(cost, 9);
    }
  });

  it('spend by team over time adds up to the same totals (range query, 15 s steps)', async () => {
    const result = await prometheus.queryRange(spend('Spend by team'), ...rangeOf(Date.now() / 1000));
    for (const series of result) {
      const sum = series.values.reduce((s, [, v]) => s + num(v), 0);
      const cost = expected.costByTeam.get(series.metric.team!)!;
      expect(cents(sum), series.metric.team).toBe(cents(cost));
      expect(sum, series.metric.team).toBeCloseTo(cost, 9);
    }
    expect(result).toHaveLength(expected.costByTeam.size);
  });

  it('total, month-to-date, calls, cost per priced call and the unpriced share match the spans', async () => {
    const value = async (expr: string) => {
      const r = await prometheus.query(expr);
      expect(r, expr).toHaveLength(1);
      return num(r[0]!.value[1]);
    };
    const total = await value(spend('Spend in range'));
    expect(cents(total)).toBe(cents(expected.total));
    expect(total).toBeCloseTo(expected.total, 9);
    const month = (t: number) => new Date(t * 1000).getUTCMonth();
    if (month(startedAt) === month(Date.now() / 1000)) {
      expect(await value(spend('Month-to-date spend'))).toBeCloseTo(expected.total, 9);
    }
    expect(await value(spend('Model calls in range'))).toBe(expected.calls);
    expect(await value(spend('Cost per priced call'))).toBeCloseTo(
      expected.total / (expected.calls - expected.unpriced),
      12,
    );
    expect(await value(spend('Unpriced calls'))).toBeCloseTo(expected.unknownModel / expected.calls, 12);
    // Filtering by a team variable narrows every number to that team.
    const research = substitute(
      (dashboards.find(([f]) => f === 'ailedger-spend.json')![1] as Json).panels.find(
        (p: Json) => p.title === 'Spend in range',
      ).targets[0].expr,
      { ...VARIABLES, team: 'research' },
    );
    expect(await value(research)).toBeCloseTo(expected.costByTeam.get('research')!, 9);
  });

  it('the top team × model table and the budgets table agree with the spans and the budgets', async () => {
    const top = await prometheus.query(spend('Top team × model pairs'));
    const byTeam = new Map<string, number>();
    for (const r of top) byTeam.set(r.metric.team!, (byTeam.get(r.metric.team!) ?? 0) + num(r.value[1]));
    for (const [team, cost] of expected.costByTeam) expect(byTeam.get(team)!, team).toBeCloseTo(cost, 9);
    const budgets = await prometheus.query(spend('Budgets', 'A'));
    expect(Object.fromEntries(budgets.map((r) => [r.metric.team, num(r.value[1])]))).toEqual(
      Object.fromEntries(BUDGETS.map((b) => [b.team, b.usd])),
    );
    const mtd = await prometheus.query(spend('Budgets', 'B'));
    const projected = new Map(
      (await prometheus.query(spend('Budgets', 'C'))).map((r) => [r.metric.team, num(r.value[1])]),
    );
    for (const r of mtd) {
      expect(num(r.value[1]), r.metric.team).toBeCloseTo(expected.costByTeam.get(r.metric.team!)!, 9);
      expect(projected.get(r.metric.team)!).toBeGreaterThanOrEqual(num(r.value[1]));
    }
  });

  it('the error rate counts every failed call, including the first of its label set', async () => {
    const d = dashboards.find(([f]) => f === 'ailedger-operations.json')![1] as Json;
    const expr = substitute(d.panels.find((p: Json) => p.title === 'Error rate').targets[0].expr);
    const r = await prometheus.query(expr);
    expect(num(r[0]!.value[1])).toBeCloseTo(expected.errors / expected.calls, 12);
  });
});

describe('every rule', () => {
  const rules: Array<{ file: string; group: string; record?: string; alert?: string; expr: string }> = [];
  for (const file of RULE_FILES) {
    for (const group of parse(fs.readFileSync(file, 'utf8')).groups) {
      for (const rule of group.rules) rules.push({ file: path.basename(file), group: group.name, ...rule });
    }
  }

  /** What each alert's expression must return for this workload (label values of the listed labels). */
  const ALERTS: Record<string, { labels: string[]; expect: string[] }> = {
    AiLedgerTeamProjectedOverBudget: { labels: ['team'], expect: ['research'] },
    AiLedgerTeamOverBudget: { labels: ['team'], expect: ['research'] },
    AiLedgerProviderErrorRateSpike: { labels: ['provider'], expect: ['openai'] },
    AiLedgerUnpricedModelCalls: {
      labels: ['provider', 'model', 'status'],
      expect: ['openai/acme-private-7b/unknown_model'],
    },
    AiLedgerCollectorRefusingData: { labels: ['reason'], expect: [] },
    AiLedgerCollectorDroppingData: { labels: ['exporter', 'reason'], expect: ['rejecting/http_400'] },
    AiLedgerCollectorQueueNearlyFull: { labels: ['exporter'], expect: [] },
    AiLedgerMetricSeriesOverflow: { labels: ['instance'], expect: [] },
    AiLedgerCollectorDown: { labels: ['instance'], expect: [] },
  };

  it('every alert of the rule files has its expected result listed here', () => {
    expect(
      rules
        .filter((r) => r.alert)
        .map((r) => r.alert)
        .sort(),
    ).toEqual(Object.keys(ALERTS).sort());
  });

  it.each(rules.map((r) => [r.record ?? r.alert, r]))(
    '%s parses and returns the expected series',
    async (_name, rule) => {
      const result = await prometheus.query(rule.expr);
      if (rule.record) {
        expect(result.length, rule.expr).toBeGreaterThan(0);
        expect(result.every((r) => Number.isFinite(num(r.value[1])))).toBe(true);
        return;
      }
      const spec = ALERTS[rule.alert!]!;
      const got = result.map((r) => spec.labels.map((l) => r.metric[l]).join('/')).sort();
      expect(got, rule.alert).toEqual(spec.expect);
    },
  );

  it('the recorded month-to-date and the rollups match the spans to the cent', async () => {
    const mtd = await prometheus.query('team:ailedger_cost_usd:month_to_date');
    const month = (t: number) => new Date(t * 1000).getUTCMonth();
    if (month(startedAt) === month(Date.now() / 1000)) {
      for (const r of mtd)
        expect(num(r.value[1]), r.metric.team).toBeCloseTo(expected.costByTeam.get(r.metric.team!)!, 9);
      expect(mtd).toHaveLength(expected.costByTeam.size);
    }
    const calls = await prometheus.query('sum by (status) (sum_over_time(ailedger:requests:delta15s[1h]))');
    expect(Object.fromEntries(calls.map((r) => [r.metric.status, num(r.value[1])]))).toEqual({
      ok: expected.calls - expected.errors,
      error: expected.errors,
    });
    // Every span the collector accepted was dropped by the rejecting exporter, and counted.
    const text = await collector.metrics();
    const dropped = await prometheus.query(
      'sum(ailedger_collector_exporter_dropped_items_total{exporter="rejecting"})',
    );
    expect(num(dropped[0]!.value[1])).toBe(
      metricValue(text, 'ailedger_collector_receiver_accepted_items_total', { signal: 'traces' }),
    );
  });

  it('Prometheus evaluates every rule without error, and the budget alerts are pending for research only', async () => {
    const groups = await prometheus.rules();
    expect(groups.map((g) => g.name).sort()).toEqual([
      'ailedger-alerts',
      'ailedger-budget',
      'ailedger-rollups',
      'ailedger-team-budgets',
    ]);
    for (const g of groups) {
      if (Date.parse(g.lastEvaluation) <= 0) continue; // the 1-minute group may not have run yet
      for (const r of g.rules)
        expect({ rule: r.name, health: r.health, error: r.lastError ?? '' }).toEqual({
          rule: r.name,
          health: 'ok',
          error: '',
        });
    }
    const budget = groups.find((g) => g.name === 'ailedger-budget')!;
    for (const name of ['AiLedgerTeamOverBudget', 'AiLedgerTeamProjectedOverBudget']) {
      const alert = budget.rules.find((r) => r.name === name)!;
      expect(alert.alerts?.map((a) => [a.labels.team, a.state])).toEqual([['research', 'pending']]);
    }
  });
});
