/**
 * The collector's normalize + enrich as an SDK SpanProcessor, for apps that want cost and teams on GenAI spans
 * without running the service: it wraps the processor that exports (e.g. a BatchSpanProcessor) and hands it an
 * enriched view of each GenAI span. The same count-once rule applies, so a call is counted once whichever way
 * ailedger is deployed: our wire span keeps its cost, a foreign span describing the same call is marked
 * `ailedger.billable=false` and gets no cost.
 */
import { type Pricer, Pricer as PricerClass } from '@ailedger/instrumentation/core';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CountOnceIndex } from './processors/count-once.js';
import {
  type AccountedCall,
  type AttributionRules,
  Enricher,
  type GenAiEntry,
  type ResourceFacts,
} from './processors/enrich.js';
import { type AttrMap, isGenAiKey, normalizeGenAiSpan } from './processors/normalize.js';

export interface AiLedgerSpanProcessorOptions {
  /** Default: a Pricer configured from AILEDGER_PRICING_FILE / AILEDGER_PRICES_DATA. */
  pricer?: Pricer;
  attribution?: Partial<AttributionRules>;
  /** Called with each model call counted (for an in-process ledger or custom metrics). */
  onAccounted?: (call: AccountedCall) => void;
}

function hrTimeToMs(t: readonly [number, number]): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function hasGenAiKey(attributes: object): boolean {
  for (const k in attributes) if (isGenAiKey(k)) return true;
  return false;
}

export class AiLedgerSpanProcessor implements SpanProcessor {
  private readonly enricher: Enricher;

  constructor(
    private readonly next: SpanProcessor,
    private readonly options: AiLedgerSpanProcessorOptions = {},
  ) {
    const a = options.attribution ?? {};
    this.enricher = new Enricher({
      pricer: options.pricer ?? new PricerClass(),
      countOnce: new CountOnceIndex({ ttlMs: 60_000, maxEntries: 20_000 }),
      rules: {
        defaultTeam: a.defaultTeam ?? 'unassigned',
        teamByService: a.teamByService ?? new Map(),
        teamsByKeyFingerprint: a.teamsByKeyFingerprint ?? [],
        teamsByResourceAttribute: a.teamsByResourceAttribute ?? [],
      },
    });
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    let out = span;
    try {
      out = this.enrich(span) ?? span;
    } catch {
      // Enrichment is best effort; the span is exported as the SDK produced it.
      out = span;
    }
    this.next.onEnd(out);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  private enrich(span: ReadableSpan): ReadableSpan | undefined {
    if (!hasGenAiKey(span.attributes)) return undefined;
    const attributes = span.attributes as AttrMap;
    const scopeName = span.instrumentationScope.name;
    const normalized = normalizeGenAiSpan(attributes, {
      name: span.name,
      startTimeMs: hrTimeToMs(span.startTime),
      endTimeMs: hrTimeToMs(span.endTime),
      statusCode: span.status.code,
      statusMessage: span.status.message ?? '',
      scopeName,
    });
    if (normalized === undefined) return undefined;
    const resourceAttributes = span.resource.attributes as AttrMap;
    const resource: ResourceFacts = { attributes: resourceAttributes };
    const service = resourceAttributes['service.name'];
    if (typeof service === 'string') resource.serviceName = service;
    const env =
      resourceAttributes['deployment.environment.name'] ?? resourceAttributes['deployment.environment'];
    if (typeof env === 'string') resource.environment = env;

    const ctx = span.spanContext();
    const entry: GenAiEntry = {
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      scopeName,
      attributes,
      normalized,
      resource,
    };
    if (span.parentSpanContext !== undefined) entry.parentSpanId = span.parentSpanContext.spanId;
    const [accounted] = this.enricher.processBatch([entry]);
    if (accounted !== undefined) this.options.onAccounted?.(accounted);
    const additions = entry.additions;
    if (additions === undefined) return undefined;
    const merged: Record<string, unknown> = { ...span.attributes };
    for (const [k, v] of Object.entries(additions))
      if (v !== undefined && merged[k] === undefined) merged[k] = v;
    // A view that reads through to the SDK span for everything but the attributes.
    return Object.create(span, {
      attributes: { value: Object.freeze(merged), enumerable: true },
    }) as ReadableSpan;
  }
}
