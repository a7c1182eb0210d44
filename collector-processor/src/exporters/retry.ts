/**
 * Retry policy of the OTLP/HTTP exporter, as pure functions: which responses are worth retrying, how long to
 * wait (exponential backoff with jitter, like the Collector's `retry_on_failure`), and how to read Retry-After.
 */
import type { RetryConfig } from '../config/types.js';

/** A server asking for more than this is treated as asking for this; a typo must not park a batch for days. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * 429, 502, 503 and 504 are retryable per the OTLP spec. 500 is retried too, deliberately deviating from the
 * spec: backends such as Jaeger answer 500 while their storage is down, and dropping then would lose data that
 * a few seconds later would have been accepted. Everything else (400, 401, 403, 404, 413, ...) is permanent.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * The wait before retry number `attempt + 1` (attempt 0 = after the first failure):
 * min(initial × multiplier^attempt, max), then ± randomizationFactor jitter so that many exporters
 * failing together do not come back in lockstep. `random` is injectable for tests.
 */
export function backoffDelayMs(
  attempt: number,
  retry: RetryConfig,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    retry.initialIntervalMs * retry.multiplier ** Math.max(0, attempt),
    retry.maxIntervalMs,
  );
  const factor = Math.min(Math.max(retry.randomizationFactor, 0), 1);
  const jittered = base * (1 - factor + 2 * factor * random());
  return Math.max(0, Math.round(jittered));
}

/**
 * Retry-After as milliseconds: delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT").
 * A date in the past means "now" (0). Undefined when absent or unparseable; capped at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Only accept things that look like a date; Date.parse is lenient enough to read "1.5" as a year.
    if (!/[a-z]/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  if (!Number.isFinite(ms)) return MAX_RETRY_AFTER_MS;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** The server's delay wins when it asks for longer than our own backoff, never when it asks for less. */
export function nextWaitMs(backoffMs: number, retryAfterMs: number | undefined): number {
  return retryAfterMs === undefined ? backoffMs : Math.max(backoffMs, retryAfterMs);
}

/**
 * Whether waiting `waitMs` more would exceed the retry budget (maxElapsedMs 0 = retry forever). Decided
 * before sleeping, like the Collector's backoff, so a batch is not held for a wait that ends in a drop anyway.
 */
export function retryBudgetExhausted(elapsedMs: number, waitMs: number, retry: RetryConfig): boolean {
  return retry.maxElapsedMs > 0 && elapsedMs + waitMs > retry.maxElapsedMs;
}
