// `npm run demo`: the whole pipeline on one machine, nothing leaving it. Local stand-ins for OpenAI, Anthropic,
// Gemini and Mistral; three sample services for three teams calling them through their official SDKs under
// `node --import @ailedger/instrumentation/register`; the ailedger collector receiving their spans over OTLP,
// pricing and attributing them, serving /metrics and writing the spend ledger to an SQLite file; then
// `ailedger report` by team and model from that file. With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. a Jaeger at
// http://localhost:4318) the collector also forwards every span there.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CollectorService, loadConfig } from '../collector-processor/dist/index.js';
import { startAnthropicStandin } from '../test/standins/anthropic.mjs';
import { startGeminiStandin } from '../test/standins/gemini.mjs';
import { startMistralStandin } from '../test/standins/mistral.mjs';
import { startOpenAIStandin } from '../test/standins/openai.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '../collector-processor/dist/cli.js');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s`;
const step = (line) => console.log(`[${elapsed()}] ${line}`);

const SERVICES = [
  {
    name: 'helpdesk-api',
    script: 'helpdesk-api.mjs',
    env: {},
    note: 'team support by collector rule; OpenAI',
  },
  {
    name: 'search-indexer',
    script: 'search-indexer.mjs',
    env: { AILEDGER_TEAM: 'search', AILEDGER_USE_CASE: 'doc-indexing' },
    note: 'team search from its environment; OpenAI + Gemini',
  },
  {
    name: 'sales-assistant',
    script: 'sales-assistant.mjs',
    env: {},
    note: 'team sales in code; Anthropic + Mistral',
  },
];

// The collector's log lines are JSON for log shippers; here only its warnings and errors are shown, briefly.
const logger = (() => {
  const show = (level) => (msg, fields) =>
    console.log(`[${elapsed()}]   collector ${level}: ${msg}${fields?.error ? ` (${fields.error})` : ''}`);
  return { debug() {}, info() {}, warn: show('warn'), error: show('error') };
})();

function runService(service, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', '@ailedger/instrumentation/register', path.join('services', service.script)],
      {
        cwd: here,
        env: { ...env, ...service.env, OTEL_SERVICE_NAME: service.name },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) if (line) step(`  ${service.name.padEnd(16)} ${line}`);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${service.name} exited with ${code}:\n${stderr}`)),
    );
  });
}

/** Runs the real `ailedger` command; resolves with its stdout and stderr. */
function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`ailedger ${args[0]} exited with ${code}: ${stderr}`)),
    );
  });
}

const day = (ms) => new Date(ms).toISOString().slice(0, 10);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-demo-'));
const ledgerPath = path.join(work, 'ledger.db');
const forwardTo = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

step('starting local stand-ins for OpenAI, Anthropic, Gemini and Mistral (nothing leaves this machine)');
const standins = {
  openai: await startOpenAIStandin(),
  anthropic: await startAnthropicStandin(),
  gemini: await startGeminiStandin(),
  mistral: await startMistralStandin(),
};

step('starting the ailedger collector (OTLP/HTTP in, /metrics, SQLite ledger)');
const config = loadConfig({
  flags: {
    'receiver.endpoint': '127.0.0.1:0',
    'admin.endpoint': '127.0.0.1:0',
    'ledger.url': `sqlite://${ledgerPath}`,
    'attribution.teams_by_service': '{support: [helpdesk-api]}',
    'pricing.watch': 'false',
    'shutdown.drain_timeout_ms': '5000',
  },
  // Only the standard OTLP variables: they name the backend to forward to, as for any OTel SDK.
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OTEL_EXPORTER_OTLP_'))),
});
const collector = new CollectorService(config, { logger });
const { receiver, admin } = await collector.start();
const collectorUrl = `http://${receiver.host}:${receiver.port}`;
const adminUrl = `http://${admin.host}:${admin.port}`;
step(`  receiver ${collectorUrl}, admin ${adminUrl}/metrics, ledger ${ledgerPath}`);
step(
  forwardTo
    ? `  forwarding every span to ${forwardTo}`
    : '  no OTEL_EXPORTER_OTLP_ENDPOINT: spans are not forwarded',
);

// The services' environment: where their telemetry goes and which local ports are which provider.
const serviceEnv = { PATH: process.env.PATH ?? '' };
for (const [k, v] of Object.entries(process.env))
  if (!k.startsWith('OTEL_') && !k.startsWith('AILEDGER_')) serviceEnv[k] = v;
Object.assign(serviceEnv, {
  OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
  OPENAI_URL: standins.openai.url,
  ANTHROPIC_URL: standins.anthropic.url,
  GEMINI_URL: standins.gemini.url,
  MISTRAL_URL: standins.mistral.url,
  AILEDGER_PROVIDER_HOSTS: [
    `127.0.0.1:${standins.openai.port}=openai`,
    `127.0.0.1:${standins.anthropic.port}=anthropic`,
    `127.0.0.1:${standins.gemini.port}=gcp.gemini`,
    `127.0.0.1:${standins.mistral.port}=mistral_ai`,
  ].join(','),
});

let exitCode = 0;
try {
  step(
    `running ${SERVICES.length} sample services at once, each under --import @ailedger/instrumentation/register:`,
  );
  for (const s of SERVICES) step(`  ${s.name.padEnd(16)} ${s.note}`);
  const firstDay = day(Date.now());
  await Promise.all(SERVICES.map((s) => runService(s, serviceEnv)));
  step('services done; their spans were exported to the collector on exit');

  const written = await collector.ledger.whenIdle(15_000);
  if (!written) throw new Error('the ledger did not catch up within 15 s');
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  const pick = (name, n) =>
    metrics
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .slice(0, n);
  step(`a few lines of ${adminUrl}/metrics:`);
  for (const line of [
    ...pick('ailedger_cost_usd_total', 3),
    ...pick('ailedger_unpriced_requests_total', 1),
    ...pick('ailedger_collector_ledger_rows_written_total', 1),
    ...pick('ailedger_collector_ledger_queue_size', 1),
  ]) {
    console.log(`         ${line}`);
  }

  step('stopping the collector (it drains its queues)');
  await collector.shutdown();

  const lastDay = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const args = [
    'report',
    '--ledger',
    `sqlite://${ledgerPath}`,
    '--since',
    firstDay,
    '--until',
    lastDay,
    '--by',
    'team,model',
  ];
  step(`$ ailedger ${args.join(' ')}\n`);
  process.stdout.write((await runCli(args)).stdout);

  const focusFile = path.join(work, 'focus.csv');
  const focus = await runCli([
    'report',
    '--ledger',
    ledgerPath,
    '--since',
    firstDay,
    '--until',
    lastDay,
    '--focus',
  ]);
  fs.writeFileSync(focusFile, focus.stdout);
  console.log(
    `\nFOCUS export for finance tools (\`ailedger report --focus\`): ${focus.stdout.trim().split('\n').length - 1} rows in ${focusFile}` +
      (focus.stderr ? `\n  (${focus.stderr.trim().replace(/^ailedger report: /, '')})` : ''),
  );
  console.log(
    `The ledger stays at ${ledgerPath}: try \`npx ailedger report --ledger ${ledgerPath} --by use_case,user --since ${firstDay} --until ${lastDay}\``,
  );
  if (forwardTo)
    console.log(`The same traces are in your backend at ${forwardTo} (in Jaeger: http://localhost:16686).`);
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
  await collector.shutdown().catch(() => undefined);
} finally {
  for (const s of Object.values(standins)) await s.close();
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(exitCode);
