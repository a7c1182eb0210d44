/**
 * The embedded ledger: one SQLite file through `libsql` (better-sqlite3's API; its native binary comes as an npm
 * platform package, so installing needs no build and no download). WAL mode lets `ailedger report` read while the
 * collector writes. Calls are synchronous; a batch of a few hundred rows is one short transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'libsql';
import { latestVersion, MIGRATIONS_TABLE_SQL, SQLITE_MIGRATIONS } from './migrations.js';
import { DAILY_DIMENSIONS, DAILY_MEASURES, dailyDeltas } from './rollup.js';
import { LEDGER_COLUMNS, type LedgerRow, rowKey } from './row.js';
import { type InsertResult, LedgerError, type LedgerStore, type SqlValue } from './store.js';

type Db = Database.Database;
type Statement = Database.Statement;

const BUSY_TIMEOUT_MS = 5000;

function classify(err: unknown, what: string): LedgerError {
  if (err instanceof LedgerError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`;
  // Locked by another process, disk full or I/O trouble can pass; a constraint or type error will not.
  if (/BUSY|LOCKED/.test(code)) return new LedgerError(message, true, 'busy', { cause: err });
  if (/FULL|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL/.test(code))
    return new LedgerError(message, true, 'io', { cause: err });
  if (/CONSTRAINT|MISMATCH|RANGE|TOOBIG/.test(code))
    return new LedgerError(message, false, 'data', { cause: err });
  return new LedgerError(message, true, 'error', { cause: err });
}

function sqliteValue(v: unknown): SqlValue {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined) return null;
  return v as SqlValue;
}

export class SqliteLedgerStore implements LedgerStore {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private insertCall: Statement | undefined;
  private upsertDaily: Statement | undefined;

  private constructor(
    private readonly db: Db,
    file: string,
  ) {
    this.description = `sqlite://${file}`;
  }

  static async open(file: string, options: { readonly?: boolean } = {}): Promise<SqliteLedgerStore> {
    let db: Db;
    try {
      if (options.readonly) {
        if (!fs.existsSync(file)) {
          throw new LedgerError(`ledger: no SQLite ledger at ${file}`, false, 'missing');
        }
      } else {
        // Zero set-up: the ledger's directory is created like the file itself.
        fs.mkdirSync(path.dirname(file), { recursive: true });
      }
      db = new Database(file);
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // libsql ignores a readonly open option; query_only makes a reader's connection refuse writes instead.
      db.exec(options.readonly ? 'PRAGMA query_only = 1' : 'PRAGMA journal_mode = WAL');
    } catch (err) {
      throw classify(err, `ledger: cannot open SQLite file ${file}`);
    }
    return new SqliteLedgerStore(db, file);
  }

  async migrate(): Promise<void> {
    try {
      this.db.exec(MIGRATIONS_TABLE_SQL);
      // IMMEDIATE takes the write lock first, so two processes opening the same file cannot both migrate.
      this.db
        .transaction(() => {
          const applied = this.appliedVersion();
          const known = latestVersion(SQLITE_MIGRATIONS);
          if (applied > known) {
            throw new LedgerError(
              `ledger schema version ${applied} is newer than this ailedger knows (${known}); upgrade ailedger`,
              false,
              'schema',
            );
          }
          const record = this.db.prepare(
            'INSERT INTO ledger_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          );
          for (const m of SQLITE_MIGRATIONS) {
            if (m.version <= applied) continue;
            this.db.exec(m.sql);
            record.run(m.version, m.name, new Date().toISOString());
          }
        })
        .immediate();
    } catch (err) {
      throw classify(err, 'ledger: migrating the SQLite schema failed');
    }
  }

  async checkSchema(): Promise<void> {
    let applied: number;
    try {
      const exists = this.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ledger_migrations'")
        .all();
      if (exists.length === 0) {
        throw new LedgerError(
          `${this.description} is not an ailedger ledger (no ledger_migrations table)`,
          false,
          'schema',
        );
      }
      applied = this.appliedVersion();
    } catch (err) {
      throw classify(err, 'ledger: reading the SQLite schema failed');
    }
    const known = latestVersion(SQLITE_MIGRATIONS);
    if (applied === 0 || applied > known) {
      throw new LedgerError(
        `${this.description} has schema version ${applied}; this ailedger reads versions 1 to ${known}`,
        false,
        'schema',
      );
    }
  }

  private appliedVersion(): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM ledger_migrations').get() as
      | { v: number | bigint | null }
      | undefined;
    return row?.v === null || row?.v === undefined ? 0 : Number(row.v);
  }

  async insert(rows: readonly LedgerRow[]): Promise<InsertResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    this.insertCall ??= this.db.prepare(
      `INSERT INTO ledger_calls (${LEDGER_COLUMNS.join(', ')}) VALUES (${LEDGER_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (trace_id, span_id) DO NOTHING`,
    );
    const measures = DAILY_MEASURES.join(', ');
    this.upsertDaily ??= this.db.prepare(
      `INSERT INTO ledger_daily (${DAILY_DIMENSIONS.join(', ')}, ${measures})
       VALUES (${[...DAILY_DIMENSIONS, ...DAILY_MEASURES].map(() => '?').join(', ')})
       ON CONFLICT (${DAILY_DIMENSIONS.join(', ')}) DO UPDATE SET
       ${DAILY_MEASURES.map((m) => `${m} = ${m} + excluded.${m}`).join(', ')}`,
    );
    const insertCall = this.insertCall;
    const upsertDaily = this.upsertDaily;
    try {
      return this.db
        .transaction(() => {
          const inserted: LedgerRow[] = [];
          const seen = new Set<string>();
          for (const r of rows) {
            const key = rowKey(r);
            if (seen.has(key)) continue;
            seen.add(key);
            const res = insertCall.run(...LEDGER_COLUMNS.map((c) => sqliteValue(r[c])));
            if (res.changes === 1) inserted.push(r);
          }
          for (const d of dailyDeltas(inserted)) {
            upsertDaily.run(
              ...DAILY_DIMENSIONS.map((k) => sqliteValue(d[k])),
              ...DAILY_MEASURES.map((m) => d.measures[m]),
            );
          }
          return { inserted: inserted.length, duplicates: rows.length - inserted.length };
        })
        .immediate();
    } catch (err) {
      throw classify(err, 'ledger: writing to SQLite failed');
    }
  }

  async select(sql: string, params: readonly SqlValue[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      // Integers as BigInt: sums of nano-dollars and tokens must not pass through a double.
      return this.db
        .prepare(sql)
        .safeIntegers(true)
        .all(...params.map(sqliteValue)) as Array<Record<string, unknown>>;
    } catch (err) {
      throw classify(err, 'ledger: query failed');
    }
  }

  async close(): Promise<void> {
    try {
      this.db.close();
    } catch {
      // Closing twice or after a failed open: nothing left to release.
    }
  }
}
