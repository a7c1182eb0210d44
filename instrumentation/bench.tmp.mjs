// instrumentation/src/pricing/benchmark.ts
import { calcPrice as calcPrice2 } from "@pydantic/genai-prices";

// instrumentation/src/pricing/pricer.ts
import { diag } from "@opentelemetry/api";

// instrumentation/src/pricing/catalog.ts
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { calcPrice, findProvider, updatePrices } from "@pydantic/genai-prices";
var GENAI_PRICES_VERSION = "0.1.8";
var BUNDLED_SOURCE = `genai-prices@${GENAI_PRICES_VERSION}`;
var status = { source: BUNDLED_SOURCE, origin: "bundled" };
var generation = 0;
function priceDataStatus() {
  return status;
}
function catalogGeneration() {
  return generation;
}
var NO_USAGE = {};
function findCatalogEntry(priceProviderId, modelId) {
  let result;
  try {
    result = calcPrice(NO_USAGE, modelId, { providerId: priceProviderId });
  } catch {
    return void 0;
  }
  if (result === null) return void 0;
  const { provider, model } = result;
  if (provider.models.includes(model)) return { priceProviderId: provider.id, model };
  for (const id of provider.fallback_model_providers ?? []) {
    if (findProvider({ providerId: id })?.models.includes(model)) return { priceProviderId: id, model };
  }
  return { priceProviderId: provider.id, model };
}
function findCatalogProviderId(name) {
  return findProvider({ providerId: name })?.id;
}
function describe(data) {
  if (!Array.isArray(data)) return "expected a JSON array of providers";
  if (data.length === 0) return "the provider list is empty";
  for (let i = 0; i < data.length; i++) {
    const p = data[i];
    if (typeof p !== "object" || p === null || typeof p.id !== "string" || !Array.isArray(p.models)) {
      return `provider [${i}] needs an id and a models list`;
    }
    for (let j = 0; j < p.models.length; j++) {
      const m = p.models[j];
      if (typeof m !== "object" || m === null || typeof m.id !== "string" || typeof m.match !== "object") {
        return `provider ${p.id} model [${j}] needs an id and a match`;
      }
      if (typeof m.prices !== "object" || m.prices === null)
        return `provider ${p.id} model ${m.id} has no prices`;
    }
  }
  return void 0;
}
function install(text, origin) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${e.message}`);
  }
  const problem = describe(data);
  if (problem) throw new Error(problem);
  let failure;
  updatePrices(({ setProviderData }) => {
    try {
      setProviderData(data);
    } catch (e) {
      failure = e;
    }
  });
  if (failure !== void 0) throw new Error(`rejected by genai-prices: ${failure.message}`);
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 12);
  generation++;
  status = { source: `genai-prices-data@sha256:${digest}`, origin, loadedAtMs: Date.now() };
  return status;
}
function failed(origin, e) {
  status = { ...status, error: `price data ${origin}: ${e.message}` };
  return status;
}
function redact(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "url";
  }
}
function isUrl(location) {
  return /^https?:\/\//i.test(location);
}
async function loadPriceData(location, timeoutMs = 1e4) {
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
function loadPriceDataFile(location) {
  const path = location.startsWith("file:") ? fileURLToPath(location) : location;
  const origin = basename(path);
  try {
    return install(readFileSync(path, "utf8"), origin);
  } catch (e) {
    return failed(origin, e);
  }
}
function isPriceDataUrl(location) {
  return isUrl(location);
}

// instrumentation/src/pricing/overrides.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { basename as basename2, extname } from "node:path";
import { parse as parseYaml } from "yaml";
var PricingConfigError = class extends Error {
  constructor(file, issues) {
    super(issues.map((issue) => `pricing overrides ${file}: ${issue}`).join("\n"));
    this.file = file;
    this.issues = issues;
    this.name = "PricingConfigError";
  }
  file;
  issues;
};
function emptyOverrides(file = "") {
  return { file, models: [], corrections: [], discounts: [] };
}
function inForce(entry, timestampMs) {
  return (entry.fromMs === void 0 || timestampMs >= entry.fromMs) && (entry.untilMs === void 0 || timestampMs < entry.untilMs);
}
function globPattern(text) {
  const lower = text.toLowerCase();
  if (!lower.includes("*")) return { text, test: (v) => v.toLowerCase() === lower };
  const re = new RegExp(`^${lower.split("*").map(escapeRegExp).join(".*")}$`, "s");
  return { text, test: (v) => re.test(v.toLowerCase()) };
}
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
var PRICE_FIELDS = [
  ["input_per_mtok", "input"],
  ["output_per_mtok", "output"],
  ["cached_input_per_mtok", "cacheRead"],
  ["cache_write_per_mtok", "cacheWrite"],
  ["cache_write_1h_per_mtok", "cacheWrite1h"]
];
var PRICE_FIELD_NAMES = [...PRICE_FIELDS.map(([f]) => f), "per_request"];
var COMMON_FIELDS = ["name", "provider", "model", "from", "until"];
var SECTION_FIELDS = {
  models: /* @__PURE__ */ new Set([...COMMON_FIELDS, ...PRICE_FIELD_NAMES]),
  corrections: /* @__PURE__ */ new Set([...COMMON_FIELDS, "service_tier", ...PRICE_FIELD_NAMES]),
  discounts: /* @__PURE__ */ new Set([...COMMON_FIELDS, "service_tier", "percent_off"])
};
var TOP_LEVEL = /* @__PURE__ */ new Set(["version", "models", "corrections", "discounts"]);
function show(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}
var DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
var DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
function parseInstant(text) {
  if (DATE_ONLY.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text) ? ms : Number.NaN;
  }
  return DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
}
var EntryReader = class {
  constructor(section, index, entry) {
    this.section = section;
    this.index = index;
    this.entry = entry;
    const name = entry["name"];
    this.name = typeof name === "string" && name.trim() !== "" ? name : void 0;
  }
  section;
  index;
  entry;
  issues = [];
  name;
  problem(field, message) {
    const where = `${this.section}[${this.index}]${field === void 0 ? "" : `.${field}`}`;
    this.issues.push(`${where}: ${message}${this.name === void 0 ? "" : ` (entry "${this.name}")`}`);
  }
  has(field) {
    return this.entry[field] !== void 0 && this.entry[field] !== null;
  }
  string(field, required) {
    const v = this.entry[field];
    if (v === void 0 || v === null) {
      if (required) this.problem(field, "required");
      return void 0;
    }
    if (typeof v !== "string" || v.trim() === "") {
      this.problem(field, `expected a non-empty string, got ${show(v)}`);
      return void 0;
    }
    return v.trim();
  }
  number(field, max) {
    const v = this.entry[field];
    if (v === void 0 || v === null) return void 0;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || max !== void 0 && v > max) {
      this.problem(
        field,
        `expected ${max === void 0 ? "a non-negative number" : `a number from 0 to ${max}`}, got ${show(v)}`
      );
      return void 0;
    }
    return v;
  }
  instant(field) {
    const v = this.entry[field];
    if (v === void 0 || v === null) return void 0;
    const ms = typeof v === "string" ? parseInstant(v.trim()) : Number.NaN;
    if (Number.isNaN(ms)) {
      this.problem(field, `expected a date (YYYY-MM-DD, UTC) or an ISO 8601 time with zone, got ${show(v)}`);
      return void 0;
    }
    return ms;
  }
};
function readEntry(file, section, index, raw, issues) {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push(`${section}[${index}]: expected a mapping, got ${show(raw)}`);
    return void 0;
  }
  const r = new EntryReader(section, index, raw);
  const allowed = SECTION_FIELDS[section];
  for (const key of Object.keys(raw)) {
    if (!allowed.has(key)) r.problem(key, `unknown field (expected one of: ${[...allowed].join(", ")})`);
  }
  r.string("name", false);
  const provider = r.string("provider", false);
  const model = r.string("model", section !== "discounts");
  const fromMs = r.instant("from");
  const untilMs = r.instant("until");
  if (fromMs !== void 0 && untilMs !== void 0 && untilMs <= fromMs)
    r.problem("until", "must be after from");
  const label = `override:${basename2(file)}#${section}[${r.name ?? index}]`;
  const base = { label };
  if (provider !== void 0) base.provider = globPattern(provider);
  if (fromMs !== void 0) base.fromMs = fromMs;
  if (untilMs !== void 0) base.untilMs = untilMs;
  if (section === "discounts") {
    const serviceTier2 = r.string("service_tier", false);
    const percentOff = r.number("percent_off", 100);
    if (!r.has("percent_off")) r.problem("percent_off", "required");
    if (!r.has("provider") && !r.has("model")) r.problem(void 0, "needs provider and/or model");
    issues.push(...r.issues);
    if (r.issues.length > 0 || percentOff === void 0) return void 0;
    const d = { ...base, percentOff };
    if (model !== void 0) d.model = globPattern(model);
    if (serviceTier2 !== void 0) d.serviceTier = serviceTier2.toLowerCase();
    return d;
  }
  const rates = {};
  for (const [field, key] of PRICE_FIELDS) {
    const v = r.number(field);
    if (v !== void 0) rates[key] = v;
  }
  const perRequest = r.number("per_request");
  if (perRequest !== void 0) rates.perRequest = perRequest;
  const serviceTier = section === "corrections" ? r.string("service_tier", false) : void 0;
  if (section === "models") {
    const hasIn = r.has("input_per_mtok");
    const hasOut = r.has("output_per_mtok");
    if (hasIn !== hasOut) {
      r.problem(
        hasIn ? "output_per_mtok" : "input_per_mtok",
        `required when ${hasIn ? "input" : "output"}_per_mtok is given`
      );
    } else if (!hasIn && !r.has("per_request")) {
      r.problem(void 0, "needs input_per_mtok and output_per_mtok, and/or per_request");
    }
    if (!hasIn && PRICE_FIELDS.some(([f]) => f !== "output_per_mtok" && r.has(f))) {
      r.problem("input_per_mtok", "required when other token prices are given");
    }
  } else if (!PRICE_FIELD_NAMES.some((f) => r.has(f))) {
    r.problem(void 0, `needs at least one price field (${PRICE_FIELD_NAMES.join(", ")})`);
  }
  issues.push(...r.issues);
  if (r.issues.length > 0 || model === void 0) return void 0;
  const entry = { ...base, model: globPattern(model), rates };
  if (serviceTier !== void 0) entry.serviceTier = serviceTier.toLowerCase();
  return entry;
}
function parseOverrides(text, file) {
  let doc;
  try {
    doc = extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const kind = extname(file).toLowerCase() === ".json" ? "JSON" : "YAML";
    throw new PricingConfigError(file, [`invalid ${kind}: ${e.message.split("\n")[0]}`]);
  }
  const result = emptyOverrides(file);
  if (doc === null || doc === void 0) return result;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new PricingConfigError(file, [
      `expected a mapping with models, corrections and/or discounts, got ${show(doc)}`
    ]);
  }
  const issues = [];
  const top = doc;
  for (const key of Object.keys(top)) {
    if (!TOP_LEVEL.has(key))
      issues.push(`${key}: unknown section (expected one of: ${[...TOP_LEVEL].join(", ")})`);
  }
  if (top["version"] !== void 0 && top["version"] !== 1)
    issues.push(`version: expected 1, got ${show(top["version"])}`);
  for (const section of ["models", "corrections", "discounts"]) {
    const list = top[section];
    if (list === void 0 || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push(`${section}: expected a list, got ${show(list)}`);
      continue;
    }
    const names = /* @__PURE__ */ new Map();
    list.forEach((raw, i) => {
      const entry = readEntry(file, section, i, raw, issues);
      const name = raw?.name;
      if (typeof name === "string" && name.trim() !== "") {
        const first = names.get(name);
        if (first !== void 0)
          issues.push(`${section}[${i}].name: duplicate name "${name}" (also ${section}[${first}])`);
        else names.set(name, i);
      }
      if (entry === void 0) return;
      if (section === "models") result.models.push(entry);
      else if (section === "corrections") result.corrections.push(entry);
      else result.discounts.push(entry);
    });
  }
  if (issues.length > 0) throw new PricingConfigError(file, issues);
  return result;
}
function loadOverridesFile(file) {
  let text;
  try {
    text = readFileSync2(file, "utf8");
  } catch (e) {
    throw new PricingConfigError(file, [
      `cannot read the file: ${e.code ?? e.message}`
    ]);
  }
  return parseOverrides(text, file);
}

// instrumentation/src/pricing/providers.ts
var PROVIDER_IDS = /* @__PURE__ */ new Map([
  ["openai", "openai"],
  ["azure.ai.openai", "azure"],
  ["azure.ai.inference", "azure"],
  ["az.ai.openai", "azure"],
  ["az.ai.inference", "azure"],
  ["anthropic", "anthropic"],
  ["aws.bedrock", "aws"],
  ["gcp.gemini", "google"],
  ["gcp.vertex_ai", "google"],
  ["gcp.gen_ai", "google"],
  ["gemini", "google"],
  ["vertex_ai", "google"],
  ["mistral_ai", "mistral"],
  ["mistralai", "mistral"],
  ["cohere", "cohere"],
  ["groq", "groq"],
  ["deepseek", "deepseek"],
  ["x_ai", "x-ai"],
  ["xai", "x-ai"],
  ["perplexity", "perplexity"],
  ["openrouter", "openrouter"],
  ["together_ai", "together"],
  ["fireworks", "fireworks"],
  ["cerebras", "cerebras"],
  ["moonshot_ai", "moonshotai"],
  // Self-hosted: what a call costs is the organisation's own hardware, priced only by an override.
  ["ollama", null],
  ["vllm", null]
]);
function mappedProviderId(providerName) {
  return PROVIDER_IDS.get(providerName.toLowerCase());
}
var OPENROUTER_VENDORS = /* @__PURE__ */ new Map([
  ["openai", "openai"],
  ["anthropic", "anthropic"],
  ["google", "google"],
  ["mistralai", "mistral"],
  ["x-ai", "x-ai"],
  ["deepseek", "deepseek"],
  ["cohere", "cohere"],
  ["moonshotai", "moonshotai"]
]);
function openRouterVendorModel(model) {
  const slash = model.indexOf("/");
  if (slash <= 0 || model.includes(":")) return void 0;
  const providerId = OPENROUTER_VENDORS.get(model.slice(0, slash).toLowerCase());
  return providerId === void 0 ? void 0 : { providerId, model: model.slice(slash + 1) };
}
var BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/i;
var BEDROCK_PUBLIC_ARN_KINDS = /* @__PURE__ */ new Set([
  "foundation-model",
  "inference-profile",
  "system-defined-inference-profile"
]);
function catalogModelId(priceProviderId, raw) {
  let id = raw.trim();
  if (id.includes("%")) {
    try {
      id = decodeURIComponent(id);
    } catch {
    }
  }
  if (id === "") return void 0;
  if (priceProviderId === "aws") {
    const arn = BEDROCK_ARN.exec(id);
    if (arn) return BEDROCK_PUBLIC_ARN_KINDS.has(arn[1].toLowerCase()) ? arn[2] : void 0;
  } else if (priceProviderId === "google") {
    const slash = id.lastIndexOf("/");
    if (slash !== -1) id = id.slice(slash + 1);
  }
  return id;
}

// instrumentation/src/pricing/rates.ts
var PRICE_KEYS = [
  ["input_mtok", "input"],
  ["cache_read_mtok", "cacheRead"],
  ["cache_write_mtok", "cacheWrite"],
  ["cache_write_5m_mtok", "cacheWrite5m"],
  ["cache_write_1h_mtok", "cacheWrite1h"],
  ["input_audio_mtok", "inputAudio"],
  ["cache_audio_read_mtok", "cacheAudioRead"],
  ["output_mtok", "output"],
  ["output_reasoning_mtok", "outputReasoning"],
  ["output_audio_mtok", "outputAudio"]
];
var CALL_PRICE_KEYS = /* @__PURE__ */ new Set(["input_mtok", "output_mtok", "requests_kcount"]);
var PriceDataError = class extends Error {
};
function toRate(key, value) {
  if (value === void 0) return void 0;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { base, tiers } = value;
    if (typeof base === "number" && Number.isFinite(base) && base >= 0 && Array.isArray(tiers)) {
      const parsed = [];
      for (const t of tiers) {
        const { start, price } = t ?? {};
        if (typeof start !== "number" || !(start >= 0) || typeof price !== "number" || !(price >= 0)) {
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
function compileRates(prices, derive1hFromInput) {
  const rates = {};
  let callKeys = 0;
  const others = [];
  for (const [key, value] of Object.entries(prices)) {
    if (value === void 0) continue;
    if (CALL_PRICE_KEYS.has(key)) callKeys++;
    else if (!PRICE_KEYS.some(([k]) => k === key)) others.push(key);
  }
  if (callKeys === 0 && others.length > 0) return { unsupported: others.sort() };
  for (const [key, field] of PRICE_KEYS) {
    const rate = toRate(key, prices[key]);
    if (rate !== void 0) rates[field] = rate;
  }
  const perKilo = prices["requests_kcount"];
  if (perKilo !== void 0) {
    if (typeof perKilo !== "number" || !(perKilo >= 0))
      throw new PriceDataError("invalid price for requests_kcount");
    rates.perRequest = perKilo / 1e3;
  }
  if (derive1hFromInput && rates.cacheWrite1h === void 0 && rates.input !== void 0) {
    rates.cacheWrite1h = scaleRate(rates.input, 2);
    rates.derived1h = true;
  }
  return withTierStarts(rates);
}
function withTierStarts(rates) {
  const starts = /* @__PURE__ */ new Set();
  for (const v of Object.values(rates)) {
    if (typeof v === "object" && v !== null && !Array.isArray(v))
      for (const t of v.tiers) starts.add(t.start);
  }
  if (starts.size === 0) delete rates.tierStarts;
  else rates.tierStarts = [...starts].sort((a, b) => a - b);
  return rates;
}
function scaleRate(rate, factor) {
  if (typeof rate === "number") return rate * factor;
  return {
    base: rate.base * factor,
    tiers: rate.tiers.map((t) => ({ start: t.start, price: t.price * factor }))
  };
}
var TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;
function parseTimeOfDay(text) {
  const m = TIME_OF_DAY.exec(text);
  if (!m) throw new PriceDataError(`invalid time of day ${JSON.stringify(text)}`);
  const [, hh, mm, ss, frac = "", zone, sign, oh = "00", om = "00"] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59 || Number(oh) > 23 || Number(om) > 59) {
    throw new PriceDataError(`invalid time of day ${JSON.stringify(text)}`);
  }
  const local = Number(hh) * 3600 + Number(mm) * 60 + Number(ss) + Number(`0.${frac}`);
  const offset = zone === "Z" ? 0 : (sign === "+" ? 1 : -1) * (Number(oh) * 60 + Number(om)) * 60;
  return (local - offset + 86400) % 86400;
}
function compilePrices(prices, derive1hFromInput) {
  const list = Array.isArray(prices) ? prices : [{ prices: prices ?? {} }];
  const periods = [];
  for (const item of list) {
    const rates = compileRates(item.prices ?? {}, derive1hFromInput);
    if ("unsupported" in rates) return rates;
    periods.push({ constraint: compileConstraint(item.constraint), rates });
  }
  if (periods.length === 0) throw new PriceDataError("no prices");
  return { periods };
}
function compileConstraint(c) {
  if (c === void 0) return { kind: "always" };
  if (c.start_date !== void 0 && (c.type === void 0 || c.type === "start_date")) {
    const startMs = Date.parse(`${c.start_date}T00:00:00Z`);
    if (Number.isNaN(startMs)) throw new PriceDataError(`invalid start_date ${JSON.stringify(c.start_date)}`);
    return { kind: "from", startMs };
  }
  if (c.start_time !== void 0 && c.end_time !== void 0) {
    return { kind: "time", startSec: parseTimeOfDay(c.start_time), endSec: parseTimeOfDay(c.end_time) };
  }
  throw new PriceDataError(`unknown price constraint ${JSON.stringify(c)}`);
}
var DAY_MS = 864e5;
function ratesAt(periods, timestampMs) {
  for (let i = periods.length - 1; i >= 0; i--) {
    const p = periods[i];
    const c = p.constraint;
    if (c.kind === "always") return p.rates;
    if (c.kind === "from") {
      if (timestampMs >= c.startMs) return p.rates;
    } else {
      const sec = (timestampMs % DAY_MS + DAY_MS) % DAY_MS / 1e3;
      if (c.endSec < c.startSec ? sec >= c.startSec || sec < c.endSec : sec >= c.startSec && sec < c.endSec) {
        return p.rates;
      }
    }
  }
  return periods[0].rates;
}
function at(rate, inputTotal) {
  if (typeof rate === "number") return rate;
  let price = rate.base;
  for (const t of rate.tiers) if (inputTotal > t.start) price = t.price;
  return price;
}
function negative(x, scale) {
  return x < -1e-9 * Math.max(scale, 1);
}
var USAGE_FIELDS = [
  "inputTokens",
  "outputTokens",
  "cacheReadInputTokens",
  "cacheCreationInputTokens",
  "cacheCreation5mInputTokens",
  "cacheCreation1hInputTokens",
  "reasoningOutputTokens",
  "audioInputTokens",
  "audioOutputTokens"
];
function badCount(usage) {
  for (const f of USAGE_FIELDS) {
    const v = usage[f];
    if (v !== void 0 && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      return `${f} is ${typeof v === "string" ? JSON.stringify(v) : String(v)}, expected a non-negative number`;
    }
  }
  return "usage counts are not finite";
}
var NO_TIER = { tierStart: void 0, used1hDerived: false };
var DERIVED_1H = { tierStart: void 0, used1hDerived: true };
function computeComponents(rates, usage, out) {
  const I = usage.inputTokens ?? 0;
  const CR = usage.cacheReadInputTokens ?? 0;
  const CW1h = usage.cacheCreation1hInputTokens ?? 0;
  const CW5m = usage.cacheCreation5mInputTokens ?? 0;
  const CW = usage.cacheCreationInputTokens ?? CW1h + CW5m;
  const AI = usage.audioInputTokens ?? 0;
  const O = usage.outputTokens ?? 0;
  const R = usage.reasoningOutputTokens ?? 0;
  const AO = usage.audioOutputTokens ?? 0;
  const sum = I + CR + CW1h + CW5m + CW + AI + O + R + AO;
  if (typeof sum !== "number" || !Number.isFinite(sum) || I < 0 || CR < 0 || CW1h < 0 || CW5m < 0 || CW < 0 || AI < 0 || O < 0 || R < 0 || AO < 0) {
    return badCount(usage);
  }
  if (negative(CW - CW1h - CW5m, CW)) {
    return `cache writes by lifetime (${CW5m} + ${CW1h}) exceed cacheCreationInputTokens (${CW})`;
  }
  const tiered = rates.tierStarts !== void 0;
  const input = rates.input === void 0 ? 0 : tiered ? at(rates.input, I) : rates.input;
  const audioIn = rates.inputAudio === void 0 ? 0 : AI;
  let cachedAudio = 0;
  if (audioIn > 0 && CR > 0 && rates.cacheAudioRead !== void 0 && rates.cacheRead !== void 0) {
    cachedAudio = Math.max(0, Math.min(CR, AI, CR + CW + AI - I));
  }
  const uncachedText = I - audioIn - CR - CW + cachedAudio;
  if (negative(uncachedText, I)) {
    return `cache reads, cache writes and audio (${CR} + ${CW} + ${audioIn}) exceed inputTokens (${I})`;
  }
  const reasoning = rates.outputReasoning === void 0 ? 0 : R;
  const audioOut = rates.outputAudio === void 0 ? 0 : AO;
  const plainOutput = O - reasoning - audioOut;
  if (negative(plainOutput, O))
    return `reasoning and audio output (${reasoning} + ${audioOut}) exceed outputTokens (${O})`;
  const output = rates.output === void 0 ? 0 : tiered ? at(rates.output, I) : rates.output;
  const cacheRead = rates.cacheRead === void 0 ? input : at(rates.cacheRead, I);
  const cacheWrite = rates.cacheWrite === void 0 ? input : at(rates.cacheWrite, I);
  let inputUsd = Math.max(uncachedText, 0) * input;
  if (audioIn > 0) inputUsd += (audioIn - cachedAudio) * at(rates.inputAudio, I);
  let cacheReadUsd = (CR - cachedAudio) * cacheRead;
  if (cachedAudio > 0) cacheReadUsd += cachedAudio * at(rates.cacheAudioRead, I);
  let cacheWriteUsd = 0;
  if (CW > 0) {
    const rest = CW - CW1h - CW5m;
    cacheWriteUsd = Math.max(rest, 0) * cacheWrite;
    if (CW1h > 0)
      cacheWriteUsd += CW1h * (rates.cacheWrite1h === void 0 ? cacheWrite : at(rates.cacheWrite1h, I));
    if (CW5m > 0)
      cacheWriteUsd += CW5m * (rates.cacheWrite5m === void 0 ? cacheWrite : at(rates.cacheWrite5m, I));
  }
  let outputUsd = Math.max(plainOutput, 0) * output;
  if (reasoning > 0) outputUsd += reasoning * at(rates.outputReasoning, I);
  if (audioOut > 0) outputUsd += audioOut * at(rates.outputAudio, I);
  out.inputUsd = inputUsd / 1e6;
  out.cacheReadUsd = cacheReadUsd / 1e6;
  out.cacheWriteUsd = cacheWriteUsd / 1e6;
  out.outputUsd = outputUsd / 1e6;
  if (rates.perRequest !== void 0) out.requestUsd = rates.perRequest;
  const used1hDerived = rates.derived1h === true && CW1h > 0;
  if (!tiered) return used1hDerived ? DERIVED_1H : NO_TIER;
  let tierStart;
  for (const start of rates.tierStarts) if (I > start) tierStart = start;
  return tierStart === void 0 && !used1hDerived ? NO_TIER : { tierStart, used1hDerived };
}

// semantic-conventions/dist/index.js
var AILEDGER_PRICING_STATUS_VALUE_PRICED = "priced";
var AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL = "unknown_model";
var AILEDGER_PRICING_STATUS_VALUE_NO_USAGE = "no_usage";
var GEN_AI_OPERATION_NAME_VALUE_CHAT = "chat";
var GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION = "text_completion";
var GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS = "embeddings";
var GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = "invoke_agent";
var GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = "execute_tool";
var GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL = "retrieval";
var GEN_AI_PROVIDER_NAME_VALUE_OPENAI = "openai";
var GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI = "azure.ai.openai";
var GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE = "azure.ai.inference";
var GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC = "anthropic";
var GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK = "aws.bedrock";
var GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI = "gcp.gemini";
var GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI = "gcp.vertex_ai";
var GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI = "gcp.gen_ai";
var GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI = "mistral_ai";
var GEN_AI_PROVIDER_NAME_VALUE_COHERE = "cohere";
var GEN_AI_PROVIDER_NAME_VALUE_GROQ = "groq";
var GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK = "deepseek";
var GEN_AI_PROVIDER_NAME_VALUE_X_AI = "x_ai";
var GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI = "ibm.watsonx.ai";
var GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI = "moonshot_ai";
var GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI = "together_ai";
var GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS = "fireworks";
var GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS = "cerebras";
var GEN_AI_SYSTEM_VALUE_XAI = "xai";
var GEN_AI_SYSTEM_VALUE_AZ_AI_OPENAI = "az.ai.openai";
var GEN_AI_SYSTEM_VALUE_AZ_AI_INFERENCE = "az.ai.inference";
var GEN_AI_SYSTEM_VALUE_VERTEX_AI = "vertex_ai";
var GEN_AI_SYSTEM_VALUE_GEMINI = "gemini";
var FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE = "llm.request.type";
var FOREIGN_ATTR_TRACELOOP_SPAN_KIND = "traceloop.span.kind";
var FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND = "openinference.span.kind";
var FOREIGN_ATTR_VERCEL_OPERATION_ID = "ai.operationId";
var PROVIDER_VALUE_ALIASES = {
  // gen_ai.system values that were renamed (OTel ≤ v1.36, still used by OpenLLMetry and OpenLIT)
  [GEN_AI_SYSTEM_VALUE_XAI]: GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  [GEN_AI_SYSTEM_VALUE_AZ_AI_OPENAI]: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  [GEN_AI_SYSTEM_VALUE_AZ_AI_INFERENCE]: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  [GEN_AI_SYSTEM_VALUE_VERTEX_AI]: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  [GEN_AI_SYSTEM_VALUE_GEMINI]: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  // OpenLLMetry before semconv-ai 0.5 (capitalized: Anthropic, MistralAI, TogetherAI, Watsonx, AWS, Google, ...)
  mistralai: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  togetherai: GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  watsonx: GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  aws: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  bedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  google: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEN_AI,
  // OpenInference llm.provider / llm.system
  azure: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  vertexai: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  together: GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  moonshot: GEN_AI_PROVIDER_NAME_VALUE_MOONSHOT_AI,
  // OpenLIT
  "ibm.watson.ai": GEN_AI_PROVIDER_NAME_VALUE_IBM_WATSONX_AI,
  "google.ai.studio": GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  mistral: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  // Vercel AI SDK ai.model.provider: '<provider>.<api>'
  "openai.chat": GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  "openai.responses": GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  "openai.completion": GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  "openai.embedding": GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  "azure.chat": GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  "azure.responses": GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  "azure.completion": GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  "azure.embedding": GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  "anthropic.messages": GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  "google.generative-ai": GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  "google.vertex": GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  "google.vertex.chat": GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  "google.vertex.embedding": GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  "vertex.anthropic": GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  "vertex.anthropic.messages": GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  "amazon-bedrock": GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  "mistral.chat": GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  "mistral.embedding": GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  "cohere.chat": GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  "cohere.textembedding": GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  "groq.chat": GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  "xai.chat": GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  "xai.responses": GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  "deepseek.chat": GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  "togetherai.chat": GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  "fireworks.chat": GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS,
  "cerebras.chat": GEN_AI_PROVIDER_NAME_VALUE_CEREBRAS
};
var OPERATION_VALUE_ALIASES = {
  [FOREIGN_ATTR_OPENLLMETRY_REQUEST_TYPE]: {
    chat: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    completion: GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
    embedding: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS
  },
  [FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND]: {
    // OpenInference does not tell chat from text completion; chat is by far the common case.
    LLM: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    EMBEDDING: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    TOOL: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    AGENT: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    RETRIEVER: GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL
  },
  [FOREIGN_ATTR_VERCEL_OPERATION_ID]: {
    "ai.generateText.doGenerate": GEN_AI_OPERATION_NAME_VALUE_CHAT,
    "ai.streamText.doStream": GEN_AI_OPERATION_NAME_VALUE_CHAT,
    "ai.generateObject.doGenerate": GEN_AI_OPERATION_NAME_VALUE_CHAT,
    "ai.streamObject.doStream": GEN_AI_OPERATION_NAME_VALUE_CHAT,
    "ai.embed.doEmbed": GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    "ai.embedMany.doEmbed": GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    "ai.toolCall": GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL
  }
};
var NON_LEAF_SPAN_VALUES = {
  [FOREIGN_ATTR_VERCEL_OPERATION_ID]: [
    "ai.generateText",
    "ai.streamText",
    "ai.generateObject",
    "ai.streamObject",
    "ai.embed",
    "ai.embedMany",
    "ai.rerank"
  ],
  [FOREIGN_ATTR_OPENINFERENCE_SPAN_KIND]: [
    "CHAIN",
    "AGENT",
    "TOOL",
    "RETRIEVER",
    "RERANKER",
    "GUARDRAIL",
    "EVALUATOR",
    "PROMPT"
  ],
  [FOREIGN_ATTR_TRACELOOP_SPAN_KIND]: ["workflow", "task", "agent", "tool"]
};

// instrumentation/src/pricing/types.ts
var PRICING_STATUS_PRICED = AILEDGER_PRICING_STATUS_VALUE_PRICED;
var PRICING_STATUS_UNKNOWN_MODEL = AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL;
var PRICING_STATUS_NO_USAGE = AILEDGER_PRICING_STATUS_VALUE_NO_USAGE;
var PRICING_STATUS_INVALID_USAGE = "invalid_usage";

// instrumentation/src/pricing/pricer.ts
var ENV_PRICING_FILE = "AILEDGER_PRICING_FILE";
var ENV_PRICES_DATA = "AILEDGER_PRICES_DATA";
var STANDARD_TIERS = /* @__PURE__ */ new Set(["default", "auto", "standard", "standard_only", "on_demand", "on-demand"]);
var MAX_CACHED = 1e4;
function hasUsage(usage) {
  return usage !== void 0 && (usage.inputTokens !== void 0 || usage.outputTokens !== void 0);
}
function mergeRates(base, correction) {
  const merged = { ...base, ...correction };
  if (correction.cacheWrite1h !== void 0) delete merged.derived1h;
  else if (base.derived1h && correction.input !== void 0)
    merged.cacheWrite1h = scaleRate(correction.input, 2);
  return merged;
}
function tierMatches(entryTier, callTier) {
  return entryTier === void 0 || entryTier === callTier;
}
var Pricer = class {
  overrides;
  overridesFile;
  priceDataLocation;
  warn;
  cache = /* @__PURE__ */ new Map();
  cached = 0;
  generation = catalogGeneration();
  initialLoad;
  /** The last overrides-file problem, if the file in force is not the configured one. */
  overridesError;
  constructor(options = {}) {
    const env = options.env ?? process.env;
    this.warn = options.onWarning ?? ((m) => diag.warn(`@ailedger/instrumentation: ${m}`));
    this.overridesFile = options.overridesFile === false ? void 0 : options.overridesFile || env[ENV_PRICING_FILE] || void 0;
    this.priceDataLocation = options.priceData === false ? void 0 : options.priceData || env[ENV_PRICES_DATA] || void 0;
    this.overrides = emptyOverrides();
    if (this.overridesFile !== void 0) {
      try {
        this.overrides = loadOverridesFile(this.overridesFile);
      } catch (e) {
        if (options.strict) throw e;
        this.overridesError = e.message;
        this.warn(`${this.overridesError}
pricing without overrides until the file is fixed`);
      }
    }
    this.initialLoad = Promise.resolve();
    const location = this.priceDataLocation;
    if (location !== void 0) {
      if (isPriceDataUrl(location)) {
        this.initialLoad = loadPriceData(location).then((s) => this.reportData(s));
      } else {
        this.reportData(loadPriceDataFile(location));
      }
    }
  }
  /** Resolves once the configured price data (a URL is fetched in the background) is in force or has failed. */
  ready() {
    return this.initialLoad;
  }
  /** The catalogue data in force. */
  priceData() {
    return priceDataStatus();
  }
  /**
   * Re-reads the overrides file (the collector calls this when the file changes). An invalid file is refused
   * and the previous overrides stay in force; the result says why.
   */
  reload() {
    if (this.overridesFile === void 0) return { ok: true };
    try {
      this.overrides = loadOverridesFile(this.overridesFile);
    } catch (e) {
      const error = e.message;
      this.overridesError = error;
      this.warn(`${error}
keeping the previous pricing overrides`);
      return { ok: false, error };
    }
    this.overridesError = void 0;
    this.clearCache();
    return { ok: true };
  }
  /** Loads the configured price data again (e.g. a newer data.json at the same URL). */
  async refreshPriceData() {
    if (this.priceDataLocation === void 0) return priceDataStatus();
    const s = await loadPriceData(this.priceDataLocation);
    this.reportData(s);
    return s;
  }
  clearCache() {
    this.cache = /* @__PURE__ */ new Map();
    this.cached = 0;
  }
  price(input) {
    const generation2 = catalogGeneration();
    if (generation2 !== this.generation) {
      this.generation = generation2;
      this.clearCache();
    }
    const res = this.resolve(input.provider, input.responseModel ?? "", input.requestModel ?? "");
    const ts = Number.isFinite(input.timestampMs) ? input.timestampMs : Date.now();
    const callTier = input.serviceTier === void 0 ? void 0 : input.serviceTier.toLowerCase();
    let tierHandled = callTier === void 0 || callTier === "" || STANDARD_TIERS.has(callTier);
    let rates;
    let source = "";
    let matchedModel;
    for (const m of res.models) {
      if (inForce(m.entry, ts)) {
        rates = m.entry.rates;
        source = m.entry.label;
        matchedModel = m.matchedModel;
        break;
      }
    }
    if (rates === void 0 && res.catalog !== void 0) {
      const catalog = res.catalog;
      let periods = catalog.periods;
      source = catalog.source;
      for (const c2 of catalog.corrections) {
        if (inForce(c2.entry, ts) && tierMatches(c2.entry.serviceTier, callTier)) {
          periods = c2.periods;
          source = c2.source;
          if (c2.entry.serviceTier !== void 0) tierHandled = true;
          break;
        }
      }
      rates = ratesAt(periods, ts);
      matchedModel = catalog.matchedModel;
    }
    if (rates === void 0) {
      return { status: PRICING_STATUS_UNKNOWN_MODEL, source: priceDataStatus().source, detail: res.problem };
    }
    if (!hasUsage(input.usage)) {
      return {
        status: PRICING_STATUS_NO_USAGE,
        matchedModel,
        source,
        detail: "the call reported no token usage"
      };
    }
    const cost = { status: PRICING_STATUS_PRICED, totalUsd: 0, matchedModel, source };
    const c = computeComponents(rates, input.usage, cost);
    if (typeof c === "string")
      return { status: PRICING_STATUS_INVALID_USAGE, matchedModel, source, detail: c };
    cost.totalUsd = cost.inputUsd + cost.cacheReadUsd + cost.cacheWriteUsd + cost.outputUsd + (cost.requestUsd ?? 0);
    if (c.tierStart !== void 0) cost.tier = `input_tokens>${c.tierStart}`;
    for (const d of res.discounts) {
      if (inForce(d, ts) && tierMatches(d.serviceTier, callTier)) {
        if (d.serviceTier !== void 0) tierHandled = true;
        applyDiscount(cost, d);
        break;
      }
    }
    if (c.used1hDerived || !tierHandled) {
      const notes = [];
      if (c.used1hDerived)
        notes.push("1-hour cache writes priced at 2x the input price (Anthropic rule; not in the data)");
      if (!tierHandled) notes.push(`service tier "${input.serviceTier}" priced at standard list rates`);
      cost.notes = notes;
    }
    return cost;
  }
  reportData(s) {
    if (s.error !== void 0) this.warn(`${s.error}; keeping ${s.source}`);
  }
  resolve(provider, responseModel, requestModel) {
    let byResponse = this.cache.get(provider);
    if (byResponse === void 0) {
      byResponse = /* @__PURE__ */ new Map();
      this.cache.set(provider, byResponse);
    }
    let byRequest = byResponse.get(responseModel);
    if (byRequest === void 0) {
      byRequest = /* @__PURE__ */ new Map();
      byResponse.set(responseModel, byRequest);
    }
    let res = byRequest.get(requestModel);
    if (res === void 0) {
      if (this.cached >= MAX_CACHED) {
        this.clearCache();
        return this.resolve(provider, responseModel, requestModel);
      }
      res = this.build(provider, responseModel, requestModel);
      byRequest.set(requestModel, res);
      this.cached++;
    }
    return res;
  }
  build(provider, responseModel, requestModel) {
    const providerName = provider.trim().toLowerCase();
    const names = [responseModel.trim(), requestModel.trim()].filter(
      (m, i, all) => m !== "" && all.indexOf(m) === i
    );
    const res = { models: [], discounts: [], problem: "" };
    const providerOk = (p) => p.provider === void 0 || p.provider.test(providerName);
    for (const entry of this.overrides.models) {
      if (!providerOk(entry)) continue;
      const name = names.find((n) => entry.model.test(n));
      if (name !== void 0) res.models.push({ entry, matchedModel: `${providerName}:${name}` });
    }
    let catalogId;
    const mapped = mappedProviderId(providerName);
    const priceProviderId = mapped === void 0 ? findCatalogProviderId(providerName) : mapped;
    if (priceProviderId === null) {
      res.problem = `${providerName} is self-hosted: price it with a models entry in the overrides file`;
    } else if (priceProviderId === void 0) {
      res.problem = `no price list for provider "${providerName}"`;
    } else if (names.length === 0) {
      res.problem = "the call names no model";
    } else {
      const catalog = this.buildCatalog(priceProviderId, providerName, responseModel.trim(), names);
      if ("problem" in catalog) res.problem = catalog.problem;
      else {
        res.catalog = catalog.resolution;
        catalogId = catalog.entryId;
      }
    }
    const modelNames = catalogId === void 0 ? names : [...names, catalogId];
    for (const d of this.overrides.discounts) {
      if (providerOk(d) && (d.model === void 0 || modelNames.some((n) => d.model.test(n))))
        res.discounts.push(d);
    }
    if (res.catalog !== void 0) {
      for (const entry of this.overrides.corrections) {
        if (!providerOk(entry) || !modelNames.some((n) => entry.model.test(n))) continue;
        res.catalog.corrections.push({
          entry,
          periods: res.catalog.periods.map((p) => ({
            constraint: p.constraint,
            rates: mergeRates(p.rates, entry.rates)
          })),
          source: `${res.catalog.source}+${entry.label}`
        });
      }
    }
    return res;
  }
  buildCatalog(priceProviderId, providerName, responseModel, names) {
    const azure = providerName.startsWith("azure") || providerName.startsWith("az.");
    const candidates = azure && responseModel !== "" ? [responseModel] : names;
    for (const name of candidates) {
      const id = catalogModelId(priceProviderId, name);
      if (id === void 0) continue;
      let entry = findCatalogEntry(priceProviderId, id);
      if (entry === void 0 && priceProviderId === "openrouter") {
        const vendor = openRouterVendorModel(id);
        if (vendor !== void 0) entry = findCatalogEntry(vendor.providerId, vendor.model);
      }
      if (entry === void 0) continue;
      const matchedModel = `${entry.priceProviderId}:${entry.model.id}`;
      const claude = entry.priceProviderId === "anthropic" || entry.model.id.toLowerCase().includes("claude");
      let compiled;
      try {
        compiled = compilePrices(entry.model.prices, claude);
      } catch (e) {
        if (!(e instanceof PriceDataError)) throw e;
        return { problem: `${matchedModel} has unusable price data: ${e.message}` };
      }
      if ("unsupported" in compiled) {
        return {
          problem: `${matchedModel} is billed in units ailedger does not see (${compiled.unsupported.join(", ")})`
        };
      }
      return {
        resolution: {
          matchedModel,
          periods: compiled.periods,
          source: priceDataStatus().source,
          corrections: []
        },
        entryId: entry.model.id
      };
    }
    return {
      problem: `no ${priceProviderId} price for ${candidates.map((c) => JSON.stringify(c)).join(" or ")}`
    };
  }
};
function applyDiscount(cost, d) {
  const factor = 1 - d.percentOff / 100;
  cost.listTotalUsd = cost.totalUsd;
  cost.discountPercent = d.percentOff;
  cost.inputUsd = cost.inputUsd * factor;
  cost.cacheReadUsd = cost.cacheReadUsd * factor;
  cost.cacheWriteUsd = cost.cacheWriteUsd * factor;
  cost.outputUsd = cost.outputUsd * factor;
  if (cost.requestUsd !== void 0) cost.requestUsd *= factor;
  cost.totalUsd = cost.inputUsd + cost.cacheReadUsd + cost.cacheWriteUsd + cost.outputUsd + (cost.requestUsd ?? 0);
  cost.source = `${cost.source}+${d.label}`;
}

// instrumentation/src/pricing/benchmark.ts
var T = Date.parse("2025-11-01T12:00:00Z");
var CALLS = [
  {
    provider: "openai",
    responseModel: "gpt-4o-2024-08-06",
    usage: { inputTokens: 1200, outputTokens: 300, cacheReadInputTokens: 1024 },
    timestampMs: T
  },
  {
    provider: "anthropic",
    responseModel: "claude-sonnet-4-5-20250929",
    usage: {
      inputTokens: 5e3,
      outputTokens: 800,
      cacheReadInputTokens: 3e3,
      cacheCreationInputTokens: 1e3,
      cacheCreation1hInputTokens: 1e3
    },
    timestampMs: T
  },
  {
    provider: "aws.bedrock",
    requestModel: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: { inputTokens: 2e3, outputTokens: 500 },
    timestampMs: T
  },
  {
    provider: "gcp.gemini",
    responseModel: "gemini-2.5-flash",
    usage: { inputTokens: 900, outputTokens: 1500, reasoningOutputTokens: 1200 },
    timestampMs: T
  },
  {
    provider: "azure.ai.openai",
    requestModel: "prod-chat",
    responseModel: "gpt-4.1-mini-2025-04-14",
    usage: { inputTokens: 700, outputTokens: 90 },
    timestampMs: T
  },
  {
    provider: "mistral_ai",
    responseModel: "mistral-large-2512",
    usage: { inputTokens: 400, outputTokens: 120 },
    timestampMs: T
  },
  {
    provider: "openrouter",
    responseModel: "meta-llama/llama-3.3-70b-instruct",
    usage: { inputTokens: 640, outputTokens: 64 },
    timestampMs: T
  },
  {
    provider: "deepseek",
    responseModel: "deepseek-chat",
    usage: { inputTokens: 3e3, outputTokens: 300, cacheReadInputTokens: 2e3 },
    timestampMs: T
  }
];
var LIBRARY_IDS = {
  openai: "openai",
  anthropic: "anthropic",
  "aws.bedrock": "aws",
  "gcp.gemini": "google",
  "azure.ai.openai": "azure",
  mistral_ai: "mistral",
  openrouter: "openrouter",
  deepseek: "deepseek"
};
function nsPerCall(iterations, run) {
  for (let i = 0; i < Math.min(iterations, 5e4); i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}
function benchmarkPricing(iterations = 2e5) {
  const pricer = new Pricer({ overridesFile: false, priceData: false });
  let sink = 0;
  const cachedNsPerCall = nsPerCall(iterations, (i) => {
    sink += pricer.price(CALLS[i % CALLS.length]).totalUsd ?? 0;
  });
  const coldIterations = Math.max(100, Math.floor(iterations / 20));
  const coldNsPerCall = nsPerCall(coldIterations, (i) => {
    pricer.clearCache();
    sink += pricer.price(CALLS[i % CALLS.length]).totalUsd ?? 0;
  });
  const libraryNsPerCall = nsPerCall(coldIterations, (i) => {
    const call = CALLS[i % CALLS.length];
    const u = call.usage;
    const r = calcPrice2(
      {
        input_tokens: u.inputTokens,
        output_tokens: u.outputTokens,
        cache_read_tokens: u.cacheReadInputTokens,
        cache_write_tokens: u.cacheCreationInputTokens
      },
      call.responseModel ?? call.requestModel,
      { providerId: LIBRARY_IDS[call.provider], timestamp: new Date(call.timestampMs) }
    );
    sink += r?.total_price ?? 0;
  });
  if (Number.isNaN(sink)) throw new Error("unreachable: keeps the loops from being optimised away");
  return { iterations, coldNsPerCall, cachedNsPerCall, libraryNsPerCall };
}

// ../../tmp/bench-entry.ts
for (let i = 0; i < 3; i++) console.log(JSON.stringify(benchmarkPricing(3e5)));
