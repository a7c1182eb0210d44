/**
 * Enrichment of normalized GenAI spans, shared by the collector service and the in-process SpanProcessor:
 * decide which span counts a model call (exactly one per call), price it with the same pricing module as the
 * instrumentation, and name the team it is billed to. Works on plain attribute maps, so it does not care whether
 * a span came over OTLP or from the SDK.
 */
import {
  type CostAttributesInput,
  costAttributes,
  type ModelCall,
  type Pricer,
  priceInputFromCall,
} from '@ailedger/instrumentation/core';
import {
  ATTR_AILEDGER_ACCOUNTED_BY,
  ATTR_AILEDGER_API_KEY_FINGERPRINT,
  ATTR_AILEDGER_BILLABLE,
  ATTR_AILEDGER_COST_CACHE_READ_USD,
  ATTR_AILEDGER_COST_CACHE_WRITE_USD,
  ATTR_AILEDGER_COST_INPUT_USD,
  ATTR_AILEDGER_COST_OUTPUT_USD,
  ATTR_AILEDGER_COST_USD,
  ATTR_AILEDGER_PRICING_MODEL,
  ATTR_AILEDGER_PRICING_SOURCE,
  ATTR_AILEDGER_PRICING_STATUS,
  ATTR_AILEDGER_TEAM,
  ATTR_AILEDGER_TEAM_SOURCE,
  ATTR_AILEDGER_USE_CASE,
  ATTR_AILEDGER_USER,
} from '@ailedger/semantic-conventions';
import type { CountOnceIndex } from './count-once.js';
import { type AttrMap, isOurSpan, type NormalizedSpan } from './normalize.js';

export interface AttributionRules {
  defaultTeam: string;
  teamByService: ReadonlyMap<string, string>;
  /** fingerprint prefix → team, longest prefix first. */
  teamsByKeyFingerprint: ReadonlyArray<readonly [string, string]>;
  teamsByResourceAttribute: ReadonlyArray<readonly [string, ReadonlyMap<string, string>]>;
}

export type TeamSource = 'app' | 'resource' | 'key_fingerprint' | 'service' | 'resource_rule' | 'default';

/** What is known about the emitting service, read once per resource. */
export interface ResourceFacts {
  serviceName?: string;
  environment?: string;
  attributes: AttrMap;
}

/** One GenAI span of a batch, normalized, waiting for the count-once decision and enrichment. */
export interface GenAiEntry {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  scopeName?: string;
  attributes: AttrMap;
  normalized: NormalizedSpan;
  resource: ResourceFacts;
  /** Filled by the enricher: attributes to add to the span. */
  additions?: AttrMap;
}

/** A model call counted once: the input of metrics and the ledger. */
export interface AccountedCall {
  call: ModelCall;
  cost: CostAttributesInput;
  team: string;
  teamSource: TeamSource;
  useCase?: string;
  user?: string;
  service?: string;
  environment?: string;
  traceId: string;
  spanId: string;
  /** true when the span came from another instrumentation (we priced it here). */
  foreign: boolean;
  /** The span's attributes plus additions, for consumers that need more (the ledger). */
  attributes: AttrMap;
}

export interface EnricherOptions {
  pricer: Pricer;
  rules: AttributionRules;
  countOnce: CountOnceIndex;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A price already on the span (ours, or an upstream ailedger hop): read, never recomputed. */
export function costFromAttributes(attrs: AttrMap): CostAttributesInput | undefined {
  const status = str(attrs[ATTR_AILEDGER_PRICING_STATUS]);
  if (status === undefined) return undefined;
  const cost: CostAttributesInput = { status };
  const total = num(attrs[ATTR_AILEDGER_COST_USD]);
  if (total !== undefined) cost.totalUsd = total;
  const input = num(attrs[ATTR_AILEDGER_COST_INPUT_USD]);
  if (input !== undefined) cost.inputUsd = input;
  const cacheRead = num(attrs[ATTR_AILEDGER_COST_CACHE_READ_USD]);
  if (cacheRead !== undefined) cost.cacheReadUsd = cacheRead;
  const cacheWrite = num(attrs[ATTR_AILEDGER_COST_CACHE_WRITE_USD]);
  if (cacheWrite !== undefined) cost.cacheWriteUsd = cacheWrite;
  const output = num(attrs[ATTR_AILEDGER_COST_OUTPUT_USD]);
  if (output !== undefined) cost.outputUsd = output;
  const model = str(attrs[ATTR_AILEDGER_PRICING_MODEL]);
  if (model !== undefined) cost.matchedModel = model;
  const source = str(attrs[ATTR_AILEDGER_PRICING_SOURCE]);
  if (source !== undefined) cost.source = source;
  return cost;
}

export function resolveTeam(
  attrs: AttrMap,
  resource: ResourceFacts,
  rules: AttributionRules,
): { team: string; source: TeamSource } {
  const own = str(attrs[ATTR_AILEDGER_TEAM]);
  if (own !== undefined) return { team: own, source: 'app' };
  const fromResource = str(resource.attributes[ATTR_AILEDGER_TEAM]);
  if (fromResource !== undefined) return { team: fromResource, source: 'resource' };
  const fingerprint = str(attrs[ATTR_AILEDGER_API_KEY_FINGERPRINT]);
  if (fingerprint !== undefined) {
    for (const [prefix, team] of rules.teamsByKeyFingerprint) {
      if (fingerprint.startsWith(prefix)) return { team, source: 'key_fingerprint' };
    }
  }
  if (resource.serviceName !== undefined) {
    const team = rules.teamByService.get(resource.serviceName);
    if (team !== undefined) return { team, source: 'service' };
  }
  for (const [attribute, values] of rules.teamsByResourceAttribute) {
    const value = resource.attributes[attribute];
    const team = value === undefined ? undefined : values.get(String(value));
    if (team !== undefined) return { team, source: 'resource_rule' };
  }
  return { team: rules.defaultTeam, source: 'default' };
}

export class Enricher {
  constructor(private readonly options: EnricherOptions) {}

  /**
   * Decides, for every GenAI span of one batch, whether it counts its model call, and enriches it. Returns the
   * calls counted. Sets `entry.additions` on every entry.
   */
  processBatch(entries: readonly GenAiEntry[]): AccountedCall[] {
    const { countOnce } = this.options;
    // Our model-call spans cover their parents; a covered foreign span covers its own parent in turn, so the rule
    // reaches a framework span above an SDK span above ours. Within a batch a parent may come first: iterate to
    // a fixed point (chains are a few spans long).
    const foreign: GenAiEntry[] = [];
    for (const e of entries) {
      if (isOurSpan(e.scopeName)) {
        if (e.parentSpanId !== undefined) countOnce.markCovered(e.traceId, e.parentSpanId);
      } else {
        foreign.push(e);
      }
    }
    let changed = foreign.length > 0;
    const coveredForeign = new Set<GenAiEntry>();
    while (changed) {
      changed = false;
      for (const e of foreign) {
        if (coveredForeign.has(e)) continue;
        const marked = str(e.attributes[ATTR_AILEDGER_ACCOUNTED_BY]) !== undefined;
        if (marked || countOnce.isCovered(e.traceId, e.spanId)) {
          coveredForeign.add(e);
          if (e.parentSpanId !== undefined) countOnce.markCovered(e.traceId, e.parentSpanId);
          changed = true;
        }
      }
    }

    const accounted: AccountedCall[] = [];
    for (const e of entries) {
      // normalize made this object for this span alone, so it is extended in place.
      const additions: AttrMap = e.normalized.additions;
      e.additions = additions;
      const ours = isOurSpan(e.scopeName);
      const call = e.normalized.call;
      const billable =
        e.normalized.kind === 'model-call' && call !== undefined && (ours || !coveredForeign.has(e));
      additions[ATTR_AILEDGER_BILLABLE] = billable;
      if (!billable || call === undefined) continue;

      const spanAttributes = e.attributes;
      const { team, source } = resolveTeam(spanAttributes, e.resource, this.options.rules);
      if (source !== 'app') additions[ATTR_AILEDGER_TEAM] = team;
      additions[ATTR_AILEDGER_TEAM_SOURCE] = source;

      let cost = costFromAttributes(e.attributes);
      if (cost === undefined) {
        cost = this.options.pricer.price(priceInputFromCall(call));
        Object.assign(additions, costAttributes(cost));
      }
      const record: AccountedCall = {
        call,
        cost,
        team,
        teamSource: source,
        traceId: e.traceId,
        spanId: e.spanId,
        foreign: !ours,
        // Merged only if a consumer asks (the ledger does, metrics do not).
        get attributes(): AttrMap {
          return { ...spanAttributes, ...additions };
        },
      };
      const useCase =
        str(e.attributes[ATTR_AILEDGER_USE_CASE]) ?? str(e.resource.attributes[ATTR_AILEDGER_USE_CASE]);
      if (useCase !== undefined) record.useCase = useCase;
      const user = str(e.attributes[ATTR_AILEDGER_USER]);
      if (user !== undefined) record.user = user;
      if (e.resource.serviceName !== undefined) record.service = e.resource.serviceName;
      if (e.resource.environment !== undefined) record.environment = e.resource.environment;
      accounted.push(record);
    }
    return accounted;
  }
}
