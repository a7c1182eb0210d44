/**
 * Never leak a key: apps under `--import @ailedger/instrumentation/register` call OpenAI, Anthropic and Gemini
 * (real SDKs, stand-ins) with fake keys and a prompt full of pasted secrets, once with content capture at its
 * default (off) and once on; they export through an `ailedger collector` that requires a bearer token, logs at
 * debug level, writes the SQLite spend ledger and forwards to two backends (JSON with an API-key header, protobuf
 * after two refusals). Then everything that left a process is scanned for every secret: the bytes of every
 * exported request (both backends), /metrics, every collector log line, the apps' output and every ledger row.
 */
import path from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicStandin } from './standins/anthropic.mjs';
import { startGeminiStandin } from './standins/gemini.mjs';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { metricValue, type RunningCollector, startCollector, tempDir } from './support/collector.js';
import { type ReceivedSpan, type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { type AppRun, runApp } from './support/run-app.js';

const KEYS = {
  openai: 'sk-proj-SCANFAKEKEY0123456789abcdefghijKLMN',
  anthropic: 'sk-ant-api03-SCANFAKE0123456789abcdefFAKE',
  gemini: 'AIzaSySCANFAKE-gemini-key-0123456789ab',
  ingestToken: 'scan-ingest-token-FAKE-0123456789',
  backendKey: 'scan-backend-key-FAKE-0123456789',
  wrongToken: 'scan-wrong-token-FAKE-0123456789',
};
/** Pasted into the prompt: with capture off only hashes leave; with capture on they are redacted. */
const PASTED = {
  openaiKey: 'sk-proj-PASTEDSCANFAKE0123456789abcdefghijKL',
  awsKey: 'AKIASCANPASTEDFAKE12',
  email: 'pasted.scan@example.org',
  card: '4111 1111 1111 1111',
};
const PROMPT = `Debug this: OPENAI_API_KEY=${PASTED.openaiKey} aws ${PASTED.awsKey} mail ${PASTED.email} card ${PASTED.card}`;
const SECRETS = [...Object.values(KEYS), ...Object.values(PASTED)];
const CONTENT = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'];

let openai: Standin;
let anthropic: Standin;
let gemini: Standin;
let jsonBackend: Receiver;
let protoBackend: Receiver;
let collector: RunningCollector;
let ledgerFile: string;
const apps: AppRun[] = [];
const scanned: Record<string, string[]> = {};

function app(service: string, extra: Record<string, string>): Promise<AppRun> {
  return runApp(['--import', '@ailedger/instrumentation/register', 'fixtures/secrets-app.mjs'], {
    OPENAI_URL: openai.url,
    ANTHROPIC_URL: anthropic.url,
    GEMINI_URL: gemini.url,
    OPENAI_KEY: KEYS.openai,
    ANTHROPIC_KEY: KEYS.anthropic,
    GEMINI_KEY: KEYS.gemini,
    PROMPT,
    AILEDGER_PROVIDER_HOSTS: [
      `127.0.0.1:${openai.port}=openai`,
      `127.0.0.1:${anthropic.port}=anthropic`,
      `127.0.0.1:${gemini.port}=gcp.gemini`,
    ].join(','),
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${KEYS.ingestToken}`,
    ...extra,
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ours = (spans: readonly ReceivedSpan[], service: string) =>
  spans.filter((s) => s.scope === '@ailedger/instrumentation' && s.resource['service.name'] === service);

beforeAll(async () => {
  openai = await startOpenAIStandin();
  anthropic = await startAnthropicStandin();
  gemini = await startGeminiStandin();
  jsonBackend = await startOtlpReceiver();
  let refusals = 2;
  protoBackend = await startOtlpReceiver({
    fault: () => (refusals-- > 0 ? { status: 503, body: 'backend storage is down' } : undefined),
  });
  const dir = tempDir('ailedger-secrets-');
  ledgerFile = path.join(dir, 'ledger.db');
  collector = await startCollector({
    config: `
receiver: { bearer_token: \${env:INGEST_TOKEN} }
exporters:
  - name: json-backend
    endpoint: ${jsonBackend.url}
    protocol: http/json
    headers: { x-backend-key: \${env:BACKEND_KEY} }
    batch: { max_spans: 64, timeout_ms: 20 }
  - name: proto-backend
    endpoint: ${protoBackend.url}
    batch: { max_spans: 64, timeout_ms: 20 }
    retry: { initial_interval_ms: 50, max_interval_ms: 200 }
ledger:
  url: sqlite://${ledgerFile}
log: { level: debug }
`,
    env: { INGEST_TOKEN: KEYS.ingestToken, BACKEND_KEY: KEYS.backendKey },
  });
  // A sender with the wrong token: refused, and the token must not be logged.
  const refused = await fetch(`${collector.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.wrongToken}` },
    body: '{"resourceSpans":[]}',
  });
  expect(refused.status).toBe(401);

  apps.push(await app('scan-capture-default', {}));
  apps.push(await app('scan-capture-on', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }));
  for (const run of apps) {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
  // Five model calls per run (chat, stream, the 429, Anthropic, Gemini), counted once each in the ledger.
  for (const backend of [jsonBackend, protoBackend]) {
    await waitUntil(
      async () =>
        ours(backend.spans, 'scan-capture-default').length >= 5 &&
        ours(backend.spans, 'scan-capture-on').length >= 5,
      20_000,
      'spans at both backends',
    );
  }
  await waitUntil(
    async () => metricValue(await collector.metrics(), 'ailedger_collector_ledger_rows_written_total') >= 10,
    20_000,
    'ledger rows',
  );
  scanned.metrics = [await collector.metrics()];
  expect(await collector.stop()).toBe(0);

  scanned['json backend requests'] = jsonBackend.rawBodies;
  scanned['protobuf backend requests'] = protoBackend.rawBodies;
  scanned['collector log lines'] = collector.stderr().split('\n');
  scanned['app output'] = apps.flatMap((r) => [r.stdout, r.stderr]);
  const db = new Database(ledgerFile);
  try {
    scanned['ledger rows'] = [
      ...(db.prepare('SELECT * FROM ledger_calls').all() as unknown[]),
      ...(db.prepare('SELECT * FROM ledger_daily').all() as unknown[]),
    ].map((row) => JSON.stringify(row));
  } finally {
    db.close();
  }
}, 120_000);

afterAll(async () => {
  await collector?.stop();
  await Promise.all([openai, anthropic, gemini, jsonBackend, protoBackend].map((s) => s?.close()));
});

describe('no secret leaves in anything exported, logged or stored', () => {
  it('the scan covers real data: spans at both backends, debug logs with the refusals, ledger rows, metrics', () => {
    expect(scanned['json backend requests']!.length).toBeGreaterThan(0);
    expect(scanned['protobuf backend requests']!.length).toBeGreaterThan(0);
    expect(scanned['ledger rows']!.length).toBeGreaterThanOrEqual(10);
    const logs = scanned['collector log lines']!.join('\n');
    expect(logs).toContain('"level":"debug"');
    expect(logs).toContain('unauthorized'); // the wrong token's refusal was logged...
    expect(logs).toContain('backend storage is down'); // ...and so was the backend's refusal
    expect(scanned.metrics![0]).toContain('ailedger_cost_usd_total');
    // The keys really were on the wire to the providers (so their absence above means something).
    expect(openai.requests.some((r) => r.headers.authorization === `Bearer ${KEYS.openai}`)).toBe(true);
    expect(anthropic.requests.some((r) => r.headers.authorization === `Bearer ${KEYS.anthropic}`)).toBe(true);
    expect(gemini.requests.some((r) => r.headers['x-goog-api-key'] === KEYS.gemini)).toBe(true);
    expect(openai.requests.some((r) => r.body.includes(PASTED.openaiKey))).toBe(true);
  });

  it.each(SECRETS.map((s) => [s]))('%s appears nowhere', (secret) => {
    for (const [where, texts] of Object.entries(scanned)) {
      for (const text of texts) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  });

  it('credentials are represented only by their fingerprint', () => {
    const spans = ours(jsonBackend.spans, 'scan-capture-default');
    const fingerprints = new Set(spans.map((s) => s.attributes['ailedger.api_key.fingerprint']));
    expect(fingerprints.size).toBe(3); // one per provider key
    for (const f of fingerprints) expect(f).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('content capture', () => {
  it('is off by default: no prompt or response leaves, only the hashes', () => {
    const spans = ours(jsonBackend.spans, 'scan-capture-default');
    expect(spans.length).toBeGreaterThanOrEqual(5);
    for (const span of spans) {
      for (const key of CONTENT) expect(span.attributes[key], key).toBeUndefined();
      expect(span.attributes['ailedger.content.request_sha256']).toMatch(/^[0-9a-f]{64}$/);
    }
    for (const body of jsonBackend.rawBodies.concat(protoBackend.rawBodies)) {
      if (body.includes('scan-capture-default')) expect(body).not.toContain('Debug this');
    }
  });

  it('when turned on, exports the messages with every pasted secret redacted', () => {
    const spans = ours(jsonBackend.spans, 'scan-capture-on');
    const inputs = spans.map((s) => String(s.attributes['gen_ai.input.messages'] ?? ''));
    expect(inputs.filter((i) => i.includes('Debug this'))).toHaveLength(spans.length);
    for (const input of inputs) {
      for (const kind of ['api_key', 'aws_access_key', 'email', 'card_number']) {
        expect(input).toContain(`[REDACTED:${kind}]`);
      }
    }
    const system = spans
      .map((s) => s.attributes['gen_ai.system_instructions'])
      .filter((v) => v !== undefined);
    expect(system).toHaveLength(1); // Anthropic's system prompt
    expect(String(system[0])).toContain('[REDACTED:api_key]');
  });
});
