/**
 * Incremental Server-Sent Events decoder (WHATWG HTML "event stream interpretation"), fed raw body bytes in
 * whatever chunks the transport delivers. It never throws and never holds more than one capped event in memory.
 *
 * End of stream: per the spec an event is only dispatched at the blank line that ends it, so `end()` discards a
 * trailing event that never got its blank line (the official OpenAI SDK does the same). A truncated stream can
 * therefore lose its last, unterminated event, but never yields a half-received one.
 */

/** A pending event (data plus the unfinished line) larger than this is dropped, not buffered. */
export const SSE_MAX_EVENT_CHARS = 8 * 1024 * 1024;

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

export class SseDecoder {
  /** Events dropped because they exceeded the size cap. */
  droppedEvents = 0;

  private readonly onEvent: (event: string | undefined, data: string) => void;
  private readonly maxChars: number;
  private readonly utf8 = new TextDecoder('utf-8');
  /** The current line when a chunk ended inside it. */
  private partial = '';
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to the same line ending. */
  private skipLf = false;
  private data = '';
  private hasData = false;
  private eventType: string | undefined;
  /** Set while skipping the rest of an over-sized event, up to its blank line. */
  private discarding = false;
  /** While discarding: the current line already had (dropped) characters, so its end is no blank line. */
  private discardedLineContent = false;
  private ended = false;

  constructor(
    onEvent: (event: string | undefined, data: string) => void,
    maxEventChars = SSE_MAX_EVENT_CHARS,
  ) {
    this.onEvent = onEvent;
    this.maxChars = maxEventChars;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    try {
      this.feed(this.utf8.decode(chunk, { stream: true }));
    } catch {
      // decode() with the default (non-fatal) mode does not throw; this only guards against the unexpected.
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      // Flushes an incomplete UTF-8 sequence; whatever remains is an unterminated line of an incomplete event.
      this.utf8.decode();
    } catch {
      // ignore
    }
    this.partial = '';
    this.data = '';
    this.hasData = false;
  }

  private feed(text: string): void {
    const len = text.length;
    let pos = 0;
    if (this.skipLf && len > 0) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    while (pos < len) {
      let i = pos;
      let c = 0;
      for (; i < len; i++) {
        c = text.charCodeAt(i);
        if (c === LF || c === CR) break;
      }
      if (i === len) {
        this.appendPartial(text, pos);
        return;
      }
      let line: string;
      if (this.partial.length > 0) {
        line = this.partial + text.slice(pos, i);
        this.partial = '';
      } else {
        line = text.slice(pos, i);
      }
      this.line(line);
      if (c === CR) {
        if (i + 1 < len) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.skipLf = true;
        }
      }
      pos = i + 1;
    }
  }

  private appendPartial(text: string, from: number): void {
    if (this.discarding) {
      if (from < text.length) this.discardedLineContent = true;
      return;
    }
    const piece = from === 0 ? text : text.slice(from);
    if (this.partial.length + piece.length + this.data.length > this.maxChars) {
      this.drop();
      this.discardedLineContent = true;
      return;
    }
    this.partial += piece;
  }

  private drop(): void {
    this.droppedEvents++;
    this.discarding = true;
    this.partial = '';
    this.data = '';
    this.hasData = false;
    this.eventType = undefined;
  }

  private line(line: string): void {
    if (this.discarding) {
      if (line.length === 0 && !this.discardedLineContent) this.discarding = false;
      this.discardedLineContent = false;
      return;
    }
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === COLON) return; // comment / keep-alive
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      const start = colon + 1 < line.length && line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
      value = line.slice(start);
    }
    if (field === 'data') {
      if (this.data.length + value.length + 1 > this.maxChars) {
        this.drop();
        return;
      }
      this.data = this.hasData ? this.data + '\n' + value : value;
      this.hasData = true;
    } else if (field === 'event') {
      this.eventType = value;
    }
    // id, retry and unknown fields carry nothing we need.
  }

  private dispatch(): void {
    const type = this.eventType;
    this.eventType = undefined;
    if (!this.hasData) return;
    const data = this.data;
    this.data = '';
    this.hasData = false;
    try {
      this.onEvent(type === '' ? undefined : type, data);
    } catch {
      // The consumer contains its own failures; one bad event must not stop decoding of the rest.
    }
  }
}
