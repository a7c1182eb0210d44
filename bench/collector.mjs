/**
 * Throughput and memory of `ailedger collector`: OTLP/HTTP protobuf in → normalize, count once, price,
 * attribute, derive metrics → OTLP/HTTP protobuf out, measured on the real CLI process pinned to one core.
 * Run by `npm run bench` after bench/run.mjs (or alone on a fresh build: `node bench/collector.mjs`); writes
 * bench/collector-results.json and re-renders BENCHMARKS.md.
 *
 * Workloads (100 spans per request, the same span shape and size in each):
 * - `pass-through`: spans with no GenAI attribute (keys renamed out of every GenAI namespace). The collector
 *   decodes, scans, re-encodes, queues and forwards them but has nothing to enrich: the baseline.
 * - `mixed-10pct`: one span in ten is a foreign GenAI model call (OpenLLMetry-style names) to normalize and price.
 * - `all-genai`: every span is a foreign GenAI model call, the worst case.
 * CPU per span is the collector process's user+system CPU (all threads, from /proc) over the measured window,
 * divided by the spans acknowledged in it. BENCH_QUICK=1 shortens every phase.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { writeReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP_S = QUICK ? 2 : 5;
const MEASURE_S = QUICK ? 3 : 10;
const ROUNDS = QUICK ? 1 : 3;
const CONCURRENCY = 8;
const SPANS_PER_REQUEST = 100;
const CLK_TCK = 100;
const TARGET_SPANS_PER_CORE_S = 50_000;
const TARGET_CPU_RATIO = 1.3;

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One encoded request of SPANS_PER_REQUEST spans, `genaiEvery`-th span a GenAI call (0 = none). */
function buildRequest(genaiEvery) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-app', 'deployment.environment.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const genai = genaiEvery > 0 && i % genaiEvery === 0;
    // Same keys and values either way; plain spans get the keys moved out of every GenAI namespace.
    const p = genai ? '' : 'x.';
    tracer
      .startSpan(genai ? 'openai.chat' : 'GET /api/items', {
        kind: 2,
        attributes: {
          [`${p}gen_ai.system`]: 'openai',
          [`${p}llm.request.type`]: 'chat',
          [`${p}gen_ai.request.model`]: 'gpt-4o-mini',
          [`${p}gen_ai.response.model`]: 'gpt-4o-mini-2024-07-18',
          [`${p}gen_ai.usage.prompt_tokens`]: 1200 + i,
          [`${p}gen_ai.usage.completion_tokens`]: 300,
          'http.request.method': 'POST',
          'url.full': 'https://api.openai.com/v1/chat/completions',
          'server.address': 'api.openai.com',
          'server.port': 443,
          'http.response.status_code': 200,
        },
      })
      .end();
  }
  const spans = exporter.getFinishedSpans();
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
}

function startSink() {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c) => {
      bytes += c.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        bytes: () => bytes,
        close: () => server.close(),
      }),
    ),
  );
}

function procStat(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (index 11 and 12 after the command name).
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function startCollector(sinkUrl, pin) {
  const dir = mkdtempSync(join(os.tmpdir(), 'ailedger-bench-collector-'));
  const config = join(dir, 'ailedger.yaml');
  writeFileSync(
    config,
    `exporters:
  - name: sink
    endpoint: ${sinkUrl}
    compression: none
    batch: { max_spans: 8192, timeout_ms: 200 }
queue: { max_spans: 500000 }
log: { level: info }
`,
  );
  const cli = join(root, 'collector-processor', 'dist', 'cli.js');
  const args = [
    cli,
    'collector',
    '--config',
    config,
    '--receiver.endpoint=127.0.0.1:0',
    '--admin.endpoint=127.0.0.1:0',
  ];
  const proc = pin
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const started = await new Promise((resolve, reject) => {
    proc.stderr.on('data', (c) => {
      err += c;
      for (const line of err.split('\n')) {
        if (!line.includes('ailedger collector started')) continue;
        try {
          resolve(JSON.parse(line));
        } catch {
          // partial line
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`collector exited ${code}: ${err}`)));
  });
  // With taskset, the node process is the taskset child after exec: same pid.
  return { proc, url: `http://${started.receiver}`, admin: `http://${started.admin}`, pid: proc.pid };
}

async function load(url, body, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let refused = 0;
  const one = () =>
    new Promise((resolve) => {
      const req = http.request(
        `${url}/v1/traces`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else refused++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        refused++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  return { ok, refused };
}

async function measure(workload, body, sink, pin) {
  const c = await startCollector(sink.url, pin);
  try {
    await load(c.url, body, WARMUP_S);
    const cpu0 = procStat(c.pid);
    const t0 = performance.now();
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(c.pid));
    }, 200);
    const { ok, refused } = await load(c.url, body, MEASURE_S);
    const wall = (performance.now() - t0) / 1000;
    const cpu = procStat(c.pid) - cpu0;
    clearInterval(sampler);
    const spans = ok * SPANS_PER_REQUEST;
    return {
      workload,
      spans,
      refusedRequests: refused,
      wallSeconds: wall,
      cpuSeconds: cpu,
      spansPerSecond: spans / wall,
      spansPerCpuSecond: spans / cpu,
      cpuUsPerSpan: (cpu / spans) * 1e6,
      peakRssMiB: peak,
      endRssMiB: rssMiB(c.pid),
    };
  } finally {
    c.proc.kill('SIGKILL');
  }
}

async function main() {
  if (!existsSync(join(root, 'collector-processor', 'dist', 'cli.js'))) {
    throw new Error('build first: npm run build');
  }
  const pin = os.cpus().length >= 2 && process.env.BENCH_PIN !== '0';
  if (pin) spawn('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const workloads = [
    ['pass-through', buildRequest(0)],
    ['mixed-10pct', buildRequest(10)],
    ['all-genai', buildRequest(1)],
  ];
  const sink = await startSink();
  const runs = Object.fromEntries(workloads.map(([w]) => [w, []]));
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so a slow spell of the machine does not always hit the same workload.
    const order = round % 2 === 0 ? workloads : [...workloads].reverse();
    for (const [workload, body] of order) {
      const r = await measure(workload, body, sink, pin);
      runs[workload].push(r);
      console.log(
        `${workload.padEnd(13)} ${Math.round(r.spansPerCpuSecond).toLocaleString('en-US').padStart(9)} spans/CPU-s  ${r.cpuUsPerSpan.toFixed(2)} µs/span  peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
      );
    }
  }
  sink.close();
  const summary = {};
  for (const [workload] of workloads) {
    const rs = runs[workload];
    summary[workload] = {
      spansPerCpuSecond: median(rs.map((r) => r.spansPerCpuSecond)),
      spansPerSecond: median(rs.map((r) => r.spansPerSecond)),
      cpuUsPerSpan: median(rs.map((r) => r.cpuUsPerSpan)),
      peakRssMiB: median(rs.map((r) => r.peakRssMiB)),
      refusedRequests: rs.reduce((s, r) => s + r.refusedRequests, 0),
    };
  }
  const ratio = (w) => {
    const per = runs[w].map((r, i) => r.cpuUsPerSpan / runs['pass-through'][i].cpuUsPerSpan);
    return median(per);
  };
  const data = {
    date: new Date().toISOString(),
    quick: QUICK,
    pinned: pin,
    rounds: ROUNDS,
    warmupSeconds: WARMUP_S,
    measureSeconds: MEASURE_S,
    concurrency: CONCURRENCY,
    spansPerRequest: SPANS_PER_REQUEST,
    requestBytes: Object.fromEntries(workloads.map(([w, b]) => [w, b.length])),
    targets: { spansPerCpuSecond: TARGET_SPANS_PER_CORE_S, cpuRatio: TARGET_CPU_RATIO },
    summary,
    cpuRatioToPassThrough: { 'mixed-10pct': ratio('mixed-10pct'), 'all-genai': ratio('all-genai') },
    runs,
    totalSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(here, 'collector-results.json'), `${JSON.stringify(data, null, 1)}\n`);
  const resultsFile = join(here, 'results.json');
  if (existsSync(resultsFile))
    writeReport(JSON.parse(readFileSync(resultsFile, 'utf8')), join(root, 'BENCHMARKS.md'));
  console.log(
    `CPU ratio to pass-through: mixed ${data.cpuRatioToPassThrough['mixed-10pct'].toFixed(2)}x, all-genai ${data.cpuRatioToPassThrough['all-genai'].toFixed(2)}x`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
