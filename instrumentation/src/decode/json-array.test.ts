import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArrayDecoder } from './json-array.js';
import { randomCuts, splitAt, threeWaySplits, twoWaySplits } from './split-helpers.js';

const encoder = new TextEncoder();

function decode(chunks: Uint8Array[], maxElementChars?: number) {
  const values: unknown[] = [];
  const d = new JsonArrayDecoder((v) => values.push(v), maxElementChars);
  for (const c of chunks) d.push(c);
  d.end();
  return { values, invalid: d.invalidElements, dropped: d.droppedElements };
}

// Gemini streamGenerateContent without alt=sse: one array, elements separated by "\r\n,". Strings hold braces,
// brackets, escaped quotes and backslashes, and multi-byte characters.
const STREAM =
  '[{"candidates":[{"content":{"role":"model","parts":[{"text":"a } ] \\" { 你好 👋"}]},"index":0}],' +
  '"usageMetadata":{"promptTokenCount":8},"modelVersion":"gemini-2.5-flash"}\r\n' +
  ',{"candidates":[{"content":{"parts":[{"text":"C:\\\\path\\\\"}]},"finishReason":"STOP"}],' +
  '"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":3,"thoughtsTokenCount":20}}\r\n' +
  ']trailing garbage {';

const EXPECTED = [
  {
    candidates: [{ content: { role: 'model', parts: [{ text: 'a } ] " { 你好 👋' }] }, index: 0 }],
    usageMetadata: { promptTokenCount: 8 },
    modelVersion: 'gemini-2.5-flash',
  },
  {
    candidates: [{ content: { parts: [{ text: 'C:\\path\\' }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 3, thoughtsTokenCount: 20 },
  },
];

const SHORT = ' [ {"a":"]"} , 12,"s\\"}",true,[1,{"b":null}], -3.5e2 ]';
const SHORT_EXPECTED = [{ a: ']' }, 12, 's"}', true, [1, { b: null }], -350];

describe('JsonArrayDecoder', () => {
  const bytes = encoder.encode(STREAM);
  const shortBytes = encoder.encode(SHORT);

  it('emits each top-level element of the array', () => {
    expect(decode([bytes]).values).toEqual(EXPECTED);
    expect(decode([shortBytes]).values).toEqual(SHORT_EXPECTED);
  });

  it('emits an element as soon as it is complete, before the array closes', () => {
    const values: unknown[] = [];
    const d = new JsonArrayDecoder((v) => values.push(v));
    d.push(encoder.encode('[{"a":1}\r\n,{"b"'));
    expect(values).toEqual([{ a: 1 }]);
    d.push(encoder.encode(':2}'));
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('gives the same values for every split into two chunks', () => {
    for (const [chunks, at] of twoWaySplits(bytes)) {
      expect(decode(chunks).values, at).toEqual(EXPECTED);
    }
  });

  it('gives the same values for every split into three chunks of a shorter stream', () => {
    for (const [chunks, at] of threeWaySplits(shortBytes)) {
      expect(decode(chunks).values, at).toEqual(SHORT_EXPECTED);
    }
  });

  it('gives the same values for random chunkings', () => {
    fc.assert(
      fc.property(randomCuts(bytes.length, 30), (cuts) => {
        expect(decode(splitAt(bytes, cuts)).values).toEqual(EXPECTED);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a body that is not an array as a sequence of values (an error object)', () => {
    const r = decode([encoder.encode('{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}\n')]);
    expect(r.values).toEqual([{ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } }]);
  });

  it('discards an unfinished element at end and counts invalid ones', () => {
    const r = decode([encoder.encode('[{"a":1},{"b":tru},{"c":')]);
    expect(r.values).toEqual([{ a: 1 }]);
    expect(r.invalid).toBe(1);
  });

  it('drops and counts an element over the cap, then carries on', () => {
    const input = encoder.encode(`[{"x":"${'{'.repeat(500)}"},{"ok":true}]`);
    for (const chunks of [[input], splitAt(input, [10, 200, 400])]) {
      const r = decode(chunks, 100);
      expect(r.values).toEqual([{ ok: true }]);
      expect(r.dropped).toBe(1);
    }
  });

  it('never throws on arbitrary bytes or JSON-ish text', () => {
    const jsonish = fc.array(fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', '1', 'a', ' ', '\n'), {
      maxLength: 80,
    });
    fc.assert(
      fc.property(jsonish, fc.array(fc.uint8Array({ maxLength: 32 }), { maxLength: 5 }), (chars, raw) => {
        const d = new JsonArrayDecoder(() => {
          throw new Error('contained');
        });
        d.push(encoder.encode(chars.join('')));
        for (const c of raw) d.push(c);
        d.end();
      }),
      { numRuns: 300 },
    );
  });
});
