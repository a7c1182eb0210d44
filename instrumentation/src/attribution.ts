/**
 * Who made a call. Sources, most specific first:
 *   1. `withAttribution({ team, useCase, user }, fn)`: scoped to the async context (nestable, inner wins per field);
 *   2. W3C Baggage entries ailedger.team / ailedger.use_case / ailedger.user received from an upstream service;
 *   3. AILEDGER_TEAM / AILEDGER_USE_CASE (process defaults);
 *   4. the same keys in OTEL_RESOURCE_ATTRIBUTES.
 *
 * `withAttribution` also writes its fields as baggage entries, so attribution follows a request to other services:
 * the app's own propagation carries them if it has any, otherwise our taps add a `baggage` header to outgoing
 * requests that go to non-provider hosts (`outgoingBaggage`). They are never sent to a model provider
 * (`withoutAttributionBaggage`, `stripAttributionBaggage`), and incoming requests' entries are taken in by the
 * server tap (`contextWithReceivedBaggage`).
 */
import {
  ATTR_AILEDGER_TEAM,
  ATTR_AILEDGER_USE_CASE,
  ATTR_AILEDGER_USER,
} from '@ailedger/semantic-conventions';
import {
  type Baggage,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
} from '@opentelemetry/api';
import { isTracingSuppressed, W3CBaggagePropagator } from '@opentelemetry/core';
import type { ModelCallAttribution } from './model-call.js';
import { runtime } from './runtime.js';

export interface Attribution {
  team?: string;
  useCase?: string;
  user?: string;
}

/** Baggage keys, the same strings as the span attributes. */
export const ATTRIBUTION_BAGGAGE_KEYS = [
  ATTR_AILEDGER_TEAM,
  ATTR_AILEDGER_USE_CASE,
  ATTR_AILEDGER_USER,
] as const;

// Symbol.for so the ESM and CJS builds of this package, if both get loaded, share one key.
const ATTRIBUTION_KEY = Symbol.for('ailedger.attribution');

// Used directly (not the global propagator): propagation must work whether or not the app registered one.
const w3cBaggage = new W3CBaggagePropagator();

function clean(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function hasAttributionEntries(baggage: Baggage | undefined): baggage is Baggage {
  if (baggage === undefined) return false;
  for (const key of ATTRIBUTION_BAGGAGE_KEYS) if (baggage.getEntry(key) !== undefined) return true;
  return false;
}

/** `base` with the given attribution entries set (others kept). */
function withEntries(base: Baggage | undefined, entries: Record<string, string | undefined>): Baggage {
  let baggage = base ?? propagation.createBaggage();
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) baggage = baggage.setEntry(key, { value });
  }
  return baggage;
}

/** Runs `fn` with the given attribution in the active context; nested calls override field by field. */
export function withAttribution<R>(attribution: Attribution, fn: () => R): R {
  const active = context.active();
  const parent = active.getValue(ATTRIBUTION_KEY) as Attribution | undefined;
  const merged: Attribution = {
    team: clean(attribution.team) ?? parent?.team,
    useCase: clean(attribution.useCase) ?? parent?.useCase,
    user: clean(attribution.user) ?? parent?.user,
  };
  let ctx = active.setValue(ATTRIBUTION_KEY, merged);
  try {
    ctx = propagation.setBaggage(
      ctx,
      withEntries(propagation.getBaggage(active), {
        [ATTR_AILEDGER_TEAM]: merged.team,
        [ATTR_AILEDGER_USE_CASE]: merged.useCase,
        [ATTR_AILEDGER_USER]: merged.user,
      }),
    );
    runtime.attributionSeen = true;
  } catch {
    // Without baggage the attribution still applies in this process; it just does not travel.
  }
  return context.with(ctx, fn);
}

interface ResourceAttribution {
  raw: string | undefined;
  team?: string;
  useCase?: string;
  user?: string;
}

let resourceCache: ResourceAttribution = { raw: undefined };

/** ailedger.* entries of OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values percent-encoded), parsed once per value. */
function resourceAttribution(): ResourceAttribution {
  const raw = process.env.OTEL_RESOURCE_ATTRIBUTES;
  if (raw === resourceCache.raw) return resourceCache;
  const parsed: ResourceAttribution = { raw };
  for (const pair of raw?.split(',') ?? []) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const key = pair.slice(0, eq).trim();
    if (!key.startsWith('ailedger.')) continue;
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as written
    }
    if (value.length === 0) continue;
    if (key === ATTR_AILEDGER_TEAM) parsed.team = value;
    else if (key === ATTR_AILEDGER_USE_CASE) parsed.useCase = value;
    else if (key === ATTR_AILEDGER_USER) parsed.user = value;
  }
  resourceCache = parsed;
  return parsed;
}

/** The attribution in effect in `ctx`: withAttribution, then baggage, then process defaults, then resource. */
export function resolveAttribution(ctx: Context): ModelCallAttribution {
  const scoped = ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined;
  const baggage = propagation.getBaggage(ctx);
  const fromBaggage = (key: string) => clean(baggage?.getEntry(key)?.value);
  const resource = resourceAttribution();
  return {
    team:
      scoped?.team ?? fromBaggage(ATTR_AILEDGER_TEAM) ?? clean(process.env.AILEDGER_TEAM) ?? resource.team,
    useCase:
      scoped?.useCase ??
      fromBaggage(ATTR_AILEDGER_USE_CASE) ??
      clean(process.env.AILEDGER_USE_CASE) ??
      resource.useCase,
    user: scoped?.user ?? fromBaggage(ATTR_AILEDGER_USER) ?? resource.user,
  };
}

// --- Across services ------------------------------------------------------------------------------------------

const headerCache = new WeakMap<Baggage, string | null>();

/** The W3C `baggage` header value carrying only the attribution entries of `baggage`, or null without any. */
function attributionHeader(baggage: Baggage): string | null {
  let only = propagation.createBaggage();
  let found = false;
  for (const key of ATTRIBUTION_BAGGAGE_KEYS) {
    const entry = baggage.getEntry(key);
    if (entry === undefined || entry.value.length === 0) continue;
    only = only.setEntry(key, { value: entry.value });
    found = true;
  }
  if (!found) return null;
  const carrier: Record<string, string> = {};
  w3cBaggage.inject(propagation.setBaggage(ROOT_CONTEXT, only), carrier, defaultTextMapSetter);
  return carrier.baggage ?? null;
}

/**
 * The `baggage` header to add to an outgoing request to a non-provider host, or undefined: only once attribution
 * is in use, only when the active context carries attribution entries, never for the telemetry exporters' own
 * requests (tracing suppressed). Only our entries are sent; the caller adds it only when the request has none.
 */
export function outgoingBaggage(): string | undefined {
  if (!runtime.attributionSeen) return undefined;
  const ctx = context.active();
  const baggage = propagation.getBaggage(ctx);
  if (baggage === undefined || isTracingSuppressed(ctx)) return undefined;
  let header = headerCache.get(baggage);
  if (header === undefined) {
    header = attributionHeader(baggage);
    headerCache.set(baggage, header);
  }
  return header ?? undefined;
}

/** `ctx` without attribution baggage entries: the context a provider call runs in, so no propagator sends them. */
export function withoutAttributionBaggage(ctx: Context): Context {
  const baggage = propagation.getBaggage(ctx);
  if (!hasAttributionEntries(baggage)) return ctx;
  const rest = baggage.removeEntries(...ATTRIBUTION_BAGGAGE_KEYS);
  return rest.getAllEntries().length === 0
    ? propagation.deleteBaggage(ctx)
    : propagation.setBaggage(ctx, rest);
}

/**
 * A `baggage` header value without attribution entries, for a provider request that got them from another
 * instrumentation; `''` when nothing else remains, undefined when there was nothing to remove.
 */
export function stripAttributionBaggage(header: string): string | undefined {
  if (!header.includes('ailedger.')) return undefined;
  const members = header.split(',');
  const kept = members.filter((member) => {
    const eq = member.indexOf('=');
    const key = (eq === -1 ? member : member.slice(0, eq)).trim();
    return !(ATTRIBUTION_BAGGAGE_KEYS as readonly string[]).includes(key);
  });
  if (kept.length === members.length) return undefined;
  return kept
    .map((m) => m.trim())
    .filter((m) => m.length > 0)
    .join(',');
}

/**
 * `ctx` with the attribution entries of an incoming request's `baggage` header, or undefined when there are none
 * or another propagator already took them in. Other entries are left to the app's own propagation.
 */
export function contextWithReceivedBaggage(ctx: Context, header: string): Context | undefined {
  if (!header.includes('ailedger.')) return undefined;
  const existing = propagation.getBaggage(ctx);
  if (hasAttributionEntries(existing)) return undefined;
  const received = propagation.getBaggage(
    w3cBaggage.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter),
  );
  if (received === undefined) return undefined;
  const entries: Record<string, string | undefined> = {};
  let found = false;
  for (const key of ATTRIBUTION_BAGGAGE_KEYS) {
    const value = clean(received.getEntry(key)?.value);
    if (value !== undefined) {
      entries[key] = value;
      found = true;
    }
  }
  if (!found) return undefined;
  runtime.attributionSeen = true;
  return propagation.setBaggage(ctx, withEntries(existing, entries));
}
