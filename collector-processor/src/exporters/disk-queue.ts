/**
 * The persistent half of an exporter queue: one file per queued item in the exporter's own directory.
 *
 * Why one file per item: appending to a shared log needs compaction and makes "delete after the backend
 * accepted it" a rewrite; a file per item makes enqueue a write + rename and acknowledgement an unlink, and a
 * crash can only ever leave a whole file, a stray temp file, or (without fsync, after power loss) a truncated
 * one, which the checksum catches.
 *
 * File `<seq, 16 digits>.item`, little-endian:
 *   "ALQ1" | u32 metaLength | meta JSON {signal, contentType, items} | u32 bodyLength | body | u32 CRC-32
 * where the CRC covers everything before it. Files are written as `<name>.tmp` and renamed, so a reader never
 * sees a half-written `.item`; with fsync the file and then the directory are synced before enqueue resolves.
 */
import { type FileHandle, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Logger } from '../log.js';
import type { QueueItem, Signal } from './types.js';

const MAGIC = Buffer.from('ALQ1', 'latin1');
const ITEM_SUFFIX = '.item';
const TMP_SUFFIX = '.tmp';
const CORRUPT_SUFFIX = '.corrupt';
const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

export interface StoredMeta {
  signal: Signal;
  contentType: string;
  items: number;
}

export interface RecoveredItem {
  seq: number;
  meta: StoredMeta;
  body: Uint8Array;
}

// Node >= 20.15 ships zlib.crc32; older 20.x lines fall back to a table-driven version.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
let crcTable: Uint32Array | undefined;
function crc32(chunks: readonly Uint8Array[]): number {
  if (nativeCrc32) {
    let crc = 0;
    for (const c of chunks) crc = nativeCrc32(c, crc);
    return crc >>> 0;
  }
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) crc = crcTable[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The chunks of one item file (written with writev, so the body is not copied). */
export function encodeItem(item: QueueItem): Uint8Array[] {
  const meta = Buffer.from(
    JSON.stringify({ signal: item.signal, contentType: item.contentType, items: item.items }),
    'utf8',
  );
  const head = Buffer.alloc(8);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(meta.length, 4);
  const bodyLength = Buffer.alloc(4);
  bodyLength.writeUInt32LE(item.body.length, 0);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32([head, meta, bodyLength, item.body]), 0);
  return [head, meta, bodyLength, item.body, crc];
}

/** Parses one item file; throws with a short reason when it is truncated, altered or not ours. */
export function decodeItem(data: Uint8Array): { meta: StoredMeta; body: Uint8Array } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 16) throw new Error('truncated');
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new Error('bad magic');
  const metaLength = buf.readUInt32LE(4);
  if (8 + metaLength + 8 > buf.length) throw new Error('truncated');
  const bodyLength = buf.readUInt32LE(8 + metaLength);
  const end = 12 + metaLength + bodyLength;
  if (end + 4 !== buf.length) throw new Error(end + 4 > buf.length ? 'truncated' : 'trailing bytes');
  if (crc32([buf.subarray(0, end)]) !== buf.readUInt32LE(end)) throw new Error('checksum mismatch');
  const parsed: unknown = JSON.parse(buf.subarray(8, 8 + metaLength).toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('bad metadata');
  const { signal, contentType, items } = parsed as Record<string, unknown>;
  if (!SIGNALS.includes(signal as Signal) || typeof contentType !== 'string' || typeof items !== 'number') {
    throw new Error('bad metadata');
  }
  // A copy, so the (possibly large) file buffer is not kept alive by a view into it.
  const body = new Uint8Array(buf.subarray(12 + metaLength, end));
  return { meta: { signal: signal as Signal, contentType, items }, body };
}

/** Directory name for an exporter: its name, with anything outside [A-Za-z0-9_.-] percent-encoded. */
export function exporterDirName(name: string): string {
  if (name === '' || name === '.' || name === '..')
    throw new Error(`exporter name "${name}" cannot name a queue directory`);
  return name.replace(/[^A-Za-z0-9_.-]/g, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function fileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}${ITEM_SUFFIX}`;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

export class DiskQueueStore {
  constructor(
    readonly directory: string,
    private readonly fsync: boolean,
    private readonly log: Logger,
    private readonly exporter: string,
  ) {}

  /**
   * Creates the directory and streams what a previous run left, oldest first, one file at a time (so the
   * caller decides which bodies stay in memory). Leftover temp files are writes that never completed, hence
   * never acknowledged: removed. Unreadable items are renamed to `.corrupt` (kept for inspection, never
   * retried) and logged; they never fail the start. Returns the next free sequence number.
   */
  async open(onItem: (item: RecoveredItem) => void): Promise<number> {
    await mkdir(this.directory, { recursive: true });
    const names = (await readdir(this.directory)).sort();
    let maxSeq = 0;
    for (const name of names) {
      const seq = Number.parseInt(name, 10);
      if (Number.isSafeInteger(seq)) maxSeq = Math.max(maxSeq, seq);
    }
    for (const name of names) {
      const file = path.join(this.directory, name);
      if (name.endsWith(TMP_SUFFIX)) {
        this.log.warn('queue: removing an incomplete write left by a previous run', {
          exporter: this.exporter,
          file: name,
        });
        await unlink(file).catch((err: unknown) =>
          this.log.warn('queue: could not remove incomplete write', {
            exporter: this.exporter,
            file: name,
            error: errorCode(err),
          }),
        );
        continue;
      }
      if (!name.endsWith(ITEM_SUFFIX)) continue;
      const seq = Number.parseInt(name, 10);
      try {
        if (!/^\d{16}\.item$/.test(name) || !Number.isSafeInteger(seq))
          throw new Error('unexpected file name');
        const { meta, body } = decodeItem(await readFile(file));
        onItem({ seq, meta, body });
      } catch (err) {
        this.log.warn('queue: skipping a corrupt item file (renamed to .corrupt)', {
          exporter: this.exporter,
          file: name,
          error: errorCode(err),
        });
        await rename(file, file + CORRUPT_SUFFIX).catch(() => undefined);
      }
    }
    return maxSeq + 1;
  }

  /** Resolves once the item is in its final file (and synced when fsync is on). */
  async write(seq: number, item: QueueItem): Promise<void> {
    const final = path.join(this.directory, fileName(seq));
    const tmp = final + TMP_SUFFIX;
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmp, 'w');
      const chunks = encodeItem(item);
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const { bytesWritten } = await handle.writev(chunks);
      if (bytesWritten !== total) throw new Error(`short write (${bytesWritten} of ${total} bytes)`);
      if (this.fsync) await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(tmp, final);
      if (this.fsync) await this.syncDirectory();
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  /** Reads back an item whose body was not kept in memory; undefined (logged) when gone or corrupt. */
  async read(seq: number): Promise<Uint8Array | undefined> {
    const name = fileName(seq);
    try {
      return decodeItem(await readFile(path.join(this.directory, name))).body;
    } catch (err) {
      this.log.error('queue: could not read a queued item back from disk', {
        exporter: this.exporter,
        file: name,
        error: errorCode(err),
      });
      return undefined;
    }
  }

  /** Deletes a delivered (or deliberately dropped) item; failure only risks a duplicate after a restart. */
  async remove(seq: number): Promise<void> {
    try {
      await unlink(path.join(this.directory, fileName(seq)));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return;
      this.log.warn('queue: could not delete a delivered item; it may be sent again after a restart', {
        exporter: this.exporter,
        file: fileName(seq),
        error: errorCode(err),
      });
    }
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
