/**
 * The list-price catalogue: @pydantic/genai-prices, its bundled data or a newer data file. Only this module talks
 * to the library. The library keeps one active data set per process, so the data source is process-wide; every
 * change bumps `generation` so pricers drop their match caches.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calcPrice, findProvider, type ModelInfo, type Provider, updatePrices } from '@pydantic/genai-prices';

/** Kept in step with the installed package by a test (the package does not export its package.json). */
export const GENAI_PRICES_VERSION = '0.1.8';
export const BUNDLED_SOURCE = `genai-prices@${GENAI_PRICES_VERSION}`;

export interface PriceDataStatus {
  /** What `CallCost.source` says for catalogue prices: `genai-prices@0.1.8` or `genai-prices-data@sha256:…`. */
  source: string;
  /** `bundled`, or the file name / URL the data came from. */
  origin: string;
  loadedAtMs?: number;
  /** The last failed load, if the latest attempt failed (the previous data stays active). */
  error?: string;
}

let status: PriceDataStatus = { source: BUNDLED_SOURCE, origin: 'bundled' };
let generation = 0;

export function priceDataStatus(): Readonly<PriceDataStatus> {
  return status;
}

/** Changes whenever the active catalogue changes. */
export function catalogGeneration(): number {
  return generation;
}

export interface CatalogEntry {
  /** The genai-prices provider that lists the entry (Azure falls back to OpenAI's list, Vertex to Anthropic's). */
  priceProviderId: string;
  model: ModelInfo;
}

const NO_USAGE = {};

/** The library's match for `modelId` under `priceProviderId` (linear search; callers cache the result). */
export function findCatalogEntry(priceProviderId: string, modelId: string): CatalogEntry | undefined {
  let result: ReturnType<typeof calcPrice>;
  try {
    result = calcPrice(NO_USAGE, modelId, { providerId: priceProviderId });
  } catch {
    // A data entry the library cannot evaluate: better unpriced than guessed.
    return undefined;
  }
  if (result === null) return undefined;
  const { provider, model } = result;
  if (provider.models.includes(model)) return { priceProviderId: provider.id, model };
  for (const id of provider.fallback_model_providers ?? []) {
    if (findProvider({ providerId: id })?.models.includes(model)) return { priceProviderId: id, model };
  }
  return { priceProviderId: provider.id, model };
}

/** A genai-prices provider id for a provider name we have no mapping for (its id, or its `provider_match`). */
export function findCatalogProviderId(name: string): string | undefined {
  return findProvider({ providerId: name })?.id;
}

function describe(data: unknown): string | undefined {
  if (!Array.isArray(data)) return 'expected a JSON array of providers';
  if (data.length === 0) return 'the provider list is empty';
  for (let i = 0; i < data.length; i++) {
    const p = data[i] as Partial<Provider> | null;
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || !Array.isArray(p.models)) {
      return `provider [${i}] needs an id and a models list`;
    }
    for (let j = 0; j < p.models.length; j++) {
      const m = p.models[j] as Partial<ModelInfo> | null;
      if (typeof m !== 'object' || m === null || typeof m.id !== 'string' || typeof m.match !== 'object') {
        return `provider ${p.id} model [${j}] needs an id and a match`;
      }
      if (typeof m.prices !== 'object' || m.prices === null)
        return `provider ${p.id} model ${m.id} has no prices`;
    }
  }
  return undefined;
}

function install(text: string, origin: string): PriceDataStatus {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const problem = describe(data);
  if (problem) throw new Error(problem);
  let failure: unknown;
  updatePrices(({ setProviderData }) => {
    try {
      // Synchronous for an array: the library validates constraints and switches data, or throws and keeps its own.
      setProviderData(data as Provider[]);
    } catch (e) {
      failure = e;
    }
  });
  if (failure !== undefined) throw new Error(`rejected by genai-prices: ${(failure as Error).message}`);
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
  generation++;
  status = { source: `genai-prices-data@sha256:${digest}`, origin, loadedAtMs: Date.now() };
  return status;
}

function failed(origin: string, e: unknown): PriceDataStatus {
  status = { ...status, error: `price data ${origin}: ${(e as Error).message}` };
  return status;
}

/** A URL without credentials or query, fit for logs and spans. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'url';
  }
}

function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * Loads genai-prices data (the library's own format: a JSON array of providers, e.g. its `data.json`) from a file
 * path, file: URL or http(s) URL. Never throws: on failure the active data stays and `error` says why. A URL is
 * fetched in the background with a timeout, so pricing never waits on the network.
 */
export async function loadPriceData(location: string, timeoutMs = 10_000): Promise<PriceDataStatus> {
  if (!isUrl(location)) return loadPriceDataFile(location);
  const origin = redact(location);
  try {
    const response = await fetch(location, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return install(await response.text(), origin);
  } catch (e) {
    return failed(origin, e);
  }
}

/** Synchronous file load, so a configured file is in force before the first call is priced. */
export function loadPriceDataFile(location: string): PriceDataStatus {
  const path = location.startsWith('file:') ? fileURLToPath(location) : location;
  const origin = basename(path);
  try {
    return install(readFileSync(path, 'utf8'), origin);
  } catch (e) {
    return failed(origin, e);
  }
}

export function isPriceDataUrl(location: string): boolean {
  return isUrl(location);
}
