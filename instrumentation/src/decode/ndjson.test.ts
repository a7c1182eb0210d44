import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NdjsonDecoder } from './ndjson.js';
import { randomCuts, splitAt, threeWaySplits, twoWaySplits } from './split-helpers.js';

const encoder = new TextEncoder();

function decode(chunks: Uint8Array[], maxLineChars?: number) {
  const values: unknown[] = [];
  const d = new NdjsonDecoder((v) => values.push(v), maxLineChars);
  for (const c of chunks) d.push(c);
  d.end();
  return { values, invalid: d.invalidLines, dropped: d.droppedLines };
}

// Ollama-style stream with CRLF, blank lines, an invalid line, multi-byte text and no final newline.
const STREAM =
  '{"model":"llama3.2","message":{"role":"assistant","content":"Hé 👋"},"done":false}\r\n' +
  '\r\n' +
  '{"model":"llama3.2","message":{"role":"assistant","content":"你好"},"done":false}\n' +
  'not json\n' +
  '   \n' +
  '{"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"prompt_eval_count":11,"eval_count":18}';

const EXPECTED = [
  { model: 'llama3.2', message: { role: 'assistant', content: 'Hé 👋' }, done: false },
  { model: 'llama3.2', message: { role: 'assistant', content: '你好' }, done: false },
  {
    model: 'llama3.2',
    message: { role: 'assistant', content: '' },
    done: true,
    prompt_eval_count: 11,
    eval_count: 18,
  },
];

const SHORT = '{"a":"€"}\r\n\n[1,"🎉"]\nx\n2';

describe('NdjsonDecoder', () => {
  const bytes = encoder.encode(STREAM);
  const shortBytes = encoder.encode(SHORT);

  it('decodes the whole stream, counting the invalid line', () => {
    const r = decode([bytes]);
    expect(r.values).toEqual(EXPECTED);
    expect(r.invalid).toBe(1);
  });

  it('gives the same values for every split into two chunks', () => {
    for (const [chunks, at] of twoWaySplits(bytes)) {
      const r = decode(chunks);
      expect(r.values, at).toEqual(EXPECTED);
      expect(r.invalid).toBe(1);
    }
  });

  it('gives the same values for every split into three chunks of a shorter stream', () => {
    for (const [chunks, at] of threeWaySplits(shortBytes)) {
      const r = decode(chunks);
      expect(r.values, at).toEqual([{ a: '€' }, [1, '🎉'], 2]);
      expect(r.invalid).toBe(1);
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

  it('counts a truncated last line as invalid', () => {
    const r = decode([encoder.encode('{"a":1}\n{"b":')]);
    expect(r.values).toEqual([{ a: 1 }]);
    expect(r.invalid).toBe(1);
  });

  it('drops and counts a line over the cap, then carries on', () => {
    const input = encoder.encode(`{"x":"${'y'.repeat(500)}"}\n{"ok":true}\n`);
    for (const chunks of [[input], splitAt(input, [10, 200, 400])]) {
      const r = decode(chunks, 100);
      expect(r.values).toEqual([{ ok: true }]);
      expect(r.dropped).toBe(1);
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const d = new NdjsonDecoder(() => {
          throw new Error('contained');
        });
        for (const c of chunks) d.push(c);
        d.end();
      }),
      { numRuns: 300 },
    );
  });
});
