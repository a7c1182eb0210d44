/**
 * The traces processor of the service: walks a decoded OTLP request, normalizes and enriches GenAI spans in
 * place (attributes are only ever appended) and returns the model calls counted, for metrics and the ledger.
 * Every other span is left exactly as decoded; the only per-span cost for them is a scan of attribute keys.
 */

import type { Logger } from '../log.js';
import { hex } from '../otlp/codec.js';
import type { KeyValue, OtlpSpan, ResourceSpans, TraceRequest } from '../otlp/types.js';
import type { AccountedCall, Enricher, GenAiEntry, ResourceFacts } from './enrich.js';
import { isGenAiKey, normalizeGenAiSpan } from './normalize.js';
import { appendAttributes, stringAttribute, toAttrMap } from './otlp-attributes.js';

const ATTR_SERVICE_NAME = 'service.name';
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
const ATTR_DEPLOYMENT_ENVIRONMENT = 'deployment.environment';

/** Hex of an id; absent for an empty one (a root span's parent). */
function idHex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined || bytes.length === 0 ? undefined : hex(bytes);
}

function nanosToMs(v: OtlpSpan['startTimeUnixNano']): number {
  if (v === undefined) return Number.NaN;
  // Long → ms without losing the integer part: split off the nanoseconds below one millisecond first.
  if (typeof v === 'number') return v / 1e6;
  return v.div(1_000_000).toNumber() + v.mod(1_000_000).toNumber() / 1e6;
}

function resourceFacts(rs: ResourceSpans): ResourceFacts {
  const kvs = rs.resource?.attributes ?? [];
  const facts: ResourceFacts = { attributes: toAttrMap(kvs) };
  const service = stringAttribute(kvs, ATTR_SERVICE_NAME);
  if (service !== undefined) facts.serviceName = service;
  const env =
    stringAttribute(kvs, ATTR_DEPLOYMENT_ENVIRONMENT_NAME) ??
    stringAttribute(kvs, ATTR_DEPLOYMENT_ENVIRONMENT);
  if (env !== undefined) facts.environment = env;
  return facts;
}

export interface ProcessErrors {
  /** Spans a processor failed on (forwarded without that enrichment). */
  count(processor: string): void;
}

export class TracesProcessor {
  constructor(
    private readonly enricher: Enricher,
    private readonly log: Logger,
    private readonly errors: ProcessErrors,
  ) {}

  process(req: TraceRequest): AccountedCall[] {
    const entries: Array<GenAiEntry & { span: OtlpSpan }> = [];
    for (const rs of req.resourceSpans) {
      let resource: ResourceFacts | undefined;
      for (const ss of rs.scopeSpans) {
        const scopeName = ss.scope?.name;
        for (const span of ss.spans) {
          if (!hasGenAiKey(span.attributes)) continue;
          try {
            resource ??= resourceFacts(rs);
            const attributes = toAttrMap(span.attributes);
            const facts = {
              name: span.name,
              startTimeMs: nanosToMs(span.startTimeUnixNano),
              endTimeMs: nanosToMs(span.endTimeUnixNano),
              statusCode: span.status?.code ?? 0,
              statusMessage: span.status?.message ?? '',
              scopeName: scopeName ?? '',
            };
            const normalized = normalizeGenAiSpan(attributes, facts);
            if (normalized === undefined) continue;
            const traceId = idHex(span.traceId) ?? '';
            const spanId = idHex(span.spanId) ?? '';
            const entry: GenAiEntry & { span: OtlpSpan } = {
              traceId,
              spanId,
              attributes,
              normalized,
              resource,
              span,
            };
            const parent = idHex(span.parentSpanId);
            if (parent !== undefined) entry.parentSpanId = parent;
            if (scopeName !== undefined) entry.scopeName = scopeName;
            entries.push(entry);
          } catch (err) {
            this.fail('normalize', err);
          }
        }
      }
    }
    if (entries.length === 0) return [];

    let accounted: AccountedCall[];
    try {
      accounted = this.enricher.processBatch(entries);
    } catch (err) {
      this.fail('enrich', err);
      return [];
    }
    for (const e of entries) {
      if (e.additions !== undefined) appendAttributes(e.span.attributes, e.additions, e.attributes);
    }
    return accounted;
  }

  private fail(processor: string, err: unknown): void {
    this.errors.count(processor);
    this.log.warn('processor failed on a span; forwarded without enrichment', {
      processor,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

function hasGenAiKey(kvs: readonly KeyValue[]): boolean {
  for (const kv of kvs) if (isGenAiKey(kv.key)) return true;
  return false;
}
