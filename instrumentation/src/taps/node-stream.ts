/**
 * Per-instance taps on Node streams. We wrap the instance's own `emit` (never add a 'data' listener: that would
 * switch the stream to flowing mode and a late consumer would lose data) and its `write`/`end` to see the request
 * body. Every consumption style (data events, pipe, async iteration, read()) goes through emit('data').
 */
import type { EventEmitter } from 'node:events';
import type { CallRecorder } from '../call-recorder.js';
import { contain } from '../call-recorder.js';

type Emit = EventEmitter['emit'];
type WriteLike = (chunk: unknown, ...rest: unknown[]) => unknown;

const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

function toBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return undefined;
}

/** Collects what the app writes to a request stream and hands it to the recorder on end(). */
export function tapRequestBody(stream: { write: WriteLike; end: WriteLike }, recorder: CallRecorder): void {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  const keep = (chunk: unknown, encoding: unknown) => {
    try {
      const bytes = toBytes(chunk, encoding);
      if (bytes === undefined) return;
      if (total + bytes.byteLength > MAX_REQUEST_BYTES) {
        complete = false;
        return;
      }
      // Copy: callers may reuse their buffer after write() returns.
      chunks.push(Buffer.from(bytes));
      total += bytes.byteLength;
    } catch (err) {
      contain('request body', err);
    }
  };
  const originalWrite = stream.write;
  const originalEnd = stream.end;
  stream.write = function write(this: unknown, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return originalWrite.call(this, chunk, ...rest);
  };
  stream.end = function end(this: unknown, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && typeof chunk !== 'function') keep(chunk, rest[0]);
    recorder.setRequestBody(chunks, complete);
    return originalEnd.call(this, chunk, ...rest);
  };
}

/**
 * Observes a response body stream's data/end/error/close events as they are emitted to the app. `cutShort` tells an
 * 'end' that only closes a stream cut short from the body's real end (HTTP/2 emits 'end' when the client closes a
 * stream early, e.g. on an abort or timeout, and when the connection is torn down): it returns 'cancelled' for the
 * app's own close, an error for a network cut, or undefined for a real end.
 */
export function tapResponseBody(
  stream: EventEmitter & { readableEncoding?: BufferEncoding | null },
  recorder: CallRecorder,
  cutShort?: () => 'cancelled' | Error | undefined,
): void {
  const originalEmit: Emit = stream.emit;
  let ended = false;
  stream.emit = function emit(this: EventEmitter, event: string | symbol, ...args: unknown[]) {
    try {
      if (event === 'data') {
        const chunk = args[0];
        if (typeof chunk === 'string') {
          // setEncoding() turned bytes into text; turn them back for the decoder.
          recorder.chunk(Buffer.from(chunk, stream.readableEncoding ?? 'utf8'));
        } else if (chunk instanceof Uint8Array) {
          recorder.chunk(chunk);
        }
      } else if (event === 'end') {
        ended = true;
        const cut = cutShort?.();
        if (cut === undefined) recorder.end();
        else if (cut === 'cancelled') recorder.cancelled();
        else recorder.fail(cut);
      } else if (event === 'error') {
        recorder.fail(args[0]);
      } else if (event === 'aborted') {
        recorder.fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      } else if (event === 'close' && !ended) {
        // Closed before 'end': destroyed by the app (a cancel) or cut by the network.
        const cut = cutShort?.();
        if (cut instanceof Error) recorder.fail(cut);
        else recorder.cancelled();
      }
    } catch (err) {
      contain('response tap', err);
    }
    return originalEmit.apply(this, [event, ...args] as Parameters<Emit>);
  } as Emit;
}
