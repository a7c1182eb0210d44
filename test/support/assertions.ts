/**
 * Span checks shared by the end-to-end tests: which spans are ours, their attributes, and that no secret the test
 * sent (keys, auth headers, signatures) ever reaches a span.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import type { TestTracing } from './tracing.js';

/** The instrumentation scope of every span we create. */
export const OUR_SCOPE = '@ailedger/instrumentation';

export function attrs(span: ReadableSpan): Record<string, unknown> {
  return span.attributes as Record<string, unknown>;
}

export function isOurs(span: ReadableSpan): boolean {
  return span.instrumentationScope.name === OUR_SCOPE;
}

export function oursOf(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter(isOurs);
}

/** Everything of a span an exporter would send that could carry a secret. */
function dump(span: ReadableSpan): string {
  return JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events });
}

export function assertNoSecrets(spans: readonly ReadableSpan[], secrets: readonly string[]): void {
  for (const span of spans) {
    const text = dump(span);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

/**
 * Waits for exactly `count` spans (no other instrumentation may have traced anything) and checks they are all
 * ours, CLIENT spans, and free of `secrets`.
 */
export async function onlyOurClientSpans(
  tracing: TestTracing,
  count: number,
  secrets: readonly string[],
  timeoutMs?: number,
): Promise<ReadableSpan[]> {
  const all = await tracing.spans(count, timeoutMs);
  expect(all.filter((s) => !isOurs(s))).toEqual([]);
  expect(all).toHaveLength(count);
  for (const span of all) expect(span.kind).toBe(SpanKind.CLIENT);
  assertNoSecrets(all, secrets);
  return all;
}

/**
 * Waits until `count` spans of ours have ended (or the timeout passes), then a moment more so an unexpected
 * extra span can show up. Other scopes (SDKs tracing themselves) are returned in `all`, not rejected.
 */
export async function waitForOurs(
  tracing: TestTracing,
  count: number,
  timeoutMs = 5_000,
  settleMs = 30,
): Promise<{ ours: ReadableSpan[]; all: ReadableSpan[] }> {
  const deadline = Date.now() + timeoutMs;
  while (oursOf(tracing.exporter.getFinishedSpans()).length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, settleMs));
  const all = tracing.exporter.getFinishedSpans().slice();
  return { ours: oursOf(all), all };
}
