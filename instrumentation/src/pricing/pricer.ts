/**
 * Prices one model call: which price applies (an override, or the catalogue entry the provider and model match,
 * possibly corrected), at the call's time, for each token class, less any negotiated discount.
 *
 * Matching is the slow part (the library scans its list per call), so the match for each (provider, response
 * model, request model) is cached with the entry's compiled prices; the date is still evaluated per call, so a
 * cached match never carries a price past the date it changes.
 */
import { diag } from '@opentelemetry/api';
import type { TokenUsage } from '../model-call.js';
import {
  catalogGeneration,
  findCatalogEntry,
  findCatalogProviderId,
  isPriceDataUrl,
  loadPriceData,
  loadPriceDataFile,
  type PriceDataStatus,
  priceDataStatus,
} from './catalog.js';
import {
  type CorrectionOverride,
  type DiscountOverride,
  emptyOverrides,
  inForce,
  loadOverridesFile,
  type ModelOverride,
  type PricingOverrides,
} from './overrides.js';
import { catalogModelId, mappedProviderId, openRouterVendorModel } from './providers.js';
import {
  type CompiledPrices,
  compilePrices,
  computeComponents,
  PriceDataError,
  type Rates,
  ratesAt,
  scaleRate,
  withTierStarts,
} from './rates.js';
import {
  type CallCost,
  PRICING_STATUS_INVALID_USAGE,
  PRICING_STATUS_NO_USAGE,
  PRICING_STATUS_PRICED,
  PRICING_STATUS_UNKNOWN_MODEL,
  type PriceInput,
} from './types.js';

export const ENV_PRICING_FILE = 'AILEDGER_PRICING_FILE';
export const ENV_PRICES_DATA = 'AILEDGER_PRICES_DATA';

export interface PricerOptions {
  /** Overrides file (YAML or JSON). Default: env AILEDGER_PRICING_FILE; `false` for none. */
  overridesFile?: string | false;
  /**
   * Newer genai-prices data (file path or http(s) URL). Default: env AILEDGER_PRICES_DATA; `false` for the
   * bundled data. Process-wide: the library holds one data set.
   */
  priceData?: string | false;
  /** Throw from the constructor when the overrides file is invalid, instead of warning and pricing without it. */
  strict?: boolean;
  onWarning?: (message: string) => void;
  /** Where to read the variables above; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ReloadResult {
  ok: boolean;
  /** Why the new file was refused (the previous overrides stay in force). */
  error?: string;
}

interface CatalogResolution {
  matchedModel: string;
  periods: CompiledPrices;
  source: string;
  corrections: Array<{ entry: CorrectionOverride; periods: CompiledPrices; source: string }>;
}

interface Resolution {
  models: Array<{ entry: ModelOverride; matchedModel: string }>;
  catalog?: CatalogResolution;
  discounts: DiscountOverride[];
  /** Why the catalogue has no usable price. */
  problem: string;
}

/** Tier names that mean "standard price"; anything else gets a note unless an override names it. */
const STANDARD_TIERS = new Set(['default', 'auto', 'standard', 'standard_only', 'on_demand', 'on-demand']);
/** Distinct (provider, model) keys are few in practice; the bound only guards against unbounded ids. */
const MAX_CACHED = 10_000;

function hasUsage(usage: TokenUsage | undefined): usage is TokenUsage {
  return usage !== undefined && (usage.inputTokens !== undefined || usage.outputTokens !== undefined);
}

function mergeRates(base: Rates, correction: Rates): Rates {
  const merged: Rates = { ...base, ...correction };
  if (correction.cacheWrite1h !== undefined) delete merged.derived1h;
  else if (base.derived1h && correction.input !== undefined)
    merged.cacheWrite1h = scaleRate(correction.input, 2);
  // A flat correction can replace every tiered rate; the base thresholds would then name a tier that no longer
  // applies.
  return withTierStarts(merged);
}

function tierMatches(entryTier: string | undefined, callTier: string | undefined): boolean {
  return entryTier === undefined || entryTier === callTier;
}

export class Pricer {
  private overrides: PricingOverrides;
  private readonly overridesFile: string | undefined;
  private readonly priceDataLocation: string | undefined;
  private readonly warn: (message: string) => void;
  private cache = new Map<string, Map<string, Map<string, Resolution>>>();
  private cached = 0;
  private builds = 0;
  private generation = catalogGeneration();
  private readonly initialLoad: Promise<void>;
  /** The last overrides-file problem, if the file in force is not the configured one. */
  overridesError: string | undefined;

  constructor(options: PricerOptions = {}) {
    const env = options.env ?? process.env;
    this.warn = options.onWarning ?? ((m) => diag.warn(`@ailedger/instrumentation: ${m}`));
    this.overridesFile =
      options.overridesFile === false
        ? undefined
        : options.overridesFile || env[ENV_PRICING_FILE] || undefined;
    this.priceDataLocation =
      options.priceData === false ? undefined : options.priceData || env[ENV_PRICES_DATA] || undefined;

    this.overrides = emptyOverrides();
    if (this.overridesFile !== undefined) {
      try {
        this.overrides = loadOverridesFile(this.overridesFile);
      } catch (e) {
        if (options.strict) throw e;
        this.overridesError = (e as Error).message;
        this.warn(`${this.overridesError}\npricing without overrides until the file is fixed`);
      }
    }

    this.initialLoad = Promise.resolve();
    const location = this.priceDataLocation;
    if (location !== undefined) {
      if (isPriceDataUrl(location)) {
        // Never on the call path: calls use the bundled data until the download has been checked and installed.
        this.initialLoad = loadPriceData(location).then((s) => this.reportData(s));
      } else {
        this.reportData(loadPriceDataFile(location));
      }
    }
  }

  /** Resolves once the configured price data (a URL is fetched in the background) is in force or has failed. */
  ready(): Promise<void> {
    return this.initialLoad;
  }

  /** The catalogue data in force. */
  priceData(): Readonly<PriceDataStatus> {
    return priceDataStatus();
  }

  /**
   * Re-reads the overrides file (the collector calls this when the file changes). An invalid file is refused
   * and the previous overrides stay in force; the result says why.
   */
  reload(): ReloadResult {
    if (this.overridesFile === undefined) return { ok: true };
    try {
      this.overrides = loadOverridesFile(this.overridesFile);
    } catch (e) {
      const error = (e as Error).message;
      this.overridesError = error;
      this.warn(`${error}\nkeeping the previous pricing overrides`);
      return { ok: false, error };
    }
    this.overridesError = undefined;
    this.clearCache();
    return { ok: true };
  }

  /** Loads the configured price data again (e.g. a newer data.json at the same URL). */
  async refreshPriceData(): Promise<Readonly<PriceDataStatus>> {
    if (this.priceDataLocation === undefined) return priceDataStatus();
    const s = await loadPriceData(this.priceDataLocation);
    this.reportData(s);
    return s;
  }

  /** Cached matches, and how many catalogue/override matches were computed since construction. */
  cacheStats(): { entries: number; matches: number } {
    return { entries: this.cached, matches: this.builds };
  }

  clearCache(): void {
    this.cache = new Map();
    this.cached = 0;
  }

  price(input: PriceInput): CallCost {
    const generation = catalogGeneration();
    if (generation !== this.generation) {
      this.generation = generation;
      this.clearCache();
    }
    const res = this.resolve(input.provider, input.responseModel ?? '', input.requestModel ?? '');
    const ts = Number.isFinite(input.timestampMs) ? input.timestampMs : Date.now();
    const callTier = input.serviceTier === undefined ? undefined : input.serviceTier.toLowerCase();
    let tierHandled = callTier === undefined || callTier === '' || STANDARD_TIERS.has(callTier);

    let rates: Rates | undefined;
    let source = '';
    let matchedModel: string | undefined;
    for (const m of res.models) {
      if (inForce(m.entry, ts)) {
        rates = m.entry.rates;
        source = m.entry.label;
        matchedModel = m.matchedModel;
        break;
      }
    }
    if (rates === undefined && res.catalog !== undefined) {
      const catalog = res.catalog;
      let periods = catalog.periods;
      source = catalog.source;
      for (const c of catalog.corrections) {
        if (inForce(c.entry, ts) && tierMatches(c.entry.serviceTier, callTier)) {
          periods = c.periods;
          source = c.source;
          if (c.entry.serviceTier !== undefined) tierHandled = true;
          break;
        }
      }
      rates = ratesAt(periods, ts);
      matchedModel = catalog.matchedModel;
    }
    if (rates === undefined) {
      // Entries that match but are dated elsewhere: say so, or the detail asks for an entry the file already has.
      const detail =
        res.models.length === 0
          ? res.problem
          : `${res.problem} (${res.models.map((m) => m.entry.label).join(', ')} not in force at ${new Date(ts).toISOString()})`;
      return { status: PRICING_STATUS_UNKNOWN_MODEL, source: priceDataStatus().source, detail };
    }
    if (!hasUsage(input.usage)) {
      return {
        status: PRICING_STATUS_NO_USAGE,
        matchedModel,
        source,
        detail: 'the call reported no token usage',
      };
    }
    const cost: CallCost = { status: PRICING_STATUS_PRICED, totalUsd: 0, matchedModel, source };
    const c = computeComponents(rates, input.usage, cost);
    if (typeof c === 'string')
      return { status: PRICING_STATUS_INVALID_USAGE, matchedModel, source, detail: c };
    cost.totalUsd =
      cost.inputUsd! + cost.cacheReadUsd! + cost.cacheWriteUsd! + cost.outputUsd! + (cost.requestUsd ?? 0);
    if (c.tierStart !== undefined) cost.tier = `input_tokens>${c.tierStart}`;

    for (const d of res.discounts) {
      if (inForce(d, ts) && tierMatches(d.serviceTier, callTier)) {
        if (d.serviceTier !== undefined) tierHandled = true;
        applyDiscount(cost, d);
        break;
      }
    }
    if (c.used1hDerived || !tierHandled) {
      const notes: string[] = [];
      if (c.used1hDerived)
        notes.push('1-hour cache writes priced at 2x the input price (Anthropic rule; not in the data)');
      if (!tierHandled) notes.push(`service tier "${input.serviceTier}" priced at standard list rates`);
      cost.notes = notes;
    }
    return cost;
  }

  private reportData(s: PriceDataStatus): void {
    if (s.error !== undefined) this.warn(`${s.error}; keeping ${s.source}`);
  }

  private resolve(provider: string, responseModel: string, requestModel: string): Resolution {
    let byResponse = this.cache.get(provider);
    if (byResponse === undefined) {
      byResponse = new Map();
      this.cache.set(provider, byResponse);
    }
    let byRequest = byResponse.get(responseModel);
    if (byRequest === undefined) {
      byRequest = new Map();
      byResponse.set(responseModel, byRequest);
    }
    let res = byRequest.get(requestModel);
    if (res === undefined) {
      if (this.cached >= MAX_CACHED) {
        this.clearCache();
        return this.resolve(provider, responseModel, requestModel);
      }
      res = this.build(provider, responseModel, requestModel);
      this.builds++;
      byRequest.set(requestModel, res);
      this.cached++;
    }
    return res;
  }

  private build(provider: string, responseModel: string, requestModel: string): Resolution {
    const providerName = provider.trim().toLowerCase();
    const names = [responseModel.trim(), requestModel.trim()].filter(
      (m, i, all) => m !== '' && all.indexOf(m) === i,
    );
    const res: Resolution = { models: [], discounts: [], problem: '' };
    const providerOk = (p: { provider?: { test(v: string): boolean } }) =>
      p.provider === undefined || p.provider.test(providerName);

    for (const entry of this.overrides.models) {
      if (!providerOk(entry)) continue;
      const name = names.find((n) => entry.model.test(n));
      if (name !== undefined) res.models.push({ entry, matchedModel: `${providerName}:${name}` });
    }

    let catalogId: string | undefined;
    const mapped = mappedProviderId(providerName);
    const priceProviderId = mapped === undefined ? findCatalogProviderId(providerName) : mapped;
    if (priceProviderId === null) {
      res.problem = `${providerName} is self-hosted: price it with a models entry in the overrides file`;
    } else if (priceProviderId === undefined) {
      res.problem = `no price list for provider "${providerName}"`;
    } else if (names.length === 0) {
      res.problem = 'the call names no model';
    } else {
      const catalog = this.buildCatalog(priceProviderId, providerName, responseModel.trim(), names);
      if ('problem' in catalog) res.problem = catalog.problem;
      else {
        res.catalog = catalog.resolution;
        catalogId = catalog.entryId;
      }
    }

    const modelNames = catalogId === undefined ? names : [...names, catalogId];
    for (const d of this.overrides.discounts) {
      if (providerOk(d) && (d.model === undefined || modelNames.some((n) => d.model!.test(n))))
        res.discounts.push(d);
    }
    if (res.catalog !== undefined) {
      for (const entry of this.overrides.corrections) {
        if (!providerOk(entry) || !modelNames.some((n) => entry.model.test(n))) continue;
        res.catalog.corrections.push({
          entry,
          periods: res.catalog.periods.map((p) => ({
            constraint: p.constraint,
            rates: mergeRates(p.rates, entry.rates),
          })),
          source: `${res.catalog.source}+${entry.label}`,
        });
      }
    }
    return res;
  }

  private buildCatalog(
    priceProviderId: string,
    providerName: string,
    responseModel: string,
    names: string[],
  ): { resolution: CatalogResolution; entryId: string } | { problem: string } {
    // An Azure deployment name is whatever the customer chose; only the response says which model answered.
    const azure = providerName.startsWith('azure') || providerName.startsWith('az.');
    const candidates = azure && responseModel !== '' ? [responseModel] : names;
    for (const name of candidates) {
      const id = catalogModelId(priceProviderId, name);
      if (id === undefined) continue;
      let entry = findCatalogEntry(priceProviderId, id);
      if (entry === undefined && priceProviderId === 'openrouter') {
        const vendor = openRouterVendorModel(id);
        if (vendor !== undefined) entry = findCatalogEntry(vendor.providerId, vendor.model);
      }
      if (entry === undefined) continue;
      const matchedModel = `${entry.priceProviderId}:${entry.model.id}`;
      const claude = entry.priceProviderId === 'anthropic' || entry.model.id.toLowerCase().includes('claude');
      let compiled: ReturnType<typeof compilePrices>;
      try {
        compiled = compilePrices(entry.model.prices, claude);
      } catch (e) {
        if (!(e instanceof PriceDataError)) throw e;
        return { problem: `${matchedModel} has unusable price data: ${e.message}` };
      }
      if ('unsupported' in compiled) {
        return {
          problem: `${matchedModel} is billed in units ailedger does not see (${compiled.unsupported.join(', ')})`,
        };
      }
      return {
        resolution: {
          matchedModel,
          periods: compiled.periods,
          source: priceDataStatus().source,
          corrections: [],
        },
        entryId: entry.model.id,
      };
    }
    return {
      problem: `no ${priceProviderId} price for ${candidates.map((c) => JSON.stringify(c)).join(' or ')}`,
    };
  }
}

function applyDiscount(cost: CallCost, d: DiscountOverride): void {
  const factor = 1 - d.percentOff / 100;
  cost.listTotalUsd = cost.totalUsd;
  cost.discountPercent = d.percentOff;
  cost.inputUsd = cost.inputUsd! * factor;
  cost.cacheReadUsd = cost.cacheReadUsd! * factor;
  cost.cacheWriteUsd = cost.cacheWriteUsd! * factor;
  cost.outputUsd = cost.outputUsd! * factor;
  if (cost.requestUsd !== undefined) cost.requestUsd *= factor;
  cost.totalUsd =
    cost.inputUsd + cost.cacheReadUsd + cost.cacheWriteUsd + cost.outputUsd + (cost.requestUsd ?? 0);
  cost.source = `${cost.source}+${d.label}`;
}
