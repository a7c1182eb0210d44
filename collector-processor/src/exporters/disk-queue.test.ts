/** The on-disk item format, the disk store, and the queue's bound on bodies kept in memory. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLog } from './__fixtures__/backend.js';
import { DiskQueueStore, decodeItem, encodeItem, exporterDirName, type RecoveredItem } from './disk-queue.js';
import { ExportQueue } from './queue.js';
import type { QueueItem } from './types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ailedger-disk-queue-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (text: string, items = 1): QueueItem => ({
  signal: 'traces',
  body: Buffer.from(text),
  contentType: 'application/x-protobuf',
  items,
});

async function recover(store: DiskQueueStore): Promise<{ items: RecoveredItem[]; nextSeq: number }> {
  const items: RecoveredItem[] = [];
  const nextSeq = await store.open((r) => items.push(r));
  return { items, nextSeq };
}

describe('item format', () => {
  it('round-trips metadata and body', () => {
    const data = Buffer.concat(
      encodeItem({
        signal: 'metrics',
        body: Buffer.from('hello'),
        contentType: 'application/json',
        items: 7,
      }),
    );
    const { meta, body } = decodeItem(data);
    expect(meta).toEqual({ signal: 'metrics', contentType: 'application/json', items: 7 });
    expect(Buffer.from(body).toString()).toBe('hello');
  });

  it('detects truncation, a flipped bit, trailing bytes and foreign files', () => {
    const data = Buffer.concat(encodeItem(item('some body bytes', 2)));
    expect(() => decodeItem(data.subarray(0, data.length - 1))).toThrow(/truncated/);
    expect(() => decodeItem(data.subarray(0, 10))).toThrow(/truncated/);
    const flipped = Buffer.from(data);
    flipped[flipped.length - 8]! ^= 0x01;
    expect(() => decodeItem(flipped)).toThrow(/checksum/);
    expect(() => decodeItem(Buffer.concat([data, Buffer.from([0])]))).toThrow(/trailing/);
    expect(() => decodeItem(Buffer.from('{"not":"ours"} padding padding'))).toThrow(/magic/);
  });

  it('names exporter directories safely', () => {
    expect(exporterDirName('honeycomb')).toBe('honeycomb');
    expect(exporterDirName('otlp_http/tempo')).toBe('otlp_http%2Ftempo');
    expect(exporterDirName('a b')).toBe('a%20b');
    expect(() => exporterDirName('..')).toThrow();
    expect(() => exporterDirName('')).toThrow();
  });
});

describe('DiskQueueStore', () => {
  it.each([false, true])('writes atomically and reads back in order (fsync %s)', async (fsync) => {
    const store = new DiskQueueStore(path.join(dir, 'x'), fsync, captureLog(), 'x');
    expect((await recover(store)).nextSeq).toBe(1);
    await store.write(1, item('one'));
    await store.write(2, item('two', 2));
    await store.write(10, item('ten'));
    expect((await readdir(store.directory)).sort()).toEqual([
      '0000000000000001.item',
      '0000000000000002.item',
      '0000000000000010.item',
    ]);
    await store.remove(2);
    await store.remove(2); // already gone: fine
    const again = await recover(new DiskQueueStore(store.directory, fsync, captureLog(), 'x'));
    expect(again.items.map((r) => [r.seq, Buffer.from(r.body).toString(), r.meta.items])).toEqual([
      [1, 'one', 1],
      [10, 'ten', 1],
    ]);
    expect(again.nextSeq).toBe(11);
    expect(Buffer.from((await store.read(10))!).toString()).toBe('ten');
  });

  it('skips corrupt files (renamed .corrupt, warned) and removes incomplete writes, without failing', async () => {
    const log = captureLog();
    const store = new DiskQueueStore(dir, false, log, 'x');
    await recover(store);
    for (let seq = 1; seq <= 4; seq++) await store.write(seq, item(`item-${seq}`));
    const file = (seq: number) => path.join(dir, `${String(seq).padStart(16, '0')}.item`);
    const full = await readFile(file(2));
    await writeFile(file(2), full.subarray(0, full.length - 5)); // crash mid-write without fsync
    await writeFile(file(3), 'garbage '.repeat(8));
    await writeFile(`${file(5)}.tmp`, full.subarray(0, 9)); // a write that never completed
    await writeFile(path.join(dir, 'README'), 'not an item');
    const { items, nextSeq } = await recover(store);
    expect(items.map((r) => r.seq)).toEqual([1, 4]);
    expect(nextSeq).toBe(6);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => [l.fields.file, l.fields.error])).toEqual([
      ['0000000000000002.item', 'truncated'],
      ['0000000000000003.item', 'bad magic'],
      ['0000000000000005.item.tmp', undefined],
    ]);
    expect((await readdir(dir)).sort()).toEqual([
      '0000000000000001.item',
      '0000000000000002.item.corrupt',
      '0000000000000003.item.corrupt',
      '0000000000000004.item',
      'README',
    ]);
    // A file that vanished or rotted after the start reads back as undefined (logged), not a throw.
    await writeFile(file(4), 'rotted');
    expect(await store.read(4)).toBeUndefined();
    expect(await store.read(99)).toBeUndefined();
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });
});

describe('ExportQueue with a disk store', () => {
  it('keeps at most residentBytes of bodies in memory and reads the rest back from disk', async () => {
    const store = new DiskQueueStore(dir, false, captureLog(), 'x');
    const queue = new ExportQueue(1_000, store, 100);
    await queue.open();
    const bodies = Array.from(
      { length: 20 },
      (_, i) => `body-${String(i).padStart(2, '0')}-${'z'.repeat(30)}`,
    );
    for (const b of bodies) await queue.push(item(b));
    expect(queue.size()).toBe(20);
    expect(queue.residentBodyBytes()).toBeLessThanOrEqual(100);
    expect(queue.entries().filter((e) => e.body === undefined).length).toBeGreaterThanOrEqual(17);
    const loaded = await queue.loadBodies(queue.entries());
    expect(loaded.map((b) => Buffer.from(b!).toString())).toEqual(bodies);

    await queue.remove(queue.entries().slice(0, 5));
    expect(queue.size()).toBe(15);
    expect(await readdir(dir)).toHaveLength(15);

    // A new queue on the same directory gets the 15 back, in order, again within the memory bound.
    const reopened = new ExportQueue(1_000, new DiskQueueStore(dir, false, captureLog(), 'x'), 100);
    await reopened.open();
    expect(reopened.size()).toBe(15);
    expect(reopened.residentBodyBytes()).toBeLessThanOrEqual(100);
    const again = await reopened.loadBodies(reopened.entries());
    expect(again.map((b) => Buffer.from(b!).toString())).toEqual(bodies.slice(5));
    await reopened.push(item('after restart'));
    expect(reopened.entries().at(-1)!.seq).toBe(21);
  });

  it('gives the reservation back when the write fails, so a failed enqueue is not counted', async () => {
    const store = new DiskQueueStore(path.join(dir, 'gone'), false, captureLog(), 'x');
    const queue = new ExportQueue(10, store);
    await queue.open();
    await rm(store.directory, { recursive: true });
    await expect(queue.push(item('x', 3))).rejects.toThrow(/ENOENT/);
    expect(queue.size()).toBe(0);
    expect(queue.entries()).toHaveLength(0);
    expect(queue.hasCapacity(10)).toBe(true);
  });
});
