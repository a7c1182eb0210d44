/**
 * One measured run: a single scenario in a fresh process, started by run.mjs either bare (baseline), with
 * `--require @ailedger/instrumentation/register` (ailedger) or with a peer instrumentation's preload
 * (bench/preload-<peer>.cjs). The workload code is identical in all; only the preload differs. Reports one JSON
 * result over IPC and exits.
 *
 * Timing: performance.now() per call; CPU: process.cpuUsage() deltas (user + system, all threads of the
 * process, so span export, GC helpers and libuv work are included). CPU of a phase includes flushing the spans
 * that phase produced to the OTLP sink, so the cost of exporting is counted, not deferred past the window.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const cfg = JSON.parse(process.env.BENCH_CHILD ?? '{}');
const gc = globalThis.gc ?? (() => undefined);
const now = () => performance.now();

const RUNTIME = Symbol.for('ailedger.runtime');
const OTEL_API = Symbol.for('opentelemetry.js.api.1');
/** Set by bench/peer-sdk.cjs in a peer variant: which instrumentation it registered. */
const PEER = Symbol.for('ailedger.bench.peer');

let modelCalls = 0;

// --- Span pipeline helpers (no-ops in the baseline, which loads no OpenTelemetry at all) ----------------

/** Waits until every recorded call has ended its span (spans end after the app has its data). */
async function drainInFlight(timeoutMs = 10_000) {
  const runtime = globalThis[RUNTIME];
  if (!runtime) return;
  const deadline = Date.now() + timeoutMs;
  while (runtime.inFlight.size > 0 && Date.now() < deadline) await sleep(2);
  // complete() ends the span a few microtasks after leaving inFlight.
  await sleep(5);
}

/**
 * Exports every ended span now (BatchSpanProcessor.forceFlush through the global provider). With `final`, shuts
 * the provider down too: forceFlush does not wait for an export the batch timer already started, and exiting
 * right after it can lose that batch; shutdown waits for the exporter's pending requests.
 */
async function flushSpans(final = false) {
  await drainInFlight();
  const proxy = globalThis[OTEL_API]?.trace;
  const provider = proxy?.getDelegate?.() ?? proxy;
  if (provider && typeof provider.forceFlush === 'function') await provider.forceFlush();
  if (final && provider && typeof provider.shutdown === 'function') await provider.shutdown();
}

function spanPipeline() {
  const proxy = globalThis[OTEL_API]?.trace;
  const provider = proxy?.getDelegate?.() ?? proxy;
  const runtime = globalThis[RUNTIME];
  return {
    tracerProvider: provider?.constructor?.name ?? 'none',
    peer: globalThis[PEER],
    instrumentationActive: runtime?.active === true,
    internalErrors: runtime?.internalErrors ?? 0,
    inFlightLeft: runtime?.inFlight?.size ?? 0,
  };
}

// --- Workloads ------------------------------------------------------------------------------------------

const AUTH = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };

const SMALL_CHAT = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Say hello in five words.' },
  ],
  max_tokens: 10,
};

/** A ~100 KB prompt of ordinary prose-like text (not one repeated character, which JSON handles unusually fast). */
function bigPrompt(bytes) {
  const words = [
    'the',
    'ledger',
    'records',
    'every',
    'model',
    'call',
    'with',
    'tokens',
    'and',
    'cost',
    'per',
  ];
  let text = '';
  let i = 0;
  while (text.length < bytes) {
    text += words[(i * 7 + (i >> 3)) % words.length] + (i % 17 === 16 ? '.\n' : ' ');
    i++;
  }
  return text.slice(0, bytes);
}

async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: AUTH, body });
  const json = await res.json();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return json;
}

/** Reads a fetch stream the way an app does: first chunk timed from the moment fetch() resolved. */
async function readStream(url, body) {
  const t0 = now();
  const res = await fetch(url, { method: 'POST', headers: AUTH, body });
  const t1 = now();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  const reader = res.body.getReader();
  let first = 0;
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (reads === 0) first = now();
    reads++;
    if (value.byteLength === 0) throw new Error('empty chunk');
  }
  const t3 = now();
  return { ttfbMs: t1 - t0, firstChunkDelayMs: first - t1, ttfcMs: first - t0, totalMs: t3 - t0, reads };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function httpRequest(url, method, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: AUTH }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) reject(new Error(`HTTP ${res.statusCode} from ${url}`));
        else resolve(Buffer.concat(chunks));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The SDK is loaded with require() in every variant: the peer instrumentations patch `openai` through a require
 * hook (an ESM import would need a loader hook they do not install), and the baseline and ailedger load it the same
 * way so the app code is the same.
 */
function openaiClient(baseURL) {
  const { OpenAI } = createRequire(import.meta.url)('openai');
  return new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
}

const EMBEDDING_INPUTS = Array.from(
  { length: 100 },
  (_, i) => `document number ${i} about invoices and ledgers`,
);

/** Returns `op()`: one call of the scenario. A model call increments modelCalls (for the span check). */
async function makeOp(name, urls) {
  const standinChat = `${urls.standin}/v1/chat/completions`;
  switch (name) {
    case 'chat-fetch': {
      const body = JSON.stringify(SMALL_CHAT);
      return async () => {
        modelCalls++;
        await postJson(standinChat, body);
      };
    }
    case 'chat-sdk': {
      const client = openaiClient(`${urls.standin}/v1`);
      return async () => {
        modelCalls++;
        await client.chat.completions.create(SMALL_CHAT);
      };
    }
    case 'chat-100kb-sdk': {
      const client = openaiClient(`${urls.standin}/v1`);
      const params = { ...SMALL_CHAT, messages: [{ role: 'user', content: bigPrompt(100 * 1024) }] };
      return async () => {
        modelCalls++;
        await client.chat.completions.create(params);
      };
    }
    case 'chat-http': {
      const body = JSON.stringify(SMALL_CHAT);
      return async () => {
        modelCalls++;
        JSON.parse((await httpRequest(standinChat, 'POST', body)).toString('utf8'));
      };
    }
    case 'chat-100kb': {
      const body = JSON.stringify({
        ...SMALL_CHAT,
        messages: [{ role: 'user', content: bigPrompt(100 * 1024) }],
      });
      return async () => {
        modelCalls++;
        await postJson(standinChat, body);
      };
    }
    case 'stream-200': {
      const body = JSON.stringify({
        ...SMALL_CHAT,
        max_tokens: 200,
        stream: true,
        stream_options: { include_usage: true },
      });
      return async () => {
        modelCalls++;
        return readStream(standinChat, body);
      };
    }
    case 'stream-200-nousage': {
      // What the openai SDK sends by default: no usage in the stream, so ailedger estimates tokens itself.
      const body = JSON.stringify({ ...SMALL_CHAT, max_tokens: 200, stream: true });
      return async () => {
        modelCalls++;
        return readStream(standinChat, body);
      };
    }
    case 'stream-50-paced': {
      const body = JSON.stringify({
        ...SMALL_CHAT,
        max_tokens: 50,
        stream: true,
        stream_options: { include_usage: true },
        bench_interval_ms: 1,
      });
      return async () => {
        modelCalls++;
        return readStream(`${urls.bulk}/paced/v1/chat/completions`, body);
      };
    }
    case 'stream-200-sdk': {
      const client = openaiClient(`${urls.standin}/v1`);
      const params = {
        ...SMALL_CHAT,
        max_tokens: 200,
        stream: true,
        stream_options: { include_usage: true },
      };
      return async () => {
        modelCalls++;
        const t0 = now();
        const stream = await client.chat.completions.create(params);
        const t1 = now();
        let first = 0;
        let events = 0;
        for await (const chunk of stream) {
          if (events === 0) first = now();
          events++;
          if (chunk.object !== 'chat.completion.chunk') throw new Error('unexpected chunk');
        }
        const t3 = now();
        return {
          ttfbMs: t1 - t0,
          firstChunkDelayMs: first - t1,
          ttfcMs: first - t0,
          totalMs: t3 - t0,
          reads: events,
        };
      };
    }
    case 'embeddings': {
      const body = JSON.stringify({ model: 'text-embedding-3-small', input: EMBEDDING_INPUTS });
      return async () => {
        modelCalls++;
        await postJson(`${urls.standin}/v1/embeddings`, body);
      };
    }
    case 'embeddings-sdk': {
      // encoding_format 'float': the stand-in always answers with float arrays (the SDK's default, base64, would
      // make it decode them as base64 strings).
      const client = openaiClient(`${urls.standin}/v1`);
      const params = { model: 'text-embedding-3-small', input: EMBEDDING_INPUTS, encoding_format: 'float' };
      return async () => {
        modelCalls++;
        const res = await client.embeddings.create(params);
        if (res.data.length !== 100) throw new Error('short embeddings');
      };
    }
    case 'embeddings-1536': {
      const body = JSON.stringify({
        model: 'text-embedding-3-small',
        encoding_format: 'float',
        input: EMBEDDING_INPUTS,
      });
      return async () => {
        modelCalls++;
        const json = await postJson(`${urls.bulk}/v1/embeddings`, body);
        if (json.data.length !== 100) throw new Error('short embeddings');
      };
    }
    case 'plain-fetch': {
      const body = JSON.stringify(SMALL_CHAT);
      return async () => {
        await postJson(`${urls.plain}/api/orders`, body);
      };
    }
    case 'plain-http': {
      return async () => {
        JSON.parse((await httpRequest(`${urls.plain}/api/orders/1`, 'GET')).toString('utf8'));
      };
    }
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

// --- Measurement ----------------------------------------------------------------------------------------

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1],
  };
}

/** Runs `calls` calls of `op` with `concurrency` workers; latency per call, throughput, CPU per call. */
async function phase(op, calls, concurrency) {
  // No gc() here: a forced full GC makes V8 drop compiled code and feedback, and the phase would measure the
  // re-warming (about +100 µs per fetch call over 500 calls, more in the process with the bigger heap).
  const latencies = new Float64Array(calls);
  const details = [];
  let next = 0;
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= calls) return;
      const s = now();
      const detail = await op();
      latencies[i] = now() - s;
      if (detail) details.push(detail);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = now() - t0;
  await flushSpans();
  const cpu = process.cpuUsage(cpu0);
  const out = {
    calls,
    concurrency,
    // Monotonic microseconds (the clock of --cpu-prof), to find this phase in a CPU profile.
    windowUs: [startUs, Number(process.hrtime.bigint() / 1000n)],
    wallMs,
    throughput: calls / (wallMs / 1000),
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
    cpuUserUsPerCall: cpu.user / calls,
    cpuSystemUsPerCall: cpu.system / calls,
    latencyMs: summarize(latencies),
  };
  if (details.length > 0) {
    out.stream = {};
    for (const key of Object.keys(details[0])) out.stream[key] = summarize(details.map((d) => d[key]));
  }
  return out;
}

async function run16(fn, n) {
  let left = n;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (left-- > 0) await fn();
    }),
  );
}

/** The shared warm-up: NON-model fetch and node:http calls to the plain server. */
async function sharedWarmup() {
  const { fetchWarmup = 0, httpWarmup = 0 } = cfg;
  if (fetchWarmup > 0) await run16(await makeOp('plain-fetch', cfg.urls), fetchWarmup);
  if (httpWarmup > 0) await run16(await makeOp('plain-http', cfg.urls), httpWarmup);
  return { calls: fetchWarmup + httpWarmup };
}

/** One latency scenario: its own warm-up, then calls one at a time, then with `concurrency` callers. */
async function latencyScenario(id, params) {
  const { warmup, c1Calls, cNCalls, concurrency } = params;
  const op = await makeOp(id.replace(/-after-model.*$/, ''), cfg.urls);
  const modelCalls0 = modelCalls;
  await run16(op, warmup);
  for (let i = 0; i < Math.min(50, warmup); i++) await op();
  await flushSpans();
  const c1 = await phase(op, c1Calls, 1);
  const cN = await phase(op, cNCalls, concurrency);
  return {
    c1,
    cN,
    calls: warmup + Math.min(50, warmup) + c1Calls + cNCalls,
    modelCalls: modelCalls - modelCalls0,
  };
}

/**
 * Latency mode: the parent drives the process step by step over IPC ({ cmd: 'warmup' }, { cmd: 'run', id,
 * params }, { cmd: 'exit' }), so the baseline and the ailedger process can take turns scenario by scenario and
 * each comparison is between two runs a few seconds apart. A step's reply carries the process CPU it used.
 *
 * Warm-up: undici's fetch on Node 20 keeps getting cheaper for several thousand calls while V8 optimizes it; the
 * shared warm-up uses non-model calls, which leave the ailedger process as if it had made no model call yet.
 * Each scenario then warms its own code paths (and lazily loaded modules such as the tokenizer). Fixed numbers
 * of calls, not a fixed time, so both variants do the same work.
 */
function latencySteps() {
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    process.on('message', (m) => {
      if (m?.cmd === undefined) return;
      queue = queue.then(async () => {
        if (m.cmd === 'exit') {
          resolve({});
          return;
        }
        const cpu0 = process.cpuUsage();
        try {
          const out =
            m.cmd === 'warmup' ? await sharedWarmup() : { result: await latencyScenario(m.id, m.params) };
          await drainInFlight();
          const cpu = process.cpuUsage(cpu0);
          process.send({ step: m.step, ok: true, ...out, cpuS: (cpu.user + cpu.system) / 1e6 });
        } catch (err) {
          process.send({ step: m.step, ok: false, error: String(err?.stack ?? err) });
        }
      });
    });
    process.send({ ready: true });
  });
}

function mem() {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

function fullGc() {
  gc();
  gc();
}

/** Streams one body of `bytes` through fetch or node:http, sampling memory every MiB as the app reads. */
async function streamBig(transport, bytes, onMiB) {
  const url = `${cfg.urls.bulk}/big/v1/chat/completions`;
  const body = JSON.stringify({
    ...SMALL_CHAT,
    max_tokens: 4096,
    stream: true,
    stream_options: { include_usage: true },
    bench_bytes: bytes,
  });
  modelCalls++;
  let received = 0;
  let nextSample = 1 << 20;
  const count = (n) => {
    received += n;
    if (received >= nextSample) {
      nextSample += 1 << 20;
      onMiB?.();
    }
  };
  if (transport === 'fetch') {
    const res = await fetch(url, { method: 'POST', headers: AUTH, body });
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      count(value.byteLength);
    }
  } else {
    await new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: AUTH }, (res) => {
        res.on('data', (c) => count(c.length));
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return received;
}

async function memoryScenario() {
  const transport = cfg.scenario === 'memory-50mb-http' ? 'http' : 'fetch';
  const { bytes } = cfg.params;
  // Warm-up with a 1 MiB stream so code is loaded and compiled before the baseline sample.
  await streamBig(transport, 1 << 20);
  await flushSpans();
  fullGc();
  const before = mem();
  const peak = { ...before };
  const samples = [];
  const sample = () => {
    const m = mem();
    samples.push(m.rss);
    for (const k of Object.keys(peak)) if (m[k] > peak[k]) peak[k] = m[k];
  };
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const received = await streamBig(transport, bytes, sample);
  const wallMs = now() - t0;
  await flushSpans();
  const cpu = process.cpuUsage(cpu0);
  sample();
  const end = mem();
  fullGc();
  const after = mem();
  return {
    memory: {
      bytes: received,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mbPerS: received / (1 << 20) / (wallMs / 1000),
      before,
      peak,
      end,
      after,
      rssSamples: samples.length,
    },
  };
}

async function soakScenario() {
  const op = await makeOp('chat-fetch', cfg.urls);
  const { calls, every, concurrency, warmup } = cfg.params;
  for (let i = 0; i < warmup; i++) await op();
  await flushSpans();
  fullGc();
  const samples = [{ calls: 0, ...mem() }];
  const cpu0 = process.cpuUsage();
  const t0 = now();
  let done = 0;
  while (done < calls) {
    const n = Math.min(every, calls - done);
    let next = 0;
    const worker = async () => {
      while (next++ < n) await op();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    done += n;
    await flushSpans();
    fullGc();
    samples.push({ calls: done, ...mem() });
  }
  const wallMs = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    soak: {
      calls,
      concurrency,
      wallMs,
      throughput: calls / (wallMs / 1000),
      cpuUsPerCall: (cpu.user + cpu.system) / calls,
      samples,
    },
  };
}

async function main() {
  const started = now();
  let result;
  if (cfg.kind === 'memory') result = await memoryScenario();
  else if (cfg.kind === 'soak') result = await soakScenario();
  else result = await latencySteps();
  const pipeline = spanPipeline();
  await flushSpans(true);
  const cpu = process.cpuUsage();
  return {
    ...result,
    modelCalls,
    pipeline,
    childWallMs: now() - started,
    processCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

main().then(
  (result) => process.send({ ok: true, result }, () => process.exit(0)),
  (err) => process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1)),
);
