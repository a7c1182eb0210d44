/**
 * The collector's configuration: a YAML file, then AILEDGER_* environment variables, then command-line flags
 * (later wins), validated in one place so a bad value fails at start-up naming the key. `${env:NAME}` in the
 * file expands an environment variable, as in the OpenTelemetry Collector's configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ExporterConfig, QueueConfig, RetryConfig } from './types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const METRIC_LABELS = [
  'team',
  'use_case',
  'provider',
  'model',
  'operation',
  'service',
  'environment',
] as const;
export type MetricLabel = (typeof METRIC_LABELS)[number];
export const DEFAULT_METRIC_LABELS: readonly MetricLabel[] = [
  'team',
  'use_case',
  'provider',
  'model',
  'operation',
  'service',
];

const endpoint = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:4318')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port must be 0-65535');
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const url = z
  .string()
  .url('expected an http(s) URL')
  .refine((v) => /^https?:\/\//.test(v), 'expected an http(s) URL');

const retrySchema = z
  .object({
    initial_interval_ms: positiveInt.default(1000),
    max_interval_ms: positiveInt.default(30_000),
    multiplier: z.number().min(1).default(1.5),
    randomization_factor: z.number().min(0).max(1).default(0.5),
    /** 0 = keep retrying; the bounded queue refuses new data instead of dropping accepted data. */
    max_elapsed_ms: nonNegativeInt.default(0),
  })
  .strict();

const exporterSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only (it names a queue directory)'),
    endpoint: url,
    protocol: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
    headers: z.record(z.string(), z.string()).default({}),
    compression: z.enum(['gzip', 'none']).default('gzip'),
    timeout_ms: positiveInt.default(10_000),
    batch: z
      .object({ max_spans: positiveInt.default(2048), timeout_ms: nonNegativeInt.default(200) })
      .strict()
      .default({}),
    retry: retrySchema.default({}),
  })
  .strict();

const schema = z
  .object({
    receiver: z
      .object({
        endpoint: endpoint.default('0.0.0.0:4318'),
        bearer_token: z.string().min(1, 'must not be empty (leave it out to disable auth)').optional(),
        max_body_bytes: positiveInt.default(8 * 1024 * 1024),
        request_timeout_ms: positiveInt.default(30_000),
      })
      .strict()
      .default({}),
    exporters: z
      .array(exporterSchema)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((e, i) => {
          if (seen.has(e.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `duplicate exporter name "${e.name}"`,
            });
          }
          seen.add(e.name);
        });
      }),
    admin: z
      .object({ endpoint: endpoint.default('0.0.0.0:9464') })
      .strict()
      .default({}),
    pricing: z
      .object({
        overrides: z.string().min(1).optional(),
        /** A newer genai-prices data file or URL. */
        data: z.string().min(1).optional(),
        /** Re-read the overrides file when it changes. */
        watch: z.boolean().default(true),
      })
      .strict()
      .default({}),
    attribution: z
      .object({
        default_team: z.string().min(1).default('unassigned'),
        teams_by_service: z.record(z.string(), z.array(z.string())).default({}),
        teams_by_key_fingerprint: z
          .record(
            z.string().regex(/^[0-9a-f]{6,64}$/, 'fingerprints are 6 to 64 lower-case hex characters'),
            z.string().min(1),
          )
          .default({}),
        /** resource attribute → attribute value → team, e.g. { k8s.namespace.name: { checkout: payments } }. */
        teams_by_resource_attribute: z
          .record(z.string(), z.record(z.string(), z.string().min(1)))
          .default({}),
      })
      .strict()
      .default({}),
    metrics: z
      .object({
        labels: z.array(z.enum(METRIC_LABELS)).default([...DEFAULT_METRIC_LABELS]),
        /** Distinct label sets per metric before new ones are folded into one "other" series. */
        max_series: positiveInt.default(5000),
      })
      .strict()
      .default({}),
    queue: z
      .object({
        max_spans: positiveInt.default(100_000),
        directory: z.string().min(1).optional(),
        fsync: z.boolean().default(false),
      })
      .strict()
      .default({}),
    ledger: z
      .object({
        url: z
          .string()
          .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'expected sqlite://<path> or postgres://...')
          .optional(),
        /** Rows waiting for the database before the receiver refuses new data (503). */
        queue_max_rows: positiveInt.default(100_000),
        /** Rows per transaction. */
        batch_max_rows: positiveInt.default(500),
        /** Backoff while the database is away; the ledger never gives rows up, the bounded queue refuses instead. */
        retry: z
          .object({
            initial_interval_ms: positiveInt.default(1000),
            max_interval_ms: positiveInt.default(30_000),
            multiplier: z.number().min(1).default(1.5),
            randomization_factor: z.number().min(0).max(1).default(0.5),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
      .strict()
      .default({}),
    shutdown: z
      .object({ drain_timeout_ms: positiveInt.default(10_000) })
      .strict()
      .default({}),
  })
  .strict();

type RawConfig = z.infer<typeof schema>;

export interface CollectorConfig {
  receiver: { endpoint: string; bearerToken?: string; maxBodyBytes: number; requestTimeoutMs: number };
  exporters: ExporterConfig[];
  admin: { endpoint: string };
  pricing: { overrides?: string; data?: string; watch: boolean };
  attribution: {
    defaultTeam: string;
    /** service.name → team (inverted from the file's team → services). */
    teamByService: Map<string, string>;
    /** fingerprint prefix → team. */
    teamsByKeyFingerprint: Array<[prefix: string, team: string]>;
    teamsByResourceAttribute: Array<[attribute: string, values: Map<string, string>]>;
  };
  metrics: { labels: MetricLabel[]; maxSeries: number };
  queue: QueueConfig;
  ledger: {
    /** sqlite://<absolute path> or postgres://...; absent = no ledger. */
    url?: string;
    queueMaxRows: number;
    batchMaxRows: number;
    retry: RetryConfig;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  drainTimeoutMs: number;
}

/** Every leaf option that can also be set by flag (--a.b=value) or env var (AILEDGER_A_B). */
export const SCALAR_OPTIONS = [
  'receiver.endpoint',
  'receiver.bearer_token',
  'receiver.max_body_bytes',
  'receiver.request_timeout_ms',
  'exporters',
  'admin.endpoint',
  'pricing.overrides',
  'pricing.data',
  'pricing.watch',
  'attribution.default_team',
  'attribution.teams_by_service',
  'attribution.teams_by_key_fingerprint',
  'attribution.teams_by_resource_attribute',
  'metrics.labels',
  'metrics.max_series',
  'queue.max_spans',
  'queue.directory',
  'queue.fsync',
  'ledger.url',
  'ledger.queue_max_rows',
  'ledger.batch_max_rows',
  'ledger.retry',
  'log.level',
  'shutdown.drain_timeout_ms',
] as const;

export function envNameFor(option: string): string {
  return `AILEDGER_${option.replace(/\./g, '_').toUpperCase()}`;
}

type Env = Readonly<Record<string, string | undefined>>;

const ENV_REFERENCE = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;
const PLACEHOLDER = /__ailedger_env_(\d+)__/g;

/**
 * `${env:NAME}` (and `${NAME}`) become plain placeholders before the YAML is parsed — so a reference may sit
 * anywhere, even in a flow map like `{ x-honeycomb-team: ${env:KEY} }` — and the values are put back after, so
 * a value can never change the file's structure. A value that is only a reference is read as a YAML scalar
 * (numbers and booleans work); an unset variable is an error naming it and the key.
 */
function protectEnvReferences(text: string): { text: string; names: string[] } {
  const names: string[] = [];
  const out = text.replace(ENV_REFERENCE, (_, name: string) => {
    names.push(name);
    return `__ailedger_env_${names.length - 1}__`;
  });
  return { text: out, names };
}

function expandEnv(value: unknown, names: readonly string[], env: Env, where: string): unknown {
  if (typeof value === 'string') {
    const lookup = (index: string) => {
      const name = names[Number(index)] as string;
      const v = env[name];
      if (v === undefined) throw new ConfigError(`${where}: environment variable ${name} is not set`);
      return v;
    };
    const whole = /^__ailedger_env_(\d+)__$/.exec(value);
    if (whole) {
      const v = lookup(whole[1] as string);
      const scalar = parseYaml(v, { strict: false }) as unknown;
      return typeof scalar === 'number' || typeof scalar === 'boolean' ? scalar : v;
    }
    return value.replace(PLACEHOLDER, (_, index: string) => lookup(index));
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, names, env, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = expandEnv(v, names, env, where ? `${where}.${k}` : k);
    return out;
  }
  return value;
}

/** A flag or env value: YAML, so numbers, booleans, lists ([a, b]) and maps ({a: b}) can be given inline. */
function parseInlineValue(text: string, where: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${where}: not a valid value (${(e as Error).message.split('\n')[0]})`);
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next))
      node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

/** `k=v,k2=v2` as in OTEL_EXPORTER_OTLP_HEADERS (values URL-decoded). */
function parseOtelHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

export interface LoadOptions {
  /** Path of the YAML (or JSON) config file; optional. */
  file?: string;
  /** Option overrides from flags, keyed by dotted path (values as typed on the command line). */
  flags?: Record<string, string>;
  env?: Env;
}

export function loadConfig(options: LoadOptions = {}): CollectorConfig {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(options.file, 'utf8');
    } catch (e) {
      throw new ConfigError(
        `config file ${options.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const protectedText = protectEnvReferences(text);
    let parsed: unknown;
    try {
      parsed = parseYaml(protectedText.text);
    } catch (e) {
      throw new ConfigError(
        `config file ${options.file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError(`config file ${options.file}: expected a mapping of sections at the top level`);
      }
      raw = expandEnv(parsed, protectedText.names, env, '') as Record<string, unknown>;
    }
  }

  for (const option of SCALAR_OPTIONS) {
    const name = envNameFor(option);
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, option, parseInlineValue(value, name));
  }
  for (const [option, value] of Object.entries(options.flags ?? {})) {
    if (!(SCALAR_OPTIONS as readonly string[]).includes(option)) {
      throw new ConfigError(`--${option}: unknown option (known: ${SCALAR_OPTIONS.join(', ')})`);
    }
    setPath(raw, option, parseInlineValue(value, `--${option}`));
  }

  // With no exporter configured, the standard OTLP variables name the backend, as for any OTel SDK.
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (raw.exporters === undefined && otlpEndpoint) {
    const tracesOnly = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
    raw.exporters = [
      {
        name: 'otlp',
        endpoint: tracesOnly ? otlpEndpoint.replace(/\/v1\/traces\/?$/, '') : otlpEndpoint,
        protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json' ? 'http/json' : 'http/protobuf',
        headers: parseOtelHeaders(env.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
      },
    ];
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      return `${key || '(top level)'}: ${message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return toConfig(result.data, options.file);
}

function toConfig(c: RawConfig, file: string | undefined): CollectorConfig {
  // Relative paths in the file are relative to the file, as users expect from a config file.
  const base = file === undefined ? process.cwd() : path.dirname(path.resolve(file));
  const resolvePath = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));

  const teamByService = new Map<string, string>();
  for (const [team, services] of Object.entries(c.attribution.teams_by_service)) {
    for (const service of services) {
      const previous = teamByService.get(service);
      if (previous !== undefined && previous !== team) {
        throw new ConfigError(
          `attribution.teams_by_service: service "${service}" is listed under both "${previous}" and "${team}"`,
        );
      }
      teamByService.set(service, team);
    }
  }
  let ledgerUrl = c.ledger.url;
  if (ledgerUrl?.startsWith('sqlite:')) {
    const p = ledgerUrl.replace(/^sqlite:(\/\/)?/, '');
    ledgerUrl = `sqlite://${resolvePath(p)}`;
  }

  const config: CollectorConfig = {
    receiver: {
      endpoint: c.receiver.endpoint,
      maxBodyBytes: c.receiver.max_body_bytes,
      requestTimeoutMs: c.receiver.request_timeout_ms,
    },
    exporters: c.exporters.map((e) => ({
      name: e.name,
      endpoint: e.endpoint.replace(/\/+$/, ''),
      protocol: e.protocol,
      headers: e.headers,
      compression: e.compression,
      timeoutMs: e.timeout_ms,
      batchMaxSpans: e.batch.max_spans,
      batchTimeoutMs: e.batch.timeout_ms,
      retry: {
        initialIntervalMs: e.retry.initial_interval_ms,
        maxIntervalMs: e.retry.max_interval_ms,
        multiplier: e.retry.multiplier,
        randomizationFactor: e.retry.randomization_factor,
        maxElapsedMs: e.retry.max_elapsed_ms,
      },
    })),
    admin: { endpoint: c.admin.endpoint },
    pricing: { watch: c.pricing.watch },
    attribution: {
      defaultTeam: c.attribution.default_team,
      teamByService,
      // Longest prefix first, so a more specific fingerprint wins.
      teamsByKeyFingerprint: Object.entries(c.attribution.teams_by_key_fingerprint).sort(
        (a, b) => b[0].length - a[0].length,
      ),
      teamsByResourceAttribute: Object.entries(c.attribution.teams_by_resource_attribute).map(
        ([attr, values]) => [attr, new Map(Object.entries(values))],
      ),
    },
    metrics: { labels: c.metrics.labels, maxSeries: c.metrics.max_series },
    queue: { maxSpans: c.queue.max_spans, fsync: c.queue.fsync },
    ledger: {
      queueMaxRows: c.ledger.queue_max_rows,
      batchMaxRows: c.ledger.batch_max_rows,
      retry: {
        initialIntervalMs: c.ledger.retry.initial_interval_ms,
        maxIntervalMs: c.ledger.retry.max_interval_ms,
        multiplier: c.ledger.retry.multiplier,
        randomizationFactor: c.ledger.retry.randomization_factor,
        maxElapsedMs: 0,
      },
    },
    logLevel: c.log.level,
    drainTimeoutMs: c.shutdown.drain_timeout_ms,
  };
  if (c.receiver.bearer_token !== undefined) config.receiver.bearerToken = c.receiver.bearer_token;
  const overrides = resolvePath(c.pricing.overrides);
  if (overrides !== undefined) {
    if (!fs.existsSync(overrides)) throw new ConfigError(`pricing.overrides: file not found: ${overrides}`);
    config.pricing.overrides = overrides;
  }
  if (c.pricing.data !== undefined) {
    config.pricing.data = /^https?:\/\//.test(c.pricing.data)
      ? c.pricing.data
      : (resolvePath(c.pricing.data) as string);
  }
  const directory = resolvePath(c.queue.directory);
  if (directory !== undefined) config.queue.directory = directory;
  if (ledgerUrl !== undefined) config.ledger.url = ledgerUrl;
  return config;
}
