/**
 * The spend ledger end to end: the demo's sample services (real SDKs for OpenAI, Anthropic, Gemini and Mistral,
 * under the instrumentation) export their spans once; those exact OTLP requests are then sent to collector CLIs
 * writing to a real SQLite file and to a real PostgreSQL server (Debian's package, started here), twice over and
 * through two replicas at once. `ailedger report` must print the same report from both, count nothing twice,
 * and total exactly what the spans say the calls cost. Then the database goes away and comes back.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicStandin } from './standins/anthropic.mjs';
import { startGeminiStandin } from './standins/gemini.mjs';
import { startMistralStandin } from './standins/mistral.mjs';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { metricValue, type RunningCollector, startCollector, tempDir } from './support/collector.js';
import { type ReceivedSpan, type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { type PostgresServer, startPostgres } from './support/postgres.js';
import { runApp } from './support/run-app.js';

const CLI = path.resolve(import.meta.dirname, '../collector-processor/dist/cli.js');
const DEMO = path.resolve(import.meta.dirname, '../demo');
const OURS = '@ailedger/instrumentation';

const ATTRIBUTION = `
attribution:
  teams_by_service: { support: [helpdesk-api] }
`;

function ledgerYaml(url: string, extra = ''): string {
  return `${ATTRIBUTION}
ledger:
  url: ${url}
  retry: { initial_interval_ms: 100, max_interval_ms: 400 }
${extra}`;
}

async function report(ledger: string, ...args: string[]): Promise<string> {
  const res = await runApp(
    [CLI, 'report', '--ledger', ledger, '--since', SINCE, '--until', UNTIL, ...args],
    {},
    DEMO,
  );
  if (res.code !== 0) throw new Error(`ailedger report exited ${res.code}: ${res.stderr}`);
  return res.stdout;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rows the collector has finished with (written or found already there). */
async function ledgerDone(c: RunningCollector): Promise<number> {
  const text = await c.metrics();
  return (
    metricValue(text, 'ailedger_collector_ledger_rows_written_total') +
    metricValue(text, 'ailedger_collector_ledger_rows_duplicate_total')
  );
}

async function send(collector: RunningCollector, body: Uint8Array): Promise<Response> {
  return fetch(`${collector.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
// Wide enough that a run across midnight UTC still sees every call.
const SINCE = day(-1);
const UNTIL = day(2);

let pg: PostgresServer;
const standins: Standin[] = [];
/** The OTLP/JSON requests the services sent, exactly as sent. */
let exports: Uint8Array[] = [];
/** Model calls in them (our wire spans). */
let calls = 0;

/** Our wire spans in one OTLP/JSON request. */
function callsIn(body: Uint8Array): number {
  const req = JSON.parse(Buffer.from(body).toString('utf8')) as {
    resourceSpans?: Array<{ scopeSpans?: Array<{ scope?: { name?: string }; spans?: unknown[] }> }>;
  };
  let n = 0;
  for (const rs of req.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) if (ss.scope?.name === OURS) n += ss.spans?.length ?? 0;
  return n;
}

beforeAll(async () => {
  pg = await startPostgres();
  const [openai, anthropic, gemini, mistral] = await Promise.all([
    startOpenAIStandin(),
    startAnthropicStandin(),
    startGeminiStandin(),
    startMistralStandin(),
  ]);
  standins.push(openai, anthropic, gemini, mistral);
  const recorder = await startOtlpReceiver();
  try {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: recorder.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OPENAI_URL: openai.url,
      ANTHROPIC_URL: anthropic.url,
      GEMINI_URL: gemini.url,
      MISTRAL_URL: mistral.url,
      AILEDGER_PROVIDER_HOSTS: `127.0.0.1:${openai.port}=openai,127.0.0.1:${anthropic.port}=anthropic,127.0.0.1:${gemini.port}=gcp.gemini,127.0.0.1:${mistral.port}=mistral_ai`,
    };
    const services: Array<[string, Record<string, string>]> = [
      ['helpdesk-api', {}],
      ['search-indexer', { AILEDGER_TEAM: 'search', AILEDGER_USE_CASE: 'doc-indexing' }],
      ['sales-assistant', {}],
    ];
    const results = await Promise.all(
      services.map(([name, extra]) =>
        runApp(
          ['--import', '@ailedger/instrumentation/register', `services/${name}.mjs`],
          { ...env, ...extra, OTEL_SERVICE_NAME: name },
          DEMO,
        ),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    calls = recorder.spans.filter((s) => s.scope === OURS).length;
    exports = recorder.rawBodies
      .filter((b) => b.includes('"resourceSpans"'))
      .map((b) => Buffer.from(b, 'latin1'));
  } finally {
    await recorder.close();
  }
  expect(calls).toBe(21);
}, 180_000);

afterAll(async () => {
  for (const s of standins) await s.close();
  pg?.destroy();
});

describe('the same workload in SQLite and PostgreSQL', () => {
  let backend: Receiver;
  let sqlite: RunningCollector;
  let replicas: RunningCollector[] = [];
  let sqlitePath: string;
  let pgUrl: string;

  beforeAll(async () => {
    backend = await startOtlpReceiver();
    sqlitePath = path.join(tempDir('ailedger-ledger-'), 'ledger.db');
    pgUrl = await pg.createDatabase('ledger_a');
    sqlite = await startCollector({
      config: ledgerYaml(
        `sqlite://${sqlitePath}`,
        `exporters: [{ name: backend, endpoint: "${backend.url}", batch: { max_spans: 64, timeout_ms: 20 } }]`,
      ),
    });
    // Two collector replicas sharing one PostgreSQL ledger.
    replicas = await Promise.all([
      startCollector({ config: ledgerYaml(pgUrl) }),
      startCollector({ config: ledgerYaml(pgUrl) }),
    ]);

    // Every export twice (a retried or duplicated export) to SQLite; to PostgreSQL through both replicas at once.
    for (const body of [...exports, ...exports]) expect((await send(sqlite, body)).status).toBe(200);
    await Promise.all(
      replicas.map(async (r) => {
        for (const body of exports) expect((await send(r, body)).status).toBe(200);
      }),
    );
    await waitUntil(async () => (await ledgerDone(sqlite)) >= 2 * calls, 'the SQLite ledger');
    await waitUntil(
      async () => (await ledgerDone(replicas[0]!)) + (await ledgerDone(replicas[1]!)) >= 2 * calls,
      'the PostgreSQL ledger',
    );
    // The collector forwards every span it acknowledged: twice each here.
    await backend.waitFor(
      2 * exports.reduce((n, b) => n + (b.toString().match(/"spanId"/g)?.length ?? 0), 0),
    );
  }, 60_000);

  afterAll(async () => {
    await sqlite?.stop();
    for (const r of replicas) await r.stop();
    await backend?.close();
    if (sqlitePath) fs.rmSync(path.dirname(sqlitePath), { recursive: true, force: true });
  });

  it('counts each call once however often it arrives, on either database', async () => {
    const s = await sqlite.metrics();
    expect(metricValue(s, 'ailedger_collector_ledger_rows_written_total')).toBe(calls);
    expect(metricValue(s, 'ailedger_collector_ledger_rows_duplicate_total')).toBe(calls);
    expect(metricValue(s, 'ailedger_collector_ledger_rows_dropped_total')).toBe(0);
    expect(metricValue(s, 'ailedger_collector_ledger_database_up')).toBe(1);
    const written = await Promise.all(
      replicas.map(async (r) =>
        metricValue(await r.metrics(), 'ailedger_collector_ledger_rows_written_total'),
      ),
    );
    expect(written[0]! + written[1]!).toBe(calls);
    const json = JSON.parse(await report(pgUrl, '--format', 'json')) as { total: { calls: string } };
    expect(json.total.calls).toBe(String(calls));
  });

  it('prints identical reports from the SQLite file and the PostgreSQL server, in every format', async () => {
    const withoutLedger = (text: string) => text.replace(/^Ledger: .*$/m, 'Ledger: -');
    for (const args of [
      ['--by', 'team,model'],
      ['--by', 'team,use_case,user', '--top', '5'],
      ['--by', 'provider,day', '--format', 'csv'],
      ['--by', 'service,model', '--format', 'csv'],
      ['--focus'],
      ['--focus', '--format', 'json'],
    ]) {
      const [a, b] = await Promise.all([report(sqlitePath, ...args), report(pgUrl, ...args)]);
      expect(withoutLedger(b), args.join(' ')).toBe(withoutLedger(a));
      expect(a.length).toBeGreaterThan(100);
    }
    const [a, b] = await Promise.all([
      report(`sqlite://${sqlitePath}`, '--format', 'json'),
      report(pgUrl, '--format', 'json'),
    ]);
    const strip = (t: string) => ({ ...(JSON.parse(t) as Record<string, unknown>), ledger: undefined });
    expect(strip(b)).toEqual(strip(a));
    const table = await report(sqlitePath);
    expect(table).toMatch(/^sales\s+claude-sonnet-5-5\S*\s+3\s/m);
    expect(table).toContain('Unpriced calls (no price known, so no cost; not in any amount above): 1');
  });

  it('totals equal the sum of the per-call costs on the spans a backend received, to the cent', async () => {
    const spans = backend.spans.filter((s: ReceivedSpan) => s.attributes['ailedger.billable'] === true);
    // Each call reached the backend twice (sent twice); count it once.
    const unique = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    expect(unique.size).toBe(calls);
    const costOf = (s: ReceivedSpan) => (s.attributes['ailedger.cost.usd'] as number | undefined) ?? 0;
    const json = JSON.parse(await report(sqlitePath, '--by', 'team', '--format', 'json')) as {
      lines: Array<{ team: string; calls: string; total_cost_usd: string; total_cost_nanos: string }>;
      total: {
        total_cost_usd: string;
        total_cost_nanos: string;
        unpriced_calls: string;
        estimated_calls: string;
      };
    };
    const spanTotal = [...unique.values()].reduce((sum, s) => sum + costOf(s), 0);
    const ledgerTotal = Number(json.total.total_cost_usd);
    expect(spanTotal).toBeGreaterThan(0);
    expect(Math.round(ledgerTotal * 100)).toBe(Math.round(spanTotal * 100));
    // Closer than a cent: each call was rounded to the nano-dollar once.
    expect(Math.abs(ledgerTotal - spanTotal)).toBeLessThanOrEqual(calls * 0.5e-9 + 1e-12);
    for (const line of json.lines) {
      const teamSpans = [...unique.values()].filter((s) => s.attributes['ailedger.team'] === line.team);
      expect(Number(line.calls)).toBe(teamSpans.length);
      expect(
        Math.abs(Number(line.total_cost_usd) - teamSpans.reduce((sum, s) => sum + costOf(s), 0)),
      ).toBeLessThan(teamSpans.length * 0.5e-9 + 1e-12);
    }
    expect(json.lines.reduce((sum, l) => sum + BigInt(l.total_cost_nanos), 0n)).toBe(
      BigInt(json.total.total_cost_nanos),
    );
    const unpriced = [...unique.values()].filter((s) => s.attributes['ailedger.pricing.status'] !== 'priced');
    expect(json.total.unpriced_calls).toBe(String(unpriced.length));
    expect(json.total.estimated_calls).toBe(
      String([...unique.values()].filter((s) => s.attributes['ailedger.usage.estimated'] === true).length),
    );
  });

  it('can be read while the collector writes (SQLite in WAL mode)', async () => {
    // The collector still holds the file open; the report above and this one ran beside it.
    expect(sqlite.proc.exitCode).toBeNull();
    const csv = await report(sqlitePath, '--by', 'day', '--format', 'csv');
    expect(csv.split('\r\n')[0]).toMatch(/^line,day,calls,/);
  });
});

describe('when the database is away', () => {
  it('PostgreSQL down at start and for a while: acknowledged rows wait in the queue and arrive when it is back', async () => {
    const url = await pg.createDatabase('ledger_b');
    pg.stop();
    const collector = await startCollector({ config: ledgerYaml(url) });
    try {
      for (const body of exports) expect((await send(collector, body)).status).toBe(200);
      await waitUntil(
        async () => metricValue(await collector.metrics(), 'ailedger_collector_ledger_queue_size') === calls,
        'rows queued',
      );
      let text = await collector.metrics();
      expect(metricValue(text, 'ailedger_collector_ledger_database_up')).toBe(0);
      expect(metricValue(text, 'ailedger_collector_ledger_rows_written_total')).toBe(0);
      const down = collector.logs.filter(
        (l) => l.msg === 'ledger: database unavailable; rows wait in the queue and are retried',
      );
      expect(down).toHaveLength(1);
      expect(String(down[0]?.error)).toMatch(/ECONNREFUSED|connect/);
      expect(String(down[0]?.ledger)).toBe(url);

      await pg.start();
      await waitUntil(
        async () => (await ledgerDone(collector)) >= calls,
        'rows written after the database came back',
      );
      text = await collector.metrics();
      expect(metricValue(text, 'ailedger_collector_ledger_rows_written_total')).toBe(calls);
      expect(metricValue(text, 'ailedger_collector_ledger_queue_size')).toBe(0);
      expect(metricValue(text, 'ailedger_collector_ledger_database_up')).toBe(1);
      expect(
        collector.logs.some((l) => l.msg === 'ledger: database reachable again; writing queued rows'),
      ).toBe(true);
      const json = JSON.parse(await report(url, '--format', 'json')) as { total: { calls: string } };
      expect(json.total.calls).toBe(String(calls));
    } finally {
      await collector.stop();
    }
  }, 60_000);

  it('a full ledger queue is answered with 503 and Retry-After, so the sender keeps the data', async () => {
    const url = `postgres://nobody@127.0.0.1:${await freePort()}/none`;
    // Room for the largest single export, not for all of them.
    const room = Math.max(...exports.map(callsIn));
    const collector = await startCollector({
      config: ledgerYaml(url, `  queue_max_rows: ${room}\nshutdown: { drain_timeout_ms: 300 }\n`),
    });
    try {
      const statuses: number[] = [];
      for (const body of exports) {
        const res = await send(collector, body);
        statuses.push(res.status);
        if (res.status === 503) {
          expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
          expect(await res.text()).toContain('ledger queue is full');
        }
      }
      expect(statuses).toContain(503);
      const text = await collector.metrics();
      expect(metricValue(text, 'ailedger_collector_ledger_queue_size')).toBeLessThanOrEqual(room);
      expect(
        metricValue(text, 'ailedger_collector_receiver_refused_items_total', { reason: 'unavailable' }),
      ).toBeGreaterThan(0);
      // What was acknowledged is still queued, not dropped.
      expect(metricValue(text, 'ailedger_collector_ledger_rows_dropped_total')).toBe(0);
      expect(metricValue(text, 'ailedger_collector_ledger_queue_size')).toBeGreaterThan(0);
    } finally {
      await collector.stop();
    }
  });
});

describe('ailedger report', () => {
  it('explains a missing ledger, a bad date and a bad dimension', async () => {
    const empty = tempDir();
    const missing = await runApp([CLI, 'report', '--ledger', path.join(empty, 'none.db')], {}, DEMO);
    fs.rmSync(empty, { recursive: true, force: true });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no SQLite ledger at/);
    const badDate = await runApp([CLI, 'report', '--ledger', 'x.db', '--since', '2026-13-01'], {}, DEMO);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--since: expected a date YYYY-MM-DD/);
    const badBy = await runApp([CLI, 'report', '--ledger', 'x.db', '--by', 'team,region'], {}, DEMO);
    expect(badBy.code).toBe(2);
    expect(badBy.stderr).toMatch(/unknown dimension "region"/);
    const none = await runApp([CLI, 'report'], {}, DEMO);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no ledger given/);
  });
});
