/**
 * The `ailedger` command. `ailedger collector --config ailedger.yaml` runs the OTLP service; every option of
 * the file can also be given as a flag (--receiver.endpoint=0.0.0.0:4318) or an env var (AILEDGER_RECEIVER_ENDPOINT).
 * `ailedger report` itemizes spend from the ledger the collector writes.
 */
import { parseArgs } from 'node:util';
import { ConfigError, envNameFor, loadConfig, SCALAR_OPTIONS } from './config/load.js';
import { LedgerError, type LedgerStore, openLedgerStore, parseLedgerLocation } from './ledger/store.js';
import { buildFocus, FOCUS_VERSION, focusCsv, focusJson } from './report/focus.js';
import { formatCsv, formatJson, formatTable } from './report/format.js';
import { buildReport, lastMonth, parseBy, parseDay } from './report/report.js';
import { CollectorService } from './service.js';
import { PACKAGE_VERSION } from './version.js';

const USAGE = `Usage: ailedger collector [--config <file>] [--<option>=<value> ...]

Runs the OTLP service: receives traces (OTLP/HTTP, protobuf or JSON), normalizes GenAI spans from any
instrumentation, prices them, attributes them to teams, serves Prometheus metrics and forwards everything to
the configured OTLP backends.

Options (each also as an env var, e.g. --queue.max_spans → ${envNameFor('queue.max_spans')}; flags win over env
vars, env vars over the file; values are YAML, so lists and maps can be given inline):
${SCALAR_OPTIONS.map((o) => `  --${o}`).join('\n')}

  --config <file>   YAML config file (see ailedger.example.yaml); \${env:NAME} expands a variable
  --help, --version
`;

async function runCollector(args: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    help: { type: 'boolean' },
  };
  for (const o of SCALAR_OPTIONS) options[o] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (e) {
    process.stderr.write(`ailedger collector: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const flags: Record<string, string> = {};
  for (const o of SCALAR_OPTIONS) {
    const v = values[o];
    if (typeof v === 'string') flags[o] = v;
  }

  let service: CollectorService;
  try {
    const file = typeof values.config === 'string' ? values.config : process.env.AILEDGER_CONFIG;
    service = new CollectorService(loadConfig({ ...(file === undefined ? {} : { file }), flags }));
    await service.start();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ailedger collector: ${e.message}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(
      `ailedger collector: failed to start: ${err.code ? `${err.code} ` : ''}${err.message}\n`,
    );
    return 1;
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        service.log.warn('second signal: exiting without waiting for the drain', { signal });
        process.exit(1);
      }
      stopping = true;
      service.log.info('draining before exit', { signal });
      service.shutdown().then(resolve, (err: unknown) => {
        service.log.error('shutdown failed', { error: String(err) });
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

const REPORT_USAGE = `Usage: ailedger report [--ledger <url|path>] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                       [--by team,model] [--top N] [--format table|csv|json] [--focus]

Itemized spend from the ledger: one line per group, the total exactly the sum of the lines. Calls priced from
provider-reported usage, calls priced from locally counted tokens (estimated) and unpriced calls are shown
apart.

  --ledger <url|path>  sqlite://<path>, a file path, or postgres://user:pass@host/db
                       (default: $AILEDGER_LEDGER_URL, else ledger.url of --config / $AILEDGER_CONFIG)
  --config <file>      collector config to read ledger.url from
  --since <date>       first day, UTC, inclusive (default: first day of last month)
  --until <date>       end day, UTC, exclusive (default: first day of this month)
  --by <dims>          comma-separated: team, use_case, service, provider, model, user, day (default team,model)
  --top <N>            the N largest lines; the rest summed into one line
  --format <f>         table (default; USD rounded to $0.000001), csv or json (exact amounts)
  --focus              FinOps FOCUS ${FOCUS_VERSION} rows (csv by default, or --format json) instead of the report
`;

function ledgerUrlFrom(values: Record<string, string | boolean | undefined>): string | undefined {
  if (typeof values.ledger === 'string' && values.ledger !== '') return values.ledger;
  const fromEnv = process.env[envNameFor('ledger.url')];
  if (fromEnv) return fromEnv;
  const file = typeof values.config === 'string' ? values.config : process.env.AILEDGER_CONFIG;
  if (file === undefined) return undefined;
  return loadConfig({ file }).ledger.url;
}

async function runReport(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        ledger: { type: 'string' },
        config: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        by: { type: 'string' },
        top: { type: 'string' },
        format: { type: 'string' },
        focus: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`ailedger report: ${(e as Error).message}\n\n${REPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(REPORT_USAGE);
    return 0;
  }
  const usageError = (message: string) => {
    process.stderr.write(`ailedger report: ${message}\n`);
    return 2;
  };
  const defaults = lastMonth();
  let since: string;
  let until: string;
  let by: ReturnType<typeof parseBy>;
  let top: number | undefined;
  try {
    since = parseDay(typeof values.since === 'string' ? values.since : defaults.since, '--since');
    until = parseDay(typeof values.until === 'string' ? values.until : defaults.until, '--until');
    by = parseBy(typeof values.by === 'string' ? values.by : 'team,model');
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (since >= until) return usageError(`--since (${since}) must be before --until (${until})`);
  if (typeof values.top === 'string') {
    top = Number(values.top);
    if (!Number.isSafeInteger(top) || top < 1)
      return usageError(`--top: expected a positive integer, got "${values.top}"`);
  }
  const focus = values.focus === true;
  const format = typeof values.format === 'string' ? values.format : focus ? 'csv' : 'table';
  const formats = focus ? ['csv', 'json'] : ['table', 'csv', 'json'];
  if (!formats.includes(format)) {
    return usageError(
      `--format: expected ${formats.join(', ')}${focus ? ' with --focus' : ''}, got "${format}"`,
    );
  }

  let url: string | undefined;
  try {
    url = ledgerUrlFrom(values);
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (url === undefined) {
    return usageError(
      `no ledger given: pass --ledger <url|path>, set ${envNameFor('ledger.url')}, or --config <file> with ledger.url`,
    );
  }

  let store: LedgerStore | undefined;
  try {
    const location = parseLedgerLocation(url);
    store = await openLedgerStore(location, { readonly: true });
    await store.checkSchema();
    if (focus) {
      const exported = await buildFocus(store, { since, until });
      process.stdout.write(format === 'json' ? focusJson(exported.rows) : focusCsv(exported.rows));
      if (exported.unpricedCalls > 0n) {
        process.stderr.write(
          `ailedger report: ${exported.unpricedCalls} unpriced calls are not in the FOCUS rows (no known price); see \`ailedger report\`\n`,
        );
      }
    } else {
      const report = await buildReport(store, { since, until, by, ...(top === undefined ? {} : { top }) });
      process.stdout.write(
        format === 'json' ? formatJson(report) : format === 'csv' ? formatCsv(report) : formatTable(report),
      );
    }
    return 0;
  } catch (e) {
    const message = e instanceof LedgerError || e instanceof ConfigError ? e.message : String(e);
    process.stderr.write(`ailedger report: ${message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  if (command === 'collector') return runCollector(rest);
  if (command === 'report') return runReport(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(
      `Usage: ailedger <command>\n\nCommands:\n  collector   run the OTLP service\n  report      itemized spend from the ledger\n\n${USAGE}\n${REPORT_USAGE}`,
    );
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(
    `ailedger: unknown command "${command}" (try: ailedger collector --help, ailedger report --help)\n`,
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ailedger: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
