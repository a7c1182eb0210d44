import { modelCallAttributes, newModelCall, Pricer } from '@ailedger/instrumentation/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import type { TraceRequest } from '../otlp/types.js';
import { CountOnceIndex } from './count-once.js';
import { type AttributionRules, Enricher, type GenAiEntry, resolveTeam } from './enrich.js';
import { type AttrMap, normalizeGenAiSpan } from './normalize.js';
import { toAnyValue } from './otlp-attributes.js';
import { SpendMetrics } from './spend-metrics.js';
import { TracesProcessor } from './traces.js';

const OURS = '@ailedger/instrumentation';
const ANTHROPIC_SDK = 'com.anthropic.sdk.typescript';
const T0 = Date.UTC(2026, 10, 1);

const rules: AttributionRules = {
  defaultTeam: 'unassigned',
  teamByService: new Map([['helpdesk-api', 'support']]),
  teamsByKeyFingerprint: [['3f9a1c', 'marketing']],
  teamsByResourceAttribute: [['k8s.namespace.name', new Map([['checkout', 'payments']])]],
};

const pricer = new Pricer({ overridesFile: false, priceData: false });

/** Our wire span for an Anthropic call, exactly as the instrumentation writes it (with its price). */
function ourSpanAttributes(): AttrMap {
  const call = newModelCall({
    provider: 'anthropic',
    operation: 'chat',
    serverAddress: 'api.anthropic.com',
    serverPort: 443,
    startTimeMs: T0,
  });
  call.request.model = 'claude-sonnet-4-5';
  call.response.model = 'claude-sonnet-4-5-20250929';
  call.response.finishReasons = ['end_turn'];
  call.usage = { inputTokens: 1000, outputTokens: 200 };
  call.endTimeMs = T0 + 1500;
  const cost = pricer.price({
    provider: 'anthropic',
    requestModel: 'claude-sonnet-4-5',
    responseModel: 'claude-sonnet-4-5-20250929',
    usage: call.usage,
    timestampMs: T0,
  });
  return modelCallAttributes(call, cost) as AttrMap;
}

/** The Anthropic SDK's own span of the same call (its attribute names). */
function sdkSpanAttributes(marked?: string): AttrMap {
  const a: AttrMap = {
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 200,
  };
  if (marked !== undefined) a['ailedger.accounted_by'] = marked;
  return a;
}

function entry(
  attributes: AttrMap,
  ids: { trace?: string; span: string; parent?: string },
  scopeName: string,
  resource: GenAiEntry['resource'] = { attributes: {}, serviceName: 'helpdesk-api' },
): GenAiEntry {
  const normalized = normalizeGenAiSpan(attributes, {
    name: 'chat',
    startTimeMs: T0,
    endTimeMs: T0 + 1500,
    statusCode: 0,
    scopeName,
  });
  if (normalized === undefined) throw new Error('not a GenAI span');
  const e: GenAiEntry = {
    traceId: ids.trace ?? 't1',
    spanId: ids.span,
    scopeName,
    attributes,
    normalized,
    resource,
  };
  if (ids.parent !== undefined) e.parentSpanId = ids.parent;
  return e;
}

describe('count once', () => {
  it('counts our span and marks the SDK span above it not billable, in one batch, either order', () => {
    for (const order of ['child-first', 'parent-first']) {
      const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
      const ours = entry(ourSpanAttributes(), { span: 'ours', parent: 'sdk' }, OURS);
      const sdk = entry(sdkSpanAttributes(), { span: 'sdk', parent: 'app' }, ANTHROPIC_SDK);
      const accounted = enricher.processBatch(order === 'child-first' ? [ours, sdk] : [sdk, ours]);
      expect(accounted.map((a) => a.spanId)).toEqual(['ours']);
      expect(sdk.additions?.['ailedger.billable']).toBe(false);
      expect(sdk.additions?.['ailedger.cost.usd']).toBeUndefined();
      expect(ours.additions?.['ailedger.billable']).toBe(true);
    }
  });

  it('counts once across two batches, child batch first (the normal export order)', () => {
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const first = enricher.processBatch([entry(ourSpanAttributes(), { span: 'ours', parent: 'sdk' }, OURS)]);
    const sdk = entry(sdkSpanAttributes(), { span: 'sdk', parent: 'framework' }, ANTHROPIC_SDK);
    // A framework span above the SDK span is reached through the SDK span.
    const framework = entry(sdkSpanAttributes(), { span: 'framework' }, 'langchain');
    const second = enricher.processBatch([sdk]);
    const third = enricher.processBatch([framework]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
    expect(third).toHaveLength(0);
    expect(framework.additions?.['ailedger.billable']).toBe(false);
  });

  it('honours the accounted_by mark without any state, even when our span never reaches this replica', () => {
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const sdk = entry(sdkSpanAttributes('00f067aa0ba902b7'), { span: 'sdk' }, ANTHROPIC_SDK);
    expect(enricher.processBatch([sdk])).toEqual([]);
    expect(sdk.additions?.['ailedger.billable']).toBe(false);
  });

  it('prices and counts a foreign span that has no ailedger span below it', () => {
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const sdk = entry(sdkSpanAttributes(), { span: 'sdk' }, ANTHROPIC_SDK);
    const [a] = enricher.processBatch([sdk]);
    expect(a?.foreign).toBe(true);
    expect(a?.cost.status).toBe('priced');
    // Same usage, same model, same pricing module: the same cost as the instrumentation computes.
    expect(a?.cost.totalUsd).toBeCloseTo(ourSpanAttributes()['ailedger.cost.usd'] as number, 12);
    expect(sdk.additions?.['ailedger.cost.usd']).toBe(a?.cost.totalUsd);
  });

  it('never counts an aggregate span (an agent or workflow summing the calls below it)', () => {
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const agent = entry(
      { ...sdkSpanAttributes(), 'openinference.span.kind': 'AGENT', 'llm.token_count.prompt': 5000 },
      { span: 'agent' },
      'openinference',
    );
    expect(enricher.processBatch([agent])).toEqual([]);
    expect(agent.additions?.['ailedger.billable']).toBe(false);
  });

  it('keeps the price on our span instead of pricing again', () => {
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const attrs = { ...ourSpanAttributes(), 'ailedger.cost.usd': 0.123 };
    const [a] = enricher.processBatch([entry(attrs, { span: 'ours' }, OURS)]);
    expect(a?.cost.totalUsd).toBe(0.123);
  });
});

describe('index memory', () => {
  it('forgets covered spans after the TTL and never holds more than maxEntries', () => {
    let now = 0;
    const index = new CountOnceIndex({ ttlMs: 1000, maxEntries: 100, now: () => now });
    for (let i = 0; i < 1000; i++) index.markCovered('t', `s${i}`);
    expect(index.size()).toBe(100);
    expect(index.isCovered('t', 's999')).toBe(true);
    expect(index.isCovered('t', 's0')).toBe(false);
    now = 2000;
    expect(index.isCovered('t', 's999')).toBe(false);
    index.markCovered('t', 'new');
    expect(index.size()).toBe(1);
  });
});

describe('team attribution', () => {
  const resource = (extra: AttrMap = {}, serviceName = 'helpdesk-api') => ({
    attributes: extra,
    serviceName,
  });
  it('uses the most specific source: app, resource, key, service, resource rule, default', () => {
    expect(resolveTeam({ 'ailedger.team': 'growth' }, resource({ 'ailedger.team': 'x' }), rules)).toEqual({
      team: 'growth',
      source: 'app',
    });
    expect(resolveTeam({}, resource({ 'ailedger.team': 'x' }), rules)).toEqual({
      team: 'x',
      source: 'resource',
    });
    expect(resolveTeam({ 'ailedger.api_key.fingerprint': '3f9a1c77aa00' }, resource(), rules)).toEqual({
      team: 'marketing',
      source: 'key_fingerprint',
    });
    expect(resolveTeam({}, resource(), rules)).toEqual({ team: 'support', source: 'service' });
    expect(resolveTeam({}, resource({ 'k8s.namespace.name': 'checkout' }, 'other'), rules)).toEqual({
      team: 'payments',
      source: 'resource_rule',
    });
    expect(
      resolveTeam({ 'ailedger.api_key.fingerprint': 'ffffff000000' }, resource({}, 'other'), rules),
    ).toEqual({
      team: 'unassigned',
      source: 'default',
    });
  });
});

describe('spend metrics', () => {
  it('adds cost, disjoint tokens and outcomes per label set, and folds label sets past the cap into "other"', async () => {
    const registry = new Registry();
    const metrics = new SpendMetrics({ registry, labels: ['team', 'model'], maxSeries: 2 });
    const enricher = new Enricher({ pricer, rules, countOnce: new CountOnceIndex() });
    const calls = enricher.processBatch([
      entry({ ...ourSpanAttributes(), 'gen_ai.usage.cache_read.input_tokens': 400 }, { span: 'a' }, OURS),
      entry({ ...ourSpanAttributes(), 'ailedger.team': 'growth' }, { span: 'b' }, OURS),
      entry({ ...ourSpanAttributes(), 'ailedger.team': 'third' }, { span: 'c' }, OURS),
    ]);
    for (const c of calls) metrics.record(c);
    const text = await registry.metrics();
    const one = ourSpanAttributes()['ailedger.cost.usd'] as number;
    expect(text).toContain(
      `ailedger_cost_usd_total{team="support",model="claude-sonnet-4-5-20250929"} ${one}`,
    );
    expect(text).toContain(`ailedger_cost_usd_total{team="other",model="other"} ${one}`);
    expect(text).toContain(
      'ailedger_tokens_total{team="support",model="claude-sonnet-4-5-20250929",type="input"} 600',
    );
    expect(text).toContain(
      'ailedger_tokens_total{team="support",model="claude-sonnet-4-5-20250929",type="cache_read"} 400',
    );
    expect(text).toContain(
      'ailedger_requests_total{team="growth",model="claude-sonnet-4-5-20250929",status="ok"} 1',
    );
    expect(text).toContain('ailedger_collector_metric_series_overflow_total 1');
    expect(text).toMatch(/ailedger_request_duration_seconds_sum\{team="growth",[^}]*\} 1\.5/);
  });
});

describe('traces processor on OTLP data', () => {
  it('appends attributes to GenAI spans only, never changing existing ones', () => {
    const kv = (attrs: AttrMap) =>
      Object.entries(attrs).map(([key, value]) => ({
        key,
        value: toAnyValue(value as NonNullable<typeof value>),
      }));
    const id = (n: number, len: number) => new Uint8Array(len).fill(n);
    const sdkKvs = kv(sdkSpanAttributes());
    const req: TraceRequest = {
      resourceSpans: [
        {
          resource: { attributes: kv({ 'service.name': 'helpdesk-api' }) },
          scopeSpans: [
            {
              scope: { name: ANTHROPIC_SDK },
              spans: [
                {
                  traceId: id(1, 16),
                  spanId: id(2, 8),
                  name: 'anthropic.messages.create',
                  startTimeUnixNano: T0 * 1e6,
                  endTimeUnixNano: (T0 + 1500) * 1e6,
                  attributes: sdkKvs,
                },
                {
                  traceId: id(1, 16),
                  spanId: id(3, 8),
                  name: 'GET /',
                  attributes: kv({ 'http.method': 'GET' }),
                },
              ],
            },
          ],
        },
      ],
    };
    const errors: string[] = [];
    const processor = new TracesProcessor(
      new Enricher({ pricer, rules, countOnce: new CountOnceIndex() }),
      silentLogger,
      { count: (p) => errors.push(p) },
    );
    const before = sdkKvs.map((k) => k.key);
    const accounted = processor.process(req);
    expect(errors).toEqual([]);
    expect(accounted).toHaveLength(1);
    const spans = req.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    expect(spans[0]?.attributes.slice(0, before.length).map((k) => k.key)).toEqual(before);
    const added = Object.fromEntries(
      spans[0]?.attributes.slice(before.length).map((k) => [k.key, k.value]) ?? [],
    );
    expect(added['ailedger.team']).toEqual({ stringValue: 'support' });
    expect(added['ailedger.pricing.status']).toEqual({ stringValue: 'priced' });
    expect(spans[1]?.attributes).toHaveLength(1);
  });
});
