import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envNameFor, loadConfig } from './load.js';

const packageDir = path.resolve(import.meta.dirname, '../..');

function writeConfig(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-config-'));
  const file = path.join(dir, 'ailedger.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has the documented defaults with no file', () => {
    const c = loadConfig({ env: {} });
    expect(c.receiver).toEqual({ endpoint: '0.0.0.0:4318', maxBodyBytes: 8388608, requestTimeoutMs: 30000 });
    expect(c.admin.endpoint).toBe('0.0.0.0:9464');
    expect(c.exporters).toEqual([]);
    expect(c.queue).toEqual({ maxSpans: 100000, fsync: false });
    expect(c.attribution.defaultTeam).toBe('unassigned');
    expect(c.metrics.labels).toEqual(['team', 'use_case', 'provider', 'model', 'operation', 'service']);
  });

  it('accepts the config keys the issue promises, expanding env references', () => {
    const file = writeConfig(`
receiver:
  endpoint: 0.0.0.0:4318
  bearer_token: \${env:AILEDGER_INGEST_TOKEN}
  max_body_bytes: 8388608
exporters:
  - name: jaeger
    endpoint: http://jaeger:4318
    protocol: http/protobuf
    headers: { x-honeycomb-team: \${env:HONEYCOMB_API_KEY} }
admin:
  endpoint: 0.0.0.0:9464
pricing:
  overrides: ./pricing-overrides.yaml
attribution:
  default_team: unassigned
  teams_by_service: { support: [helpdesk-api, reply-drafter] }
  teams_by_key_fingerprint: { 3f9a1c: marketing }
queue:
  max_spans: 100000
  directory: ./data/queue
ledger:
  url: sqlite://./data/ledger.db
`);
    fs.writeFileSync(path.join(path.dirname(file), 'pricing-overrides.yaml'), 'models: []\n');
    const c = loadConfig({ file, env: { AILEDGER_INGEST_TOKEN: 'tok', HONEYCOMB_API_KEY: 'hc-key' } });
    const dir = path.dirname(file);
    expect(c.receiver.bearerToken).toBe('tok');
    expect(c.exporters).toHaveLength(1);
    expect(c.exporters[0]).toMatchObject({
      name: 'jaeger',
      endpoint: 'http://jaeger:4318',
      protocol: 'http/protobuf',
      headers: { 'x-honeycomb-team': 'hc-key' },
      compression: 'gzip',
    });
    expect(c.attribution.teamByService.get('reply-drafter')).toBe('support');
    expect(c.attribution.teamsByKeyFingerprint).toEqual([['3f9a1c', 'marketing']]);
    // Relative paths are relative to the config file.
    expect(c.pricing.overrides).toBe(path.join(dir, 'pricing-overrides.yaml'));
    expect(c.queue.directory).toBe(path.join(dir, 'data/queue'));
    expect(c.ledger.url).toBe(`sqlite://${path.join(dir, 'data/ledger.db')}`);
  });

  it('parses the shipped example config', () => {
    const c = loadConfig({ file: path.join(packageDir, 'ailedger.example.yaml'), env: {} });
    expect(c.exporters.map((e) => e.name)).toEqual(['jaeger']);
    expect(c.exporters[0]?.retry.maxElapsedMs).toBe(0);
  });

  it('lets env vars override the file and flags override env vars', () => {
    const file = writeConfig('receiver: { endpoint: 127.0.0.1:1111 }\nqueue: { max_spans: 10 }\n');
    const c = loadConfig({
      file,
      env: { [envNameFor('receiver.endpoint')]: '127.0.0.1:2222', AILEDGER_QUEUE_MAX_SPANS: '20' },
      flags: { 'queue.max_spans': '30', 'attribution.teams_by_service': '{ search: [indexer] }' },
    });
    expect(c.receiver.endpoint).toBe('127.0.0.1:2222');
    expect(c.queue.maxSpans).toBe(30);
    expect(c.attribution.teamByService.get('indexer')).toBe('search');
  });

  it('takes the standard OTEL_EXPORTER_OTLP_* variables as the exporter when none is configured', () => {
    const c = loadConfig({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.honeycomb.io',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=abc%20def,x-other=1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    expect(c.exporters).toEqual([
      expect.objectContaining({
        name: 'otlp',
        endpoint: 'https://api.honeycomb.io',
        protocol: 'http/json',
        headers: { 'x-honeycomb-team': 'abc def', 'x-other': '1' },
      }),
    ]);
  });

  it('fails naming the key for bad values, unknown keys and unset variables', () => {
    expect(
      configError(() => loadConfig({ file: writeConfig('receiver: { max_body_bytes: -1 }'), env: {} })),
    ).toMatch(/receiver\.max_body_bytes: Number must be greater than 0/);
    expect(configError(() => loadConfig({ file: writeConfig('receiver: { endpont: x }'), env: {} }))).toMatch(
      /receiver: unknown key\(s\) "endpont"/,
    );
    expect(
      configError(() => loadConfig({ file: writeConfig('receiver: { endpoint: nonsense }'), env: {} })),
    ).toMatch(/receiver\.endpoint: expected host:port/);
    expect(
      configError(() =>
        loadConfig({ file: writeConfig('exporters: [{ name: a, endpoint: "ftp://x" }]'), env: {} }),
      ),
    ).toMatch(/exporters\[0\]\.endpoint: expected an http\(s\) URL/);
    expect(
      configError(() =>
        loadConfig({
          file: writeConfig(
            'exporters: [{ name: a, endpoint: "http://x" }, { name: a, endpoint: "http://y" }]',
          ),
          env: {},
        }),
      ),
    ).toMatch(/exporters\[1\]\.name: duplicate exporter name "a"/);
    expect(
      configError(() =>
        loadConfig({ file: writeConfig(`receiver: { bearer_token: \${env:NOPE} }`), env: {} }),
      ),
    ).toMatch(/receiver\.bearer_token: environment variable NOPE is not set/);
    expect(configError(() => loadConfig({ env: { AILEDGER_QUEUE_MAX_SPANS: 'many' } }))).toMatch(
      /queue\.max_spans: Expected number, received string/,
    );
    expect(configError(() => loadConfig({ env: {}, flags: { 'queue.maxspans': '1' } }))).toMatch(
      /--queue\.maxspans: unknown option/,
    );
    expect(
      configError(() => loadConfig({ file: writeConfig('metrics: { labels: [team, user_id] }'), env: {} })),
    ).toMatch(/metrics\.labels\[1\]/);
    expect(
      configError(() =>
        loadConfig({
          file: writeConfig('attribution: { teams_by_service: { a: [svc], b: [svc] } }'),
          env: {},
        }),
      ),
    ).toMatch(/service "svc" is listed under both "a" and "b"/);
    expect(
      configError(() => loadConfig({ file: writeConfig('pricing: { overrides: ./missing.yaml }'), env: {} })),
    ).toMatch(/pricing\.overrides: file not found/);
    expect(configError(() => loadConfig({ file: writeConfig('receiver: [1, 2'), env: {} }))).toMatch(
      /invalid YAML/,
    );
    expect(configError(() => loadConfig({ file: '/nonexistent/ailedger.yaml', env: {} }))).toMatch(/ENOENT/);
  });
});
