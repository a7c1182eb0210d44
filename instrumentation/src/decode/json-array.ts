/**
 * Incremental parser for one streamed top-level JSON array (`[{…},\r\n{…}]`), as the Gemini API sends
 * `:streamGenerateContent` without `alt=sse`. Each top-level element is emitted as soon as its last character
 * arrives. Only the structure is scanned (strings, escapes, nesting depth), so braces inside strings are safe;
 * each complete element is then handed to JSON.parse.
 *
 * Tolerance: if the body does not start with `[` (an error object, say), top-level values are emitted one by
 * one as a concatenated JSON stream. Anything after the closing `]` is ignored. Elements that fail to parse are
 * skipped and counted; an element over the cap is dropped (and counted) instead of buffered. Never throws.
 *
 * End of stream: an unfinished object, array or string is discarded; a bare scalar (`… 42`) is complete at EOF.
 */

export const JSON_ARRAY_MAX_ELEMENT_CHARS = 8 * 1024 * 1024;

// Parser states (plain numbers: cheap comparisons, no enum object).
const BEFORE = 0;
const BETWEEN = 1;
const IN_ELEMENT = 2;
const DONE = 3;
type State = typeof BEFORE | typeof BETWEEN | typeof IN_ELEMENT | typeof DONE;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

export class JsonArrayDecoder {
  /** Complete elements that were not valid JSON. */
  invalidElements = 0;
  /** Elements dropped because they exceeded the size cap. */
  droppedElements = 0;

  private readonly onValue: (value: unknown) => void;
  private readonly maxChars: number;
  private readonly utf8 = new TextDecoder('utf-8');
  private state: State = BEFORE;
  /** true when the body opened with `[`; false for a bare sequence of values. */
  private inArray = false;
  private partial = '';
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;
  private discarding = false;
  private ended = false;

  constructor(onValue: (value: unknown) => void, maxElementChars = JSON_ARRAY_MAX_ELEMENT_CHARS) {
    this.onValue = onValue;
    this.maxChars = maxElementChars;
  }

  push(chunk: Uint8Array): void {
    if (this.ended || this.state === DONE) return;
    try {
      this.feed(this.utf8.decode(chunk, { stream: true }));
    } catch {
      // non-fatal TextDecoder does not throw; defensive only
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (this.state !== DONE) this.feed(this.utf8.decode());
      if (this.state === IN_ELEMENT && this.scalar) this.complete('', 0, 0);
    } catch {
      // defensive only
    }
    this.partial = '';
    this.state = DONE;
  }

  private feed(text: string): void {
    const len = text.length;
    let i = 0;
    // Where the current element starts in this chunk (it continues from `partial` when it began earlier).
    let start = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (this.state === IN_ELEMENT) {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === BACKSLASH) this.escape = true;
          else if (c === QUOTE) {
            this.inString = false;
            if (this.depth === 0) this.complete(text, start, i + 1);
          }
          i++;
          continue;
        }
        if (this.scalar) {
          if (isWhitespace(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
            this.complete(text, start, i);
            continue; // the delimiter is read again between elements
          }
          i++;
          continue;
        }
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          this.depth--;
          if (this.depth === 0) this.complete(text, start, i + 1);
        }
        i++;
        continue;
      }
      if (this.state === DONE) return;
      if (isWhitespace(c) || c === COMMA) {
        i++;
        continue;
      }
      if (this.state === BEFORE) {
        this.state = BETWEEN;
        if (c === OPEN_BRACKET) {
          this.inArray = true;
          i++;
          continue;
        }
      }
      if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
        if (this.inArray && c === CLOSE_BRACKET) {
          this.state = DONE;
          return;
        }
        i++; // stray closer in a bare sequence: skip it
        continue;
      }
      this.state = IN_ELEMENT;
      start = i;
      this.partial = '';
      this.depth = c === OPEN_BRACE || c === OPEN_BRACKET ? 1 : 0;
      this.inString = c === QUOTE;
      this.escape = false;
      this.scalar = this.depth === 0 && !this.inString;
      i++;
    }
    if (this.state === IN_ELEMENT) this.appendPartial(text, start);
  }

  private appendPartial(text: string, from: number): void {
    if (this.discarding) return;
    if (this.partial.length + (text.length - from) > this.maxChars) {
      this.droppedElements++;
      this.discarding = true;
      this.partial = '';
      return;
    }
    this.partial += from === 0 ? text : text.slice(from);
  }

  private complete(text: string, start: number, end: number): void {
    this.state = BETWEEN;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const raw = this.partial.length > 0 ? this.partial + text.slice(start, end) : text.slice(start, end);
    this.partial = '';
    if (raw.length > this.maxChars) {
      this.droppedElements++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.invalidElements++;
      return;
    }
    try {
      this.onValue(value);
    } catch {
      // the consumer contains its own failures
    }
  }
}
