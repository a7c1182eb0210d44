/**
 * Incremental decoder of AWS event streams (`application/vnd.amazon.eventstream`, Bedrock's streamed
 * responses), fed raw body bytes in whatever chunks the transport delivers. Framing is ours (a message may
 * straddle chunks, several may share one); checking both CRCs and parsing headers is smithy's codec, the one
 * the AWS SDK itself uses, so we read exactly what the app reads.
 *
 * It never throws. A message failing its CRC or header parse ends decoding for good: after corrupt bytes the
 * next frame boundary cannot be trusted. Memory is bounded: a message claiming more than the cap is rejected
 * before anything is buffered for it, so at most one capped message (plus one chunk) is ever held.
 */
import { createRequire } from 'node:module';
import type { EventStreamCodec, MessageHeaders } from '@smithy/eventstream-codec';

type CodecModule = typeof import('@smithy/eventstream-codec');
type Utf8Module = typeof import('@smithy/util-utf8');

let sharedCodec: EventStreamCodec | undefined;

/**
 * Loaded on the first Bedrock stream, not at start-up: requiring the codec costs about 50 ms, which every app
 * would otherwise pay whether or not it ever calls Bedrock.
 */
function codec(): EventStreamCodec {
  if (sharedCodec === undefined) {
    const load = createRequire(import.meta.url);
    const { EventStreamCodec: Codec } = load('@smithy/eventstream-codec') as CodecModule;
    const { fromUtf8, toUtf8 } = load('@smithy/util-utf8') as Utf8Module;
    sharedCodec = new Codec(toUtf8, fromUtf8);
  }
  return sharedCodec;
}

/** Messages claiming to be larger than this are rejected (Bedrock's are a few KiB). */
export const AWS_EVENTSTREAM_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** total_length (4) + headers_length (4) + prelude CRC (4) + message CRC (4). */
const MIN_MESSAGE_BYTES = 16;

export type AwsEventStreamHeaders = Record<string, string | number | boolean>;

/** Smithy's tagged header values as plain values; binary headers (unused by Bedrock) are left out. */
function plainHeaders(headers: MessageHeaders): AwsEventStreamHeaders {
  const out: AwsEventStreamHeaders = {};
  for (const name of Object.keys(headers)) {
    const h = headers[name];
    if (h === undefined) continue;
    switch (h.type) {
      case 'string':
      case 'uuid':
      case 'boolean':
      case 'byte':
      case 'short':
      case 'integer':
        out[name] = h.value;
        break;
      case 'long':
        out[name] = h.value.valueOf();
        break;
      case 'timestamp':
        out[name] = h.value.getTime();
        break;
      default:
        break;
    }
  }
  return out;
}

export class AwsEventStreamDecoder {
  /** Messages that failed a CRC check or could not be parsed (each ends decoding). */
  corruptMessages = 0;
  /** Messages rejected for a length over the cap or under the minimum (each ends decoding). */
  rejectedMessages = 0;
  /** Bytes of an incomplete message discarded at end(). */
  truncatedBytes = 0;

  private readonly onMessage: (headers: AwsEventStreamHeaders, payload: Uint8Array) => void;
  private readonly maxBytes: number;
  private readonly codec = codec();
  /** Unconsumed input: chunks in order, the first one read from `offset`. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private stopped = false;

  constructor(
    onMessage: (headers: AwsEventStreamHeaders, payload: Uint8Array) => void,
    maxMessageBytes = AWS_EVENTSTREAM_MAX_MESSAGE_BYTES,
  ) {
    this.onMessage = onMessage;
    this.maxBytes = maxMessageBytes;
  }

  /** The chunk may be kept until its messages are complete: callers hand over a chunk they own. */
  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.byteLength === 0) return;
    try {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
      this.drain();
    } catch {
      // Only an internal bug could get here; stop rather than risk misreading the rest.
      this.stop();
    }
  }

  end(): void {
    if (this.stopped) return;
    this.truncatedBytes += this.buffered;
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
  }

  private drain(): void {
    while (!this.stopped && this.buffered >= 8) {
      const total = this.peekUint32(0);
      const headersLength = this.peekUint32(4);
      if (total < MIN_MESSAGE_BYTES || total > this.maxBytes || headersLength > total - MIN_MESSAGE_BYTES) {
        this.rejectedMessages++;
        this.stop();
        return;
      }
      if (this.buffered < total) return;
      const frame = this.take(total);
      let headers: AwsEventStreamHeaders;
      let payload: Uint8Array;
      try {
        const message = this.codec.decode(frame);
        headers = plainHeaders(message.headers);
        payload = message.body;
      } catch {
        this.corruptMessages++;
        this.stop();
        return;
      }
      try {
        this.onMessage(headers, payload);
      } catch {
        // The consumer contains its own failures; one bad message must not stop decoding of the rest.
      }
    }
  }

  /** Big-endian uint32 at `at` bytes into the buffered input (which holds at least at + 4 bytes). */
  private peekUint32(at: number): number {
    let value = 0;
    let need = 4;
    let skip = at;
    let first = true;
    for (const c of this.chunks) {
      let i = first ? this.offset : 0;
      first = false;
      const available = c.byteLength - i;
      if (skip >= available) {
        skip -= available;
        continue;
      }
      i += skip;
      skip = 0;
      for (; i < c.byteLength && need > 0; i++, need--) value = value * 256 + c[i]!;
      if (need === 0) break;
    }
    return value;
  }

  /** Removes `n` buffered bytes: a view when they lie in one chunk, else a copy. */
  private take(n: number): Uint8Array {
    const head = this.chunks[0]!;
    if (head.byteLength - this.offset >= n) {
      const out = head.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === head.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
      this.buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const piece = Math.min(c.byteLength - this.offset, n - filled);
      out.set(c.subarray(this.offset, this.offset + piece), filled);
      filled += piece;
      this.offset += piece;
      if (this.offset === c.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= n;
    return out;
  }
}
