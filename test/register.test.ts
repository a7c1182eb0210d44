/**
 * End to end through `node --require @ailedger/instrumentation/register` and `node --import ...`: real child
 * processes using the real openai SDK, exporting with the real OTLP exporters (http/protobuf and http/json) to a
 * receiver in the test. Uses the built package (npm test builds first).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FAKE_KEY = 'sk-test-REGISTERFAKEKEY000000000000';

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string>,
  onStdout?: (text: string, kill: () => void) => void,
) {
  return new Promise<RunResult>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: here,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      onStdout?.(stdout, () => child.kill('SIGTERM'));
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let standin: Standin;
let receiver: Receiver;

beforeAll(async () => {
  standin = await startOpenAIStandin();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await standin.close();
  await receiver.close();
});

function envFor(protocol: string): Record<string, string> {
  return {
    STANDIN_URL: standin.url,
    FAKE_KEY,
    OTEL_SERVICE_NAME: 'register-e2e',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    AILEDGER_PROVIDER_HOSTS: `127.0.0.1:${standin.port}=openai`,
    AILEDGER_TEAM: 'growth',
    AILEDGER_USE_CASE: 'onboarding-bot',
  };
}

describe.each([
  ['--require', 'fixtures/openai-app.cjs', 'http/protobuf', 3],
  ['--require', 'fixtures/openai-app.cjs', 'http/json', 3],
  ['--import', 'fixtures/openai-app.mjs', 'http/protobuf', 2],
  ['--import', 'fixtures/openai-app.mjs', 'http/json', 2],
])('node %s register %s over %s', (flag, app, protocol, expectedSpans) => {
  it('exports one span per model call, flushed at exit, and the app output is unchanged', async () => {
    const plain = await run([app], envFor(protocol));
    expect(plain.code).toBe(0);
    const before = receiver.spans.length;
    const traced = await run([flag, '@ailedger/instrumentation/register', app], envFor(protocol));
    expect(traced.stderr).toBe('');
    expect(traced.code).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const all = await receiver.waitFor(before + expectedSpans);
    const mine = all.slice(before);
    expect(mine).toHaveLength(expectedSpans);
    for (const span of mine) {
      expect(span.protocol).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
      expect(span.scope).toBe('@ailedger/instrumentation');
      expect(span.kind).toBe(3); // CLIENT
      expect(span.resource['service.name']).toBe('register-e2e');
      expect(span.resource['deployment.environment.name']).toBe('test');
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'openai',
        'ailedger.team': 'growth',
        'ailedger.use_case': 'onboarding-bot',
      });
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    }
    expect(mine[0]!.name).toBe('chat gpt-4o-mini');
    for (const body of receiver.rawBodies) expect(body).not.toContain(FAKE_KEY);
  });
});

describe('signals and switches', () => {
  it('SIGTERM flushes spans, then the process ends by the signal as it would have without us', async () => {
    const before = receiver.spans.length;
    const env = { ...envFor('http/json'), WAIT_FOR_SIGNAL: '1' };
    let sent = false;
    const result = await run(
      ['--require', '@ailedger/instrumentation/register', 'fixtures/openai-app.cjs'],
      env,
      (out, kill) => {
        if (!sent && out.includes('\n')) {
          sent = true;
          kill();
        }
      },
    );
    expect(result.signal).toBe('SIGTERM');
    const spans = await receiver.waitFor(before + 3);
    expect(spans.length - before).toBe(3);
  });

  it('OTEL_SDK_DISABLED=true: nothing is patched or exported', async () => {
    const before = receiver.requests;
    const env = { ...envFor('http/json'), OTEL_SDK_DISABLED: 'true' };
    const result = await run(
      ['--require', '@ailedger/instrumentation/register', 'fixtures/openai-app.cjs'],
      env,
    );
    expect(result.code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toBe(before);
  });

  it('OTEL_TRACES_EXPORTER=console prints spans to stdout instead of exporting', async () => {
    const before = receiver.requests;
    const env = { ...envFor('http/json'), OTEL_TRACES_EXPORTER: 'console' };
    const result = await run(
      ['--require', '@ailedger/instrumentation/register', 'fixtures/openai-app.cjs'],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("'gen_ai.provider.name': 'openai'");
    expect(receiver.requests).toBe(before);
  });
});
