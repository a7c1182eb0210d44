/**
 * Who made a call: `withAttribution` scopes team / use case / user to the async context (nestable, inner wins per
 * field). Process defaults come from AILEDGER_TEAM / AILEDGER_USE_CASE. Upstream W3C Baggage entries
 * (ailedger.team, ailedger.use_case, ailedger.user) are read when no closer source set a field.
 */
import { type Context, context, propagation } from '@opentelemetry/api';
import type { ModelCallAttribution } from './model-call.js';

export interface Attribution {
  team?: string;
  useCase?: string;
  user?: string;
}

// Symbol.for so the ESM and CJS builds of this package, if both get loaded, share one key.
const ATTRIBUTION_KEY = Symbol.for('ailedger.attribution');

function clean(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Runs `fn` with the given attribution in the active context; nested calls override field by field. */
export function withAttribution<R>(attribution: Attribution, fn: () => R): R {
  const parent = context.active().getValue(ATTRIBUTION_KEY) as Attribution | undefined;
  const merged: Attribution = {
    team: clean(attribution.team) ?? parent?.team,
    useCase: clean(attribution.useCase) ?? parent?.useCase,
    user: clean(attribution.user) ?? parent?.user,
  };
  return context.with(context.active().setValue(ATTRIBUTION_KEY, merged), fn);
}

/** The attribution in effect in `ctx`: withAttribution, then baggage, then process defaults. */
export function resolveAttribution(ctx: Context): ModelCallAttribution {
  const scoped = ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined;
  const baggage = propagation.getBaggage(ctx);
  const fromBaggage = (key: string) => clean(baggage?.getEntry(key)?.value);
  return {
    team: scoped?.team ?? fromBaggage('ailedger.team') ?? clean(process.env.AILEDGER_TEAM),
    useCase: scoped?.useCase ?? fromBaggage('ailedger.use_case') ?? clean(process.env.AILEDGER_USE_CASE),
    user: scoped?.user ?? fromBaggage('ailedger.user'),
  };
}
