/**
 * Incremental newline-delimited JSON decoder (Ollama's native streams). One JSON value per line; a line may be
 * split across chunks and may end in CRLF. Blank lines are skipped; lines that are not JSON are skipped and
 * counted. It never throws and drops (and counts) a line longer than the cap instead of buffering it.
 *
 * End of stream: a final line without a trailing newline is still parsed, since NDJSON does not require the
 * last newline; a truncated last line simply fails to parse and is counted as invalid.
 */

export const NDJSON_MAX_LINE_CHARS = 8 * 1024 * 1024;

const LF = 10;

export class NdjsonDecoder {
  /** Non-empty lines that were not valid JSON. */
  invalidLines = 0;
  /** Lines dropped because they exceeded the size cap. */
  droppedLines = 0;

  private readonly onValue: (value: unknown) => void;
  private readonly maxChars: number;
  private readonly utf8 = new TextDecoder('utf-8');
  private partial = '';
  private discarding = false;
  private ended = false;

  constructor(onValue: (value: unknown) => void, maxLineChars = NDJSON_MAX_LINE_CHARS) {
    this.onValue = onValue;
    this.maxChars = maxLineChars;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
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
      this.feed(this.utf8.decode());
    } catch {
      // defensive only
    }
    const rest = this.partial;
    this.partial = '';
    if (!this.discarding) this.line(rest);
    this.discarding = false;
  }

  private feed(text: string): void {
    let pos = 0;
    const len = text.length;
    while (pos < len) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) {
        this.appendPartial(text, pos);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else if (this.partial.length > 0) {
        const line = this.partial + text.slice(pos, nl);
        this.partial = '';
        this.line(line);
      } else {
        this.line(text.slice(pos, nl));
      }
      pos = nl + 1;
    }
  }

  private appendPartial(text: string, from: number): void {
    if (this.discarding) return;
    if (this.partial.length + (text.length - from) > this.maxChars) {
      this.droppedLines++;
      this.discarding = true;
      this.partial = '';
      return;
    }
    this.partial += from === 0 ? text : text.slice(from);
  }

  private line(raw: string): void {
    if (raw.length > this.maxChars) {
      this.droppedLines++;
      return;
    }
    // JSON.parse tolerates surrounding whitespace (including a CR), so only the blank check needs a trim.
    if (isBlank(raw)) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.invalidLines++;
      return;
    }
    try {
      this.onValue(value);
    } catch {
      // the consumer contains its own failures
    }
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== LF) return false;
  }
  return true;
}
