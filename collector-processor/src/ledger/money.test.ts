import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion, formatUsd, nanosToDecimal, roundNanos, usdToNanos } from './money.js';

describe('money', () => {
  it('rounds a per-call double to integer nano-USD once, refusing what is not an amount', () => {
    expect(usdToNanos(0.0025)).toBe(2_500_000);
    // 15 tokens × $2.50/M is 3.7500000000000003e-5 as a double: the nano-dollar is exact.
    expect(usdToNanos(15 * 2.5e-6)).toBe(37_500);
    expect(usdToNanos(0)).toBe(0);
    expect(usdToNanos(undefined)).toBeUndefined();
    expect(usdToNanos(Number.NaN)).toBeUndefined();
    expect(usdToNanos(-0.01)).toBeUndefined();
    expect(usdToNanos(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('prints exact decimals and rounds half away from zero for display', () => {
    expect(nanosToDecimal(1234n)).toBe('0.000001234');
    expect(nanosToDecimal(12_000_000_001n)).toBe('12.000000001');
    expect(nanosToDecimal(-5n)).toBe('-0.000000005');
    expect(roundNanos(1_499n, 6)).toBe(1_000n);
    expect(roundNanos(1_500n, 6)).toBe(2_000n);
    expect(formatUsd(roundNanos(123_456_789n, 6), 6)).toBe('0.123457');
    expect(formatUsd(3_000_000_000n, 0)).toBe('3');
    expect(formatUsd(3_000_000_000n, 2)).toBe('3.00');
  });

  it('apportioned display lines add up to the rounded total and stay within one step of the exact value', () => {
    // Three lines of $0.0000004 each: rounded alone they show 0.000000 three times under a total of 0.000001.
    const { lines, total } = apportion([400n, 400n, 400n], 6);
    expect(total).toBe(1000n);
    expect(lines).toEqual([1000n, 0n, 0n]);

    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 9 }),
        (values, decimals) => {
          const step = 10n ** BigInt(9 - decimals);
          const out = apportion(values, decimals);
          const exact = values.reduce((s, v) => s + v, 0n);
          expect(out.lines.reduce((s, v) => s + v, 0n)).toBe(out.total);
          expect(out.total).toBe(roundNanos(exact, decimals));
          out.lines.forEach((l, i) => {
            expect(l % step).toBe(0n);
            const diff = l - (values[i] as bigint);
            expect(diff < step && diff > -step).toBe(true);
          });
        },
      ),
    );
  });
});
