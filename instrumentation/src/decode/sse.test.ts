import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomCuts, splitAt, threeWaySplits, twoWaySplits } from './split-helpers.js';
import { SseDecoder } from './sse.js';

type Ev = [string | undefined, string];

const encoder = new TextEncoder();

function decode(chunks: Uint8Array[], maxEventChars?: number): { events: Ev[]; dropped: number } {
  const events: Ev[] = [];
  const d = new SseDecoder((event, data) => events.push([event, data]), maxEventChars);
  for (const c of chunks) d.push(c);
  d.end();
  return { events, dropped: d.droppedEvents };
}

// A recorded-style stream mixing every line ending, comments, named events, multi-line data, multi-byte UTF-8
// (2-, 3- and 4-byte sequences) and an unterminated final event.
const STREAM =
  ': OPENROUTER PROCESSING\r\n\r\n' +
  'data: {"id":"c1","choices":[{"delta":{"content":"Hé 👋"}}]}\r\n\r\n' +
  'event: message\ndata: {"choices":[{"delta":{"content":"你好，世界"}}]}\n\n' +
  'data: line one\ndata: line two 🎉\n\n' +
  'id: 7\nretry: 1000\ndata:no-space\r\rdata: cr-only ✓\r\r' +
  'event: ping\n\n' +
  'data:  two spaces\r\n\r\n' +
  'data\n\n' +
  'event: response.completed\r\ndata: {"type":"response.completed"}\r\n\r\n' +
  'data: [DONE]\n\n' +
  'data: unterminated';

const EXPECTED: Ev[] = [
  [undefined, '{"id":"c1","choices":[{"delta":{"content":"Hé 👋"}}]}'],
  ['message', '{"choices":[{"delta":{"content":"你好，世界"}}]}'],
  [undefined, 'line one\nline two 🎉'],
  [undefined, 'no-space'],
  [undefined, 'cr-only ✓'],
  [undefined, ' two spaces'],
  [undefined, ''],
  ['response.completed', '{"type":"response.completed"}'],
  [undefined, '[DONE]'],
];

const SHORT = 'data: 你\r\ndata:b\r\n\r\nevent: e\rdata: 👋\r\r: c\ndata: a\ndata: b\n\n';
const SHORT_EXPECTED: Ev[] = [
  [undefined, '你\nb'],
  ['e', '👋'],
  [undefined, 'a\nb'],
];

describe('SseDecoder', () => {
  const bytes = encoder.encode(STREAM);
  const shortBytes = encoder.encode(SHORT);

  it('decodes the whole stream in one chunk', () => {
    expect(decode([bytes]).events).toEqual(EXPECTED);
    expect(decode([shortBytes]).events).toEqual(SHORT_EXPECTED);
  });

  it('gives the same events for every split into two chunks', () => {
    // Covers splits inside every multi-byte character and between every CR and LF.
    for (const [chunks, at] of twoWaySplits(bytes)) {
      expect(decode(chunks).events, at).toEqual(EXPECTED);
    }
  });

  it('gives the same events for every split into three chunks of a shorter stream', () => {
    for (const [chunks, at] of threeWaySplits(shortBytes)) {
      expect(decode(chunks).events, at).toEqual(SHORT_EXPECTED);
    }
  });

  it('gives the same events for random chunkings', () => {
    fc.assert(
      fc.property(randomCuts(bytes.length, 40), (cuts) => {
        expect(decode(splitAt(bytes, cuts)).events).toEqual(EXPECTED);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes byte-by-byte', () => {
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(decode(chunks).events).toEqual(EXPECTED);
  });

  it('treats a CR at the end of a chunk followed by LF as one line ending', () => {
    // If CR and LF were two endings, the LF would be an empty line and dispatch "a" without "b".
    expect(decode([encoder.encode('data: a\r'), encoder.encode('\ndata: b\n\n')]).events).toEqual([
      [undefined, 'a\nb'],
    ]);
  });

  it('strips a leading byte-order mark', () => {
    expect(decode([encoder.encode('\uFEFFdata: x\n\n')]).events).toEqual([[undefined, 'x']]);
  });

  it('does not dispatch an event without data, and resets the event name after it', () => {
    expect(decode([encoder.encode('event: a\n\ndata: b\n\n')]).events).toEqual([[undefined, 'b']]);
  });

  it('discards an event that never got its blank line at end()', () => {
    expect(decode([encoder.encode('data: a\n\ndata: b\n')]).events).toEqual([[undefined, 'a']]);
  });

  it('drops and counts an event over the cap, then carries on', () => {
    const big = 'x'.repeat(200);
    const input = encoder.encode(`data: ${big}\ndata: ${big}\n\ndata: ok\n\n`);
    for (const chunks of [[input], splitAt(input, [50, 150, 300])]) {
      const { events, dropped } = decode(chunks, 300);
      expect(events).toEqual([[undefined, 'ok']]);
      expect(dropped).toBe(1);
    }
    // A single over-long line without any line ending is not buffered either.
    const d = decode(
      [encoder.encode('data: '), encoder.encode('y'.repeat(1000)), encoder.encode('\n\ndata: z\n\n')],
      300,
    );
    expect(d.events).toEqual([[undefined, 'z']]);
    expect(d.dropped).toBe(1);
    // The dropped line ends exactly at a chunk boundary: its line ending is not a blank line, so the rest of
    // the over-sized event ("more") is still skipped.
    const input2 = encoder.encode(`data: ${'y'.repeat(1000)}\ndata: more\n\ndata: z\n\n`);
    for (let cut = 0; cut <= input2.length; cut++) {
      const r = decode(splitAt(input2, [cut]), 300);
      expect(r.events, `split at ${cut}`).toEqual([[undefined, 'z']]);
      expect(r.dropped).toBe(1);
    }
  });

  it('never throws on arbitrary bytes, including invalid UTF-8', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const d = new SseDecoder(() => {
          throw new Error('consumer failure is contained');
        });
        for (const c of chunks) d.push(c);
        d.end();
        d.push(new Uint8Array([1])); // after end: ignored
      }),
      { numRuns: 300 },
    );
    expect(decode([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])]).events).toEqual([
      [undefined, '\uFFFD'],
    ]);
  });
});
