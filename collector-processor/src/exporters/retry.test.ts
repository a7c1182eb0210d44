import { describe, expect, it } from 'vitest';
import type { RetryConfig } from '../config/types.js';
import {
  backoffDelayMs,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  nextWaitMs,
  parseRetryAfterMs,
  retryBudgetExhausted,
} from './retry.js';

const retry: RetryConfig = {
  initialIntervalMs: 100,
  maxIntervalMs: 1_000,
  multiplier: 2,
  randomizationFactor: 0.5,
  maxElapsedMs: 5_000,
};

describe('isRetryableStatus', () => {
  it.each([429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([400, 401, 403, 404, 405, 413, 415, 422, 501, 505, 301])('%i is permanent', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('grows by the multiplier from the initial interval and stops at the maximum (no jitter at r = 0.5)', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelayMs(a, retry, mid))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitters within ± randomizationFactor', () => {
    expect(backoffDelayMs(1, retry, () => 0)).toBe(100);
    expect(backoffDelayMs(1, retry, () => 0.999_999)).toBe(300);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(2, retry);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(600);
    }
  });

  it('has no jitter when randomizationFactor is 0', () => {
    expect(backoffDelayMs(3, { ...retry, randomizationFactor: 0 }, () => 0.9)).toBe(800);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-02T10:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('1', now)).toBe(1_000);
    expect(parseRetryAfterMs(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfterMs('0', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now; a past date means now', () => {
    expect(parseRetryAfterMs('Mon, 02 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Mon, 02 Nov 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('caps absurd values', () => {
    expect(parseRetryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('9'.repeat(400), now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores absent or unreadable values', () => {
    for (const v of [undefined, null, '', '-5', '1.5', 'soon', 'NaN'])
      expect(parseRetryAfterMs(v, now)).toBeUndefined();
  });
});

describe('nextWaitMs and retryBudgetExhausted', () => {
  it('waits the longer of backoff and Retry-After', () => {
    expect(nextWaitMs(200, undefined)).toBe(200);
    expect(nextWaitMs(200, 1_000)).toBe(1_000);
    expect(nextWaitMs(200, 50)).toBe(200);
  });

  it('gives up when the next wait would pass maxElapsedMs; never when it is 0', () => {
    expect(retryBudgetExhausted(4_000, 900, retry)).toBe(false);
    expect(retryBudgetExhausted(4_500, 600, retry)).toBe(true);
    expect(retryBudgetExhausted(10_000_000, 300_000, { ...retry, maxElapsedMs: 0 })).toBe(false);
  });
});
