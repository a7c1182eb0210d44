/**
 * Runs the real Prometheus server (Debian's `prometheus` package; .ci/run installs it) for tests: a temporary
 * config and data directory, a free port, and the HTTP API. The binary is looked up on PATH (or
 * PROMETHEUS_BIN); a missing binary is an error, never a skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './collector.js';

/** The path of a program on PATH; throws a message saying how to install it when it is missing. */
export function findProgram(name: string, override?: string): string {
  if (override) {
    if (fs.existsSync(override)) return override;
    throw new Error(`${name}: ${override} does not exist`);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error(
    `${name} is not installed (not found on PATH). Install Debian's prometheus package, which provides prometheus ` +
      `and promtool: apt-get install prometheus (.ci/run does this).`,
  );
}

export const prometheusBin = (): string => findProgram('prometheus', process.env.PROMETHEUS_BIN);
export const promtoolBin = (): string => findProgram('promtool', process.env.PROMTOOL_BIN);

/** Runs promtool with the arguments; returns its exit code and output. */
export function promtool(args: string[], cwd?: string): { code: number | null; output: string } {
  const r = spawnSync(promtoolBin(), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}
export interface RuleGroup {
  name: string;
  file: string;
  lastEvaluation: string;
  /** Seconds the last evaluation took. */
  evaluationTime: number;
  rules: Array<{
    name: string;
    query: string;
    type: 'recording' | 'alerting';
    health: string;
    lastError?: string;
    state?: string;
    alerts?: Array<{ labels: Record<string, string>; state: string; value: string }>;
  }>;
}

export interface RunningPrometheus {
  url: string;
  proc: ChildProcess;
  /** Instant query; throws with Prometheus' error message when the expression does not parse or fails. */
  query(expr: string, time?: number): Promise<VectorSample[]>;
  /** Range query (what a Grafana time series panel runs). */
  queryRange(expr: string, start: number, end: number, step: number): Promise<MatrixSeries[]>;
  rules(): Promise<RuleGroup[]>;
  stderr(): string;
  stop(): Promise<void>;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  error?: string;
  errorType?: string;
}

async function api<T>(url: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await res.json()) as ApiAnswer<T>;
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(
      `Prometheus ${body.errorType ?? res.status}: ${body.error ?? 'no data'} (${params.query ?? ''})`,
    );
  }
  return body.data;
}

export async function startPrometheus(options: {
  /** prometheus.yml text; rule_files may name absolute paths. */
  config: string;
  timeoutMs?: number;
}): Promise<RunningPrometheus> {
  const bin = prometheusBin();
  const dir = tempDir('ailedger-prometheus-');
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, options.config);
  const port = await freePort();
  const proc = spawn(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${err}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`prometheus did not become ready: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    async query(expr, time) {
      const params: Record<string, string> = { query: expr };
      if (time !== undefined) params.time = String(time);
      const data = await api<{ resultType: string; result: VectorSample[] }>(`${url}/api/v1/query`, params);
      if (data.resultType !== 'vector')
        throw new Error(`expected a vector from ${expr}, got ${data.resultType}`);
      return data.result;
    },
    async queryRange(expr, start, end, step) {
      const data = await api<{ resultType: string; result: MatrixSeries[] }>(`${url}/api/v1/query_range`, {
        query: expr,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      return data.result;
    },
    async rules() {
      const res = await fetch(`${url}/api/v1/rules`);
      const body = (await res.json()) as ApiAnswer<{ groups: RuleGroup[] }>;
      return body.data?.groups ?? [];
    },
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
