import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { silentLogger } from '../log.js';
import { CollectorService } from '../service.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-ledger-config-'));
  dirs.push(dir);
  const file = path.join(dir, 'ailedger.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('ledger configuration', () => {
  it('has defaults, reads the file, env vars and flags, and resolves a SQLite path against the file', () => {
    const none = loadConfig({ env: {} });
    expect(none.ledger).toEqual({
      queueMaxRows: 100_000,
      batchMaxRows: 500,
      retry: {
        initialIntervalMs: 1000,
        maxIntervalMs: 30_000,
        multiplier: 1.5,
        randomizationFactor: 0.5,
        maxElapsedMs: 0,
      },
    });
    const file = configFile(
      'ledger:\n  url: sqlite://ledger.db\n  batch_max_rows: 50\n  retry: { initial_interval_ms: 20 }\n',
    );
    const c = loadConfig({ file, env: { AILEDGER_LEDGER_QUEUE_MAX_ROWS: '7' }, flags: {} });
    expect(c.ledger.url).toBe(`sqlite://${path.join(path.dirname(file), 'ledger.db')}`);
    expect(c.ledger.batchMaxRows).toBe(50);
    expect(c.ledger.queueMaxRows).toBe(7);
    expect(c.ledger.retry.initialIntervalMs).toBe(20);
    const pg = loadConfig({ env: {}, flags: { 'ledger.url': 'postgres://u:p@db/ledger' } });
    expect(pg.ledger.url).toBe('postgres://u:p@db/ledger');
  });

  it('names the bad key', () => {
    expect(() => loadConfig({ env: {}, flags: { 'ledger.url': 'mysql://db/x' } })).toThrow(
      /ledger\.url: expected sqlite:\/\/<path> or postgres/,
    );
    expect(() => loadConfig({ env: {}, flags: { 'ledger.batch_max_rows': '0' } })).toThrow(
      /ledger\.batch_max_rows/,
    );
    expect(() => loadConfig({ env: {}, flags: { 'ledger.retry': '{max_elapsed_ms: 5}' } })).toThrow(
      /ledger\.retry: unknown key\(s\) "max_elapsed_ms"/,
    );
  });

  it('a collector with a SQLite ledger it cannot create fails to start, naming the file', async () => {
    const blocker = configFile('');
    // A regular file where the ledger's directory would have to be.
    const config = loadConfig({
      env: {},
      flags: {
        'ledger.url': `sqlite://${path.join(blocker, 'sub', 'ledger.db')}`,
        'receiver.endpoint': '127.0.0.1:0',
        'admin.endpoint': '127.0.0.1:0',
      },
    });
    const service = new CollectorService(config, { logger: silentLogger });
    await expect(service.start()).rejects.toThrow(/cannot open SQLite file .*ledger\.db/);
    await service.shutdown();
  });
});
