/**
 * Price evaluation on the hot path. A catalogue entry's prices are compiled once into plain rate records; each
 * call then only picks the period in force at its timestamp and does a dozen multiplications.
 *
 * The arithmetic follows genai-prices' own rules so both give the same total (a test checks this over the whole
 * catalogue): every token class the entry has no rate for is billed at its parent's rate (cache reads without a
 * cache-read rate at the input rate, 1-hour writes without their rate at the cache-write rate, ...), and a tier is
 * chosen by the request's total input tokens and applied to every token class of the request.
 */
import type { TokenUsage } from '../model-call.js';

/** USD per million tokens, flat or by input size. */
export type Rate = number | TieredRate;

export interface TieredRate {
  base: number;
  /** Ascending; `price` applies once the request's input tokens exceed `start`. */
  tiers: ReadonlyArray<{ start: number; price: number }>;
}

export interface Rates {
  input?: Rate;
  cacheRead?: Rate;
  cacheWrite?: Rate;
  cacheWrite5m?: Rate;
  cacheWrite1h?: Rate;
  inputAudio?: Rate;
  cacheAudioRead?: Rate;
  output?: Rate;
  outputReasoning?: Rate;
  outputAudio?: Rate;
  /** USD per request. */
  perRequest?: number;
  /** The 1-hour cache-write rate was derived (2x input), not read from the data. */
  derived1h?: boolean;
  /** Every tier threshold of these rates, ascending; absent when all rates are flat. */
  tierStarts?: number[];
}

export type PeriodConstraint =
  | { kind: 'always' }
  | { kind: 'from'; startMs: number }
  /** Seconds of the UTC day, [start, end); wraps past midnight when end < start. */
  | { kind: 'time'; startSec: number; endSec: number };

export interface PricePeriod {
  constraint: PeriodConstraint;
  rates: Rates;
}

/** Periods in data order; like genai-prices, the last one whose constraint holds wins, else the first. */
export type CompiledPrices = readonly PricePeriod[];

const PRICE_KEYS: ReadonlyArray<readonly [string, keyof Rates]> = [
  ['input_mtok', 'input'],
  ['cache_read_mtok', 'cacheRead'],
  ['cache_write_mtok', 'cacheWrite'],
  ['cache_write_5m_mtok', 'cacheWrite5m'],
  ['cache_write_1h_mtok', 'cacheWrite1h'],
  ['input_audio_mtok', 'inputAudio'],
  ['cache_audio_read_mtok', 'cacheAudioRead'],
  ['output_mtok', 'output'],
  ['output_reasoning_mtok', 'outputReasoning'],
  ['output_audio_mtok', 'outputAudio'],
];

/** Price keys that say how a model is billed per call; an entry with none of them is billed in units we don't see. */
const CALL_PRICE_KEYS = new Set(['input_mtok', 'output_mtok', 'requests_kcount']);

export class PriceDataError extends Error {}

function toRate(key: string, value: unknown): Rate | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { base, tiers } = value as { base?: unknown; tiers?: unknown };
    if (typeof base === 'number' && Number.isFinite(base) && base >= 0 && Array.isArray(tiers)) {
      const parsed: Array<{ start: number; price: number }> = [];
      for (const t of tiers as unknown[]) {
        const { start, price } = (t ?? {}) as { start?: unknown; price?: unknown };
        if (typeof start !== 'number' || !(start >= 0) || typeof price !== 'number' || !(price >= 0)) {
          throw new PriceDataError(`invalid tier in ${key}`);
        }
        parsed.push({ start, price });
      }
      parsed.sort((a, b) => a.start - b.start);
      return parsed.length === 0 ? base : { base, tiers: parsed };
    }
  }
  throw new PriceDataError(`invalid price for ${key}`);
}

/**
 * One price record (genai-prices `ModelPrice`) as rates. Returns the price keys we cannot bill when none of the
 * per-call keys is present (audio hours, document pages ...): such a call would otherwise look free.
 */
export function compileRates(
  prices: Readonly<Record<string, unknown>>,
  derive1hFromInput: boolean,
): Rates | { unsupported: string[] } {
  const rates: Rates = {};
  let callKeys = 0;
  const others: string[] = [];
  for (const [key, value] of Object.entries(prices)) {
    if (value === undefined) continue;
    if (CALL_PRICE_KEYS.has(key)) callKeys++;
    else if (!PRICE_KEYS.some(([k]) => k === key)) others.push(key);
  }
  if (callKeys === 0 && others.length > 0) return { unsupported: others.sort() };
  for (const [key, field] of PRICE_KEYS) {
    const rate = toRate(key, prices[key]);
    if (rate !== undefined) (rates as Record<string, Rate>)[field] = rate;
  }
  const perKilo = prices['requests_kcount'];
  if (perKilo !== undefined) {
    if (typeof perKilo !== 'number' || !(perKilo >= 0))
      throw new PriceDataError('invalid price for requests_kcount');
    rates.perRequest = perKilo / 1000;
  }
  if (derive1hFromInput && rates.cacheWrite1h === undefined && rates.input !== undefined) {
    // Anthropic documents 1-hour cache writes at 2x the base input price (5-minute writes at 1.25x); entries
    // without a 1h rate would otherwise bill 1-hour writes at the 5-minute rate.
    rates.cacheWrite1h = scaleRate(rates.input, 2);
    rates.derived1h = true;
  }
  return withTierStarts(rates);
}

/** Records the tier thresholds of a rate set (call again after changing its rates). */
export function withTierStarts(rates: Rates): Rates {
  const starts = new Set<number>();
  for (const v of Object.values(rates)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      for (const t of v.tiers) starts.add(t.start);
  }
  if (starts.size === 0) delete rates.tierStarts;
  else rates.tierStarts = [...starts].sort((a, b) => a - b);
  return rates;
}

export function scaleRate(rate: Rate, factor: number): Rate {
  if (typeof rate === 'number') return rate * factor;
  return {
    base: rate.base * factor,
    tiers: rate.tiers.map((t) => ({ start: t.start, price: t.price * factor })),
  };
}

const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** "HH:MM:SS[.fff](Z|±HH:MM)" as seconds of the UTC day. */
export function parseTimeOfDay(text: string): number {
  const m = TIME_OF_DAY.exec(text);
  if (!m) throw new PriceDataError(`invalid time of day ${JSON.stringify(text)}`);
  const [, hh, mm, ss, frac = '', zone, sign, oh = '00', om = '00'] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59 || Number(oh) > 23 || Number(om) > 59) {
    throw new PriceDataError(`invalid time of day ${JSON.stringify(text)}`);
  }
  const local = Number(hh) * 3600 + Number(mm) * 60 + Number(ss) + Number(`0.${frac}`);
  const offset = zone === 'Z' ? 0 : (sign === '+' ? 1 : -1) * (Number(oh) * 60 + Number(om)) * 60;
  return (local - offset + 86400) % 86400;
}

interface RawConditional {
  constraint?: { type?: string; start_date?: string; start_time?: string; end_time?: string };
  prices: Record<string, unknown>;
}

/**
 * A catalogue entry's `prices` (one record, or a list of records with start-date / time-of-day constraints).
 * Returns the price keys we cannot bill when the entry is billed only in such units.
 */
export function compilePrices(
  prices: unknown,
  derive1hFromInput: boolean,
): { periods: CompiledPrices } | { unsupported: string[] } {
  const list: RawConditional[] = Array.isArray(prices)
    ? (prices as RawConditional[])
    : [{ prices: (prices ?? {}) as Record<string, unknown> }];
  const periods: PricePeriod[] = [];
  for (const item of list) {
    const rates = compileRates(item.prices ?? {}, derive1hFromInput);
    if ('unsupported' in rates) return rates;
    periods.push({ constraint: compileConstraint(item.constraint), rates });
  }
  if (periods.length === 0) throw new PriceDataError('no prices');
  return { periods };
}

function compileConstraint(c: RawConditional['constraint']): PeriodConstraint {
  if (c === undefined) return { kind: 'always' };
  if (c.start_date !== undefined && (c.type === undefined || c.type === 'start_date')) {
    const startMs = Date.parse(`${c.start_date}T00:00:00Z`);
    if (Number.isNaN(startMs)) throw new PriceDataError(`invalid start_date ${JSON.stringify(c.start_date)}`);
    return { kind: 'from', startMs };
  }
  if (c.start_time !== undefined && c.end_time !== undefined) {
    return { kind: 'time', startSec: parseTimeOfDay(c.start_time), endSec: parseTimeOfDay(c.end_time) };
  }
  throw new PriceDataError(`unknown price constraint ${JSON.stringify(c)}`);
}

const DAY_MS = 86_400_000;

/** The rates in force at `timestampMs`. */
export function ratesAt(periods: CompiledPrices, timestampMs: number): Rates {
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i]!;
    const c = p.constraint;
    if (c.kind === 'always') return p.rates;
    if (c.kind === 'from') {
      if (timestampMs >= c.startMs) return p.rates;
    } else {
      const sec = (((timestampMs % DAY_MS) + DAY_MS) % DAY_MS) / 1000;
      if (c.endSec < c.startSec ? sec >= c.startSec || sec < c.endSec : sec >= c.startSec && sec < c.endSec) {
        return p.rates;
      }
    }
  }
  return periods[0]!.rates;
}

/** The priced parts of one call, written into the caller's record to spare an allocation. */
export interface Components {
  inputUsd?: number;
  cacheReadUsd?: number;
  cacheWriteUsd?: number;
  outputUsd?: number;
  requestUsd?: number;
}

export interface ComputeResult {
  /** The highest tier threshold the request passed, if any. */
  tierStart: number | undefined;
  /** 1-hour cache writes were billed at a derived rate. */
  used1hDerived: boolean;
}

function at(rate: Rate, inputTotal: number): number {
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const t of rate.tiers) if (inputTotal > t.start) price = t.price;
  return price;
}

/** Integer counts are exact; the tolerance only absorbs fractional estimates. */
function negative(x: number, scale: number): boolean {
  return x < -1e-9 * Math.max(scale, 1);
}

const USAGE_FIELDS: ReadonlyArray<keyof TokenUsage> = [
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheCreationInputTokens',
  'cacheCreation5mInputTokens',
  'cacheCreation1hInputTokens',
  'reasoningOutputTokens',
  'audioInputTokens',
  'audioOutputTokens',
];

function badCount(usage: TokenUsage): string {
  for (const f of USAGE_FIELDS) {
    const v: unknown = usage[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      return `${f} is ${typeof v === 'string' ? JSON.stringify(v) : String(v)}, expected a non-negative number`;
    }
  }
  return 'usage counts are not finite';
}

const NO_TIER: ComputeResult = { tierStart: undefined, used1hDerived: false };
const DERIVED_1H: ComputeResult = { tierStart: undefined, used1hDerived: true };

/**
 * The cost of one call at the given rates, written into `out`; returns a problem string for usage that cannot be
 * right. `usage` follows the OpenTelemetry convention: input includes cache reads and writes (and audio), output
 * includes reasoning (and audio).
 */
export function computeComponents(rates: Rates, usage: TokenUsage, out: Components): ComputeResult | string {
  const I = usage.inputTokens ?? 0;
  const CR = usage.cacheReadInputTokens ?? 0;
  const CW1h = usage.cacheCreation1hInputTokens ?? 0;
  const CW5m = usage.cacheCreation5mInputTokens ?? 0;
  const CW = usage.cacheCreationInputTokens ?? CW1h + CW5m;
  const AI = usage.audioInputTokens ?? 0;
  const O = usage.outputTokens ?? 0;
  const R = usage.reasoningOutputTokens ?? 0;
  const AO = usage.audioOutputTokens ?? 0;
  // One check for the common case: a string or object turns the sum into a string or NaN.
  const sum = I + CR + CW1h + CW5m + CW + AI + O + R + AO;
  if (
    typeof sum !== 'number' ||
    !Number.isFinite(sum) ||
    I < 0 ||
    CR < 0 ||
    CW1h < 0 ||
    CW5m < 0 ||
    CW < 0 ||
    AI < 0 ||
    O < 0 ||
    R < 0 ||
    AO < 0
  ) {
    return badCount(usage);
  }
  if (negative(CW - CW1h - CW5m, CW)) {
    return `cache writes by lifetime (${CW5m} + ${CW1h}) exceed cacheCreationInputTokens (${CW})`;
  }
  // Subsets above their totals mean an adapter counted them apart (Gemini thoughts, Anthropic cache tokens):
  // pricing the smaller total would under-charge.
  if (negative(O - R, O)) return `reasoningOutputTokens (${R}) exceed outputTokens (${O})`;
  if (negative(O - AO, O)) return `audioOutputTokens (${AO}) exceed outputTokens (${O})`;
  if (negative(I - AI, I)) return `audioInputTokens (${AI}) exceed inputTokens (${I})`;

  const tiered = rates.tierStarts !== undefined;
  const input = rates.input === undefined ? 0 : tiered ? at(rates.input, I) : (rates.input as number);
  // Audio without its own rate is ordinary input; cached audio is split out only when both audio rates exist.
  const audioIn = rates.inputAudio === undefined ? 0 : AI;
  let cachedAudio = 0;
  if (audioIn > 0 && CR > 0 && rates.cacheAudioRead !== undefined && rates.cacheRead !== undefined) {
    // The usage record does not say which cached tokens were audio: assume text first, audio only for what text
    // cannot hold.
    cachedAudio = Math.max(0, Math.min(CR, AI, CR + CW + AI - I));
  }
  const uncachedText = I - audioIn - CR - CW + cachedAudio;
  if (negative(uncachedText, I)) {
    return `cache reads, cache writes and audio (${CR} + ${CW} + ${audioIn}) exceed inputTokens (${I})`;
  }
  const reasoning = rates.outputReasoning === undefined ? 0 : R;
  const audioOut = rates.outputAudio === undefined ? 0 : AO;
  const plainOutput = O - reasoning - audioOut;
  if (negative(plainOutput, O))
    return `reasoning and audio output (${reasoning} + ${audioOut}) exceed outputTokens (${O})`;

  const output = rates.output === undefined ? 0 : tiered ? at(rates.output, I) : (rates.output as number);
  const cacheRead = rates.cacheRead === undefined ? input : at(rates.cacheRead, I);
  const cacheWrite = rates.cacheWrite === undefined ? input : at(rates.cacheWrite, I);

  let inputUsd = Math.max(uncachedText, 0) * input;
  if (audioIn > 0) inputUsd += (audioIn - cachedAudio) * at(rates.inputAudio!, I);
  let cacheReadUsd = (CR - cachedAudio) * cacheRead;
  if (cachedAudio > 0) cacheReadUsd += cachedAudio * at(rates.cacheAudioRead!, I);
  let cacheWriteUsd = 0;
  if (CW > 0) {
    const rest = CW - CW1h - CW5m;
    cacheWriteUsd = Math.max(rest, 0) * cacheWrite;
    if (CW1h > 0)
      cacheWriteUsd += CW1h * (rates.cacheWrite1h === undefined ? cacheWrite : at(rates.cacheWrite1h, I));
    if (CW5m > 0)
      cacheWriteUsd += CW5m * (rates.cacheWrite5m === undefined ? cacheWrite : at(rates.cacheWrite5m, I));
  }
  let outputUsd = Math.max(plainOutput, 0) * output;
  if (reasoning > 0) outputUsd += reasoning * at(rates.outputReasoning!, I);
  if (audioOut > 0) outputUsd += audioOut * at(rates.outputAudio!, I);

  out.inputUsd = inputUsd / 1e6;
  out.cacheReadUsd = cacheReadUsd / 1e6;
  out.cacheWriteUsd = cacheWriteUsd / 1e6;
  out.outputUsd = outputUsd / 1e6;
  if (rates.perRequest !== undefined) out.requestUsd = rates.perRequest;

  const used1hDerived = rates.derived1h === true && CW1h > 0;
  if (!tiered) return used1hDerived ? DERIVED_1H : NO_TIER;
  let tierStart: number | undefined;
  for (const start of rates.tierStarts!) if (I > start) tierStart = start;
  return tierStart === undefined && !used1hDerived ? NO_TIER : { tierStart, used1hDerived };
}
