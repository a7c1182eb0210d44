/**
 * Turns the raw results of bench/run.mjs into BENCHMARKS.md. Every number in that file comes from here; do not
 * edit it by hand. `node bench/report.mjs` regenerates it from bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 1 << 20;

/** Budgets the verdicts are checked against (per call, ailedger minus baseline). */
export const BUDGETS = {
  cpuUsPerNonStreamedCall: 50,
  firstChunkDelayMs: 0.2,
  memoryExtraPeakMiB: 10,
  soakGrowthMiB: 10,
  soakHeapGrowthMiB: 2,
};

function median(values) {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

function spread(values) {
  const xs = values.filter(Number.isFinite);
  if (xs.length < 2) return Number.NaN;
  const m = median(xs);
  return m === 0 ? Number.NaN : (Math.max(...xs) - Math.min(...xs)) / Math.abs(m);
}

const get = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

// --- Formatting -------------------------------------------------------------------------------------------

function fmtMs(ms, signed = false) {
  if (!Number.isFinite(ms)) return 'n/a';
  const sign = signed && ms > 0 ? '+' : '';
  const abs = Math.abs(ms);
  if (abs < 0.01) return `${sign}${(ms * 1000).toFixed(2)} µs`;
  if (abs < 1) return `${sign}${(ms * 1000).toFixed(1)} µs`;
  if (abs < 100) return `${sign}${ms.toFixed(2)} ms`;
  return `${sign}${ms.toFixed(0)} ms`;
}

const fmtUs = (us, signed) => fmtMs(us / 1000, signed);

function fmtRate(perS, signed = false) {
  if (!Number.isFinite(perS)) return 'n/a';
  const sign = signed && perS > 0 ? '+' : '';
  return `${sign}${Math.round(perS).toLocaleString('en-US')}/s`;
}

function fmtMiB(bytes, signed = false) {
  if (!Number.isFinite(bytes)) return 'n/a';
  const sign = signed && bytes > 0 ? '+' : '';
  return `${sign}${(bytes / MiB).toFixed(1)} MiB`;
}

const fmtCount = (n, signed = false) =>
  Number.isFinite(n) ? `${signed && n > 0 ? '+' : ''}${Math.round(n).toLocaleString('en-US')}` : 'n/a';

function fmtX(ratio) {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

function fmtRatio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${(a / b).toFixed(2)}x`;
}

function fmtBytes(n) {
  if (!Number.isFinite(n)) return 'n/a';
  return n < 1024 ? `${Math.round(n)} B` : `${(n / 1024).toFixed(1)} KiB`;
}

function fmtCores(x) {
  return Number.isFinite(x) ? `${x.toFixed(2)} cores` : 'n/a';
}

function fmtPct(x) {
  return Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : 'n/a';
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// --- Metrics ----------------------------------------------------------------------------------------------

const LATENCY_METRICS = [
  { label: 'latency p50, concurrency 1', path: 'c1.latencyMs.p50', fmt: fmtMs },
  { label: 'latency p99, concurrency 1', path: 'c1.latencyMs.p99', fmt: fmtMs },
  { label: '**CPU per call, concurrency 1**', path: 'c1.cpuUsPerCall', fmt: fmtUs },
  { label: 'throughput, concurrency 1', path: 'c1.throughput', fmt: fmtRate },
  { label: 'latency p50, concurrency 64', path: 'cN.latencyMs.p50', fmt: fmtMs },
  { label: 'latency p99, concurrency 64', path: 'cN.latencyMs.p99', fmt: fmtMs },
  { label: 'CPU per call, concurrency 64', path: 'cN.cpuUsPerCall', fmt: fmtUs },
  { label: 'throughput, concurrency 64', path: 'cN.throughput', fmt: fmtRate },
];

const STREAM_METRICS = [
  { label: 'time to response headers p50 (c=1)', path: 'c1.stream.ttfbMs.p50', fmt: fmtMs },
  { label: '**first-chunk delay p50 (c=1)**', path: 'c1.stream.firstChunkDelayMs.p50', fmt: fmtMs },
  { label: 'first-chunk delay p99 (c=1)', path: 'c1.stream.firstChunkDelayMs.p99', fmt: fmtMs },
  { label: 'time to first chunk p50 (c=1)', path: 'c1.stream.ttfcMs.p50', fmt: fmtMs },
  { label: 'first-chunk delay p50 (c=64)', path: 'cN.stream.firstChunkDelayMs.p50', fmt: fmtMs },
  { label: 'reads (chunks) the app saw per call, p50', path: 'c1.stream.reads.p50', fmt: fmtCount },
];

const MEMORY_METRICS = [
  { label: 'RSS before the stream (after GC)', path: 'memory.before.rss', fmt: fmtMiB },
  { label: '**peak RSS while streaming**', path: 'memory.peak.rss', fmt: fmtMiB },
  { label: '**peak RSS minus before**', path: (r) => r.memory.peak.rss - r.memory.before.rss, fmt: fmtMiB },
  { label: 'peak heap used', path: 'memory.peak.heapUsed', fmt: fmtMiB },
  { label: 'peak external (incl. array buffers)', path: 'memory.peak.external', fmt: fmtMiB },
  { label: 'RSS after the stream, after GC', path: 'memory.after.rss', fmt: fmtMiB },
  { label: 'heap used after the stream, after GC', path: 'memory.after.heapUsed', fmt: fmtMiB },
  { label: 'bytes streamed', path: 'memory.bytes', fmt: fmtMiB },
  {
    label: 'stream throughput (MiB/s)',
    path: 'memory.mbPerS',
    fmt: (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a'),
  },
  { label: 'CPU for the whole stream', path: 'memory.cpuMs', fmt: fmtMs },
];

function value(run, path) {
  return typeof path === 'function' ? path(run) : get(run, path);
}

/**
 * Median over rounds of one metric for the baseline and `variant`, and the paired difference: the runs of a round
 * are close in time, so Δ and ratio are taken per round first (a slow spell of the machine hits both), then the
 * median over rounds. `noise` is the baseline's own round-to-round spread.
 */
function compare(runs, metric, variant = 'ailedger') {
  const b = (runs.baseline ?? []).map((r) => value(r, metric.path));
  const a = (runs[variant] ?? []).map((r) => value(r, metric.path));
  const n = Math.min(a.length, b.length);
  const deltas = [];
  const ratios = [];
  for (let i = 0; i < n; i++) {
    deltas.push(a[i] - b[i]);
    ratios.push(a[i] / b[i]);
  }
  return {
    baseline: median(b),
    ailedger: median(a),
    delta: median(deltas),
    ratio: median(ratios),
    deltas,
    noise: spread(b),
  };
}

function metricRows(runs, metrics) {
  const rows = [];
  for (const m of metrics) {
    const c = compare(runs, m);
    if (!Number.isFinite(c.baseline) && !Number.isFinite(c.ailedger)) continue;
    rows.push([
      m.label,
      m.fmt(c.baseline),
      m.fmt(c.ailedger),
      m.fmt(c.delta, true),
      fmtX(c.ratio),
      fmtPct(c.noise),
    ]);
  }
  return rows;
}

function spanCheck(runs, variant = 'ailedger') {
  const sum = (v, key) => (runs[v] ?? []).reduce((n, r) => n + (r[key] ?? 0), 0);
  return {
    modelCalls: sum(variant, 'modelCalls'),
    spans: sum(variant, 'spansReceived'),
    exportBytes: sum(variant, 'exportBytes'),
    baselineSpans: sum('baseline', 'spansReceived'),
    internalErrors: (runs[variant] ?? []).reduce((n, r) => n + (r.pipeline?.internalErrors ?? 0), 0),
  };
}

/** The instrumented variants present in a scenario's runs (every variant but the baseline), in run order. */
function instrumentedVariants(runs) {
  return Object.keys(runs).filter((v) => v !== 'baseline');
}

/** Whether `variant` exported a span for every model call it made in this scenario. */
function recordsEveryCall(runs, variant) {
  const s = spanCheck(runs, variant);
  return s.modelCalls > 0 && s.spans >= s.modelCalls;
}

// --- Verdicts ---------------------------------------------------------------------------------------------

/**
 * Growth of `key` over a soak: median of the second half of the samples minus median of the first half (the
 * sample taken right after warm-up left out). A leak grows it steadily; the allocator's one-off steps and dips,
 * which make "last minus first" jump by tens of MiB either way, barely move it.
 */
function growth(samples, key) {
  const pts = samples.slice(1).map((p) => p[key]);
  if (pts.length < 2) return Number.NaN;
  const half = Math.floor(pts.length / 2);
  return median(pts.slice(pts.length - half)) - median(pts.slice(0, half));
}

function verdict(scenario, runs) {
  if (scenario.kind === 'memory') {
    const rise = (r) => r.memory.peak.rss - r.memory.before.rss;
    const heapRise = (r) => r.memory.peak.heapUsed - r.memory.before.heapUsed;
    const b = median(runs.baseline.map(rise));
    const a = median(runs.ailedger.map(rise));
    const hb = median(runs.baseline.map(heapRise));
    const ha = median(runs.ailedger.map(heapRise));
    const ok = a - b <= BUDGETS.memoryExtraPeakMiB * MiB;
    return {
      ok,
      text:
        `${ok ? 'flat' : '**GROWS**'}: peak RSS rise ${fmtMiB(a)} vs ${fmtMiB(b)} baseline (${fmtMiB(a - b, true)}; budget ${BUDGETS.memoryExtraPeakMiB} MiB); ` +
        `peak heap rise ${fmtMiB(ha)} vs ${fmtMiB(hb)}`,
    };
  }
  if (scenario.kind === 'soak') {
    const a = median(runs.ailedger.map((r) => growth(r.soak.samples, 'rss')));
    const b = median(runs.baseline.map((r) => growth(r.soak.samples, 'rss')));
    const ha = median(runs.ailedger.map((r) => growth(r.soak.samples, 'heapUsed')));
    const hb = median(runs.baseline.map((r) => growth(r.soak.samples, 'heapUsed')));
    // Growth counts when it exceeds the budget on top of whatever the baseline grew (never less than zero).
    const heapOk = ha <= Math.max(hb, 0) + BUDGETS.soakHeapGrowthMiB * MiB;
    const rssOk = a <= Math.max(b, 0) + BUDGETS.soakGrowthMiB * MiB;
    const detail =
      `growth (median of the second half of the samples minus the first half) RSS ${fmtMiB(a, true)} vs ${fmtMiB(b, true)} baseline (budget ${BUDGETS.soakGrowthMiB} MiB), ` +
      `JS heap ${fmtMiB(ha, true)} vs ${fmtMiB(hb, true)} (budget ${BUDGETS.soakHeapGrowthMiB} MiB)`;
    if (heapOk && rssOk) return { ok: true, text: `no growth: ${detail}` };
    if (heapOk)
      return {
        ok: false,
        text: `**RSS GROWS while the JS heap stays flat** (native memory, not JS objects): ${detail}`,
      };
    return { ok: false, text: `**GROWS**: ${detail}` };
  }
  const cpu = compare(runs, { path: 'c1.cpuUsPerCall' });
  const dCpu = cpu.delta;
  const spans = spanCheck(runs);
  if (scenario.model === false) {
    // A cost counts as measured when every round shows it and it is more than 5 % of the call.
    const consistent = cpu.deltas.length > 0 && cpu.deltas.every((d) => d > 0);
    const ok = !(consistent && cpu.delta > 0.05 * cpu.baseline) && spans.spans === 0;
    const perRound = cpu.deltas.map((d) => fmtUs(d, true)).join(', ');
    return {
      ok,
      text: `${ok ? 'no consistent cost' : '**COSTS SOMETHING**'}: ${fmtUs(cpu.delta, true)} CPU per call (per round: ${perRound}), ${spans.spans} spans`,
    };
  }
  const spansOk = spans.spans === spans.modelCalls;
  const spanNote = spansOk ? '' : `; **${spans.spans} spans for ${spans.modelCalls} calls**`;
  if (scenario.streamed) {
    const fc = compare(runs, { path: 'c1.stream.firstChunkDelayMs.p50' });
    const dFc = fc.delta;
    const ok = dFc <= BUDGETS.firstChunkDelayMs && spansOk;
    return {
      ok,
      text: `${ok ? 'within budget' : '**OVER BUDGET**'}: first chunk ${fmtMs(dFc, true)} (budget ${BUDGETS.firstChunkDelayMs} ms), CPU ${fmtUs(dCpu, true)} per call${spanNote}`,
    };
  }
  const ok = dCpu <= BUDGETS.cpuUsPerNonStreamedCall && spansOk;
  return {
    ok,
    text: `${ok ? 'within budget' : '**OVER BUDGET**'}: ${fmtUs(dCpu, true)} CPU per call (budget ${BUDGETS.cpuUsPerNonStreamedCall} µs)${spanNote}`,
  };
}

// --- Sections ---------------------------------------------------------------------------------------------

function foreignLine(runs) {
  const values = Object.values(runs)
    .flat()
    .map((r) => r.foreignCores)
    .filter(Number.isFinite);
  if (values.length === 0) return '';
  return `Load from other processes during these runs: median ${fmtCores(median(values))}, max ${fmtCores(Math.max(...values))}.`;
}

/**
 * One row per variant (the baseline first): what each instrumentation costs in this scenario, each paired with
 * the baseline run of the same round. Empty when only the baseline and ailedger ran.
 */
function variantTable(scenario, runs) {
  const variants = Object.keys(runs);
  if (variants.length <= 2) return '';
  const header = [
    'variant',
    'spans / model calls',
    'bytes exported per span',
    'CPU per call (c=1)',
    'Δ',
    'ratio',
    'latency p50 (c=1)',
    'Δ',
    'latency p99 (c=1)',
    'Δ',
    'throughput (c=64)',
    'ratio',
  ];
  if (scenario.streamed) header.push('first-chunk delay p50 (c=1)', 'Δ');
  const rows = variants.map((v) => {
    const base = v === 'baseline';
    const s = spanCheck(runs, v);
    const c = (path) => compare(runs, { path }, v);
    const cpu = c('c1.cpuUsPerCall');
    const p50 = c('c1.latencyMs.p50');
    const p99 = c('c1.latencyMs.p99');
    const tput = c('cN.throughput');
    const spans =
      scenario.model === false ? fmtCount(s.spans) : `${fmtCount(s.spans)} / ${fmtCount(s.modelCalls)}`;
    const row = [
      base ? 'baseline' : `\`${v}\``,
      spans,
      s.spans > 0 ? fmtBytes(s.exportBytes / s.spans) : '—',
      fmtUs(cpu.ailedger),
      base ? '' : fmtUs(cpu.delta, true),
      fmtX(cpu.ratio),
      fmtMs(p50.ailedger),
      base ? '' : fmtMs(p50.delta, true),
      fmtMs(p99.ailedger),
      base ? '' : fmtMs(p99.delta, true),
      fmtRate(tput.ailedger),
      fmtX(tput.ratio),
    ];
    if (scenario.streamed) {
      const fc = c('c1.stream.firstChunkDelayMs.p50');
      row.push(fmtMs(fc.ailedger), base ? '' : fmtMs(fc.delta, true));
    }
    return row;
  });
  const silent = variants.filter((v) => v !== 'baseline' && spanCheck(runs, v).spans === 0);
  let note = '';
  if (scenario.model === false) note = 'Non-model traffic: no variant should export a span.';
  else if (!scenario.sdk && silent.length > 0)
    note = `${silent.map((v) => `\`${v}\``).join(', ')} patch${silent.length === 1 ? 'es' : ''} the openai SDK, which this scenario does not use: no span, so ${silent.length === 1 ? 'its row shows' : 'their rows show'} only what ${silent.length === 1 ? 'it costs' : 'they cost'} on model traffic ${silent.length === 1 ? 'it does' : 'they do'} not record.`;
  else if (silent.length > 0)
    note = `**${silent.map((v) => `\`${v}\``).join(', ')} recorded no span** in this scenario (left out of the ranking: skipping the work is not being cheaper).`;
  return [
    '',
    'By instrumentation (each variant paired with the baseline of the same round; medians over rounds):',
    '',
    table(header, rows),
    ...(note ? ['', note] : []),
  ].join('\n');
}

function latencySection(scenario, runs) {
  const rows = metricRows(runs, LATENCY_METRICS);
  if (scenario.streamed) rows.push(...metricRows(runs, STREAM_METRICS));
  const s = spanCheck(runs);
  const p = scenario.params;
  const out = [
    `#### ${scenario.title} (\`${scenario.id}\`)`,
    '',
    `Per round: ${p.c1Calls} calls one after another, then ${p.cNCalls} calls by ${p.concurrency} concurrent workers, after ${p.warmup} warm-up calls.`,
    '',
    table(['metric', 'baseline', 'ailedger', 'Δ', 'ratio', 'noise'], rows),
    variantTable(scenario, runs),
    '',
    scenario.model === false
      ? `Spans exported: ${s.spans} (expected 0).`
      : `Spans exported by the ailedger runs: ${s.spans.toLocaleString('en-US')} for ${s.modelCalls.toLocaleString('en-US')} model calls` +
        `${s.internalErrors ? `; ${s.internalErrors} contained internal errors` : ''}.`,
    '',
    foreignLine(runs),
    '',
    `Verdict: ${verdict(scenario, runs).text}.`,
  ];
  return out.join('\n');
}

function memorySection(scenario, runs) {
  return [
    `#### ${scenario.title} (\`${scenario.id}\`)`,
    '',
    `One ${fmtMiB(scenario.params.bytes)} SSE stream of chat.completion.chunk events per run (after a 1 MiB warm-up stream), read by the app as fast as it arrives; memory sampled every MiB read.`,
    '',
    table(['metric', 'baseline', 'ailedger', 'Δ', 'ratio', 'noise'], metricRows(runs, MEMORY_METRICS)),
    '',
    `Spans exported by the ailedger runs: ${spanCheck(runs).spans} for ${spanCheck(runs).modelCalls} model calls.`,
    '',
    `Verdict: ${verdict(scenario, runs).text}.`,
  ].join('\n');
}

function soakSection(scenario, runs) {
  const b = runs.baseline[0]?.soak;
  const a = runs.ailedger[0]?.soak;
  if (!a || !b) return `#### ${scenario.title}\n\nNo data.`;
  const rows = a.samples.map((sa, i) => {
    const sb = b.samples[i];
    return [
      fmtCount(sa.calls),
      fmtMiB(sb?.rss),
      fmtMiB(sa.rss),
      fmtMiB(sb?.heapUsed),
      fmtMiB(sa.heapUsed),
      fmtMiB(sb?.external),
      fmtMiB(sa.external),
    ];
  });
  const last = (s) => s.samples[s.samples.length - 1];
  const s = spanCheck(runs);
  return [
    `#### ${scenario.title} (\`${scenario.id}\`)`,
    '',
    `${fmtCount(a.calls)} non-streamed chat completions through fetch, ${a.concurrency} at a time, one run per variant. After every ${fmtCount(scenario.params.every)} calls: spans flushed, two full GCs (\`--expose-gc\`), then a memory sample. Row 0 is after ${fmtCount(scenario.params.warmup)} warm-up calls.`,
    '',
    table(
      [
        'calls',
        'RSS baseline',
        'RSS ailedger',
        'heap baseline',
        'heap ailedger',
        'external baseline',
        'external ailedger',
      ],
      rows,
    ),
    '',
    table(
      ['', 'baseline', 'ailedger', 'Δ', 'ratio'],
      [
        [
          'RSS, last minus first sample',
          fmtMiB(last(b).rss - b.samples[1].rss, true),
          fmtMiB(last(a).rss - a.samples[1].rss, true),
          '',
          '',
        ],
        [
          'heap used, last minus first sample',
          fmtMiB(last(b).heapUsed - b.samples[1].heapUsed, true),
          fmtMiB(last(a).heapUsed - a.samples[1].heapUsed, true),
          '',
          '',
        ],
        [
          'throughput',
          fmtRate(b.throughput),
          fmtRate(a.throughput),
          fmtRate(a.throughput - b.throughput, true),
          fmtRatio(a.throughput, b.throughput),
        ],
        [
          'CPU per call',
          fmtUs(b.cpuUsPerCall),
          fmtUs(a.cpuUsPerCall),
          fmtUs(a.cpuUsPerCall - b.cpuUsPerCall, true),
          fmtRatio(a.cpuUsPerCall, b.cpuUsPerCall),
        ],
      ],
    ),
    '',
    `Spans exported by the ailedger run: ${s.spans.toLocaleString('en-US')} for ${s.modelCalls.toLocaleString('en-US')} model calls.`,
    '',
    `Verdict: ${verdict(scenario, runs).text}.`,
  ].join('\n');
}

function summaryTable(scenarios, runs) {
  const rows = scenarios.map((s) => {
    const r = runs[s.id];
    if (s.kind !== 'latency') return [`\`${s.id}\``, s.title, '', '', '', '', verdict(s, r).text];
    const cpu = compare(r, { path: 'c1.cpuUsPerCall' });
    const lat = compare(r, { path: 'c1.latencyMs.p50' });
    const tput = compare(r, { path: 'cN.throughput' });
    return [
      `\`${s.id}\``,
      s.title,
      fmtUs(cpu.delta, true),
      fmtX(cpu.ratio),
      fmtX(lat.ratio),
      fmtX(tput.ratio),
      verdict(s, r).text,
    ];
  });
  return table(
    [
      'scenario',
      'workload',
      'Δ CPU/call (c=1)',
      'CPU ratio',
      'p50 latency ratio',
      'throughput ratio (c=64)',
      'verdict',
    ],
    rows,
  );
}

/** Total extra self time per call (ms over the profile's calls → µs per call) of a category diff. */
function extraPerCallUs(categories, calls) {
  return (categories.reduce((n, r) => n + r.deltaMs, 0) * 1000) / calls;
}

function profileSection(profiles) {
  const ids = Object.keys(profiles ?? {}).filter((id) => profiles[id].diff);
  if (ids.length === 0) return '';
  const perCall = (ms, calls) => fmtUs((ms * 1000) / calls);
  const signedPerCall = (ms, calls) => fmtUs((ms * 1000) / calls, true);
  const out = [
    '## Where the extra CPU goes (CPU profiles)',
    '',
    'One extra run per variant of each scenario below under `--cpu-prof` (sampling every 200 µs; not part of the',
    'tables above). Self time during the measured phases only (concurrency 1 then 64; no start-up, no warm-up), by',
    'where the code lives, divided by the calls made in those phases. Frames of our bundle are mapped back to',
    'instrumentation/src through the build’s source maps. Profiling slows every process, so compare the split,',
    'not the totals, with the tables above.',
    '',
  ];
  for (const id of ids) {
    const p = profiles[id];
    const calls = p.calls;
    const cats = p.diff.categories.filter((r) => Math.abs(r.deltaMs) >= 0.5 || r.ailedgerMs >= 0.5);
    const total = p.diff.categories.reduce((n, r) => n + r.deltaMs, 0);
    out.push(
      `### \`${id}\` (${calls.toLocaleString('en-US')} measured calls per process)`,
      '',
      `Extra self time in the ailedger process: ${signedPerCall(total, calls)} per call in total.`,
      '',
      table(
        ['where', 'baseline per call', 'ailedger per call', 'Δ per call'],
        cats.map((r) => [
          r.key,
          perCall(r.baselineMs, calls),
          perCall(r.ailedgerMs, calls),
          signedPerCall(r.deltaMs, calls),
        ]),
      ),
      '',
    );
    const peers = Object.keys(p.peers ?? {});
    if (peers.length > 0) {
      // Extra self time per call by category, every instrumented variant side by side.
      const byVariant = { ailedger: p.diff.categories, ...p.peers };
      const variants = Object.keys(byVariant);
      const keys = new Set();
      for (const v of variants)
        for (const r of byVariant[v]) if ((Math.abs(r.deltaMs) * 1000) / calls >= 2) keys.add(r.key);
      const delta = (v, key) => byVariant[v].find((r) => r.key === key)?.deltaMs ?? 0;
      const rows = [...keys]
        .sort((x, y) => delta('ailedger', y) - delta('ailedger', x))
        .map((key) => [key, ...variants.map((v) => signedPerCall(delta(v, key), calls))]);
      rows.push([
        '**total**',
        ...variants.map((v) => `**${fmtUs(extraPerCallUs(byVariant[v], calls), true)}**`),
      ]);
      out.push(
        'Extra self time per call over the baseline, every instrumentation (categories moving at least 2 µs per call in one of them):',
        '',
        table(['where', ...variants.map((v) => `\`${v}\``)], rows),
        '',
      );
    }
    out.push(
      table(
        ['function (largest increases, ailedger)', 'baseline per call', 'ailedger per call', 'Δ per call'],
        p.diff.functions
          .filter((r) => r.deltaMs > 0)
          .slice(0, 15)
          .map((r) => [
            `\`${r.key}\``,
            perCall(r.baselineMs, calls),
            perCall(r.ailedgerMs, calls),
            signedPerCall(r.deltaMs, calls),
          ]),
      ),
      '',
      table(
        ['ailedger frame (self time)', 'per call', '% of busy'],
        p.ailedger.oursSelf
          .slice(0, 12)
          .map((r) => [`\`${r.frame}\``, perCall(r.ms, calls), r.pctOfBusy.toFixed(1)]),
      ),
      '',
    );
  }
  return out.join('\n');
}

// --- The comparison with other instrumentations ------------------------------------------------------------

/** Added CPU per call (c=1) of every instrumented variant; `ranked`: those that recorded every call, lowest first. */
function cpuRanking(runs) {
  const entries = instrumentedVariants(runs).map((v) => {
    const c = compare(runs, { path: 'c1.cpuUsPerCall' }, v);
    return { v, delta: c.delta, ratio: c.ratio, deltas: c.deltas, records: recordsEveryCall(runs, v) };
  });
  const ranked = entries
    .filter((e) => e.records && Number.isFinite(e.delta))
    .sort((a, b) => a.delta - b.delta);
  return { entries, ranked };
}

/** Is ailedger's added CPU the lowest of the variants that recorded every call? Also per round. */
function lowestVerdict(runs) {
  const { entries, ranked } = cpuRanking(runs);
  const a = entries.find((e) => e.v === 'ailedger');
  const peers = ranked.filter((e) => e.v !== 'ailedger');
  if (!a || peers.length === 0)
    return { ok: undefined, text: 'no other instrumentation recorded spans here' };
  const best = peers[0];
  const n = a.deltas.length;
  let wins = 0;
  for (let i = 0; i < n; i++) if (peers.every((p) => a.deltas[i] < p.deltas[i])) wins++;
  const rounds = `lowest in ${wins} of ${n} round${n === 1 ? '' : 's'}`;
  if (a.delta < best.delta) {
    return {
      ok: true,
      text: `lowest: ${fmtUs(a.delta, true)} vs \`${best.v}\` ${fmtUs(best.delta, true)} (${rounds})`,
    };
  }
  return {
    ok: false,
    text: `**missed** by ${fmtUs(a.delta - best.delta)} per call: ailedger ${fmtUs(a.delta, true)}, \`${best.v}\` ${fmtUs(best.delta, true)} (${rounds})`,
  };
}

function comparisonSection(scenarios, runs, info) {
  const variants = (info.variants ?? ['baseline', 'ailedger']).filter((v) => v !== 'baseline');
  if (variants.length <= 1) return '';
  const latency = scenarios.filter((s) => s.kind === 'latency' && runs[s.id]);
  const sdk = latency.filter((s) => s.sdk);
  const vi = info.variantInfo ?? {};
  const who = variants.map((v) => {
    if (v === 'ailedger')
      return '- `ailedger`: @ailedger/instrumentation (this repository), `--require @ailedger/instrumentation/register`.';
    const reg = vi[v]?.registered;
    return `- \`${v}\`: ${vi[v]?.label ?? v}${reg ? ` ${reg.version}` : ' (**never confirmed registered**)'}, \`--require bench/preload-${v}.cjs\`.`;
  });
  const cpuHeader = [
    'scenario',
    'baseline CPU per call',
    ...variants.map((v) => `\`${v}\``),
    'ranking (lowest first)',
  ];
  const cpuRows = sdk.map((s) => {
    const r = runs[s.id];
    const { ranked } = cpuRanking(r);
    return [
      `\`${s.id}\``,
      fmtUs(compare(r, { path: 'c1.cpuUsPerCall' }).baseline),
      ...variants.map((v) => {
        const c = compare(r, { path: 'c1.cpuUsPerCall' }, v);
        return `${fmtUs(c.delta, true)} (${fmtX(c.ratio)})${recordsEveryCall(r, v) ? '' : ', **no span**'}`;
      }),
      ranked.map((e) => `\`${e.v}\``).join(' < '),
    ];
  });
  const mark = (s, r, v) => (s.model !== false && !recordsEveryCall(r, v) ? ' °' : '');
  const tputRows = latency.map((s) => {
    const r = runs[s.id];
    return [
      `\`${s.id}\``,
      fmtRate(compare(r, { path: 'cN.throughput' }).baseline),
      ...variants.map((v) => `${fmtX(compare(r, { path: 'cN.throughput' }, v).ratio)}${mark(s, r, v)}`),
    ];
  });
  const addedRows = (path, fmt) =>
    latency
      .filter((s) => s.sdk)
      .map((s) => {
        const r = runs[s.id];
        return [
          `\`${s.id}\``,
          fmt(compare(r, { path }).baseline),
          ...variants.map((v) => `${fmt(compare(r, { path }, v).delta, true)}${mark(s, r, v)}`),
        ];
      });
  const streamed = sdk.filter((s) => s.streamed);
  const spanRows = sdk.map((s) => {
    const r = runs[s.id];
    return [
      `\`${s.id}\``,
      ...variants.map((v) => {
        const c = spanCheck(r, v);
        return `${fmtCount(c.spans)} / ${fmtCount(c.modelCalls)}${c.spans > 0 ? `, ${fmtBytes(c.exportBytes / c.spans)}` : ''}`;
      }),
    ];
  });
  const vheader = variants.map((v) => `\`${v}\``);
  return `## Compared with other openai instrumentations

Every round runs the latency scenarios in one fresh process per variant, all alive at once and taking turns
scenario by scenario (rotating order), so each variant is compared with a baseline run seconds away. Every
instrumented variant uses the same pipeline: the OpenTelemetry NodeSDK from the same OTEL_* variables, a
BatchSpanProcessor with default settings, the OTLP/HTTP protobuf exporter, the same local sink, no metrics or logs
pipeline. Each instrumentation runs with its defaults.

${who.join('\n')}

The peers wrap the openai SDK's methods and are registered (NodeSDK → \`registerInstrumentations\`, which also
hands them the meter provider) before the app first requires \`openai\`; ailedger taps the transport (fetch,
undici, node:http/https) under any SDK. So the peers record spans only in the openai SDK scenarios
(${sdk.map((s) => `\`${s.id}\``).join(', ')}); in the raw fetch and node:http scenarios they record nothing
and their numbers show what they cost on traffic they do not see. Spans are counted at the sink: a variant that
exported fewer spans than it made model calls is marked **no span** and left out of the ranking (work skipped is
not work done cheaply). Defaults differ in what they record: OpenLLMetry and OpenInference put the prompt and
completion text in span attributes, the OTel contrib instrumentation does not (opt-in), and ailedger keeps
SHA-256 hashes of both bodies and never the text (opt-in capture, off here).

### Added CPU per model call, by instrumentation (concurrency 1)

Δ over the uninstrumented baseline of the same round (ratio in brackets), median over rounds; CPU includes
exporting the spans.

${table(cpuHeader, cpuRows)}

At concurrency ${info.concurrency} (same Δ, from the phase with ${info.concurrency} concurrent callers):

${table(
  ['scenario', 'baseline CPU per call', ...variants.map((v) => `\`${v}\``)],
  sdk.map((s) => {
    const r = runs[s.id];
    return [
      `\`${s.id}\``,
      fmtUs(compare(r, { path: 'cN.cpuUsPerCall' }).baseline),
      ...variants.map((v) => {
        const c = compare(r, { path: 'cN.cpuUsPerCall' }, v);
        return `${fmtUs(c.delta, true)} (${fmtX(c.ratio)})${recordsEveryCall(r, v) ? '' : ', **no span**'}`;
      }),
    ];
  }),
)}

### Throughput at concurrency ${info.concurrency}, ratio to uninstrumented

° marks a model scenario in which that variant recorded no span.

${table(['scenario', 'baseline', ...vheader], tputRows)}

### Added latency (concurrency 1), openai SDK scenarios

p50:

${table(['scenario', 'baseline', ...vheader], addedRows('c1.latencyMs.p50', fmtMs))}

p99:

${table(['scenario', 'baseline', ...vheader], addedRows('c1.latencyMs.p99', fmtMs))}
${
  streamed.length > 0
    ? `
First-chunk delay p50 (from \`create()\` resolving to the first parsed event), added:

${table(
  ['scenario', 'baseline', ...vheader],
  streamed.map((s) => {
    const r = runs[s.id];
    const path = 'c1.stream.firstChunkDelayMs.p50';
    return [
      `\`${s.id}\``,
      fmtMs(compare(r, { path }).baseline),
      ...variants.map((v) => fmtMs(compare(r, { path }, v).delta, true)),
    ];
  }),
)}
`
    : ''
}
### Spans at the sink (spans / model calls, bytes exported per span)

${table(['scenario', ...vheader], spanRows)}
`;
}

/** The targets the benchmark is held to, each met or missed with by how much, and what limits it. */
function targetsSection(scenarios, runs, profiles, info) {
  const rows = [];
  const latency = scenarios.filter((s) => s.kind === 'latency' && runs[s.id]);
  const sdk = latency.filter((s) => s.sdk && instrumentedVariants(runs[s.id]).length > 1);
  const status = (ok, text) =>
    ok ? `met${text ? `: ${text}` : ''}` : `**missed**${text ? `: ${text}` : ''}`;
  if (sdk.length > 0) {
    const vs = sdk.map((s) => ({ s, v: lowestVerdict(runs[s.id]) })).filter((x) => x.v.ok !== undefined);
    const met = vs.filter((x) => x.v.ok).length;
    rows.push([
      'ailedger’s added CPU per model call is the lowest of all compared instrumentations (openai SDK scenarios)',
      vs.map((x) => `\`${x.s.id}\` ${x.v.text}`).join('; '),
      status(met === vs.length, `lowest in ${met} of ${vs.length} scenarios`),
    ]);
  }
  const model = latency.filter((s) => s.model !== false);
  if (model.length > 0) {
    const ratios = model.map((s) => ({ s, r: compare(runs[s.id], { path: 'cN.throughput' }).ratio }));
    const within = ratios.filter((x) => x.r >= 0.95);
    const worst = ratios.reduce((w, x) => (x.r < w.r ? x : w), ratios[0]);
    rows.push([
      `at concurrency ${info.concurrency}, throughput within 5 % of uninstrumented (model calls)`,
      ratios.map((x) => `\`${x.s.id}\` ${fmtX(x.r)}`).join(', '),
      status(
        within.length === ratios.length,
        `within 5 % in ${within.length} of ${ratios.length} scenarios; worst \`${worst.s.id}\` ${fmtX(worst.r)}, ${((0.95 - worst.r) * 100).toFixed(0)} points below 0.95x`,
      ),
    ]);
  }
  const plain = latency.filter((s) => s.model === false);
  if (plain.length > 0) {
    const vs = plain.map((s) => ({ s, v: verdict(s, runs[s.id]) }));
    const tput = plain.map(
      (s) => `\`${s.id}\` ${fmtX(compare(runs[s.id], { path: 'cN.throughput' }).ratio)}`,
    );
    rows.push([
      'non-model requests within noise (and no span)',
      `${vs.map((x) => `\`${x.s.id}\` ${x.v.text.replace(/^\*\*COSTS SOMETHING\*\*: |^no consistent cost: /, '')}`).join('; ')}; throughput ratio at c=${info.concurrency}: ${tput.join(', ')}`,
      status(
        vs.every((x) => x.v.ok),
        `within noise in ${vs.filter((x) => x.v.ok).length} of ${vs.length} scenarios`,
      ),
    ]);
  }
  const streams = latency.filter((s) => s.streamed);
  if (streams.length > 0) {
    const d = streams.map((s) => ({
      s,
      d: compare(runs[s.id], { path: 'c1.stream.firstChunkDelayMs.p50' }).delta,
    }));
    const worst = Math.max(...d.map((x) => x.d));
    rows.push([
      `streamed first chunk delayed by less than ${BUDGETS.firstChunkDelayMs} ms (p50, c=1)`,
      d.map((x) => `\`${x.s.id}\` ${fmtMs(x.d, true)}`).join(', '),
      status(
        worst < BUDGETS.firstChunkDelayMs,
        worst < BUDGETS.firstChunkDelayMs ? '' : `worst ${fmtMs(worst, true)}`,
      ),
    ]);
  }
  for (const s of scenarios.filter((x) => (x.kind === 'memory' || x.kind === 'soak') && runs[x.id])) {
    const v = verdict(s, runs[s.id]);
    rows.push([
      s.kind === 'memory'
        ? `memory flat while a 50 MB stream passes (\`${s.id}\`)`
        : `RSS flat over ${fmtCount(s.params.calls)} calls (\`${s.id}\`)`,
      v.text.replace(/^(flat|no growth|\*\*GROWS\*\*|\*\*RSS GROWS[^*]*\*\*): /, ''),
      status(v.ok),
    ]);
  }
  if (rows.length === 0) return '';
  return `## Targets

${table(['target', 'measured (ailedger)', 'verdict'], rows)}

${limitsNote(scenarios, runs, profiles)}`.trimEnd();
}

/**
 * What limits ailedger's cost, from the CPU profiles of this run (where the extra self time goes) and the bytes
 * each variant exported per span: the evidence behind a missed target.
 */
function limitsNote(scenarios, runs, profiles) {
  const out = [];
  // Non-model traffic: the peers never touch fetch or node:http, so their Δ there is what an OpenTelemetry SDK in
  // the process costs that traffic (plus noise): the floor ailedger's own cost is to be read against.
  const plain = scenarios.filter(
    (s) =>
      s.kind === 'latency' && s.model === false && runs[s.id] && instrumentedVariants(runs[s.id]).length > 1,
  );
  if (plain.length > 0) {
    const parts = plain.map((s) => {
      const r = runs[s.id];
      const d = (v) => fmtUs(compare(r, { path: 'c1.cpuUsPerCall' }, v).delta, true);
      const peers = instrumentedVariants(r).filter((v) => v !== 'ailedger');
      return `\`${s.id}\` ailedger ${d('ailedger')} (${peers.map((v) => `${v} ${d(v)}`).join(', ')})`;
    });
    out.push(
      `- Non-model traffic, CPU per call over the baseline: ${parts.join('; ')}. The peers do not patch fetch or node:http at all, so their Δ is what the OpenTelemetry SDK being in the process costs this traffic, plus the noise of the machine: ailedger's taps cost only what exceeds it.`,
    );
  }
  for (const [id, p] of Object.entries(profiles ?? {})) {
    if (!p.diff) continue;
    const calls = p.calls;
    const cats = p.diff.categories
      .filter((r) => r.deltaMs > 0)
      .slice(0, 5)
      .map((r) => `${r.key} ${fmtUs((r.deltaMs * 1000) / calls, true)}`);
    const peers = Object.entries(p.peers ?? {}).map(
      ([v, c]) => `\`${v}\` ${fmtUs(extraPerCallUs(c, calls), true)}`,
    );
    // Code that runs only in the instrumented process (the instrumentation, the OpenTelemetry SDK and exporter):
    // measured in that process alone, so it does not carry the noise of comparing with a separate baseline run.
    const own = (categories) => {
      const parts = categories.filter((c) => c.baselineMs === 0 && c.deltaMs > 0);
      return {
        us: (parts.reduce((n, c) => n + c.deltaMs, 0) * 1000) / calls,
        parts: parts.map((c) => `${c.key} ${fmtUs((c.deltaMs * 1000) / calls)}`),
      };
    };
    const ownAll = { ailedger: own(p.diff.categories) };
    for (const [v, c] of Object.entries(p.peers ?? {})) ownAll[v] = own(c);
    const r = runs[id];
    const bytes = r
      ? instrumentedVariants(r)
          .map((v) => ({ v, c: spanCheck(r, v) }))
          .filter((x) => x.c.spans > 0)
          .map((x) => `\`${x.v}\` ${fmtBytes(x.c.exportBytes / x.c.spans)}`)
      : [];
    out.push(
      `- \`${id}\` under \`--cpu-prof\`: the ailedger process spends ${fmtUs(extraPerCallUs(p.diff.categories, calls), true)} more self time per call than the baseline; the largest parts: ${cats.join(', ')}.` +
        (peers.length
          ? ` The same profile of the other instrumentations: ${peers.join(', ')} per call.`
          : '') +
        ` Time in code that exists only in the instrumented process (read in that process alone, so not subject to the noise of comparing with a separate baseline run), per call: ${Object.entries(
          ownAll,
        )
          .sort((x, y) => x[1].us - y[1].us)
          .map(([v, o]) => `\`${v}\` ${fmtUs(o.us)} (${o.parts.join(', ')})`)
          .join('; ')}.` +
        (bytes.length ? ` Bytes exported per span: ${bytes.join(', ')}.` : ''),
    );
  }
  // Throughput at concurrency 64: CPU-bound on one core here, so it follows CPU per call.
  const model = scenarios.filter((s) => s.kind === 'latency' && s.model !== false && runs[s.id]);
  const slow = model
    .map((s) => ({
      s,
      t: compare(runs[s.id], { path: 'cN.throughput' }).ratio,
      c: compare(runs[s.id], { path: 'cN.cpuUsPerCall' }).ratio,
    }))
    .filter((x) => x.t < 0.95);
  if (slow.length > 0) {
    const peersBest = model
      .filter((s) => s.sdk)
      .map((s) => {
        const r = runs[s.id];
        const peers = instrumentedVariants(r).filter((v) => v !== 'ailedger' && recordsEveryCall(r, v));
        const best = peers
          .map((v) => ({ v, t: compare(r, { path: 'cN.throughput' }, v).ratio }))
          .sort((a, b) => b.t - a.t)[0];
        return best ? `\`${s.id}\` ${best.v} ${fmtX(best.t)}` : undefined;
      })
      .filter(Boolean);
    out.push(
      `- Throughput at concurrency 64: the app process is CPU-bound on its core in these loopback scenarios, so its throughput ratio follows 1 / (CPU-per-call ratio): ${slow
        .map((x) => `\`${x.s.id}\` ${fmtX(x.t)} (CPU ${fmtX(x.c)})`)
        .join(
          ', ',
        )}. The lever is CPU per call; a real provider's latency (hundreds of ms) leaves the core idle most of the time, so the same per-call CPU costs throughput only when the app saturates a core.` +
        (peersBest.length
          ? ` The best of the other instrumentations in the openai SDK scenarios: ${peersBest.join(', ')}.`
          : ''),
    );
  }
  // Memory: a peak that GC gives back is garbage not yet collected; what stays after GC is retained.
  for (const s of scenarios.filter((x) => x.kind === 'memory' && runs[x.id])) {
    const v = verdict(s, runs[s.id]);
    if (v.ok) continue;
    const a = runs[s.id].ailedger ?? [];
    const med = (f) => median(a.map(f));
    const peakHeap = med((r) => r.memory.peak.heapUsed - r.memory.before.heapUsed);
    const keptHeap = med((r) => r.memory.after.heapUsed - r.memory.before.heapUsed);
    const external = compare(runs[s.id], { path: 'memory.peak.external' }).delta;
    out.push(
      `- \`${s.id}\` (${v.text.replace(/^\*\*[A-Z ]+\*\*: /, '')}): the JS heap peaks ${fmtMiB(peakHeap, true)} over its pre-stream size and is ${fmtMiB(keptHeap, true)} after the stream and a full GC; peak external memory ${fmtMiB(external, true)} against the baseline. ${Math.abs(keptHeap) < 2 * MiB ? 'The heap returns to its size before the stream, so the peak is garbage from decoding the events that V8 had not collected yet, not bytes held back; RSS follows the heap' : 'Part of the heap stays after GC: something is retained'}.`,
    );
  }
  if (out.length === 0) return '';
  return `### What limits it (CPU profiles of this run; details at the end)

${out.join('\n')}
- Where the difference comes from: the peers wrap the SDK method and read the objects the SDK already built.
  ailedger sits under the SDK, on the transport, so it works from bytes: it re-wraps the response body in a
  pass-through stream, parses the JSON (or SSE events) a second time, hashes both bodies (SHA-256) and the
  credential (HMAC), prices the call and writes cost, hashes, fingerprint and attribution on its span. That is
  what buys provider-agnostic coverage (raw fetch, node:http, any SDK — the peers record nothing in those
  scenarios) and the price on every span; the profiles at the end show how much of it is ailedger's own code
  versus the OpenTelemetry SDK, the exporter and the garbage collector.
`;
}

export function renderReport(data) {
  const { info, scenarios, runs } = data;
  const m = info.machine;
  const date = new Date(info.startedAt).toISOString().slice(0, 10);
  const sections = [];
  let current;
  for (const s of scenarios) {
    if (s.section !== current) {
      current = s.section;
      sections.push(`### ${s.section}`);
    }
    const r = runs[s.id];
    if (s.kind === 'memory') sections.push(memorySection(s, r));
    else if (s.kind === 'soak') sections.push(soakSection(s, r));
    else sections.push(latencySection(s, r));
  }
  const none = info.exporterNone;
  const orderText = (info.latencyOrder ?? []).map((id) => `\`${id}\``).join(', ');
  const retries = info.retries ?? [];
  const retryText =
    retries.length === 0
      ? 'none was needed in this run'
      : `${retries.length} ${retries.length === 1 ? 'was' : 'were'} measured again in this run (${[...new Set(retries.map((r) => r.scenario ?? r.child))].join(', ')})`;
  const allRuns = Object.values(runs).flatMap((r) => Object.values(r).flat());
  const foreignValues = allRuns.map((r) => r.foreignCores).filter(Number.isFinite);
  const foreign = {
    median: median(foreignValues),
    max: foreignValues.length ? Math.max(...foreignValues) : Number.NaN,
  };
  const peers = (info.variants ?? []).filter((v) => v !== 'baseline' && v !== 'ailedger');
  return `# Benchmarks: overhead of @ailedger/instrumentation

Generated by \`npm run bench\` (bench/run.mjs) on ${date}. Do not edit by hand: rerun the benchmark (or \`node bench/report.mjs\` to re-render bench/results.json).
${info.quick ? '\n> **Quick mode (BENCH_QUICK=1): a smoke run.** One round, a tenth of the calls and too short a warm-up for V8 to finish optimizing: the numbers show that every scenario runs, not what ailedger costs. Run without BENCH_QUICK for the real figures.\n' : ''}
## Machine

| | |
| --- | --- |
| CPU | ${m.cpuModel}, ${m.cores} cores${m.virtualized ? ' (virtual machine)' : ''} |
| RAM | ${m.ramGiB.toFixed(1)} GiB |
| OS | ${m.os}, ${m.arch} |
| Node.js | ${m.node} (V8 ${m.v8}) |
| 1-minute load average at start | ${m.loadAvgAtStart.toFixed(2)} |
| total benchmark time | ${info.totalSeconds.toFixed(0)} s |

## Method

- ${peers.length > 0 ? `${2 + peers.length}` : 'Two'} variants of the same workload, each in a fresh Node.js process: **baseline** (plain \`node\`), **ailedger**
  (\`node --require @ailedger/instrumentation/register\`, the zero-code set-up: the OpenTelemetry NodeSDK from
  OTEL_* variables, a BatchSpanProcessor with default settings and the OTLP/HTTP protobuf exporter)${peers.length > 0 ? `, and ${peers.map((v) => `**${v}**`).join(', ')}: other projects' openai instrumentations in the same NodeSDK set-up (see "Compared with other openai instrumentations")` : ''}. All get the
  same environment; only the preload differs.${peers.length > 0 ? ' The memory scenarios and the soak run the baseline and ailedger only (they use raw fetch and node:http, which the peers do not instrument).' : ''}
- The instrumented runs export real spans to a local OTLP/HTTP sink that answers like a collector and counts the spans
  it receives; each table says how many arrived. \`OTEL_TRACES_EXPORTER=none\` is not used: checked at the start of
  this run, with it the NodeSDK registers ${none?.tracerProvider === 'none' ? 'no tracer provider at all (the API hands out non-recording no-op spans)' : `a \`${none?.tracerProvider}\``}
  and ${none?.spansReceived} spans reached the sink for ${none?.modelCalls} model calls, so it would measure less work than a real deployment does.
- Servers run on loopback in the parent process: the OpenAI stand-in from the tests and a bulk provider (50 MB
  streams, paced streams, 1536-float embeddings), both registered with \`AILEDGER_PROVIDER_HOSTS\`, and a plain
  server that is not a provider host. ${info.pinned ? 'The app process is pinned to one core and the servers to the other (`taskset`), so the app never shares a core with the servers; its CPU is measured apart from theirs.' : 'The app\u2019s CPU (the child process) is measured apart from the servers\u2019.'}
- The latency scenarios run one after another in one process per variant and round, in this order:
  ${orderText}. The process first warms up with ${info.fetchWarmup} fetch and ${info.httpWarmup}
  node:http calls to the plain server (on this machine fetch's CPU per call keeps falling for the first several
  thousand calls while V8 optimizes it; non-model calls leave the ailedger process as if it had made no model call
  yet). Then each scenario: its own warm-up calls (the first model scenario, \`chat-fetch\`, warms the model-call path
  with thousands), calls one at a time (latency per call with \`performance.now()\`), then the same calls with
  ${info.concurrency} concurrent callers (throughput). The memory scenarios and the soak get a fresh process each.
  JIT warm-up is the largest source of error here: the ailedger process has more code to optimize and reaches its
  steady state later, so short runs overstate its cost.
- CPU per call is the \`process.cpuUsage()\` delta (user + system, every thread of the app process) over a phase
  **including flushing its spans to the sink**, divided by the number of calls. No forced GC before a phase (a
  full GC makes V8 drop compiled code, and the phase would measure re-warming). Stream timings: *first-chunk
  delay* is the time from \`fetch()\` resolving (response headers) to the app's first body chunk; for the SDK
  stream, from \`create()\` resolving to the first parsed event.
- ${info.rounds} round${info.rounds === 1 ? '' : 's'}. In a round, the latency processes of all variants are alive at once${info.pinned ? ' on the same core' : ''}
  and take turns scenario by scenario (in a rotating order; the waiting ones are idle), so each comparison
  is between runs seconds apart. Tables show the **median over rounds** of each
  run's statistic (p50 and p99 of a run, then the median of those). Memory scenarios run ${info.memoryRounds ?? Math.min(3, info.rounds)} round${(info.memoryRounds ?? 1) === 1 ? '' : 's'}; the
  soak once per variant.
- The machine is shared. For every measurement the harness records the CPU that *other* processes used meanwhile
  (from /proc/stat, minus the benchmark's own processes), in cores. A comparison measured while that exceeded
  ${info.noisyCores ?? 0.35} cores is measured again in both processes after waiting for the machine to calm down (within a retry
  budget): ${retryText}. Median foreign load over the kept measurements: ${fmtCores(foreign.median)} (max ${fmtCores(foreign.max)}).
- The workloads do the least an app can do with a response (read it, parse JSON), so the ratios are the worst
  case: a real handler doing real work makes the same absolute overhead a smaller fraction.

## How to read this

- **baseline** and **ailedger** are medians over rounds. **Δ** (ailedger minus baseline, in absolute units: the
  cost a service pays per call) and **ratio** (ailedger / baseline) are computed per round, from the two runs of
  that round, then the median over rounds: the machine's slow and fast spells hit both runs of a round alike.
  **noise** is the baseline's own round-to-round spread ((max − min) / median).
- **CPU per call** is the number to watch: it is what adds up across a fleet, and it is the least disturbed by
  other load. Latency on loopback is a few hundred microseconds against hundreds of milliseconds for a real
  provider call, so latency ratios here exaggerate what a user would notice; they do show work done on the app's
  critical path.
- Budgets: ≤ ${BUDGETS.cpuUsPerNonStreamedCall} µs extra CPU per non-streamed model call; ≤ ${BUDGETS.firstChunkDelayMs} ms extra delay before the app's first
  stream chunk; non-model traffic within noise and no span; memory flat (≤ ${BUDGETS.memoryExtraPeakMiB} MiB extra peak RSS while a 50 MB
  stream passes; over the soak, ≤ ${BUDGETS.soakGrowthMiB} MiB RSS and ≤ ${BUDGETS.soakHeapGrowthMiB} MiB heap growth beyond the baseline's).
- Throughput at concurrency 64 is CPU-bound in the app process on this machine (the servers have their own core),
  so its ratio is close to the inverse of the CPU ratio.

## Summary

${summaryTable(scenarios, runs)}

${targetsSection(scenarios, runs, data.profiles, info)}

${comparisonSection(scenarios, runs, info)}

## Results

${sections.join('\n\n')}

${profileSection(data.profiles)}`.trimEnd();
}

/** The collector section, from bench/collector-results.json (written by bench/collector.mjs), if present. */
function collectorSection(c) {
  if (!c) return '';
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const rows = Object.entries(c.summary).map(
    ([w, r]) =>
      `| \`${w}\` | ${fmt(r.spansPerCpuSecond)} | ${r.cpuUsPerSpan.toFixed(1)} | ${w === 'pass-through' ? '1.00x' : `${c.cpuRatioToPassThrough[w].toFixed(2)}x`} | ${fmt(r.spansPerSecond)} | ${r.peakRssMiB.toFixed(0)} | ${r.refusedRequests} |`,
  );
  const all = c.summary['all-genai'];
  const mixed = c.cpuRatioToPassThrough['mixed-10pct'];
  const verdicts = [
    `spans per CPU-second, all spans GenAI: ${fmt(all.spansPerCpuSecond)} (target ≥ ${fmt(c.targets.spansPerCpuSecond)}): **${all.spansPerCpuSecond >= c.targets.spansPerCpuSecond ? 'met' : `missed by ${fmt(c.targets.spansPerCpuSecond - all.spansPerCpuSecond)}`}**`,
    `CPU ratio to pass-through, 10 % GenAI: ${mixed.toFixed(2)}x, all GenAI: ${c.cpuRatioToPassThrough['all-genai'].toFixed(2)}x (target ≤ ${c.targets.cpuRatio}x): **${c.cpuRatioToPassThrough['all-genai'] <= c.targets.cpuRatio ? 'met' : mixed <= c.targets.cpuRatio ? 'met for the mixed workload only' : 'missed'}**`,
  ];
  return `## The collector (\`ailedger collector\`)

Generated by bench/collector.mjs on ${c.date.slice(0, 10)}${c.quick ? ' (**quick mode**: short phases, a smoke run)' : ''}. The real CLI process${c.pinned ? ', pinned to one core (the load generator and the backend sink on the other),' : ''}
receives OTLP/HTTP protobuf requests of ${c.spansPerRequest} spans from ${c.concurrency} concurrent keep-alive clients, processes them and forwards
them (protobuf, no compression) to a sink that answers 200. Each of ${c.rounds} round${c.rounds === 1 ? '' : 's'}: ${c.warmupSeconds} s warm-up, then ${c.measureSeconds} s measured per workload,
workloads in alternating order; medians over rounds. CPU is the collector process's user + system time (all threads) over the
measured window. Workloads have the same span shape and size: **pass-through** — no GenAI attribute (the keys are moved out of every
GenAI namespace), so the collector decodes, scans, re-encodes, queues and forwards with nothing to enrich: the baseline;
**mixed-10pct** — one span in ten is a foreign (OpenLLMetry-style) model call to normalize, count, price, attribute and meter;
**all-genai** — every span is one.

| workload | spans per CPU-second | CPU µs per span | CPU ratio to pass-through | spans/s (wall) | peak RSS MiB | refused requests |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

- ${verdicts.join('\n- ')}
`;
}

/** Writes BENCHMARKS.md; returns a short plain-text summary for the console. */
export function writeReport(data, file) {
  const collectorFile = join(dirname(fileURLToPath(import.meta.url)), 'collector-results.json');
  const collector = existsSync(collectorFile) ? JSON.parse(readFileSync(collectorFile, 'utf8')) : undefined;
  writeFileSync(file, `${renderReport(data)}\n\n${collectorSection(collector)}`.trimEnd() + '\n');
  const lines = data.scenarios.map(
    (s) => `${s.id.padEnd(20)} ${verdict(s, data.runs[s.id]).text.replaceAll('**', '')}`,
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const data = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
  console.log(writeReport(data, join(here, '..', 'BENCHMARKS.md')));
}
