#!/usr/bin/env node
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here are Grafana variables, not JavaScript.
/**
 * Writes the Grafana dashboards in dashboards/grafana/ (the JSON is what you import or provision; this file is
 * how it is kept consistent: every panel on the datasource variable, every query filtered by the same variables,
 * units everywhere).
 *
 *   node dashboards/generate.mjs           # rewrite dashboards/grafana/*.json
 *   node dashboards/generate.mjs --check   # exit 1 if a JSON file differs from what this file generates
 *
 * Spend, tokens and call counts come from the exact 15-second rollups of ailedger-rollups.rules.yml
 * (sum_over_time of a rollup is the amount in that range, to the cent); latencies from the collector's histograms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'grafana');
const GRAFANA_VERSION = '10.4.0';
const SCHEMA_VERSION = 39;

const PROM = { type: 'prometheus', uid: '${datasource}' };
const TEMPO = { type: 'tempo', uid: '${tempo}' };

/** Label filter shared by every spend and call query. */
const F =
  'team=~"$team", use_case=~"$use_case", provider=~"$provider", model=~"$model", service=~"$service", environment=~"$environment"';

const COST = (extra = '') => `ailedger:cost_usd:delta15s{${F}${extra}}`;
const TOKENS = (extra = '') => `ailedger:tokens:delta15s{${F}${extra}}`;
const CALLS = (extra = '') => `ailedger:requests:delta15s{${F}${extra}}`;
const UNPRICED = (extra = '') => `ailedger:unpriced_requests:delta15s{${F}${extra}}`;
/** The amount of a rollup in a range, optionally by some labels. */
const total = (series, range, by) => `sum${by ? ` by (${by})` : ''} (sum_over_time(${series}[${range}]))`;
/** This calendar month (UTC) of a rollup. */
const monthToDate = (series, by) =>
  `sum${by ? ` by (${by})` : ''} (sum_over_time(${series}[31d]) and on (month) count_values("month", month()))`;
const quantile = (q, metric, by = '', range = '$__rate_interval', extra = '') =>
  `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket{${F}${extra}}[${range}])))`;

const TOKENS_UNIT = 'suffix: tokens';

// --- Variables ---------------------------------------------------------------------------------------------

function datasourceVariable(name, label, pluginId, input) {
  return {
    name,
    label,
    type: 'datasource',
    query: pluginId,
    current: { selected: false, text: `\${${input}}`, value: `\${${input}}` },
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
}

const LABEL_VARIABLES = [
  ['team', 'Team'],
  ['use_case', 'Use case'],
  ['provider', 'Provider'],
  ['model', 'Model'],
  ['service', 'Service'],
  ['environment', 'Environment'],
];

function labelVariable(name, label, before) {
  const selector = before.length > 0 ? `{${before.map((b) => `${b}=~"$${b}"`).join(', ')}}` : '';
  const definition = `label_values(ailedger_requests_total${selector}, ${name})`;
  return {
    name,
    label,
    type: 'query',
    datasource: PROM,
    definition,
    query: { query: definition, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    description:
      name === 'environment'
        ? 'Only when the collector adds the environment label (metrics.labels); otherwise All matches every series.'
        : undefined,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    hide: 0,
    includeAll: true,
    allValue: '.*',
    multi: true,
    options: [],
    refresh: 2,
    regex: '',
    skipUrlSync: false,
    sort: 1,
  };
}

function labelVariables() {
  return LABEL_VARIABLES.map(([name, label], i) =>
    labelVariable(
      name,
      label,
      LABEL_VARIABLES.slice(0, i).map(([n]) => n),
    ),
  );
}

function textVariable(name, label, value, description) {
  return {
    name,
    label,
    type: 'textbox',
    description,
    query: value,
    current: { selected: false, text: value, value },
    hide: 0,
    options: [{ selected: true, text: value, value }],
    skipUrlSync: false,
  };
}

// --- Panels ------------------------------------------------------------------------------------------------

/** A PromQL target. `instant` for stats and tables over the whole range (as Grafana does it). */
function prom(expr, legendFormat, { instant = false, format } = {}) {
  return {
    datasource: PROM,
    editorMode: 'code',
    expr,
    legendFormat: legendFormat ?? '__auto',
    range: !instant,
    instant,
    ...(format ? { format } : {}),
  };
}

function thresholds(steps) {
  return {
    mode: 'absolute',
    steps: steps ?? [{ color: 'green', value: null }],
  };
}

function fieldDefaults(unit, decimals, extra = {}) {
  return { unit, ...(decimals === undefined ? {} : { decimals }), thresholds: thresholds(), ...extra };
}

function stat(title, description, unit, targets, { decimals, steps, w = 4, h = 4 } = {}) {
  return {
    type: 'stat',
    title,
    description,
    w,
    h,
    targets,
    fieldConfig: {
      defaults: {
        ...fieldDefaults(unit, decimals),
        thresholds: thresholds(steps),
        color: { mode: 'thresholds' },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: steps ? 'background' : 'value',
      graphMode: 'none',
      textMode: 'auto',
      justifyMode: 'auto',
      orientation: 'auto',
    },
  };
}

function timeseries(
  title,
  description,
  unit,
  targets,
  { decimals, bars = false, stack = false, w = 12, h = 8 } = {},
) {
  return {
    type: 'timeseries',
    title,
    description,
    w,
    h,
    interval: '15s',
    targets,
    fieldConfig: {
      defaults: {
        ...fieldDefaults(unit, decimals),
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: bars ? 'bars' : 'line',
          fillOpacity: bars ? 80 : 10,
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
        },
      },
      overrides: [],
    },
    options: {
      legend: {
        displayMode: 'table',
        placement: 'right',
        calcs: bars ? ['sum'] : ['mean', 'max'],
        showLegend: true,
      },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function bargauge(title, description, unit, targets, { decimals, steps, min, max, w = 12, h = 8 } = {}) {
  return {
    type: 'bargauge',
    title,
    description,
    w,
    h,
    targets,
    fieldConfig: {
      defaults: {
        ...fieldDefaults(unit, decimals),
        thresholds: thresholds(steps),
        color: { mode: steps ? 'thresholds' : 'continuous-BlPu' },
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      displayMode: 'gradient',
      orientation: 'horizontal',
      showUnfilled: true,
      valueMode: 'color',
      namePlacement: 'auto',
      sizing: 'auto',
    },
  };
}

/** A table of instant PromQL results; `units` sets the unit of each value column (Value #A, Value #B ...). */
function table(title, description, targets, { units, links, w = 12, h = 8, sortBy } = {}) {
  const overrides = [];
  for (const [column, unit, decimals] of units ?? []) {
    overrides.push({
      matcher: { id: 'byName', options: column },
      properties: [
        { id: 'unit', value: unit },
        ...(decimals === undefined ? [] : [{ id: 'decimals', value: decimals }]),
      ],
    });
  }
  for (const [column, columnLinks] of links ?? []) {
    overrides.push({
      matcher: { id: 'byName', options: column },
      properties: [{ id: 'links', value: columnLinks }],
    });
  }
  return {
    type: 'table',
    title,
    description,
    w,
    h,
    targets,
    transformations: [
      ...(targets.length > 1 ? [{ id: 'merge', options: {} }] : []),
      { id: 'organize', options: { excludeByName: { Time: true }, indexByName: {}, renameByName: {} } },
    ],
    fieldConfig: {
      defaults: {
        // Label columns; value columns get their units from the overrides below.
        unit: units?.[0]?.[1] ?? 'none',
        thresholds: thresholds(),
        custom: { align: 'auto', cellOptions: { type: 'auto' }, filterable: true },
      },
      overrides,
    },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false }, ...(sortBy ? { sortBy } : {}) },
  };
}

/** A Tempo TraceQL search shown as a table of spans; each trace id opens the trace. */
function traceTable(title, description, query, { w = 24, h = 10 } = {}) {
  return {
    type: 'table',
    title,
    description,
    w,
    h,
    datasource: TEMPO,
    targets: [
      {
        datasource: TEMPO,
        queryType: 'traceql',
        query,
        limit: 50,
        spss: 3,
        tableType: 'spans',
      },
    ],
    fieldConfig: {
      defaults: {
        unit: 'none',
        thresholds: thresholds(),
        custom: { align: 'auto', cellOptions: { type: 'auto' }, filterable: true },
      },
      overrides: [
        {
          matcher: { id: 'byName', options: 'span.ailedger.cost.usd' },
          properties: [
            { id: 'unit', value: 'currencyUSD' },
            { id: 'decimals', value: 4 },
          ],
        },
        { matcher: { id: 'byName', options: 'Duration' }, properties: [{ id: 'unit', value: 'ms' }] },
      ],
    },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false } },
  };
}

function row(title) {
  return { type: 'row', title, w: 24, h: 1, collapsed: false, panels: [] };
}

/** Lays panels out left to right, wrapping at 24 columns, and gives ids, refIds and the datasource. */
function layout(items) {
  const panels = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let id = 1;
  for (const item of items) {
    if (x + item.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const { w, h, ...rest } = item;
    const panel = { id: id++, gridPos: { h, w, x, y }, ...rest };
    if (panel.type !== 'row') {
      panel.datasource = panel.datasource ?? PROM;
      panel.targets = panel.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t }));
      if (panel.description === undefined) delete panel.description;
    }
    panels.push(panel);
    x += w;
    rowHeight = Math.max(rowHeight, h);
    if (item.type === 'row') {
      x = 0;
      y += h;
      rowHeight = 0;
    }
  }
  return panels;
}

function dashboard({
  uid,
  title,
  description,
  inputs,
  variables,
  panels,
  time,
  refresh,
  timezone,
  requires,
}) {
  const panelTypes = [...new Set(panels.filter((p) => p.type !== 'row').map((p) => p.type))].sort();
  return {
    __inputs: inputs.map(([name, label, pluginId, pluginName]) => ({
      name,
      label,
      description: '',
      type: 'datasource',
      pluginId,
      pluginName,
    })),
    __elements: {},
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: GRAFANA_VERSION },
      ...requires.map(([id, name]) => ({ type: 'datasource', id, name, version: '1.0.0' })),
      ...panelTypes.map((id) => ({ type: 'panel', id, name: id, version: '' })),
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [
      {
        asDropdown: false,
        icon: 'external link',
        includeVars: true,
        keepTime: true,
        tags: ['ailedger'],
        targetBlank: false,
        title: 'ailedger',
        type: 'dashboards',
      },
    ],
    panels: layout(panels),
    refresh,
    schemaVersion: SCHEMA_VERSION,
    tags: ['ailedger', 'genai', 'opentelemetry'],
    templating: { list: variables },
    time,
    timepicker: {},
    timezone,
    title,
    uid,
    version: 1,
    weekStart: '',
  };
}

// --- AI spend ----------------------------------------------------------------------------------------------

const BUDGET_STEPS = [
  { color: 'green', value: null },
  { color: 'orange', value: 0.8 },
  { color: 'red', value: 1 },
];

function spendDashboard() {
  const pricedCalls = (range, by) =>
    `(${total(CALLS(), range, by)} - (${total(UNPRICED(), range, by)} or ${total(CALLS(), range, by)} * 0))`;
  const panels = [
    row('Spend'),
    stat(
      'Spend in range',
      'USD spent on model calls in the selected time range (priced calls, each counted once).',
      'currencyUSD',
      [prom(total(COST(), '$__range'), 'spend', { instant: true })],
      { decimals: 2 },
    ),
    stat(
      'Month-to-date spend',
      'USD spent since 00:00 UTC on the 1st of this month, whatever the time range.',
      'currencyUSD',
      [prom(monthToDate(COST()), 'month to date', { instant: true })],
      { decimals: 2 },
    ),
    stat(
      'Projected month spend',
      'Month to date plus the trailing 24-hour burn rate for the rest of the month (team:ailedger_cost_usd:projected_month). Follows the team filter only.',
      'currencyUSD',
      [prom('sum(team:ailedger_cost_usd:projected_month{team=~"$team"})', 'projected', { instant: true })],
      { decimals: 2 },
    ),
    stat(
      'Model calls in range',
      'Calls counted by the collector (ok and failed).',
      'short',
      [prom(total(CALLS(), '$__range'), 'calls', { instant: true })],
      { decimals: 0 },
    ),
    stat(
      'Cost per priced call',
      'Spend divided by the calls that could be priced, in the selected range.',
      'currencyUSD',
      [
        prom(`${total(COST(), '$__range')} / (${pricedCalls('$__range')} > 0)`, 'per call', {
          instant: true,
        }),
      ],
      { decimals: 5 },
    ),
    stat(
      'Unpriced calls',
      'Share of calls whose model or usage could not be priced (unknown_model, invalid_usage): their cost is missing from every spend number here. Calls without any usage (no_usage, mostly failed calls) are listed in the table below.',
      'percentunit',
      [
        prom(
          `(${total(UNPRICED(', status=~"unknown_model|invalid_usage"'), '$__range')} or vector(0)) / (${total(CALLS(), '$__range')} > 0)`,
          'unpriced',
          { instant: true },
        ),
      ],
      {
        decimals: 1,
        steps: [
          { color: 'green', value: null },
          { color: 'orange', value: 0.001 },
          { color: 'red', value: 0.05 },
        ],
      },
    ),
    timeseries(
      'Spend by team',
      'USD per interval, by the team each call is billed to.',
      'currencyUSD',
      [prom(total(COST(), '$__interval', 'team'), '{{team}}')],
      { bars: true, stack: true },
    ),
    timeseries(
      'Spend by use case',
      'USD per interval, by use case (ailedger.use_case).',
      'currencyUSD',
      [prom(total(COST(), '$__interval', 'use_case'), '{{use_case}}')],
      { bars: true, stack: true },
    ),
    timeseries(
      'Spend by model',
      'USD per interval, by the model that answered.',
      'currencyUSD',
      [prom(total(COST(), '$__interval', 'model'), '{{model}}')],
      { bars: true, stack: true },
    ),
    timeseries(
      'Spend by provider',
      'USD per interval, by provider (gen_ai.provider.name).',
      'currencyUSD',
      [prom(total(COST(), '$__interval', 'provider'), '{{provider}}')],
      { bars: true, stack: true },
    ),
    bargauge(
      'Spend by team in range',
      'USD per team over the selected range.',
      'currencyUSD',
      [prom(`sort_desc(${total(COST(), '$__range', 'team')})`, '{{team}}', { instant: true })],
      { decimals: 2 },
    ),
    table(
      'Top team × model pairs',
      'The ten team and model pairs that spent most in the selected range.',
      [
        prom(`topk(10, ${total(COST(), '$__range', 'team, provider, model')})`, '', {
          instant: true,
          format: 'table',
        }),
      ],
      { units: [['Value', 'currencyUSD', 2]], sortBy: [{ displayName: 'Value', desc: true }] },
    ),
    row('Unit cost and caching'),
    timeseries(
      'Cost per priced call by model',
      'Average USD of a priced call, per interval.',
      'currencyUSD',
      [
        prom(
          `${total(COST(), '$__interval', 'model')} / (${pricedCalls('$__interval', 'model')} > 0)`,
          '{{model}}',
        ),
      ],
      { decimals: 5 },
    ),
    timeseries(
      'Input tokens served from cache',
      'Cache-read tokens as a share of all input tokens (uncached + cache read + cache write), by model. Cache reads are billed at a fraction of the input price.',
      'percentunit',
      [
        prom(
          `${total(TOKENS(', type="cache_read"'), '$__interval', 'model')} / (${total(TOKENS(', type=~"input|cache_read|cache_write"'), '$__interval', 'model')} > 0)`,
          '{{model}}',
        ),
      ],
      { decimals: 1 },
    ),
    table(
      'Cached input tokens by model',
      'Tokens read from the provider cache instead of billed as input, in the selected range. The USD saved is not derived here: the collector exports no cache-savings metric (see dashboards/README.md).',
      [
        prom(total(TOKENS(', type="cache_read"'), '$__range', 'provider, model'), '', {
          instant: true,
          format: 'table',
        }),
        prom(
          `${total(TOKENS(', type="cache_read"'), '$__range', 'provider, model')}
/ (${total(TOKENS(', type=~"input|cache_read|cache_write"'), '$__range', 'provider, model')} > 0)`,
          '',
          {
            instant: true,
            format: 'table',
          },
        ),
      ],
      {
        units: [
          ['Value #A', TOKENS_UNIT, 0],
          ['Value #B', 'percentunit', 1],
        ],
      },
    ),
    table(
      'Unpriced calls by model',
      'Calls that could not be priced in the selected range, by pricing status. unknown_model: add the model to the pricing overrides. no_usage: no token counts at all, mostly failed calls (which providers do not bill).',
      [
        prom(`${total(UNPRICED(), '$__range', 'provider, model, status')} > 0`, '', {
          instant: true,
          format: 'table',
        }),
      ],
      { units: [['Value', 'short', 0]] },
    ),
    row('Budgets'),
    bargauge(
      'Month-to-date spend against budget',
      'Share of each team’s monthly budget spent since the 1st (UTC). Budgets are the ailedger_team_budget_usd series generated from budgets.yaml; teams without a budget are not shown.',
      'percentunit',
      [
        prom('sort_desc(team:ailedger_cost_usd:budget_used_ratio{team=~"$team"})', '{{team}}', {
          instant: true,
        }),
      ],
      { decimals: 1, steps: BUDGET_STEPS, min: 0, max: 1.2 },
    ),
    table(
      'Budgets',
      'Per team: monthly budget, spend this month (UTC) and the projection for the whole month.',
      [
        prom('ailedger_team_budget_usd{team=~"$team"}', '', { instant: true, format: 'table' }),
        prom('team:ailedger_cost_usd:month_to_date{team=~"$team"}', '', { instant: true, format: 'table' }),
        prom('team:ailedger_cost_usd:projected_month{team=~"$team"}', '', { instant: true, format: 'table' }),
      ],
      {
        units: [
          ['Value #A', 'currencyUSD', 2],
          ['Value #B', 'currencyUSD', 2],
          ['Value #C', 'currencyUSD', 2],
        ],
      },
    ),
  ];
  return dashboard({
    uid: 'ailedger-spend',
    title: 'AI spend',
    description:
      'What did we spend on AI, by team, use case, model and provider: ailedger collector metrics, summed from the exact 15 s rollups.',
    inputs: [['DS_PROMETHEUS', 'Prometheus', 'prometheus', 'Prometheus']],
    requires: [['prometheus', 'Prometheus']],
    variables: [
      datasourceVariable('datasource', 'Prometheus', 'prometheus', 'DS_PROMETHEUS'),
      ...labelVariables(),
    ],
    panels,
    time: { from: 'now-7d', to: 'now' },
    refresh: '5m',
    timezone: 'utc',
  });
}

// --- AI operations -----------------------------------------------------------------------------------------

function operationsDashboard() {
  const perSecond = (expr) => `${expr} / ($__interval_ms / 1000)`;
  const errorRatio = (by) =>
    `(${total(CALLS(', status="error"'), '$__interval', by)} or ${total(CALLS(), '$__interval', by)} * 0)
/ (${total(CALLS(), '$__interval', by)} > 0)`;
  const panels = [
    row('Calls'),
    stat(
      'Calls per second',
      'Average over the selected range.',
      'reqps',
      [prom(`${total(CALLS(), '$__range')} / $__range_s`, 'calls/s', { instant: true })],
      { decimals: 2, w: 6 },
    ),
    stat(
      'Error rate',
      'Failed calls (HTTP errors, network errors, cut streams) over all calls in the selected range.',
      'percentunit',
      [
        prom(
          `(${total(CALLS(', status="error"'), '$__range')} or vector(0)) / (${total(CALLS(), '$__range')} > 0)`,
          'errors',
          { instant: true },
        ),
      ],
      {
        decimals: 2,
        w: 6,
        steps: [
          { color: 'green', value: null },
          { color: 'orange', value: 0.01 },
          { color: 'red', value: 0.05 },
        ],
      },
    ),
    stat(
      'p95 latency',
      'Request to end of response (end of stream for streams), successful calls, over the selected range.',
      's',
      [
        prom(
          `histogram_quantile(0.95, sum by (le) (increase(ailedger_request_duration_seconds_bucket{${F}, status="ok"}[$__range])))`,
          'p95',
          { instant: true },
        ),
      ],
      { decimals: 2, w: 6 },
    ),
    stat(
      'Streamed calls',
      'Share of calls that streamed their response (they have a time to first token).',
      'percentunit',
      [
        prom(
          `sum(increase(ailedger_time_to_first_token_seconds_count{${F}}[$__range])) / (sum(increase(ailedger_requests_total{${F}}[$__range])) > 0)`,
          'streamed',
          { instant: true },
        ),
      ],
      { decimals: 1, w: 6 },
    ),
    timeseries(
      'Calls per second by provider',
      'Model calls per second, by provider.',
      'reqps',
      [prom(perSecond(total(CALLS(), '$__interval', 'provider')), '{{provider}}')],
      { stack: true },
    ),
    timeseries(
      'Calls per second by status',
      'ok or error; error.type is on the spans (see the drill-down dashboard).',
      'reqps',
      [prom(perSecond(total(CALLS(), '$__interval', 'status')), '{{status}}')],
      { stack: true },
    ),
    timeseries('Error rate by provider', 'Failed calls over all calls, per interval.', 'percentunit', [
      prom(errorRatio('provider'), '{{provider}}'),
    ]),
    timeseries('Error rate by model', 'Failed calls over all calls, per interval.', 'percentunit', [
      prom(errorRatio('provider, model'), '{{provider}} {{model}}'),
    ]),
    row('Latency'),
    timeseries(
      'Latency p50 / p95 / p99',
      'Request to end of response (end of stream for streams), successful calls.',
      's',
      [
        prom(
          quantile(0.5, 'ailedger_request_duration_seconds', '', '$__rate_interval', ', status="ok"'),
          'p50',
        ),
        prom(
          quantile(0.95, 'ailedger_request_duration_seconds', '', '$__rate_interval', ', status="ok"'),
          'p95',
        ),
        prom(
          quantile(0.99, 'ailedger_request_duration_seconds', '', '$__rate_interval', ', status="ok"'),
          'p99',
        ),
      ],
    ),
    timeseries('p95 latency by model', 'Successful calls.', 's', [
      prom(
        quantile(0.95, 'ailedger_request_duration_seconds', 'model', '$__rate_interval', ', status="ok"'),
        '{{model}}',
      ),
    ]),
    timeseries('Time to first token p50 / p95 / p99', 'Streamed calls: request to first chunk.', 's', [
      prom(quantile(0.5, 'ailedger_time_to_first_token_seconds'), 'p50'),
      prom(quantile(0.95, 'ailedger_time_to_first_token_seconds'), 'p95'),
      prom(quantile(0.99, 'ailedger_time_to_first_token_seconds'), 'p99'),
    ]),
    timeseries('Time to first token p95 by model', 'Streamed calls.', 's', [
      prom(quantile(0.95, 'ailedger_time_to_first_token_seconds', 'model'), '{{model}}'),
    ]),
    row('Tokens'),
    timeseries(
      'Tokens per second by type',
      'Throughput: input (uncached), cache_read, cache_write and output tokens per second.',
      'suffix: tokens/s',
      [prom(perSecond(total(TOKENS(), '$__interval', 'type')), '{{type}}')],
      { stack: true },
    ),
    timeseries(
      'Output tokens per second of call time, by model',
      'Generation speed: output tokens over the time successful calls took (including the time to first token).',
      'suffix: tokens/s',
      [
        prom(
          `sum by (model) (rate(ailedger_tokens_total{${F}, type="output"}[$__rate_interval]))
/ (sum by (model) (rate(ailedger_request_duration_seconds_sum{${F}, status="ok"}[$__rate_interval])) > 0)`,
          '{{model}}',
        ),
      ],
    ),
    timeseries('Streamed share by model', 'Share of calls that streamed their response.', 'percentunit', [
      prom(
        `sum by (model) (rate(ailedger_time_to_first_token_seconds_count{${F}}[$__rate_interval]))
/ (sum by (model) (rate(ailedger_requests_total{${F}}[$__rate_interval])) > 0)`,
        '{{model}}',
      ),
    ]),
    timeseries(
      'Tokens per call by model',
      'Average tokens (all types) per call, per interval.',
      TOKENS_UNIT,
      [
        prom(
          `${total(TOKENS(), '$__interval', 'model')} / (${total(CALLS(), '$__interval', 'model')} > 0)`,
          '{{model}}',
        ),
      ],
    ),
    row('Collector'),
    timeseries(
      'Spans accepted, refused and dropped',
      'Per second, all collectors. Refused: answered 503/429 (the sender retries). Dropped: given up on, lost for that backend.',
      'cps',
      [
        prom(
          'sum by (signal) (rate(ailedger_collector_receiver_accepted_items_total[$__rate_interval]))',
          'accepted {{signal}}',
        ),
        prom(
          'sum by (reason) (rate(ailedger_collector_receiver_refused_items_total[$__rate_interval])) or vector(0)',
          'refused {{reason}}',
        ),
        prom(
          'sum by (exporter, reason) (rate(ailedger_collector_exporter_dropped_items_total[$__rate_interval])) or vector(0)',
          'dropped {{exporter}} {{reason}}',
        ),
      ],
    ),
    timeseries(
      'Exporter queue fill',
      'Queued spans over queue capacity, per collector and exporter. At 100% the collector refuses new data.',
      'percentunit',
      [
        prom(
          'max by (instance, exporter) (ailedger_collector_exporter_queue_size / ailedger_collector_exporter_queue_capacity)',
          '{{instance}} {{exporter}}',
        ),
      ],
    ),
    timeseries('Export request p95', 'Time of one export request to a backend.', 's', [
      prom(
        'histogram_quantile(0.95, sum by (le, exporter) (rate(ailedger_collector_exporter_request_duration_seconds_bucket[$__rate_interval])))',
        '{{exporter}}',
      ),
    ]),
    timeseries('Collector memory', 'Resident memory per collector.', 'bytes', [
      prom('ailedger_collector_process_resident_memory_bytes', '{{instance}}'),
    ]),
  ];
  return dashboard({
    uid: 'ailedger-operations',
    title: 'AI operations',
    description:
      'Model calls, errors, latency, time to first token and tokens, from the ailedger collector, plus the collector’s own health.',
    inputs: [['DS_PROMETHEUS', 'Prometheus', 'prometheus', 'Prometheus']],
    requires: [['prometheus', 'Prometheus']],
    variables: [
      datasourceVariable('datasource', 'Prometheus', 'prometheus', 'DS_PROMETHEUS'),
      ...labelVariables(),
    ],
    panels,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: '',
  });
}

// --- Drill-down --------------------------------------------------------------------------------------------

/** TraceQL conditions for the dashboard's label variables (span attributes the metrics' labels come from). */
const TRACEQL_FILTER = [
  'span.ailedger.team =~ "${team:regex}"',
  'span.ailedger.use_case =~ "${use_case:regex}"',
  'span.gen_ai.provider.name =~ "${provider:regex}"',
  '(span.gen_ai.response.model =~ "${model:regex}" || span.gen_ai.request.model =~ "${model:regex}")',
  'resource.service.name =~ "${service:regex}"',
].join(' && ');

const JAEGER_LINK =
  '${jaeger_url}/search?service=${__data.fields.service:percentencode}&limit=100' +
  '&lookback=custom&start=${__from}000&end=${__to}000' +
  '&tags=%7B%22ailedger.team%22%3A%22${__data.fields.team:percentencode}%22%2C%22ailedger.billable%22%3A%22true%22%7D';

function tempoExploreLink() {
  const query =
    '{ span.ailedger.team = "${__data.fields.team:percentencode}" && resource.service.name = "${__data.fields.service:percentencode}" && span.ailedger.cost.usd > 0 }';
  const panes = {
    a: {
      datasource: '${tempo}',
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: '${tempo}' },
          queryType: 'traceql',
          query,
          limit: 50,
        },
      ],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  // URL-encode the JSON but keep Grafana's ${...} variables intact, so Grafana can interpolate them.
  const encoded = encodeURIComponent(JSON.stringify(panes)).replace(
    /%24%7B(.*?)%7D/g,
    (_, name) => `\${${decodeURIComponent(name)}}`,
  );
  return `/explore?schemaVersion=1&orgId=\${__org}&panes=${encoded}`;
}

function drilldownDashboard() {
  const panels = [
    row('From spend to calls'),
    table(
      'Spend by team, use case, model and service',
      'USD in the selected range. Each row links to its calls: in Jaeger (search by service and team) and in Tempo (Explore).',
      [
        prom(`sort_desc(${total(COST(), '$__range', 'team, use_case, provider, model, service')} > 0)`, '', {
          instant: true,
          format: 'table',
        }),
      ],
      {
        w: 24,
        h: 9,
        units: [['Value', 'currencyUSD', 4]],
        links: [
          [
            'Value',
            [
              { title: 'Calls in Jaeger', url: JAEGER_LINK, targetBlank: true },
              { title: 'Calls in Tempo', url: tempoExploreLink(), targetBlank: false },
            ],
          ],
        ],
        sortBy: [{ displayName: 'Value', desc: true }],
      },
    ),
    row('Calls (Tempo)'),
    traceTable(
      'Recent calls costing at least ${min_cost} USD',
      'Spans with ailedger.cost.usd at or above the threshold, newest traces first (Tempo returns recent matches, not a ranking: sort the cost column). Click a trace id to open the trace.',
      `{ span.ailedger.cost.usd >= \${min_cost} && ${TRACEQL_FILTER} } | select(span.ailedger.cost.usd, span.ailedger.team, span.ailedger.use_case, span.gen_ai.provider.name, span.gen_ai.response.model, span.gen_ai.usage.input_tokens, span.gen_ai.usage.output_tokens)`,
    ),
    traceTable(
      'Recent failed calls by error.type',
      'Model calls that failed, with error.type (the metrics only say ok or error).',
      `{ status = error && span.gen_ai.provider.name != nil && ${TRACEQL_FILTER} } | select(span.error.type, span.gen_ai.provider.name, span.gen_ai.request.model, span.ailedger.team, span.ailedger.use_case)`,
    ),
  ];
  return dashboard({
    uid: 'ailedger-drilldown',
    title: 'AI spend drill-down',
    description:
      'From spend to the calls behind it: a Prometheus breakdown that links to Jaeger and Tempo, and Tempo searches for expensive and failed calls.',
    inputs: [
      ['DS_PROMETHEUS', 'Prometheus', 'prometheus', 'Prometheus'],
      ['DS_TEMPO', 'Tempo', 'tempo', 'Tempo'],
    ],
    requires: [
      ['prometheus', 'Prometheus'],
      ['tempo', 'Tempo'],
    ],
    variables: [
      datasourceVariable('datasource', 'Prometheus', 'prometheus', 'DS_PROMETHEUS'),
      datasourceVariable('tempo', 'Tempo', 'tempo', 'DS_TEMPO'),
      ...labelVariables(),
      textVariable('min_cost', 'Min cost (USD)', '0.01', 'Calls at or above this cost are listed.'),
      textVariable(
        'jaeger_url',
        'Jaeger UI',
        'http://localhost:16686',
        'Base URL of the Jaeger UI for the links.',
      ),
    ],
    panels,
    time: { from: 'now-24h', to: 'now' },
    refresh: '',
    timezone: '',
  });
}

export const DASHBOARDS = {
  'ailedger-spend.json': spendDashboard,
  'ailedger-operations.json': operationsDashboard,
  'ailedger-drilldown.json': drilldownDashboard,
};

/** The JSON text of each dashboard file. */
export function render() {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([file, build]) => [file, `${JSON.stringify(build(), null, 2)}\n`]),
  );
}

function main(argv) {
  const check = argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(render())) {
    const target = path.join(OUT, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      process.stderr.write(
        `${path.relative(process.cwd(), target)} is out of date: run node dashboards/generate.mjs\n`,
      );
      stale++;
    } else {
      fs.writeFileSync(target, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv);
}
