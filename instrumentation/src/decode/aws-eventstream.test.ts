import { EventStreamCodec, Int64, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsEventStreamDecoder, type AwsEventStreamHeaders } from './aws-eventstream.js';

/** The real encoder, the one AWS SDKs and test servers use. */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function event(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A ConverseStream as Bedrock sends it, padding included. */
const FRAMES = [
  event('messageStart', { role: 'assistant', p: 'abcd' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Héllo' }, p: 'abcdefghij' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' wörld 👋' }, p: 'ab' }),
  event('contentBlockStop', { contentBlockIndex: 0, p: 'abcdefgh' }),
  event('messageStop', { stopReason: 'end_turn', p: 'abcdefghijklmnop' }),
  event('metadata', {
    usage: { inputTokens: 12, outputTokens: 57, totalTokens: 69 },
    metrics: { latencyMs: 1530 },
  }),
];
const STREAM = concat(FRAMES);

interface Decoded {
  headers: AwsEventStreamHeaders;
  payload: string;
}

function decodeAll(
  chunks: readonly Uint8Array[],
  max?: number,
): { messages: Decoded[]; decoder: AwsEventStreamDecoder } {
  const messages: Decoded[] = [];
  const decoder = new AwsEventStreamDecoder(
    (headers, payload) => messages.push({ headers, payload: new TextDecoder().decode(payload) }),
    max,
  );
  for (const c of chunks) decoder.push(c);
  decoder.end();
  return { messages, decoder };
}

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of sorted) {
    out.push(bytes.slice(from, c));
    from = c;
  }
  out.push(bytes.slice(from));
  return out;
}

const EXPECTED = decodeAll([STREAM]).messages;

describe('AwsEventStreamDecoder', () => {
  it('decodes headers and payloads of every frame in one chunk', () => {
    expect(EXPECTED).toHaveLength(6);
    expect(EXPECTED[0]).toEqual({
      headers: {
        ':message-type': 'event',
        ':event-type': 'messageStart',
        ':content-type': 'application/json',
      },
      payload: '{"role":"assistant","p":"abcd"}',
    });
    expect(JSON.parse(EXPECTED[2]!.payload)).toMatchObject({ delta: { text: ' wörld 👋' } });
    expect(EXPECTED[5]!.headers[':event-type']).toBe('metadata');
  });

  it('gives the same messages for every 2-way split of the stream', () => {
    for (let cut = 0; cut <= STREAM.byteLength; cut++) {
      const { messages, decoder } = decodeAll(splitAt(STREAM, [cut]));
      expect(messages).toEqual(EXPECTED);
      expect(decoder.corruptMessages + decoder.rejectedMessages + decoder.truncatedBytes).toBe(0);
    }
  });

  it('gives the same messages for random splits, including one byte at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.byteLength }), { maxLength: 40 }), (cuts) => {
        expect(decodeAll(splitAt(STREAM, cuts)).messages).toEqual(EXPECTED);
      }),
    );
    const bytes = Array.from({ length: STREAM.byteLength }, (_, i) => STREAM.subarray(i, i + 1));
    expect(decodeAll(bytes).messages).toEqual(EXPECTED);
  });

  it('reads every header type smithy can encode (binary ones are left out)', () => {
    const headers: MessageHeaders = {
      t: { type: 'boolean', value: true },
      f: { type: 'boolean', value: false },
      byte: { type: 'byte', value: -7 },
      short: { type: 'short', value: 1234 },
      int: { type: 'integer', value: 123456789 },
      long: { type: 'long', value: Int64.fromNumber(9007199254740) },
      bin: { type: 'binary', value: new Uint8Array([1, 2, 3]) },
      str: { type: 'string', value: 'ü' },
      ts: { type: 'timestamp', value: new Date(1750000000123) },
      uuid: { type: 'uuid', value: '123e4567-e89b-12d3-a456-426614174000' },
    };
    const { messages } = decodeAll([codec.encode({ headers, body: new Uint8Array() })]);
    expect(messages).toEqual([
      {
        headers: {
          t: true,
          f: false,
          byte: -7,
          short: 1234,
          int: 123456789,
          long: 9007199254740,
          str: 'ü',
          ts: 1750000000123,
          uuid: '123e4567-e89b-12d3-a456-426614174000',
        },
        payload: '',
      },
    ]);
  });

  it('a payload CRC failure ends decoding and is counted; messages before it are kept', () => {
    const bad = STREAM.slice();
    const secondStart = FRAMES[0]!.byteLength;
    const at = secondStart + FRAMES[1]!.byteLength - 10; // inside frame 2's payload
    bad[at] = bad[at]! ^ 0xff;
    const { messages, decoder } = decodeAll(splitAt(bad, [5, 100]));
    expect(messages).toEqual(EXPECTED.slice(0, 1));
    expect(decoder.corruptMessages).toBe(1);
  });

  it('a prelude CRC failure is counted too', () => {
    const bad = STREAM.slice();
    bad[9] = bad[9]! ^ 0x01; // the prelude CRC of frame 1
    const { messages, decoder } = decodeAll([bad]);
    expect(messages).toEqual([]);
    expect(decoder.corruptMessages).toBe(1);
  });

  it('rejects a frame claiming more than the cap before buffering it, and impossible lengths', () => {
    const huge = new Uint8Array(12);
    new DataView(huge.buffer).setUint32(0, 16 * 1024 * 1024 + 1);
    const a = decodeAll([FRAMES[0]!, huge, new Uint8Array(1000)]);
    expect(a.messages).toHaveLength(1);
    expect(a.decoder.rejectedMessages).toBe(1);
    expect(a.decoder.truncatedBytes).toBe(0);

    const tiny = new Uint8Array(16);
    new DataView(tiny.buffer).setUint32(0, 8);
    expect(decodeAll([tiny]).decoder.rejectedMessages).toBe(1);

    const headersTooLong = FRAMES[0]!.slice();
    new DataView(headersTooLong.buffer).setUint32(4, headersTooLong.byteLength);
    expect(decodeAll([headersTooLong]).decoder.rejectedMessages).toBe(1);

    // A custom cap applies as given.
    expect(decodeAll([STREAM], 64).decoder.rejectedMessages).toBe(1);
  });

  it('drops an incomplete trailing frame at end(), counting its bytes', () => {
    const cut = STREAM.byteLength - 7;
    const { messages, decoder } = decodeAll([STREAM.subarray(0, cut)]);
    expect(messages).toEqual(EXPECTED.slice(0, 5));
    expect(decoder.truncatedBytes).toBe(FRAMES[5]!.byteLength - 7);
  });

  it('never throws: random bytes, a throwing consumer, pushes after end()', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (bytes, step) => {
        const d = new AwsEventStreamDecoder(() => {
          throw new Error('consumer');
        });
        for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step));
        d.end();
        d.push(bytes);
      }),
    );
    let seen = 0;
    const d = new AwsEventStreamDecoder(() => {
      seen++;
      throw new Error('consumer');
    });
    d.push(STREAM);
    expect(seen).toBe(6); // one consumer failure does not stop the rest
  });
});
