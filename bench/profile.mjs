/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the hottest functions by self time, and the frames that
 * are ours (instrumentation/dist), by self and by inclusive time, mapped back to instrumentation/src through the
 * build's source maps. `node bench/profile.mjs file.cpuprofile` prints the summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OURS = /instrumentation\/dist\//;

/** A repository-relative, machine-independent name for a script URL. */
function shortFile(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = relative(root, path);
  if (rel.startsWith('..')) {
    const nm = path.lastIndexOf('node_modules/');
    return nm === -1 ? '(outside repository)' : path.slice(nm);
  }
  return rel;
}

const maps = new Map();

function sourceMapFor(url) {
  if (!maps.has(url)) {
    let map;
    try {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

/** instrumentation/src/file.ts:line for a frame of our dist, when the source map knows it. */
function originalPosition(callFrame) {
  const map = sourceMapFor(callFrame.url);
  if (!map) return undefined;
  const entry = map.findEntry(callFrame.lineNumber, callFrame.columnNumber);
  if (!entry?.originalSource) return undefined;
  const src = entry.originalSource.replace(/^.*?(src\/)/, 'instrumentation/$1');
  return `${src}:${entry.originalLine + 1}`;
}

function frameName(callFrame) {
  const fn = callFrame.functionName || '(anonymous)';
  const where = OURS.test(callFrame.url)
    ? (originalPosition(callFrame) ?? `${shortFile(callFrame.url)}:${callFrame.lineNumber + 1}`)
    : `${shortFile(callFrame.url)}:${callFrame.lineNumber + 1}`;
  return `${fn} ${where}`;
}

export function summarizeProfile(file, top = 15, window = undefined) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const times = sampleTimes(profile);
  const byId = new Map();
  for (const node of profile.nodes) byId.set(node.id, node);
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map();
  const inclusive = new Map();
  let totalUs = 0;
  let oursUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (window && (times[i] < window[0] || times[i] > window[1])) continue;
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf) continue;
    totalUs += dt;
    const leafName = leaf.callFrame.functionName;
    if (leafName === '(idle)' || leafName === '(program)') {
      if (leafName === '(idle)') idleUs += dt;
      continue;
    }
    const name = frameName(leaf.callFrame);
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set();
    let sawOurs = false;
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id).callFrame;
      if (!OURS.test(frame.url)) continue;
      sawOurs = true;
      const n = frameName(frame);
      if (seen.has(n)) continue;
      seen.add(n);
      inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
    }
    if (sawOurs) oursUs += dt;
  }
  const busyUs = totalUs - idleUs;
  const rows = (map, filter) =>
    [...map.entries()]
      .filter(([name]) => filter(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ frame: name, ms: us / 1000, pctOfBusy: (100 * us) / busyUs }));
  const isOurs = (name) => name.includes(' instrumentation/');
  return {
    file: shortFile(file),
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    oursInclusiveMs: oursUs / 1000,
    oursInclusivePctOfBusy: (100 * oursUs) / busyUs,
    topSelf: rows(self, () => true),
    oursSelf: rows(self, isOurs),
    oursInclusive: rows(inclusive, () => true),
  };
}

/** Where a frame's code lives, coarsely: the buckets the baseline/ailedger difference is split into. */
function category(callFrame) {
  const url = callFrame.url;
  const fn = callFrame.functionName;
  if (!url) {
    if (fn === '(garbage collector)') return 'garbage collector';
    if (fn === '(idle)' || fn === '(program)') return fn;
    return 'native (V8/libuv: syscalls, JSON, microtasks)';
  }
  if (OURS.test(url)) return 'ailedger (instrumentation/dist)';
  if (url.includes('node_modules/@opentelemetry/instrumentation-openai/'))
    return 'other packages (@opentelemetry/instrumentation-openai)';
  if (url.includes('node_modules/@opentelemetry/')) return 'OpenTelemetry SDK and exporter';
  if (url.includes('node_modules/protobufjs') || url.includes('node_modules/@protobufjs'))
    return 'protobufjs';
  if (url.includes('node_modules/'))
    return `other packages (${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]})`;
  if (url.includes('internal/deps/undici')) return 'node: undici (fetch)';
  if (url.includes('internal/webstreams')) return 'node: web streams';
  if (url.includes('internal/modules') || url.includes('internal/bootstrap')) return 'node: module loading';
  if (url.startsWith('node:')) return 'node: other internals';
  return 'app (bench workload)';
}

/** Sample timestamps (monotonic µs, the clock of process.hrtime) of a profile. */
function sampleTimes(profile) {
  let t = profile.startTime;
  return profile.timeDeltas.map((d) => {
    t += d;
    return t;
  });
}

function selfByKey(file, keyOf, window) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = sampleTimes(profile);
  const out = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    if (window && (times[i] < window[0] || times[i] > window[1])) continue;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const key = keyOf(node.callFrame);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return out;
}

/**
 * Self time by category and by function in a baseline and an ailedger profile of the same workload (same call
 * counts), and the difference: where the extra CPU of the ailedger process goes. `windows` ({ baseline, ailedger },
 * each [fromUs, toUs] on the process.hrtime clock) restricts each profile to the measured phases; divide by the
 * number of calls made in them for a per-call cost.
 */
export function diffProfiles(baselineFile, ailedgerFile, top = 20, windows = {}) {
  const diff = (keyOf) => {
    const b = selfByKey(baselineFile, keyOf, windows.baseline);
    const a = selfByKey(ailedgerFile, keyOf, windows.ailedger);
    const keys = new Set([...b.keys(), ...a.keys()]);
    return [...keys]
      .filter((k) => k !== '(idle)' && !k.startsWith('(idle) '))
      .map((k) => ({ key: k, baselineMs: (b.get(k) ?? 0) / 1000, ailedgerMs: (a.get(k) ?? 0) / 1000 }))
      .map((r) => ({ ...r, deltaMs: r.ailedgerMs - r.baselineMs }))
      .sort((x, y) => y.deltaMs - x.deltaMs);
  };
  return { categories: diff(category), functions: diff(frameName).slice(0, top) };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--diff') {
  const d = diffProfiles(process.argv[3], process.argv[4], 30);
  const perCall = Number(process.argv[5] ?? 0);
  const fmt = (ms) =>
    `${ms.toFixed(1).padStart(8)} ms${perCall ? ` ${((ms * 1000) / perCall).toFixed(1).padStart(7)} µs/call` : ''}`;
  for (const [title, rows] of [
    ['by category', d.categories],
    ['by function', d.functions],
  ]) {
    console.log(`${title}: baseline, ailedger, delta`);
    for (const r of rows)
      console.log(`  ${fmt(r.baselineMs)} ${fmt(r.ailedgerMs)} ${fmt(r.deltaMs)}  ${r.key}`);
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    const s = summarizeProfile(file, 25);
    console.log(
      `${s.file}: busy ${s.busyMs.toFixed(0)} ms, under ailedger frames ${s.oursInclusiveMs.toFixed(1)} ms ` +
        `(${s.oursInclusivePctOfBusy.toFixed(1)} %)`,
    );
    for (const [title, list] of [
      ['top self', s.topSelf],
      ['ours, self', s.oursSelf],
      ['ours, inclusive', s.oursInclusive],
    ]) {
      console.log(`  ${title}:`);
      for (const r of list)
        console.log(
          `    ${r.ms.toFixed(1).padStart(8)} ms ${r.pctOfBusy.toFixed(1).padStart(5)} %  ${r.frame}`,
        );
    }
  }
}
