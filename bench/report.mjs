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

/** Median over rounds of one metric for both variants, with the baseline's round-to-round spread. */
/**
 * Median over rounds of one metric for both variants, and the paired difference: the two runs of a round are
 * adjacent in time, so Δ and ratio are taken per round first (a slow spell of the machine hits both), then the
 * median over rounds. `noise` is the baseline's own round-to-round spread.
 */
function compare(runs, metric) {
  const b = runs.baseline.map((r) => value(r, metric.path));
  const a = runs.ailedger.map((r) => value(r, metric.path));
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

function spanCheck(runs) {
  const sum = (variant, key) => runs[variant].reduce((n, r) => n + (r[key] ?? 0), 0);
  return {
    modelCalls: sum('ailedger', 'modelCalls'),
    spans: sum('ailedger', 'spansReceived'),
    baselineSpans: sum('baseline', 'spansReceived'),
    internalErrors: runs.ailedger.reduce((n, r) => n + (r.pipeline?.internalErrors ?? 0), 0),
  };
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
  const values = [...runs.baseline, ...runs.ailedger].map((r) => r.foreignCores).filter(Number.isFinite);
  if (values.length === 0) return '';
  return `Load from other processes during these runs: median ${fmtCores(median(values))}, max ${fmtCores(Math.max(...values))}.`;
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

function profileSection(profiles) {
  const ids = Object.keys(profiles ?? {});
  if (ids.length === 0) return '';
  const perCall = (ms, calls) => fmtUs((ms * 1000) / calls);
  const signedPerCall = (ms, calls) => fmtUs((ms * 1000) / calls, true);
  const out = [
    '## Where the extra CPU goes (CPU profiles)',
    '',
    'One extra pair of runs per scenario below under `--cpu-prof` (sampling every 200 µs; not part of the tables',
    'above). Self time during the measured phases only (concurrency 1 then 64; no start-up, no warm-up), by where',
    'the code lives, divided by the calls made in those phases. Frames of our bundle are mapped back to',
    'instrumentation/src through the build’s source maps. Profiling slows both processes, so compare the split,',
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
      table(
        ['function (largest increases)', 'baseline per call', 'ailedger per call', 'Δ per call'],
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
  const allRuns = Object.values(runs).flatMap((r) => [...r.baseline, ...r.ailedger]);
  const foreignValues = allRuns.map((r) => r.foreignCores).filter(Number.isFinite);
  const foreign = {
    median: median(foreignValues),
    max: foreignValues.length ? Math.max(...foreignValues) : Number.NaN,
  };
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

- Two variants of the same workload, each in a fresh Node.js process: **baseline** (plain \`node\`) and **ailedger**
  (\`node --require @ailedger/instrumentation/register\`, the zero-code set-up: the OpenTelemetry NodeSDK from
  OTEL_* variables, a BatchSpanProcessor with default settings and the OTLP/HTTP protobuf exporter). Both get the
  same environment; only the preload differs.
- The ailedger runs export real spans to a local OTLP/HTTP sink that answers like a collector and counts the spans
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
- ${info.rounds} round${info.rounds === 1 ? '' : 's'}. In a round, the baseline and the ailedger latency processes are both alive${info.pinned ? ' on the same core' : ''}
  and take turns scenario by scenario (alternating which goes first; the waiting one is idle), so each comparison
  is between two runs seconds apart. Tables show the **median over rounds** of each
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
