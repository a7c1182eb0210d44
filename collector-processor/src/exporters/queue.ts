/**
 * An exporter's bounded FIFO queue. Memory-only, or backed by a DiskQueueStore (one file per item).
 *
 * The bound is in items (spans, data points, log records): `items + n > maxItems` refuses, and so does an
 * entry count at maxItems (so empty envelopes cannot grow it either). Capacity is reserved synchronously when
 * an enqueue starts, so concurrent enqueues can never overshoot while their disk writes are under way.
 *
 * Memory with the disk store: only metadata (~100 bytes) stays in RAM for every entry; bodies are kept only
 * while the resident total is under `residentBytes` (the newest beyond it are evicted right after their
 * write) and are read back from disk when their batch is sent. Memory stays bounded however long the backend
 * is down, while with a healthy backend nothing is ever read back.
 */
import type { DiskQueueStore } from './disk-queue.js';
import type { QueueItem, Signal } from './types.js';

export interface QueueEntry {
  readonly seq: number;
  readonly signal: Signal;
  readonly contentType: string;
  readonly items: number;
  readonly bytes: number;
  /** performance.now() when it became sendable; 0 for items recovered from disk (they are old). */
  enqueuedAt: number;
  /** In memory, or undefined when evicted to disk (see loadBodies). */
  body: Uint8Array | undefined;
  /** False while its disk write is still under way; the sender never passes an entry that is not ready. */
  ready: boolean;
}

export const DEFAULT_RESIDENT_BYTES = 16 * 1024 * 1024;

export class ExportQueue {
  private readonly list: QueueEntry[] = [];
  private itemCount = 0;
  private resident = 0;
  private nextSeq = 1;

  constructor(
    readonly maxItems: number,
    private readonly store: DiskQueueStore | undefined,
    private readonly residentBytes: number = DEFAULT_RESIDENT_BYTES,
    /** Called after every change (gauge update, waking the sender). */
    private readonly onChange: () => void = () => {},
  ) {}

  get persistent(): boolean {
    return this.store !== undefined;
  }

  /** Loads what a previous run left on disk (no-op in memory). */
  async open(): Promise<void> {
    if (!this.store) return;
    this.nextSeq = await this.store.open((r) => {
      const keep = this.resident + r.body.length <= this.residentBytes;
      if (keep) this.resident += r.body.length;
      this.list.push({
        seq: r.seq,
        signal: r.meta.signal,
        contentType: r.meta.contentType,
        items: r.meta.items,
        bytes: r.body.length,
        enqueuedAt: 0,
        body: keep ? r.body : undefined,
        ready: true,
      });
      this.itemCount += r.meta.items;
    });
    this.onChange();
  }

  hasCapacity(items: number): boolean {
    return this.itemCount + items <= this.maxItems && this.list.length < this.maxItems;
  }

  /** Queues the item; resolves once it is durable (disk) or at once (memory). Throws when over the bound. */
  async push(item: QueueItem): Promise<void> {
    if (!this.hasCapacity(item.items)) {
      throw new Error(
        `queue full: ${this.itemCount} of ${this.maxItems} items queued, ${item.items} more refused`,
      );
    }
    const entry: QueueEntry = {
      seq: this.nextSeq++,
      signal: item.signal,
      contentType: item.contentType,
      items: item.items,
      bytes: item.body.length,
      enqueuedAt: performance.now(),
      body: item.body,
      ready: this.store === undefined,
    };
    this.resident += entry.bytes;
    this.list.push(entry);
    this.itemCount += entry.items;
    if (!this.store) {
      this.onChange();
      return;
    }
    try {
      await this.store.write(entry.seq, item);
    } catch (err) {
      // Not durable, so not acknowledged: give the reservation back; the receiver refuses the request.
      this.detach(entry);
      this.onChange();
      throw err;
    }
    entry.ready = true;
    entry.enqueuedAt = performance.now();
    if (this.resident > this.residentBytes) {
      entry.body = undefined;
      this.resident -= entry.bytes;
    }
    this.onChange();
  }

  /** Entries in order, including those whose write is still under way (check `ready`). */
  entries(): readonly QueueEntry[] {
    return this.list;
  }

  /** Items queued (including reservations whose disk write is under way). */
  size(): number {
    return this.itemCount;
  }

  /** Bytes of bodies held in memory (for tests and diagnostics). */
  residentBodyBytes(): number {
    return this.resident;
  }

  /** The bodies of a batch, read back from disk where evicted; undefined for one that cannot be read. */
  async loadBodies(batch: readonly QueueEntry[]): Promise<Array<Uint8Array | undefined>> {
    const out: Array<Uint8Array | undefined> = [];
    for (const e of batch) out.push(e.body ?? (this.store ? await this.store.read(e.seq) : undefined));
    return out;
  }

  /** Forgets entries (delivered or dropped) and deletes their files. */
  async remove(batch: readonly QueueEntry[]): Promise<void> {
    // Batches are head prefixes: one splice instead of one per entry (queues can hold many thousands).
    if (batch.every((e, i) => this.list[i] === e)) {
      this.list.splice(0, batch.length);
      for (const e of batch) this.account(e);
    } else {
      for (const e of batch) this.detach(e);
    }
    this.onChange();
    if (this.store) for (const e of batch) await this.store.remove(e.seq);
  }

  /** Forgets everything in memory without touching disk (memory queue at the end of a shutdown). */
  clear(): QueueEntry[] {
    const all = this.list.splice(0, this.list.length);
    this.itemCount = 0;
    this.resident = 0;
    this.onChange();
    return all;
  }

  private detach(entry: QueueEntry): void {
    const i = this.list.indexOf(entry);
    if (i < 0) return;
    this.list.splice(i, 1);
    this.account(entry);
  }

  private account(removed: QueueEntry): void {
    this.itemCount -= removed.items;
    if (removed.body !== undefined) this.resident -= removed.bytes;
  }
}
