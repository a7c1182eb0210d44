/**
 * Runs the real `ailedger collector` CLI as a child process (the built package), on ephemeral ports, and reads
 * where it listens from its start-up log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '../../collector-processor/dist/cli.js');

export interface RunningCollector {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  adminUrl: string;
  proc: ChildProcess;
  /** Every log line so far (JSON objects). */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** SIGTERM and wait for exit (graceful drain). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
  metrics(): Promise<string>;
}

export function tempDir(prefix = 'ailedger-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startCollector(options: {
  /** YAML config; `receiver.endpoint` and `admin.endpoint` default to 127.0.0.1:0 here. */
  config?: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<RunningCollector> {
  const dir = tempDir('ailedger-collector-');
  const file = path.join(dir, 'ailedger.yaml');
  fs.writeFileSync(file, options.config ?? '');
  const proc = spawn(
    process.execPath,
    [
      CLI,
      'collector',
      '--config',
      file,
      '--receiver.endpoint=127.0.0.1:0',
      '--admin.endpoint=127.0.0.1:0',
      ...(options.args ?? []),
    ],
    { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  const logs: Array<Record<string, unknown>> = [];
  let pending = '';
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    pending += c.toString();
    let i = pending.indexOf('\n');
    while (i >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line (e.g. a start-up error message).
      }
      i = pending.indexOf('\n');
    }
  });
  proc.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let started: Record<string, unknown> | undefined;
  while (started === undefined) {
    started = logs.find((l) => l.msg === 'ailedger collector started');
    if (started) break;
    if (proc.exitCode !== null) throw new Error(`collector exited with ${proc.exitCode}: ${err}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`collector did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `http://${String(started.receiver)}`;
  const adminUrl = `http://${String(started.admin)}`;
  return {
    url,
    adminUrl,
    proc,
    logs,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async metrics() {
      const res = await fetch(`${adminUrl}/metrics`);
      return res.text();
    },
  };
}

/** The value of one Prometheus sample, matching every given label; 0 when absent. Sums matching series. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (!ok) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
