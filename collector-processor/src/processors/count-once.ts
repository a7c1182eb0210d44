/**
 * The parent/child rule for spans that arrive without an `ailedger.accounted_by` mark: a foreign GenAI span that
 * has one of our model-call spans below it describes the same call (an SDK's or framework's view of it) and is
 * not counted. Children end, and so are exported, before their parents, so remembering "this span id has our
 * span below it" for a while is enough; entries expire and the index is bounded, so memory stays flat.
 */
export interface CountOnceOptions {
  /** How long a covered span id is remembered; parents normally arrive within seconds. */
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class CountOnceIndex {
  private readonly covered = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: CountOnceOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  /** Records that `spanId` of `traceId` has one of our model-call spans at or below it. */
  markCovered(traceId: string, spanId: string): void {
    const key = `${traceId}:${spanId}`;
    const now = this.now();
    this.covered.delete(key);
    this.covered.set(key, now + this.ttlMs);
    this.evict(now);
  }

  isCovered(traceId: string, spanId: string): boolean {
    const key = `${traceId}:${spanId}`;
    const expiry = this.covered.get(key);
    if (expiry === undefined) return false;
    if (expiry < this.now()) {
      this.covered.delete(key);
      return false;
    }
    return true;
  }

  size(): number {
    return this.covered.size;
  }

  /** Insertion order is expiry order (every insert has the same TTL), so the oldest entries are at the front. */
  private evict(now: number): void {
    for (const [key, expiry] of this.covered) {
      if (this.covered.size <= this.maxEntries && expiry >= now) break;
      this.covered.delete(key);
    }
  }
}
