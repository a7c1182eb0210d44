/**
 * The in-process mode with a ledger: AiLedgerSpanProcessor's onAccounted feeding a LedgerWriter, as the README
 * shows. Each counted call becomes one row; the foreign SDK span of the same call does not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { AiLedgerSpanProcessor } from '../span-processor.js';
import { SqliteLedgerStore } from './sqlite-store.js';
import { LedgerWriter } from './writer.js';

const CALL = {
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
};

describe('in-process ledger', () => {
  it('writes one row per call counted by AiLedgerSpanProcessor', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ailedger-inproc-'));
    const file = path.join(dir, 'ledger.db');
    const ledger = new LedgerWriter({ url: `sqlite://${file}`, log: silentLogger });
    await ledger.start();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': 'reply-drafter',
        'deployment.environment.name': 'prod',
      }),
      spanProcessors: [
        new AiLedgerSpanProcessor(new SimpleSpanProcessor(exporter), {
          attribution: { teamByService: new Map([['reply-drafter', 'support']]) },
          onAccounted: (c) => ledger.record([c]),
        }),
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sdkSpan = provider
        .getTracer('com.anthropic.sdk.typescript')
        .startSpan('anthropic.messages.create', {
          attributes: CALL,
        });
      const ours = provider
        .getTracer('@ailedger/instrumentation')
        .startSpan('chat claude-sonnet-4-5', { attributes: CALL }, trace.setSpan(context.active(), sdkSpan));
      ids.push(ours.spanContext().spanId);
      ours.end();
      sdkSpan.end();
    }
    await provider.forceFlush();
    expect(await ledger.whenIdle(5000)).toBe(true);
    await ledger.shutdown(1000);

    const store = await SqliteLedgerStore.open(file, { readonly: true });
    try {
      const rows = await store.select(
        'SELECT span_id, team, service, environment, pricing_status, cost_nanos FROM ledger_calls ORDER BY span_id',
      );
      expect(rows.map((r) => r.span_id)).toEqual([...ids].sort());
      for (const r of rows) {
        expect(r).toMatchObject({
          team: 'support',
          service: 'reply-drafter',
          environment: 'prod',
          pricing_status: 'priced',
        });
        expect(r.cost_nanos as bigint).toBeGreaterThan(0n);
      }
      // The nano-dollars in the ledger are the cost on the exported spans, rounded once.
      const spanCost = exporter
        .getFinishedSpans()
        .filter((s) => ids.includes(s.spanContext().spanId))
        .reduce((sum, s) => sum + Math.round((s.attributes['ailedger.cost.usd'] as number) * 1e9), 0);
      expect(rows.reduce((sum, r) => sum + Number(r.cost_nanos), 0)).toBe(spanCost);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
