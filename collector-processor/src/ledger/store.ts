/**
 * The ledger database behind one interface, SQLite (embedded, the default) or PostgreSQL (shared by many
 * collector replicas). Both run the same migrations, the same idempotent insert and the same rollup update; the
 * drivers are loaded only when a ledger is configured, so a collector without one never loads native code.
 */
import path from 'node:path';
import type { LedgerRow } from './row.js';

export type SqlValue = string | number | bigint | boolean | null;

export interface InsertResult {
  /** Rows new to the ledger. */
  inserted: number;
  /** Rows whose (trace_id, span_id) was already there, or repeated within the batch: not counted again. */
  duplicates: number;
}

export interface LedgerStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the ledger is, safe to log (no password). */
  readonly description: string;
  /** Creates or upgrades the schema; fails on a ledger newer than this version knows. */
  migrate(): Promise<void>;
  /** For readers: fails unless the schema exists and is one this version can read. */
  checkSchema(): Promise<void>;
  /** Inserts the rows not yet present and adds exactly those to the daily rollup, in one transaction. */
  insert(rows: readonly LedgerRow[]): Promise<InsertResult>;
  /** A read query with `?` placeholders (rewritten per dialect). */
  select(sql: string, params?: readonly SqlValue[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/**
 * A database failure, classified. Retryable: the database is away, busy or restarting (the rows wait in the
 * queue). Not retryable: the data or the schema is wrong, so trying again cannot help.
 */
export class LedgerError extends Error {
  override name = 'LedgerError';

  constructor(
    message: string,
    readonly retryable: boolean,
    /** Short, low-cardinality reason for metrics, e.g. `connection`, `busy`, `data`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type LedgerLocation =
  | { kind: 'sqlite'; path: string; description: string }
  | { kind: 'postgres'; connectionString: string; description: string };

/**
 * `sqlite://<path>` (relative or absolute; `sqlite:///abs/path` works too), `postgres://` / `postgresql://`
 * URLs, or a plain file path (SQLite). Throws with a message naming what was expected.
 */
export function parseLedgerLocation(value: string, cwd: string = process.cwd()): LedgerLocation {
  const v = value.trim();
  if (v === '') throw new LedgerError('ledger: empty location', false, 'config');
  if (/^postgres(ql)?:\/\//i.test(v)) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw new LedgerError(`ledger: not a valid PostgreSQL URL: ${redact(v)}`, false, 'config');
    }
    return { kind: 'postgres', connectionString: v, description: redact(url.toString()) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !/^sqlite:/i.test(v)) {
    throw new LedgerError(
      `ledger: unsupported location ${redact(v)} (expected sqlite://<path>, postgres://... or a file path)`,
      false,
      'config',
    );
  }
  const file = v.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '') throw new LedgerError('ledger: sqlite:// needs a file path', false, 'config');
  const resolved = path.resolve(cwd, file);
  return { kind: 'sqlite', path: resolved, description: `sqlite://${resolved}` };
}

/** A URL with its password replaced, for logs and error messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** Opens (and for writers migrates) a store; the driver module is imported here, on first use. */
export async function openLedgerStore(
  location: LedgerLocation,
  options: { readonly?: boolean } = {},
): Promise<LedgerStore> {
  if (location.kind === 'sqlite') {
    const { SqliteLedgerStore } = await import('./sqlite-store.js');
    return SqliteLedgerStore.open(location.path, options);
  }
  const { PostgresLedgerStore } = await import('./postgres-store.js');
  return PostgresLedgerStore.open(location.connectionString, location.description);
}

/** `?` placeholders → `$1, $2 ...` (no string literal in our SQL contains a `?`). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
