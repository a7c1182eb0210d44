/**
 * The shared ledger: PostgreSQL through node-postgres (`pg`, pure JavaScript). Many collector replicas write to
 * one database: the primary key (trace_id, span_id) with ON CONFLICT DO NOTHING makes a call count once however
 * many replicas see it, and the rollup is updated only from the rows an insert RETURNed, in the same
 * transaction. When two replicas insert the same span at once, the second waits for the first to commit and then
 * inserts nothing, so the rollup stays exact. Keys are written in sorted order to keep lock order stable.
 */
import pg from 'pg';
import { latestVersion, MIGRATIONS_TABLE_SQL, POSTGRES_MIGRATIONS } from './migrations.js';
import { DAILY_DIMENSIONS, DAILY_MEASURES, dailyDeltas } from './rollup.js';
import { LEDGER_COLUMNS, type LedgerRow, rowKey } from './row.js';
import {
  type InsertResult,
  LedgerError,
  type LedgerStore,
  numberedPlaceholders,
  type SqlValue,
} from './store.js';

/** Any constant: it names "the ailedger migration" among the database's advisory locks. */
const MIGRATION_LOCK_ID = 7_316_042_211;
/** PostgreSQL takes at most 65 535 parameters per statement; 37 columns × 1000 rows stays well under. */
const ROWS_PER_STATEMENT = 1000;
const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 60_000;

// Dates and timestamps as the text PostgreSQL sends (node-postgres would build local-time Date objects);
// BIGINT and NUMERIC already arrive as text and are read as BigInt by the caller.
const RAW_TEXT_TYPES = new Set([1082, 1114, 1184]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_TEXT_TYPES.has(oid)
      ? (v: string) => v
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = e && typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

/** SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
function classify(err: unknown, what: string): LedgerError {
  if (err instanceof LedgerError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const message = `${what}: ${errorText(err)}`;
  // Bad data (22) or a violated constraint (23) fails again however often it is retried.
  if (/^2[23]/.test(code)) return new LedgerError(message, false, 'data', { cause: err });
  if (/^(08|57P)/.test(code) || /^E[A-Z]+$/.test(code) || code === '')
    return new LedgerError(message, true, 'connection', { cause: err });
  if (/^(40|53|55)/.test(code)) return new LedgerError(message, true, 'busy', { cause: err });
  if (/^28/.test(code)) return new LedgerError(message, true, 'auth', { cause: err });
  // Missing database or table, permissions: an operator can fix these while the rows wait in the queue.
  return new LedgerError(message, true, 'database', { cause: err });
}

function pgValue(v: unknown): SqlValue {
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined) return null;
  return v as SqlValue;
}

export class PostgresLedgerStore implements LedgerStore {
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly pool: pg.Pool,
    readonly description: string,
  ) {}

  static async open(connectionString: string, description: string): Promise<PostgresLedgerStore> {
    const pool = new pg.Pool({
      connectionString,
      max: 2,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: 'ailedger',
      types,
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects or fails
    // and is classified there.
    pool.on('error', () => {});
    const store = new PostgresLedgerStore(pool, description);
    try {
      // Connect now, so an unreachable server is reported at once rather than at the first write.
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw classify(err, `ledger: cannot connect to ${description}`);
    }
    return store;
  }

  async migrate(): Promise<void> {
    await this.transaction('migrating the PostgreSQL schema', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      await client.query(MIGRATIONS_TABLE_SQL);
      const res = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM ledger_migrations');
      const applied = res.rows[0]?.v ?? 0;
      const known = latestVersion(POSTGRES_MIGRATIONS);
      if (applied > known) {
        throw new LedgerError(
          `ledger schema version ${applied} is newer than this ailedger knows (${known}); upgrade ailedger`,
          false,
          'schema',
        );
      }
      for (const m of POSTGRES_MIGRATIONS) {
        if (m.version <= applied) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO ledger_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async checkSchema(): Promise<void> {
    let applied: number;
    try {
      const exists = await this.pool.query("SELECT to_regclass('ledger_migrations') IS NOT NULL AS ok");
      if (exists.rows[0]?.ok !== true) {
        throw new LedgerError(
          `${this.description} is not an ailedger ledger (no ledger_migrations table)`,
          false,
          'schema',
        );
      }
      const res = await this.pool.query<{ v: number | null }>(
        'SELECT MAX(version) AS v FROM ledger_migrations',
      );
      applied = res.rows[0]?.v ?? 0;
    } catch (err) {
      throw classify(err, 'ledger: reading the PostgreSQL schema failed');
    }
    const known = latestVersion(POSTGRES_MIGRATIONS);
    if (applied === 0 || applied > known) {
      throw new LedgerError(
        `${this.description} has schema version ${applied}; this ailedger reads versions 1 to ${known}`,
        false,
        'schema',
      );
    }
  }

  async insert(rows: readonly LedgerRow[]): Promise<InsertResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    // One row per key, in key order: a key twice in one statement is an error for DO UPDATE and a lock-order
    // hazard for DO NOTHING.
    const unique = new Map<string, LedgerRow>();
    for (const r of rows) if (!unique.has(rowKey(r))) unique.set(rowKey(r), r);
    const sorted = [...unique.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, r]) => r);

    const inserted = await this.transaction('writing to PostgreSQL', async (client) => {
      const fresh: LedgerRow[] = [];
      for (let i = 0; i < sorted.length; i += ROWS_PER_STATEMENT) {
        const chunk = sorted.slice(i, i + ROWS_PER_STATEMENT);
        const params: SqlValue[] = [];
        const tuples = chunk.map((r) => {
          const start = params.length;
          for (const c of LEDGER_COLUMNS) params.push(pgValue(r[c]));
          return `(${LEDGER_COLUMNS.map((_, j) => `$${start + j + 1}`).join(', ')})`;
        });
        const res = await client.query<{ trace_id: string; span_id: string }>(
          `INSERT INTO ledger_calls (${LEDGER_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
           ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING trace_id, span_id`,
          params,
        );
        for (const k of res.rows) {
          const row = unique.get(rowKey(k));
          if (row !== undefined) fresh.push(row);
        }
      }
      const deltas = dailyDeltas(fresh);
      if (deltas.length > 0) {
        const columns = [...DAILY_DIMENSIONS, ...DAILY_MEASURES];
        const params: SqlValue[] = [];
        const tuples = deltas.map((d) => {
          const start = params.length;
          for (const k of DAILY_DIMENSIONS) params.push(pgValue(d[k]));
          for (const m of DAILY_MEASURES) params.push(pgValue(d.measures[m]));
          return `(${columns.map((_, j) => `$${start + j + 1}`).join(', ')})`;
        });
        await client.query(
          `INSERT INTO ledger_daily (${columns.join(', ')}) VALUES ${tuples.join(', ')}
           ON CONFLICT (${DAILY_DIMENSIONS.join(', ')}) DO UPDATE SET
           ${DAILY_MEASURES.map((m) => `${m} = ledger_daily.${m} + EXCLUDED.${m}`).join(', ')}`,
          params,
        );
      }
      return fresh.length;
    });
    return { inserted, duplicates: rows.length - inserted };
  }

  async select(sql: string, params: readonly SqlValue[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      const res = await this.pool.query(numberedPlaceholders(sql), params.map(pgValue));
      return res.rows as Array<Record<string, unknown>>;
    } catch (err) {
      throw classify(err, 'ledger: query failed');
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async transaction<T>(what: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw classify(err, `ledger: cannot connect to ${this.description}`);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed: do not hand it back to the pool.
        broken = true;
      }
      throw classify(err, `ledger: ${what} failed`);
    } finally {
      client.release(broken);
    }
  }
}
