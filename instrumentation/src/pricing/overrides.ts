/**
 * Organisation price overrides, from a YAML or JSON file (AILEDGER_PRICING_FILE). Schema (README.md has an
 * example):
 *
 *   version: 1                       # optional
 *   models:                          # private, fine-tuned or self-hosted models: the whole price
 *     - name: llama-onprem           # optional; names the entry in `source` and in errors
 *       provider: vllm               # gen_ai.provider.name, `*` wildcards; optional (any provider)
 *       model: meta-llama/Llama-3.1-8B-Instruct   # required; response or request model, `*` wildcards
 *       input_per_mtok: 0.05         # USD per 1M tokens; input and output together, and/or per_request
 *       output_per_mtok: 0.10
 *       cached_input_per_mtok: 0.01  # optional, default input_per_mtok
 *       cache_write_per_mtok: 0.06   # optional, default input_per_mtok (5-minute writes, and 1-hour without the next)
 *       cache_write_1h_per_mtok: 0.1 # optional, default cache_write_per_mtok
 *       per_request: 0.0002          # optional, USD per call
 *       from: 2025-01-01             # optional, inclusive; YYYY-MM-DD (UTC) or ISO 8601 time with zone
 *       until: 2026-01-01            # optional, exclusive
 *   corrections:                     # replace some list prices of a catalogue model; other prices stay
 *     - model: deepseek-chat         # matches the response/request model or the catalogue entry id
 *       provider: deepseek
 *       service_tier: flex           # optional: only calls the provider reported in this tier
 *       input_per_mtok: 0.28         # any of the price fields above, at least one
 *       from: 2025-09-05
 *   discounts:                       # negotiated percentage off whatever the call is priced at
 *     - provider: azure.ai.openai    # provider and/or model required
 *       model: gpt-4o*
 *       service_tier: ...            # optional
 *       percent_off: 15              # 0..100
 *       from: 2025-07-01
 *
 * In each section the first entry (in file order) that matches and is in force at the call's time applies.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Rates } from './rates.js';

export interface Pattern {
  text: string;
  test(value: string): boolean;
}

interface EntryBase {
  /** `override:<file>#<section>[<name or index>]`, stamped into `source`. */
  label: string;
  provider?: Pattern;
  fromMs?: number;
  untilMs?: number;
}

export interface ModelOverride extends EntryBase {
  model: Pattern;
  rates: Rates;
}

export interface CorrectionOverride extends EntryBase {
  model: Pattern;
  serviceTier?: string;
  /** Only the rates the entry sets. */
  rates: Rates;
}

export interface DiscountOverride extends EntryBase {
  model?: Pattern;
  serviceTier?: string;
  percentOff: number;
}

export interface PricingOverrides {
  /** The file as configured. */
  file: string;
  models: ModelOverride[];
  corrections: CorrectionOverride[];
  discounts: DiscountOverride[];
}

export class PricingConfigError extends Error {
  constructor(
    readonly file: string,
    /** One line per problem: `<section>[<index>].<field>: <what is wrong>`. */
    readonly issues: string[],
  ) {
    super(issues.map((issue) => `pricing overrides ${file}: ${issue}`).join('\n'));
    this.name = 'PricingConfigError';
  }
}

export function emptyOverrides(file = ''): PricingOverrides {
  return { file, models: [], corrections: [], discounts: [] };
}

export function inForce(entry: EntryBase, timestampMs: number): boolean {
  return (
    (entry.fromMs === undefined || timestampMs >= entry.fromMs) &&
    (entry.untilMs === undefined || timestampMs < entry.untilMs)
  );
}

export function globPattern(text: string): Pattern {
  const lower = text.toLowerCase();
  if (!lower.includes('*')) return { text, test: (v) => v.toLowerCase() === lower };
  const re = new RegExp(`^${lower.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return { text, test: (v) => re.test(v.toLowerCase()) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PRICE_FIELDS: ReadonlyArray<readonly [string, keyof Rates]> = [
  ['input_per_mtok', 'input'],
  ['output_per_mtok', 'output'],
  ['cached_input_per_mtok', 'cacheRead'],
  ['cache_write_per_mtok', 'cacheWrite'],
  ['cache_write_1h_per_mtok', 'cacheWrite1h'],
];
const PRICE_FIELD_NAMES = [...PRICE_FIELDS.map(([f]) => f), 'per_request'];
const COMMON_FIELDS = ['name', 'provider', 'model', 'from', 'until'];
const SECTION_FIELDS: Record<'models' | 'corrections' | 'discounts', ReadonlySet<string>> = {
  models: new Set([...COMMON_FIELDS, ...PRICE_FIELD_NAMES]),
  corrections: new Set([...COMMON_FIELDS, 'service_tier', ...PRICE_FIELD_NAMES]),
  discounts: new Set([...COMMON_FIELDS, 'service_tier', 'percent_off']),
};
const TOP_LEVEL = new Set(['version', 'models', 'corrections', 'discounts']);

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(text: string): number {
  if (DATE_ONLY.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    // Date.parse accepts 2025-02-30; the round trip does not.
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text) ? ms : Number.NaN;
  }
  return DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
}

/** Collects every problem of one entry, naming its section, index, field and (when given) name. */
class EntryReader {
  readonly issues: string[] = [];
  readonly name: string | undefined;

  constructor(
    private readonly section: string,
    private readonly index: number,
    private readonly entry: Record<string, unknown>,
  ) {
    const name = entry['name'];
    this.name = typeof name === 'string' && name.trim() !== '' ? name : undefined;
  }

  problem(field: string | undefined, message: string): void {
    const where = `${this.section}[${this.index}]${field === undefined ? '' : `.${field}`}`;
    this.issues.push(`${where}: ${message}${this.name === undefined ? '' : ` (entry "${this.name}")`}`);
  }

  has(field: string): boolean {
    return this.entry[field] !== undefined && this.entry[field] !== null;
  }

  string(field: string, required: boolean): string | undefined {
    const v = this.entry[field];
    if (v === undefined || v === null) {
      if (required) this.problem(field, 'required');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.problem(field, `expected a non-empty string, got ${show(v)}`);
      return undefined;
    }
    return v.trim();
  }

  number(field: string, max?: number): number | undefined {
    const v = this.entry[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (max !== undefined && v > max)) {
      this.problem(
        field,
        `expected ${max === undefined ? 'a non-negative number' : `a number from 0 to ${max}`}, got ${show(v)}`,
      );
      return undefined;
    }
    return v;
  }

  instant(field: string): number | undefined {
    const v = this.entry[field];
    if (v === undefined || v === null) return undefined;
    const ms = typeof v === 'string' ? parseInstant(v.trim()) : Number.NaN;
    if (Number.isNaN(ms)) {
      this.problem(field, `expected a date (YYYY-MM-DD, UTC) or an ISO 8601 time with zone, got ${show(v)}`);
      return undefined;
    }
    return ms;
  }
}

function readEntry(
  file: string,
  section: 'models' | 'corrections' | 'discounts',
  index: number,
  raw: unknown,
  issues: string[],
): ModelOverride | CorrectionOverride | DiscountOverride | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push(`${section}[${index}]: expected a mapping, got ${show(raw)}`);
    return undefined;
  }
  const r = new EntryReader(section, index, raw as Record<string, unknown>);
  const allowed = SECTION_FIELDS[section];
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) r.problem(key, `unknown field (expected one of: ${[...allowed].join(', ')})`);
  }
  r.string('name', false);
  const provider = r.string('provider', false);
  const model = r.string('model', section !== 'discounts');
  const fromMs = r.instant('from');
  const untilMs = r.instant('until');
  if (fromMs !== undefined && untilMs !== undefined && untilMs <= fromMs)
    r.problem('until', 'must be after from');

  const label = `override:${basename(file)}#${section}[${r.name ?? index}]`;
  const base: EntryBase = { label };
  if (provider !== undefined) base.provider = globPattern(provider);
  if (fromMs !== undefined) base.fromMs = fromMs;
  if (untilMs !== undefined) base.untilMs = untilMs;

  if (section === 'discounts') {
    const serviceTier = r.string('service_tier', false);
    const percentOff = r.number('percent_off', 100);
    if (!r.has('percent_off')) r.problem('percent_off', 'required');
    if (!r.has('provider') && !r.has('model')) r.problem(undefined, 'needs provider and/or model');
    issues.push(...r.issues);
    if (r.issues.length > 0 || percentOff === undefined) return undefined;
    const d: DiscountOverride = { ...base, percentOff };
    if (model !== undefined) d.model = globPattern(model);
    if (serviceTier !== undefined) d.serviceTier = serviceTier.toLowerCase();
    return d;
  }

  const rates: Rates = {};
  for (const [field, key] of PRICE_FIELDS) {
    const v = r.number(field);
    if (v !== undefined) (rates as Record<string, number>)[key] = v;
  }
  const perRequest = r.number('per_request');
  if (perRequest !== undefined) rates.perRequest = perRequest;
  const serviceTier = section === 'corrections' ? r.string('service_tier', false) : undefined;
  if (section === 'models') {
    const hasIn = r.has('input_per_mtok');
    const hasOut = r.has('output_per_mtok');
    if (hasIn !== hasOut) {
      r.problem(
        hasIn ? 'output_per_mtok' : 'input_per_mtok',
        `required when ${hasIn ? 'input' : 'output'}_per_mtok is given`,
      );
    } else if (!hasIn && !r.has('per_request')) {
      r.problem(undefined, 'needs input_per_mtok and output_per_mtok, and/or per_request');
    }
    if (!hasIn && PRICE_FIELDS.some(([f]) => f !== 'output_per_mtok' && r.has(f))) {
      r.problem('input_per_mtok', 'required when other token prices are given');
    }
  } else if (!PRICE_FIELD_NAMES.some((f) => r.has(f))) {
    r.problem(undefined, `needs at least one price field (${PRICE_FIELD_NAMES.join(', ')})`);
  }
  issues.push(...r.issues);
  if (r.issues.length > 0 || model === undefined) return undefined;
  const entry: ModelOverride | CorrectionOverride = { ...base, model: globPattern(model), rates };
  if (serviceTier !== undefined) (entry as CorrectionOverride).serviceTier = serviceTier.toLowerCase();
  return entry;
}

/** Parses and validates overrides; throws PricingConfigError listing every problem. */
export function parseOverrides(text: string, file: string): PricingOverrides {
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const kind = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    throw new PricingConfigError(file, [`invalid ${kind}: ${(e as Error).message.split('\n')[0]}`]);
  }
  const result = emptyOverrides(file);
  if (doc === null || doc === undefined) return result;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PricingConfigError(file, [
      `expected a mapping with models, corrections and/or discounts, got ${show(doc)}`,
    ]);
  }
  const issues: string[] = [];
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_LEVEL.has(key))
      issues.push(`${key}: unknown section (expected one of: ${[...TOP_LEVEL].join(', ')})`);
  }
  if (top['version'] !== undefined && top['version'] !== 1)
    issues.push(`version: expected 1, got ${show(top['version'])}`);
  for (const section of ['models', 'corrections', 'discounts'] as const) {
    const list = top[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push(`${section}: expected a list, got ${show(list)}`);
      continue;
    }
    const names = new Map<string, number>();
    list.forEach((raw, i) => {
      const entry = readEntry(file, section, i, raw, issues);
      const name = (raw as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && name.trim() !== '') {
        const first = names.get(name);
        if (first !== undefined)
          issues.push(`${section}[${i}].name: duplicate name "${name}" (also ${section}[${first}])`);
        else names.set(name, i);
      }
      if (entry === undefined) return;
      if (section === 'models') result.models.push(entry as ModelOverride);
      else if (section === 'corrections') result.corrections.push(entry as CorrectionOverride);
      else result.discounts.push(entry as DiscountOverride);
    });
  }
  if (issues.length > 0) throw new PricingConfigError(file, issues);
  return result;
}

/** Reads and validates an overrides file; throws PricingConfigError (also for a missing or unreadable file). */
export function loadOverridesFile(file: string): PricingOverrides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PricingConfigError(file, [
      `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  return parseOverrides(text, file);
}
