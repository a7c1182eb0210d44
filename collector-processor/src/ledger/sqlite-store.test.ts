import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { accountedCall, ledgerRow } from './__fixtures__/calls.js';
import { PRICING_STATUS_INVALID_COST, toLedgerRow } from './row.js';
import { SqliteLedgerStore } from './sqlite-store.js';
import { LedgerError, openLedgerStore, parseLedgerLocation, redact } from './store.js';

const dirs: string[] = [];
const stores: SqliteLedgerStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(name = 'ledger.db'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-sqlite-'));
  dirs.push(dir);
  return path.join(dir, 'nested', name);
}

async function open(file: string, readonly = false): Promise<SqliteLedgerStore> {
  const s = await SqliteLedgerStore.open(file, { readonly });
  stores.push(s);
  return s;
}

describe('ledger location', () => {
  it('reads sqlite URLs, plain paths and PostgreSQL URLs, and never shows a password', () => {
    expect(parseLedgerLocation('sqlite://data/l.db', '/srv')).toMatchObject({
      kind: 'sqlite',
      path: '/srv/data/l.db',
    });
    expect(parseLedgerLocation('sqlite:///var/l.db', '/srv')).toMatchObject({
      kind: 'sqlite',
      path: '/var/l.db',
    });
    expect(parseLedgerLocation('./l.db', '/srv')).toMatchObject({ kind: 'sqlite', path: '/srv/l.db' });
    const pg = parseLedgerLocation('postgres://app:s3cret@db:5432/ledger');
    expect(pg.kind).toBe('postgres');
    expect(pg.description).toBe('postgres://app:***@db:5432/ledger');
    expect(redact('postgresql://u:p@h/d')).toBe('postgresql://u:***@h/d');
    expect(() => parseLedgerLocation('mysql://x/y')).toThrow(/unsupported location/);
  });
});

describe('SQLite ledger', () => {
  it('creates its directory and schema once; migrating again changes nothing', async () => {
    const file = tempFile();
    const store = await open(file);
    await store.migrate();
    await store.migrate();
    await store.checkSchema();
    const versions = await store.select('SELECT version FROM ledger_migrations');
    expect(versions).toEqual([{ version: 1n }]);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('inserts each call once: a repeated batch and a repeat inside one batch count as duplicates', async () => {
    const store = await open(tempFile());
    await store.migrate();
    const rows = [
      ledgerRow({ costUsd: 0.001 }),
      ledgerRow({ costUsd: 0.002 }),
      ledgerRow({ costUsd: 0.004 }),
    ];
    expect(await store.insert(rows)).toEqual({ inserted: 3, duplicates: 0 });
    expect(await store.insert(rows)).toEqual({ inserted: 0, duplicates: 3 });
    const extra = ledgerRow({ costUsd: 0.008 });
    expect(await store.insert([rows[0]!, extra, extra])).toEqual({ inserted: 1, duplicates: 2 });
    const [calls] = await store.select('SELECT COUNT(*) AS n, SUM(cost_nanos) AS c FROM ledger_calls');
    expect(calls).toEqual({ n: 4n, c: 15_000_000n });
    const [daily] = await store.select('SELECT SUM(calls) AS n, SUM(cost_nanos) AS c FROM ledger_daily');
    expect(daily).toEqual({ n: 4n, c: 15_000_000n });
  });

  it('keeps the daily rollup equal to the calls it summarizes, per key', async () => {
    const store = await open(tempFile());
    await store.migrate();
    const rows = [];
    for (let i = 0; i < 60; i++) {
      rows.push(
        ledgerRow({
          team: ['support', 'search', 'sales'][i % 3],
          model: ['gpt-4o', 'gpt-4o-mini'][i % 2],
          at: Date.UTC(2026, 9, 1 + (i % 5), 10),
          costUsd: 0.000001 * (i + 1),
          inputTokens: 10 + i,
          status: i % 7 === 0 ? 'unknown_model' : 'priced',
          estimated: i % 11 === 0,
          ...(i % 13 === 0 ? { error: 'rate_limit_exceeded' } : {}),
        }),
      );
    }
    // In three transactions, one of them repeated.
    await store.insert(rows.slice(0, 20));
    await store.insert(rows.slice(10, 40));
    await store.insert(rows.slice(40));
    const key = 'day, team, model, pricing_status, usage_estimated';
    const fromCalls = await store.select(
      `SELECT ${key}, COUNT(*) AS calls, SUM(CASE WHEN error_type IS NULL THEN 0 ELSE 1 END) AS errors,
         SUM(input_tokens) AS input, SUM(COALESCE(cost_nanos, 0)) AS cost
       FROM ledger_calls GROUP BY ${key} ORDER BY ${key}`,
    );
    const fromDaily = await store.select(
      `SELECT ${key}, SUM(calls) AS calls, SUM(error_calls) AS errors, SUM(input_tokens) AS input,
         SUM(cost_nanos) AS cost
       FROM ledger_daily GROUP BY ${key} ORDER BY ${key}`,
    );
    expect(fromCalls.length).toBeGreaterThan(10);
    expect(fromDaily).toEqual(fromCalls);
  });

  it('stores every field of a call; unpriced calls have no cost, never $0', async () => {
    const store = await open(tempFile());
    await store.migrate();
    const priced = accountedCall({
      user: 'u-7',
      useCase: 'reply-drafter',
      service: 'helpdesk-api',
      environment: 'prod',
      cacheRead: 40,
      attributes: {
        'ailedger.api_key.fingerprint': 'ab12cd34ef56',
        'ailedger.content.request_sha256': 'a'.repeat(64),
        'ailedger.content.response_sha256': 'b'.repeat(64),
      },
    });
    const unpriced = accountedCall({ status: 'unknown_model', model: 'my-finetune' });
    await store.insert([toLedgerRow(priced), toLedgerRow(unpriced)]);
    const [p, u] = await store.select('SELECT * FROM ledger_calls ORDER BY cost_nanos IS NULL');
    expect(p).toMatchObject({
      trace_id: priced.traceId,
      span_id: priced.spanId,
      day: '2026-10-15',
      start_time: '2026-10-15T12:00:00.000Z',
      end_time: '2026-10-15T12:00:00.800Z',
      team: 'support',
      team_source: 'app',
      use_case: 'reply-drafter',
      user_id: 'u-7',
      service: 'helpdesk-api',
      environment: 'prod',
      provider: 'openai',
      model: 'gpt-4o',
      input_tokens: 100n,
      cache_read_tokens: 40n,
      output_tokens: 20n,
      usage_estimated: 0n,
      pricing_status: 'priced',
      pricing_model: 'openai:gpt-4o',
      cost_nanos: 1_230_000n,
      cost_input_nanos: 307_500n,
      cost_output_nanos: 922_500n,
      api_key_fingerprint: 'ab12cd34ef56',
      request_sha256: 'a'.repeat(64),
      response_sha256: 'b'.repeat(64),
      foreign_span: 0n,
    });
    expect(u).toMatchObject({ pricing_status: 'unknown_model', cost_nanos: null, model: 'my-finetune' });
    // A "priced" call without a usable amount is recorded as such, not as free.
    const broken = accountedCall();
    broken.cost = { status: 'priced' };
    expect(toLedgerRow(broken)).toMatchObject({
      pricing_status: PRICING_STATUS_INVALID_COST,
      cost_nanos: null,
    });
  });

  it('refuses a ledger written by a newer version, and readers refuse files that are not ledgers', async () => {
    const file = tempFile();
    const store = await open(file);
    await store.migrate();
    await store.close();
    const raw = new Database(file);
    raw.exec("INSERT INTO ledger_migrations (version, name, applied_at) VALUES (99, 'future', 'x')");
    raw.close();
    const again = await open(file);
    await expect(again.migrate()).rejects.toThrow(/schema version 99 is newer/);
    await expect(again.checkSchema()).rejects.toThrow(/reads versions 1 to 1/);

    const other = tempFile('other.db');
    fs.mkdirSync(path.dirname(other), { recursive: true });
    new Database(other).close();
    const notLedger = await open(other, true);
    await expect(notLedger.checkSchema()).rejects.toThrow(/not an ailedger ledger/);
    await expect(
      openLedgerStore(parseLedgerLocation(tempFile('missing.db')), { readonly: true }),
    ).rejects.toThrow(LedgerError);
  });

  it('a reader cannot write', async () => {
    const file = tempFile();
    const writer = await open(file);
    await writer.migrate();
    const reader = await open(file, true);
    await expect(reader.insert([ledgerRow()])).rejects.toThrow(/readonly|query_only|read-only/i);
  });
});
