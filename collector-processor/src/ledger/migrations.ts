/**
 * Versioned schema migrations, one numbered list per dialect with the same tables and columns. A migration is
 * never edited once released: a change is a new number. Each store applies what `ledger_migrations` does not
 * list yet, in order, inside one transaction (on PostgreSQL under an advisory lock, so replicas starting
 * together do not race), and refuses a ledger whose schema is newer than it knows.
 *
 * The column templates below belong to migration 1 and are frozen with it.
 *
 * Types: money and token counts are 64-bit integers (nano-USD; see money.ts). PostgreSQL gets native DATE,
 * TIMESTAMPTZ and BOOLEAN; SQLite gets STRICT tables with ISO 8601 text and 0/1 integers.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const V1_CALLS_COLUMNS = (t: {
  text: string;
  big: string;
  bool: string;
  date: string;
  time: string;
  now: string;
}) => `
  trace_id               ${t.text} NOT NULL,
  span_id                ${t.text} NOT NULL,
  start_time             ${t.time} NOT NULL,
  end_time               ${t.time},
  day                    ${t.date} NOT NULL,
  service                ${t.text},
  environment            ${t.text},
  team                   ${t.text} NOT NULL,
  team_source            ${t.text} NOT NULL,
  use_case               ${t.text},
  user_id                ${t.text},
  provider               ${t.text} NOT NULL,
  operation              ${t.text} NOT NULL,
  request_model          ${t.text},
  response_model         ${t.text},
  model                  ${t.text} NOT NULL,
  response_id            ${t.text},
  server_address         ${t.text},
  error_type             ${t.text},
  input_tokens           ${t.big},
  output_tokens          ${t.big},
  cache_read_tokens      ${t.big},
  cache_write_tokens     ${t.big},
  reasoning_tokens       ${t.big},
  usage_estimated        ${t.bool} NOT NULL,
  pricing_status         ${t.text} NOT NULL,
  pricing_model          ${t.text},
  pricing_source         ${t.text},
  cost_nanos             ${t.big},
  cost_input_nanos       ${t.big},
  cost_cache_read_nanos  ${t.big},
  cost_cache_write_nanos ${t.big},
  cost_output_nanos      ${t.big},
  api_key_fingerprint    ${t.text},
  request_sha256         ${t.text},
  response_sha256        ${t.text},
  foreign_span           ${t.bool} NOT NULL,
  recorded_at            ${t.time} NOT NULL DEFAULT ${t.now},
  PRIMARY KEY (trace_id, span_id)`;

const V1_DAILY_COLUMNS = (t: { text: string; big: string; bool: string; date: string }) => `
  day                    ${t.date} NOT NULL,
  service                ${t.text} NOT NULL,
  environment            ${t.text} NOT NULL,
  team                   ${t.text} NOT NULL,
  use_case               ${t.text} NOT NULL,
  provider               ${t.text} NOT NULL,
  model                  ${t.text} NOT NULL,
  operation              ${t.text} NOT NULL,
  pricing_status         ${t.text} NOT NULL,
  usage_estimated        ${t.bool} NOT NULL,
  calls                  ${t.big} NOT NULL,
  error_calls            ${t.big} NOT NULL,
  input_tokens           ${t.big} NOT NULL,
  output_tokens          ${t.big} NOT NULL,
  cache_read_tokens      ${t.big} NOT NULL,
  cache_write_tokens     ${t.big} NOT NULL,
  reasoning_tokens       ${t.big} NOT NULL,
  cost_nanos             ${t.big} NOT NULL,
  cost_input_nanos       ${t.big} NOT NULL,
  cost_cache_read_nanos  ${t.big} NOT NULL,
  cost_cache_write_nanos ${t.big} NOT NULL,
  cost_output_nanos      ${t.big} NOT NULL,
  PRIMARY KEY (day, service, environment, team, use_case, provider, model, operation, pricing_status, usage_estimated)`;

const SQLITE_TYPES = {
  text: 'TEXT',
  big: 'INTEGER',
  bool: 'INTEGER',
  date: 'TEXT',
  time: 'TEXT',
  now: "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
};
const POSTGRES_TYPES = {
  text: 'TEXT',
  big: 'BIGINT',
  bool: 'BOOLEAN',
  date: 'DATE',
  time: 'TIMESTAMPTZ',
  now: 'now()',
};

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls and daily rollup',
    sql: `
CREATE TABLE ledger_calls (${V1_CALLS_COLUMNS(SQLITE_TYPES)}
) STRICT;
CREATE INDEX ledger_calls_day ON ledger_calls (day);
CREATE TABLE ledger_daily (${V1_DAILY_COLUMNS(SQLITE_TYPES)}
) STRICT;
`,
  },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls and daily rollup',
    sql: `
CREATE TABLE ledger_calls (${V1_CALLS_COLUMNS(POSTGRES_TYPES)}
);
CREATE INDEX ledger_calls_day ON ledger_calls (day);
CREATE TABLE ledger_daily (${V1_DAILY_COLUMNS(POSTGRES_TYPES)}
);
`,
  },
];

/** The bookkeeping table itself; created before anything else, identically on both databases. */
export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ledger_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 0);
}
