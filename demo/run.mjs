// `npm run demo`: a sample app calling a local stand-in model provider under the instrumentation, its spans
// received over OTLP/HTTP by this script and printed with their tokens and cost. Nothing leaves the machine
// unless OTEL_EXPORTER_OTLP_ENDPOINT is set (e.g. to a Jaeger at http://localhost:4318), in which case the same
// spans are forwarded there too.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIStandin } from '../test/standins/openai.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const forwardTo = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, '');

function attributeValue(v) {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}

function startReceiver(onSpans) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (req.url !== '/v1/traces') return;
      const spans = [];
      for (const rs of JSON.parse(body.toString('utf8')).resourceSpans ?? []) {
        const resource = Object.fromEntries(
          (rs.resource?.attributes ?? []).map((kv) => [kv.key, attributeValue(kv.value)]),
        );
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes = Object.fromEntries(
              (s.attributes ?? []).map((kv) => [kv.key, attributeValue(kv.value)]),
            );
            spans.push({ name: s.name, resource, attributes });
          }
        }
      }
      onSpans(spans);
      if (forwardTo) {
        fetch(`${forwardTo}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).catch((err) => console.error(`could not forward to ${forwardTo}: ${err.message}`));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function usd(value) {
  return typeof value === 'number' ? `$${value.toFixed(8)}` : 'unpriced';
}

const started = Date.now();
console.log('ailedger demo: starting a stand-in model provider and an OTLP receiver...');
const standin = await startOpenAIStandin();
const received = [];
const receiver = await startReceiver((spans) => received.push(...spans));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

console.log('running the sample app under `node --import @ailedger/instrumentation/register`...');
const child = spawn(process.execPath, ['--import', '@ailedger/instrumentation/register', 'sample-app.mjs'], {
  cwd: here,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    STANDIN_URL: standin.url,
    OTEL_SERVICE_NAME: 'helpdesk-api',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    AILEDGER_PROVIDER_HOSTS: `127.0.0.1:${standin.port}=openai`,
    AILEDGER_TEAM: 'platform',
  },
});
const code = await new Promise((resolve) => child.on('exit', resolve));
await new Promise((r) => setTimeout(r, 200));
await standin.close();
receiver.close();
if (code !== 0) {
  console.error(`sample app exited with code ${code}`);
  process.exit(1);
}

const rows = received
  .filter((s) => s.attributes['gen_ai.operation.name'])
  .map((s) => ({
    span: s.name,
    team: s.attributes['ailedger.team'] ?? '-',
    use_case: s.attributes['ailedger.use_case'] ?? '-',
    model: s.attributes['gen_ai.response.model'] ?? s.attributes['gen_ai.request.model'],
    in: s.attributes['gen_ai.usage.input_tokens'] ?? '-',
    out: s.attributes['gen_ai.usage.output_tokens'] ?? '-',
    cost: usd(s.attributes['ailedger.cost.usd']),
    pricing: s.attributes['ailedger.pricing.status'] ?? '-',
  }));
console.log(
  `\n${rows.length} model-call spans received from service "${received[0]?.resource['service.name']}":`,
);
console.table(rows);

const byTeam = new Map();
for (const s of received) {
  const team = s.attributes['ailedger.team'] ?? 'unassigned';
  const cost = s.attributes['ailedger.cost.usd'];
  const entry = byTeam.get(team) ?? { team, calls: 0, priced_usd: 0, unpriced_calls: 0 };
  entry.calls++;
  if (typeof cost === 'number') entry.priced_usd += cost;
  else entry.unpriced_calls++;
  byTeam.set(team, entry);
}
console.log('spend by team:');
console.table([...byTeam.values()].map((e) => ({ ...e, priced_usd: usd(e.priced_usd) })));
if (forwardTo) console.log(`spans were also forwarded to ${forwardTo}/v1/traces`);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
