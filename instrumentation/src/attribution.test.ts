import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  contextWithReceivedBaggage,
  outgoingBaggage,
  resolveAttribution,
  stripAttributionBaggage,
  withAttribution,
  withoutAttributionBaggage,
} from './attribution.js';

const manager = new AsyncLocalStorageContextManager();
const savedEnv = { ...process.env };

beforeAll(() => {
  manager.enable();
  context.setGlobalContextManager(manager);
});
afterAll(() => {
  context.disable();
});
afterEach(() => {
  for (const key of ['AILEDGER_TEAM', 'AILEDGER_USE_CASE', 'OTEL_RESOURCE_ATTRIBUTES']) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

const active = () => resolveAttribution(context.active());

function withBaggage<R>(entries: Record<string, string>, fn: () => R): R {
  let b = propagation.createBaggage();
  for (const [k, v] of Object.entries(entries)) b = b.setEntry(k, { value: v });
  return context.with(propagation.setBaggage(context.active(), b), fn);
}

describe('resolveAttribution', () => {
  it('most specific first: withAttribution, baggage, AILEDGER_* variables, resource attributes', () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      'service.namespace=shop,ailedger.team=res-team,ailedger.use_case=res%20case,ailedger.user=svc-user';
    expect(active()).toEqual({ team: 'res-team', useCase: 'res case', user: 'svc-user' });
    process.env.AILEDGER_TEAM = 'env-team';
    process.env.AILEDGER_USE_CASE = 'env-case';
    expect(active()).toEqual({ team: 'env-team', useCase: 'env-case', user: 'svc-user' });
    withBaggage({ 'ailedger.team': 'bag-team', 'ailedger.user': 'bag-user' }, () => {
      expect(active()).toEqual({ team: 'bag-team', useCase: 'env-case', user: 'bag-user' });
      withAttribution({ team: 'scoped' }, () => {
        expect(active()).toEqual({ team: 'scoped', useCase: 'env-case', user: 'bag-user' });
      });
    });
  });

  it('nests field by field and holds across await and timers', async () => {
    await withAttribution({ team: 'a', useCase: 'u1' }, async () => {
      await withAttribution({ useCase: 'u2', user: 'bob' }, async () => {
        await sleep(5);
        expect(active()).toEqual({ team: 'a', useCase: 'u2', user: 'bob' });
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            expect(active()).toEqual({ team: 'a', useCase: 'u2', user: 'bob' });
            resolve();
          }, 1),
        );
      });
      expect(active()).toEqual({ team: 'a', useCase: 'u1', user: undefined });
    });
  });

  it('ignores empty strings and keeps the enclosing value', () => {
    withAttribution({ team: 'outer' }, () =>
      withAttribution({ team: '' }, () => expect(active().team).toBe('outer')),
    );
  });
});

describe('baggage across services', () => {
  it('withAttribution writes baggage entries; the outgoing header carries only ours', () => {
    withBaggage({ 'tenant.id': 't-42' }, () =>
      withAttribution({ team: 'search & ads', user: 'u@1' }, () => {
        const baggage = propagation.getBaggage(context.active())!;
        expect(baggage.getEntry('tenant.id')?.value).toBe('t-42');
        expect(baggage.getEntry('ailedger.team')?.value).toBe('search & ads');
        expect(outgoingBaggage()).toBe('ailedger.team=search%20%26%20ads,ailedger.user=u%401');
      }),
    );
  });

  it('no header without attribution, and none for the exporters (tracing suppressed)', () => {
    expect(outgoingBaggage()).toBeUndefined();
    withBaggage({ 'tenant.id': 't-42' }, () => expect(outgoingBaggage()).toBeUndefined());
    withAttribution({ team: 'x' }, () => {
      context.with(suppressTracing(context.active()), () => expect(outgoingBaggage()).toBeUndefined());
    });
  });

  it('a provider call runs without attribution entries; other entries stay', () => {
    withBaggage({ 'tenant.id': 't-42' }, () =>
      withAttribution({ team: 'x', useCase: 'y' }, () => {
        const stripped = propagation.getBaggage(withoutAttributionBaggage(context.active()))!;
        expect(stripped.getAllEntries().map(([k]) => k)).toEqual(['tenant.id']);
      }),
    );
    withAttribution({ team: 'x' }, () => {
      expect(propagation.getBaggage(withoutAttributionBaggage(context.active()))).toBeUndefined();
    });
    expect(withoutAttributionBaggage(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
  });

  it('strips attribution members from a baggage header', () => {
    expect(stripAttributionBaggage('tenant.id=t,ailedger.team=x;prop=1, ailedger.user=u')).toBe(
      'tenant.id=t',
    );
    expect(stripAttributionBaggage('ailedger.team=x')).toBe('');
    expect(stripAttributionBaggage('tenant.id=t')).toBeUndefined();
    expect(stripAttributionBaggage('ailedger.other=1')).toBeUndefined();
  });

  it('takes in the attribution entries of a received header, unless a propagator already did', () => {
    const ctx = contextWithReceivedBaggage(
      ROOT_CONTEXT,
      'ailedger.team=x%20y, tenant.id=t, ailedger.user=u',
    )!;
    expect(resolveAttribution(ctx)).toMatchObject({ team: 'x y', user: 'u' });
    expect(propagation.getBaggage(ctx)!.getEntry('tenant.id')).toBeUndefined();
    expect(contextWithReceivedBaggage(ctx, 'ailedger.team=other')).toBeUndefined();
    expect(contextWithReceivedBaggage(ROOT_CONTEXT, 'tenant.id=t')).toBeUndefined();
  });
});
