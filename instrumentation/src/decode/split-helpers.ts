/**
 * Test helpers for the stream decoders (imported only by *.test.ts): a decoder must give the same result however
 * the network cuts its input, so tests feed it every split, or random ones.
 */
import fc from 'fast-check';

/** `bytes` cut at the given (ascending) offsets; equal offsets give empty chunks, which decoders must accept. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** Every split into two chunks (empty first or last chunk included), with a label naming the cut. */
export function* twoWaySplits(bytes: Uint8Array): Generator<[chunks: Uint8Array[], label: string]> {
  for (let i = 0; i <= bytes.length; i++) yield [splitAt(bytes, [i]), `split at ${i}`];
}

/** Every split into three chunks (empty ones included): quadratic, so for short streams. */
export function* threeWaySplits(bytes: Uint8Array): Generator<[chunks: Uint8Array[], label: string]> {
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) yield [splitAt(bytes, [i, j]), `split at ${i},${j}`];
  }
}

/** Up to `maxCuts` distinct inner cut offsets of a stream of `length` bytes, ascending. */
export function randomCuts(length: number, maxCuts: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: maxCuts })
    .map((cuts) => cuts.sort((a, b) => a - b));
}
