/**
 * Overhead benchmark of @ailedger/instrumentation against the uninstrumented app and three other openai
 * instrumentations: `npm run bench` (builds first), or `node bench/run.mjs` on a fresh build. BENCH_QUICK=1 for a
 * ~2 minute smoke run. Writes BENCHMARKS.md at the repository root and the raw numbers to bench/results.json
 * (`node bench/report.mjs` regenerates the Markdown from them).
 *
 * Each round runs the same workload in one fresh child process per variant (VARIANTS below): bare (baseline),
 * `--require @ailedger/instrumentation/register` (ailedger), and `--require bench/preload-<peer>.cjs` for each
 * peer instrumentation, all exporting real spans over OTLP/HTTP to the same local sink. The latency scenarios run
 * one after another in one process per variant (sharing the long fetch warm-up), the processes taking turns
 * scenario by scenario in a rotating order; the report pairs each variant with the baseline of the same round and
 * takes medians over rounds. The memory scenarios and the soak (baseline and ailedger only) get a process each.
 *
 * Other knobs: BENCH_ROUNDS=n, BENCH_ONLY=id,id (scenario ids), BENCH_VARIANTS=ailedger,traceloop,... (baseline
 * always runs), BENCH_PROFILE=id,id (one extra run per variant of those scenarios under --cpu-prof, files in
 * bench/profiles/, summarized in the report; default chat-sdk in full mode, '' to skip), BENCH_PIN=0 (no taskset
 * pinning), BENCH_NO_REPORT=1, OTEL_LOG_LEVEL (passed to the children; their stderr lands in results.json).
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffProfiles, summarizeProfile } from './profile.mjs';
import { writeReport } from './report.mjs';
import { startServers } from './servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
// Profiled pairs run after the measured rounds and are not part of the statistics (profiling slows a process).
const PROFILE = new Set((process.env.BENCH_PROFILE ?? (QUICK ? '' : 'chat-sdk')).split(',').filter(Boolean));
const PROFILE_DIR = join(here, 'profiles');
const CONCURRENCY = 64;
const MiB = 1 << 20;
const SCALE = QUICK ? 0.1 : 1;
/** Shared warm-up of each latency process: non-model fetch and node:http calls to the plain server. */
const FETCH_WARMUP = Math.round(5000 * SCALE);
const HTTP_WARMUP = Math.round(1000 * SCALE);

/** Per-scenario call counts, sized so a scenario measures for about a second on a small machine. */
function latency(warmup, c1Calls, cNCalls) {
  return {
    warmup: Math.max(10, Math.round(warmup * SCALE)),
    c1Calls: Math.max(20, Math.round(c1Calls * SCALE)),
    cNCalls: Math.max(CONCURRENCY, Math.round(cNCalls * SCALE)),
    concurrency: CONCURRENCY,
  };
}

/**
 * In report order. `order` is the position in the latency process: non-model traffic first (a process that has
 * made no model call yet), then model calls, then non-model traffic again in a process that has made model
 * calls, and the scenario that loads the tokenizer last. `model: false` marks non-model traffic.
 */
export const SCENARIOS = [
  {
    id: 'chat-fetch',
    order: 3,
    section: '1. Non-streamed chat completion, small prompt',
    title: 'raw fetch',
    kind: 'latency',
    streamed: false,
    params: latency(3000, 400, 1200),
  },
  {
    id: 'chat-sdk',
    order: 4,
    section: '1. Non-streamed chat completion, small prompt',
    title: 'openai SDK (chat.completions.create)',
    kind: 'latency',
    streamed: false,
    sdk: true,
    params: latency(1500, 300, 960),
  },
  {
    id: 'chat-http',
    order: 5,
    section: '1. Non-streamed chat completion, small prompt',
    title: 'node:http request (keep-alive agent)',
    kind: 'latency',
    streamed: false,
    params: latency(2000, 400, 1200),
  },
  {
    id: 'chat-100kb',
    order: 6,
    section: '2. Non-streamed chat completion, 100 KB prompt',
    title: 'raw fetch, 100 KB user message',
    kind: 'latency',
    streamed: false,
    params: latency(150, 200, 384),
  },
  {
    id: 'chat-100kb-sdk',
    order: 7,
    section: '2. Non-streamed chat completion, 100 KB prompt',
    title: 'openai SDK, 100 KB user message',
    kind: 'latency',
    streamed: false,
    sdk: true,
    params: latency(150, 200, 384),
  },
  {
    id: 'stream-200',
    order: 10,
    section: '3. Streamed chat completion',
    title: 'raw fetch, 200 chunks from the stand-in (include_usage)',
    kind: 'latency',
    streamed: true,
    params: latency(200, 200, 512),
  },
  {
    id: 'stream-200-sdk',
    order: 11,
    section: '3. Streamed chat completion',
    title: 'openai SDK stream (for await), 200 chunks, include_usage',
    kind: 'latency',
    streamed: true,
    sdk: true,
    params: latency(100, 100, 256),
  },
  {
    id: 'stream-50-paced',
    order: 12,
    section: '3. Streamed chat completion',
    title: 'raw fetch, 50 events 1 ms apart (each token its own read, as from a real model)',
    kind: 'latency',
    streamed: true,
    params: latency(8, 20, 128),
  },
  {
    id: 'stream-200-nousage',
    order: 16,
    section: '3. Streamed chat completion',
    title: 'raw fetch, 200 chunks, no usage in the stream (ailedger estimates tokens)',
    kind: 'latency',
    streamed: true,
    params: latency(150, 150, 384),
  },
  {
    id: 'embeddings',
    order: 8,
    section: '4. Embeddings batch',
    title: 'stand-in, 100 inputs (3-dim vectors)',
    kind: 'latency',
    streamed: false,
    params: latency(1000, 400, 1200),
  },
  {
    id: 'embeddings-sdk',
    order: 9,
    section: '4. Embeddings batch',
    title: 'openai SDK (embeddings.create), 100 inputs (3-dim vectors)',
    kind: 'latency',
    streamed: false,
    sdk: true,
    params: latency(800, 300, 960),
  },
  {
    id: 'embeddings-1536',
    order: 13,
    section: '4. Embeddings batch',
    title: '100 inputs x 1536 floats (~2 MB JSON response)',
    kind: 'latency',
    streamed: false,
    params: latency(5, 10, 64),
  },
  {
    id: 'plain-fetch',
    order: 1,
    section: '5. Non-model HTTP traffic',
    title: 'fetch POST to a plain local server, before any model call',
    kind: 'latency',
    streamed: false,
    model: false,
    params: latency(300, 400, 1200),
  },
  {
    id: 'plain-http',
    order: 2,
    section: '5. Non-model HTTP traffic',
    title: 'node:http GET to a plain local server, before any model call',
    kind: 'latency',
    streamed: false,
    model: false,
    params: latency(300, 400, 1200),
  },
  {
    id: 'plain-fetch-after-model',
    order: 14,
    section: '5. Non-model HTTP traffic',
    title: 'fetch POST to a plain local server, in a process that has made model calls',
    kind: 'latency',
    streamed: false,
    model: false,
    params: latency(300, 400, 1200),
  },
  {
    id: 'plain-http-after-model',
    order: 15,
    section: '5. Non-model HTTP traffic',
    title: 'node:http GET to a plain local server, in a process that has made model calls',
    kind: 'latency',
    streamed: false,
    model: false,
    params: latency(300, 400, 1200),
  },
  {
    id: 'memory-50mb-fetch',
    section: '6. Memory while a 50 MB stream passes through',
    title: 'fetch',
    kind: 'memory',
    params: { bytes: QUICK ? 10 * MiB : 50 * MiB },
  },
  {
    id: 'memory-50mb-http',
    section: '6. Memory while a 50 MB stream passes through',
    title: 'node:http',
    kind: 'memory',
    params: { bytes: QUICK ? 10 * MiB : 50 * MiB },
  },
  {
    id: 'soak-100k',
    section: '7. RSS over many non-streamed calls',
    title: `raw fetch, concurrency 16${QUICK ? ' (quick mode: 5,000 calls)' : ''}`,
    kind: 'soak',
    params: QUICK
      ? { calls: 5_000, every: 500, concurrency: 16, warmup: 300 }
      : { calls: 100_000, every: 10_000, concurrency: 16, warmup: 1_000 },
  },
];

/**
 * The variants, in the report's order. `preload` is what the child gets with --require (nothing for the
 * baseline). The peers instrument only the openai SDK (not fetch or node:http), so they record spans in the `sdk`
 * scenarios only; they run every latency scenario anyway, so every latency process has the same history (and the
 * other scenarios show what they cost on traffic they do not record).
 */
export const VARIANT_INFO = {
  baseline: { label: 'uninstrumented' },
  ailedger: { label: '@ailedger/instrumentation', preload: '@ailedger/instrumentation/register' },
  traceloop: {
    label: '@traceloop/instrumentation-openai (OpenLLMetry)',
    package: '@traceloop/instrumentation-openai',
    preload: join(here, 'preload-traceloop.cjs'),
  },
  'otel-contrib': {
    label: '@opentelemetry/instrumentation-openai (OTel contrib)',
    package: '@opentelemetry/instrumentation-openai',
    preload: join(here, 'preload-otel-contrib.cjs'),
  },
  openinference: {
    label: '@arizeai/openinference-instrumentation-openai (OpenInference)',
    package: '@arizeai/openinference-instrumentation-openai',
    preload: join(here, 'preload-openinference.cjs'),
  },
};
const SELECTED = process.env.BENCH_VARIANTS ? new Set(process.env.BENCH_VARIANTS.split(',')) : undefined;
/** Latency scenarios run in every variant; memory and soak in the baseline and ailedger only. */
const VARIANTS = Object.keys(VARIANT_INFO).filter((v) => v === 'baseline' || !SELECTED || SELECTED.has(v));
const PAIR = VARIANTS.filter((v) => v === 'baseline' || v === 'ailedger');

function variantsOf(scenario) {
  return scenario.kind === 'latency' ? VARIANTS : PAIR;
}

/** `list` rotated left by `k`: the order the variants take their turn in. */
function rotate(list, k) {
  const n = k % list.length;
  return [...list.slice(n), ...list.slice(0, n)];
}

function readFileSyncSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

function childEnv(servers, child) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('OTEL_') || k.startsWith('AILEDGER_') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  if (process.env.OTEL_LOG_LEVEL) env.OTEL_LOG_LEVEL = process.env.OTEL_LOG_LEVEL;
  // Identical environment for every variant; only the instrumented ones preload something that reads it.
  return {
    ...env,
    OTEL_SERVICE_NAME: 'ailedger-bench',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: servers.sink.url,
    AILEDGER_PROVIDER_HOSTS: servers.providerHosts,
    BENCH_CHILD: JSON.stringify(child),
  };
}

/** Busy and total jiffies of the whole machine, from /proc/stat (Linux); undefined elsewhere. */
function machineTicks() {
  const line = readFileSyncSafe('/proc/stat').split('\n')[0];
  if (!line.startsWith('cpu ')) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

const TICKS_PER_S = 100;

/**
 * The child runs pinned to one core and the servers to the other when the machine has two or more and taskset
 * exists: less scheduler noise, and the app's CPU never shares a core with the servers' (both variants alike).
 */
function canPin() {
  if (process.env.BENCH_PIN === '0' || os.cpus().length < 2 || process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let PINNED = false;

/** Resolves once the sink has had no request in flight for a moment (an export racing a step lands first). */
async function sinkQuiet(sink) {
  for (let quiet = 0; quiet < 4; ) {
    await new Promise((r) => setTimeout(r, 5));
    quiet = sink.stats.active === 0 ? quiet + 1 : 0;
  }
}

/**
 * Starts one child process (see child.mjs). `step(msg)` sends a latency-mode command and resolves with its
 * reply, plus the spans the sink received and the CPU other processes used while it ran. `finish()` ends a
 * latency-mode child; `exited` resolves with the final result of any child.
 */
function launch(servers, child, variant, opts = {}) {
  const execArgv = ['--expose-gc'];
  const preload = VARIANT_INFO[variant].preload;
  if (preload) execArgv.push('--require', preload);
  if (opts.profileName) {
    execArgv.push(
      '--cpu-prof',
      '--cpu-prof-interval=200',
      `--cpu-prof-dir=${PROFILE_DIR}`,
      `--cpu-prof-name=${opts.profileName}`,
    );
  }
  const env = childEnv(servers, {
    ...child,
    urls: { standin: servers.standin.url, bulk: servers.bulk.url, plain: servers.plain.url },
  });
  if (opts.env) Object.assign(env, opts.env);
  const childPath = join(here, 'child.mjs');
  const stdio = ['ignore', 'pipe', 'pipe', 'ipc'];
  const proc = PINNED
    ? spawn('taskset', ['-c', '1', process.execPath, ...execArgv, childPath], { cwd: root, env, stdio })
    : fork(childPath, [], { cwd: root, execArgv, env, stdio });
  let stderr = '';
  let final;
  let readyResolve;
  const ready = new Promise((r) => {
    readyResolve = r;
  });
  const pending = new Map();
  let seq = 0;
  proc.stdout.on('data', () => undefined);
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  proc.on('message', (m) => {
    if (m?.ready) readyResolve();
    else if (m?.step !== undefined) {
      pending.get(m.step)?.(m);
      pending.delete(m.step);
    } else final = m;
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 900_000);
  const exited = new Promise((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!final?.ok) {
        reject(
          new Error(`${child.label}/${variant} failed (${signal ?? code}): ${final?.error ?? ''}\n${stderr}`),
        );
        return;
      }
      resolve({ ...final.result, variant, stderr: stderr.trim().slice(-4000) });
    });
  });
  exited.catch(() => undefined);
  return {
    ready: Promise.race([ready, exited]),
    exited,
    async step(msg) {
      await sinkQuiet(servers.sink);
      const spans0 = servers.sink.stats.spans;
      const bytes0 = servers.sink.stats.bytes;
      const ticks0 = machineTicks();
      const parentCpu0 = process.cpuUsage();
      const t0 = Date.now();
      const id = ++seq;
      const reply = await Promise.race([
        new Promise((resolve) => {
          pending.set(id, resolve);
          proc.send({ ...msg, step: id });
        }),
        exited.then(() => {
          throw new Error(`${child.label}/${variant} exited during a step`);
        }),
      ]);
      if (!reply.ok) throw new Error(`${child.label}/${variant} ${msg.cmd} ${msg.id ?? ''}: ${reply.error}`);
      await sinkQuiet(servers.sink);
      const wallS = (Date.now() - t0) / 1000;
      return {
        ...reply,
        wallS,
        spansReceived: servers.sink.stats.spans - spans0,
        exportBytes: servers.sink.stats.bytes - bytes0,
        foreignCores: foreignCores(ticks0, parentCpu0, reply.cpuS, wallS),
      };
    },
    finish() {
      proc.send({ cmd: 'exit' });
      return exited;
    },
  };
}

/** CPU the rest of the machine used meanwhile, in cores: how noisy a measurement was (Linux only). */
function foreignCores(ticks0, parentCpu0, childCpuS, wallS) {
  const ticks1 = machineTicks();
  if (!ticks0 || !ticks1 || !(wallS > 0)) return undefined;
  const parentCpu = process.cpuUsage(parentCpu0);
  const ownS = (parentCpu.user + parentCpu.system) / 1e6 + childCpuS;
  return Math.max(0, ((ticks1.busy - ticks0.busy) / TICKS_PER_S - ownS) / wallS);
}

/**
 * Waits (up to `maxS` seconds) until the machine has been quiet for a second: other processes using less than
 * `cores` cores. Used before measuring a comparison again after a noisy one. Returns the seconds waited.
 */
async function waitForQuiet(cores, maxS = 20) {
  const t0 = Date.now();
  let quiet = 0;
  while (quiet < 2 && (Date.now() - t0) / 1000 < maxS) {
    const ticks0 = machineTicks();
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const f = foreignCores(ticks0, cpu0, 0, 0.5);
    quiet = f === undefined || f < cores ? quiet + 1 : 0;
  }
  return (Date.now() - t0) / 1000;
}

/** A memory or soak child: runs on its own and reports once. */
async function runOnce(servers, child, variant) {
  servers.sink.reset();
  const ticks0 = machineTicks();
  const parentCpu0 = process.cpuUsage();
  const t0 = Date.now();
  const result = await launch(servers, child, variant).exited;
  await sinkQuiet(servers.sink);
  const wallS = (Date.now() - t0) / 1000;
  return {
    ...result,
    wallS,
    foreignCores: foreignCores(ticks0, parentCpu0, result.processCpuS, wallS),
    spansReceived: servers.sink.stats.spans,
  };
}

function latencyChild(label) {
  return { label, kind: 'latency', fetchWarmup: FETCH_WARMUP, httpWarmup: HTTP_WARMUP };
}

/** Checks what OTEL_TRACES_EXPORTER=none does under our register: is anything recorded at all? */
async function checkExporterNone(servers) {
  const child = launch(servers, { label: 'exporter-none', kind: 'latency' }, 'ailedger', {
    env: { OTEL_TRACES_EXPORTER: 'none' },
  });
  await child.ready;
  const r = await child.step({
    cmd: 'run',
    id: 'chat-fetch',
    params: { warmup: 2, c1Calls: 5, cNCalls: 5, concurrency: 1 },
  });
  const final = await child.finish();
  return {
    tracerProvider: final.pipeline.tracerProvider,
    modelCalls: r.result.modelCalls,
    spansReceived: r.spansReceived,
  };
}

function machine() {
  const cpus = os.cpus();
  const distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSyncSafe('/etc/os-release'))?.[1];
  const cpuinfo = readFileSyncSafe('/proc/cpuinfo');
  const [major, minor] = os.release().split('.');
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${major}.${minor}${distro ? `, ${distro}` : ''}`,
    arch: os.arch(),
    virtualized: /\bhypervisor\b/.test(cpuinfo),
    loadAvgAtStart: os.loadavg()[0],
  };
}

async function main() {
  const started = Date.now();
  PINNED = canPin();
  const servers = await startServers();
  // The stand-in keeps every request for tests to inspect; a benchmark would accumulate gigabytes.
  servers.standin.requests.push = () => 0;
  const scenarios = SCENARIOS.filter((s) => !ONLY || ONLY.has(s.id));
  const latencyScenarios = scenarios.filter((s) => s.kind === 'latency').sort((a, b) => a.order - b.order);
  const memoryScenarios = scenarios.filter((s) => s.kind === 'memory');
  const runs = {};
  for (const s of scenarios) runs[s.id] = Object.fromEntries(variantsOf(s).map((v) => [v, []]));
  const info = {
    machine: machine(),
    quick: QUICK,
    rounds: ROUNDS,
    memoryRounds: Math.min(2, ROUNDS),
    concurrency: CONCURRENCY,
    fetchWarmup: FETCH_WARMUP,
    httpWarmup: HTTP_WARMUP,
    pinned: PINNED,
    startedAt: new Date(),
    latencyOrder: latencyScenarios.map((s) => s.id),
    variants: VARIANTS,
    variantInfo: Object.fromEntries(
      VARIANTS.map((v) => [v, { label: VARIANT_INFO[v].label, package: VARIANT_INFO[v].package }]),
    ),
  };
  log(`ailedger bench: ${scenarios.length} scenarios, variants ${VARIANTS.join(', ')}, ${ROUNDS} rounds`);

  info.exporterNone = await checkExporterNone(servers);
  log(`OTEL_TRACES_EXPORTER=none check: ${JSON.stringify(info.exporterNone)}`);

  // A comparison (all variants of one scenario) measured while other processes used more than this many cores is
  // run again, within a retry budget, so a burst of foreign load does not decide it.
  const NOISY_CORES = 0.35;
  info.noisyCores = NOISY_CORES;
  let retriesLeft = QUICK ? 0 : 6;
  info.retries = [];
  const fmtForeign = (f) => (f === undefined ? 'n/a' : `${f.toFixed(2)} cores`);
  /** Round r's order of turns for the k-th step: rotating, and reversed in odd rounds. */
  const turnOrder = (list, round, k) => rotate(round % 2 === 0 ? list : [...list].reverse(), k);

  for (let round = 0; round < ROUNDS; round++) {
    if (latencyScenarios.length > 0) {
      // All variants' processes stay alive and take turns, one scenario at a time, on the same core: only one of
      // them works at any moment.
      const procs = {};
      for (const v of VARIANTS) procs[v] = launch(servers, latencyChild('latency'), v);
      await Promise.all(VARIANTS.map((v) => procs[v].ready));
      for (const v of turnOrder(VARIANTS, round, 0)) {
        const w = await procs[v].step({ cmd: 'warmup' });
        log(`round ${round + 1}/${ROUNDS} warm-up ${v.padEnd(13)} ${w.wallS.toFixed(1).padStart(5)} s`);
      }
      for (const [i, s] of latencyScenarios.entries()) {
        for (;;) {
          const group = {};
          for (const v of turnOrder(VARIANTS, round, i + round)) {
            group[v] = await procs[v].step({ cmd: 'run', id: s.id, params: s.params });
          }
          const noisiest = Math.max(...VARIANTS.map((v) => group[v].foreignCores ?? 0));
          log(
            `round ${round + 1}/${ROUNDS} ${s.id.padEnd(24)} ` +
              VARIANTS.map((v) => `${v} ${group[v].wallS.toFixed(1)} s`).join(', ') +
              `, foreign load ${fmtForeign(noisiest)}`,
          );
          if (noisiest <= NOISY_CORES || retriesLeft <= 0) {
            for (const v of VARIANTS) {
              runs[s.id][v].push({
                ...group[v].result,
                round,
                variant: v,
                spansReceived: group[v].spansReceived,
                exportBytes: group[v].exportBytes,
                foreignCores: group[v].foreignCores,
              });
            }
            break;
          }
          retriesLeft--;
          const waited = await waitForQuiet(NOISY_CORES);
          info.retries.push({ scenario: s.id, round, foreignCores: noisiest, waitedS: waited });
          log(`  noisy: waited ${waited.toFixed(1)} s for quiet, measuring ${s.id} again in every process`);
        }
      }
      const finals = await Promise.all(VARIANTS.map((v) => procs[v].finish()));
      for (const [i, v] of VARIANTS.entries()) {
        for (const s of latencyScenarios) runs[s.id][v].at(-1).pipeline = finals[i].pipeline;
        if (finals[i].pipeline.peer) info.variantInfo[v].registered = finals[i].pipeline.peer;
      }
    }
    if (round < info.memoryRounds) {
      for (const s of memoryScenarios) {
        const child = { label: s.id, kind: 'memory', scenario: s.id, params: s.params };
        for (const v of turnOrder(PAIR, round, 0)) {
          const r = await runOnce(servers, child, v);
          runs[s.id][v].push({ ...r, round });
          log(
            `round ${round + 1}/${ROUNDS} ${s.id.padEnd(24)} ${v} ${r.wallS.toFixed(1)} s, foreign load ${fmtForeign(r.foreignCores)}`,
          );
        }
      }
    }
  }
  for (const s of scenarios.filter((x) => x.kind === 'soak')) {
    for (const v of PAIR) {
      const r = await runOnce(servers, { label: s.id, kind: 'soak', scenario: s.id, params: s.params }, v);
      runs[s.id][v].push(r);
      log(`soak ${s.id} ${v} ${r.wallS.toFixed(1)} s, foreign load ${fmtForeign(r.foreignCores)}`);
    }
  }

  // Profiles: one extra process per variant and scenario, not part of the statistics (profiling slows a process).
  const profiles = {};
  const toProfile = latencyScenarios.filter((s) => PROFILE.has(s.id));
  if (toProfile.length > 0) mkdirSync(PROFILE_DIR, { recursive: true });
  for (const s of toProfile) {
    const files = {};
    const windows = {};
    for (const v of VARIANTS) {
      const profileName = `${s.id}-${v}.cpuprofile`;
      const child = launch(servers, latencyChild(`profile ${s.id}`), v, { profileName });
      await child.ready;
      await child.step({ cmd: 'warmup' });
      const r = await child.step({ cmd: 'run', id: s.id, params: s.params });
      await child.finish();
      files[v] = join(PROFILE_DIR, profileName);
      // Only the measured phases (concurrency 1 and 64), not start-up or warm-up.
      windows[v] = [r.result.c1.windowUs[0], r.result.cN.windowUs[1]];
      log(`profiled ${s.id} ${v}`);
    }
    const calls = s.params.c1Calls + s.params.cNCalls;
    profiles[s.id] = { calls };
    if (files.ailedger) {
      profiles[s.id].diff = diffProfiles(files.baseline, files.ailedger, 25, {
        baseline: windows.baseline,
        ailedger: windows.ailedger,
      });
      profiles[s.id].ailedger = summarizeProfile(files.ailedger, 15, windows.ailedger);
    }
    // The peers' extra time by category, for the comparison (where their cost goes).
    profiles[s.id].peers = {};
    for (const v of VARIANTS.filter((x) => x !== 'baseline' && x !== 'ailedger')) {
      profiles[s.id].peers[v] = diffProfiles(files.baseline, files[v], 10, {
        baseline: windows.baseline,
        ailedger: windows[v],
      }).categories;
    }
  }
  await servers.close();

  info.totalSeconds = (Date.now() - started) / 1000;
  const data = { info, scenarios, runs, profiles };
  writeFileSync(join(here, 'results.json'), `${JSON.stringify(data, null, 1)}\n`);
  if (process.env.BENCH_NO_REPORT !== '1') {
    const summary = writeReport(data, join(root, 'BENCHMARKS.md'));
    log(summary);
  }
  log(`done in ${info.totalSeconds.toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
