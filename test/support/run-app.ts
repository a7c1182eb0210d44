/** Runs a test app (test/fixtures) as a real child process with only the given environment. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const testDir = path.resolve(import.meta.dirname, '..');

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `args` as for `node`, run from the test folder by default (so `fixtures/app.cjs` and `@ailedger/...` resolve). */
export function runApp(args: string[], env: Record<string, string>, cwd = testDir): Promise<AppRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
