import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { AccountedCall } from './processors/enrich.js';
import { AiLedgerSpanProcessor } from './span-processor.js';

const CALL = {
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
};

function setUp() {
  const exporter = new InMemorySpanExporter();
  const counted: AccountedCall[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'reply-drafter' }),
    spanProcessors: [
      new AiLedgerSpanProcessor(new SimpleSpanProcessor(exporter), {
        attribution: { teamByService: new Map([['reply-drafter', 'support']]) },
        onAccounted: (c) => counted.push(c),
      }),
    ],
  });
  return { exporter, counted, provider };
}

describe('AiLedgerSpanProcessor', () => {
  it('counts a call once: our wire span, not the SDK span around it', async () => {
    const { exporter, counted, provider } = setUp();
    const sdkSpan = provider
      .getTracer('com.anthropic.sdk.typescript')
      .startSpan('anthropic.messages.create', {
        attributes: CALL,
      });
    const ours = provider
      .getTracer('@ailedger/instrumentation')
      .startSpan('chat claude-sonnet-4-5', { attributes: CALL }, trace.setSpan(context.active(), sdkSpan));
    ours.end();
    sdkSpan.end();
    await provider.forceFlush();
    const [oursOut, sdkOut] = exporter.getFinishedSpans();
    expect(counted.map((c) => c.spanId)).toEqual([ours.spanContext().spanId]);
    expect(oursOut?.attributes).toMatchObject({
      'ailedger.billable': true,
      'ailedger.team': 'support',
      'ailedger.pricing.status': 'priced',
    });
    expect(oursOut?.attributes['ailedger.cost.usd']).toBeGreaterThan(0);
    expect(sdkOut?.attributes['ailedger.billable']).toBe(false);
    expect(sdkOut?.attributes['ailedger.cost.usd']).toBeUndefined();
    // Everything else reads through to the SDK span.
    expect(sdkOut?.spanContext().spanId).toBe(sdkSpan.spanContext().spanId);
    expect(sdkOut?.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    expect(sdkOut?.attributes['gen_ai.usage.input_tokens']).toBe(1200);
  });

  it('prices a foreign span that stands alone, and leaves non-GenAI spans untouched', async () => {
    const { exporter, counted, provider } = setUp();
    provider.getTracer('openllmetry').startSpan('openai.chat', { attributes: CALL }).end();
    provider
      .getTracer('http')
      .startSpan('GET /', { attributes: { 'http.request.method': 'GET' } })
      .end();
    await provider.forceFlush();
    const [foreign, http] = exporter.getFinishedSpans();
    expect(counted).toHaveLength(1);
    expect(foreign?.attributes['ailedger.cost.usd']).toBe(counted[0]?.cost.totalUsd);
    expect(http?.attributes).toEqual({ 'http.request.method': 'GET' });
  });
});
