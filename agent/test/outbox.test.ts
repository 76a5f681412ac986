import { appendFile, mkdtemp, open as openFile, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../src/outbox/codec.js';
import { Outbox } from '../src/outbox/outbox.js';

let dir: string;
const opened: Outbox[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
});
afterEach(async () => {
  for (const box of opened.splice(0)) await box.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(opts: Partial<Parameters<typeof Outbox.open>[0]> = {}): Promise<Outbox> {
  const box = await Outbox.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, checkpointIntervalMs: 3_600_000, ...opts });
  opened.push(box);
  return box;
}

const entry = (i: number, bytes = 20) => ({
  topic: `fleetlake/v1/dev-1/vehicle`,
  payload: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(bytes) })),
  key: 'vehicle',
  seq: i,
});

/** The path of the one segment file in the outbox folder. */
async function onlySegment(): Promise<string> {
  const segs = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
  expect(segs).toHaveLength(1);
  return join(dir, segs[0]!);
}

/** An outbox holding entries 0..n-1, closed cleanly. */
async function filledAndClosed(n: number): Promise<void> {
  const box = await open();
  for (let i = 0; i < n; i++) await box.append(entry(i));
  await box.close();
}

async function pendingEntries(box: Outbox): Promise<number[]> {
  const out: number[] = [];
  for (let lsn = box.nextPending(0); lsn !== undefined; lsn = box.nextPending(lsn + 1)) {
    const e = await box.read(lsn);
    out.push((JSON.parse(e!.payload.toString()) as { i: number }).i);
  }
  return out;
}

describe('codec', () => {
  it('round-trips an entry and rejects torn or corrupted frames', () => {
    const frame = encodeFrame(entry(7));
    const r = decodeFrame(frame);
    expect(r.ok && r.entry).toMatchObject({ topic: 'fleetlake/v1/dev-1/vehicle', key: 'vehicle', seq: 7 });
    expect(decodeFrame(frame.subarray(0, frame.length - 1))).toEqual({ ok: false, reason: 'truncated' });
    const flipped = Buffer.from(frame);
    flipped[frame.length - 3]! ^= 0x40;
    expect(decodeFrame(flipped)).toEqual({ ok: false, reason: 'bad_crc' });
    const noSeq = decodeFrame(encodeFrame({ topic: 't', payload: Buffer.from([0xff, 0xd8]) }));
    expect(noSeq.ok && noSeq.entry.seq).toBeUndefined();
  });
});

describe('Outbox', () => {
  it('keeps entries in order across a clean restart and forgets acknowledged ones', async () => {
    const box = await open();
    const lsns = await Promise.all(Array.from({ length: 300 }, (_, i) => box.append(entry(i))));
    expect(lsns).toEqual([...lsns].sort((a, b) => a - b));
    expect(new Set(lsns).size).toBe(300);
    for (const lsn of lsns.slice(0, 100)) box.ack(lsn);
    await box.close();
    const again = await open();
    expect(await pendingEntries(again)).toEqual(Array.from({ length: 200 }, (_, i) => i + 100));
    expect(again.maxSeq('vehicle')).toBe(299);
  });

  it('re-sends entries acknowledged after the last checkpoint when the process dies (duplicates, not loss)', async () => {
    const crashed = await Outbox.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16, checkpointIntervalMs: 3_600_000 });
    const lsns = await Promise.all(Array.from({ length: 20 }, (_, i) => crashed.append(entry(i))));
    for (const lsn of lsns.slice(0, 5)) crashed.ack(lsn);
    await crashed.checkpoint();
    for (const lsn of lsns.slice(5, 10)) crashed.ack(lsn);
    // no close(): as after kill -9
    const box = await open();
    expect(await pendingEntries(box)).toEqual(Array.from({ length: 15 }, (_, i) => i + 5));
  });

  it('counts the bytes of the entries not yet acknowledged, out-of-order acks included', async () => {
    const box = await open({ segmentBytes: 4096 });
    const frames: number[] = [];
    for (let i = 0; i < 100; i++) {
      await box.append(entry(i, i)); // entries of different sizes, over several segments
      frames.push(encodeFrame(entry(i, i)).length);
    }
    expect(box.stats().segments).toBeGreaterThan(1);
    const sum = (idx: number[]) => idx.reduce((n, i) => n + frames[i]!, 0);
    const all = Array.from({ length: 100 }, (_, i) => i);
    expect(box.stats().pendingBytes).toBe(sum(all));
    const acked = [0, 1, 2, 5, 40, 41, 99];
    for (const lsn of acked) box.ack(lsn);
    expect(box.stats()).toMatchObject({ pending: 93, pendingBytes: sum(all.filter((i) => !acked.includes(i))) });
    for (const lsn of all) box.ack(lsn);
    expect(box.stats()).toMatchObject({ pending: 0, pendingBytes: 0 });
    expect(box.isOpen).toBe(true);
    await box.close();
    expect(box.isOpen).toBe(false);
  });

  it('discards a torn last write and keeps appending after it', async () => {
    await filledAndClosed(10);
    const file = await onlySegment();
    const sizeBefore = (await stat(file)).size;
    await appendFile(file, encodeFrame(entry(10)).subarray(0, 25)); // half a frame: power cut mid-write
    const reopened = await open();
    expect(reopened.stats().discardedBytes).toBe(25);
    expect((await stat(file)).size).toBe(sizeBefore);
    await reopened.append(entry(11));
    await reopened.close();
    const third = await open();
    expect(await pendingEntries(third)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
  });

  it('cuts a segment at a frame whose CRC does not match', async () => {
    await filledAndClosed(5);
    const file = await onlySegment();
    const frameLen = encodeFrame(entry(0)).length;
    await truncate(file, frameLen * 4); // keep 4 whole frames
    const bad = encodeFrame(entry(4));
    bad[bad.length - 1]! ^= 0xff;
    await appendFile(file, bad);
    const reopened = await open();
    expect(await pendingEntries(reopened)).toEqual([0, 1, 2, 3]);
    expect(reopened.stats().discardedBytes).toBe(bad.length);
  });

  it('skips and counts an entry damaged on disk after it was written', async () => {
    const box = await open();
    for (let i = 0; i < 3; i++) await box.append(entry(i));
    const frameLen = encodeFrame(entry(0)).length;
    const fh = await openFile(await onlySegment(), 'r+');
    await fh.write(Buffer.from('Z'), 0, 1, frameLen + 30); // flip a byte inside the second entry
    await fh.close();
    expect(await box.read(1)).toBeUndefined();
    expect(box.stats().corrupt).toBe(1);
    expect(await pendingEntries(box)).toEqual([0, 2]);
  });

  it('stays within its byte bound by dropping the oldest entries, and counts them', async () => {
    const box = await open({ maxBytes: 16 * 1024, segmentBytes: 4 * 1024 });
    const frameLen = encodeFrame(entry(0, 200)).length;
    const n = 400;
    for (let i = 0; i < n; i++) {
      await box.append(entry(i, 200));
      expect(box.stats().diskBytes).toBeLessThanOrEqual(16 * 1024);
    }
    const left = await pendingEntries(box);
    const dropped = box.stats().dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(left.length + dropped).toBe(n);
    // what is left is the newest, in order
    expect(left).toEqual(Array.from({ length: left.length }, (_, i) => n - left.length + i));
    expect(left.length * frameLen).toBeGreaterThan(8 * 1024);
    await box.close();
    const reopened = await open({ maxBytes: 16 * 1024, segmentBytes: 4 * 1024 });
    expect(reopened.stats().dropped).toBe(dropped);
    expect(reopened.maxSeq('vehicle')).toBe(n - 1);
  });

  it('deletes acknowledged segments and still knows the highest seq after a restart', async () => {
    const box = await open({ maxBytes: 64 * 1024, segmentBytes: 2 * 1024 });
    const lsns: number[] = [];
    for (let i = 0; i < 100; i++) lsns.push(await box.append(entry(i)));
    const segsBefore = (await readdir(dir)).filter((f) => f.endsWith('.seg')).length;
    for (const lsn of lsns) box.ack(lsn);
    await box.checkpoint();
    await box.close();
    const segsAfter = (await readdir(dir)).filter((f) => f.endsWith('.seg')).length;
    expect(segsBefore).toBeGreaterThan(3);
    expect(segsAfter).toBe(1);
    const reopened = await open({ maxBytes: 64 * 1024, segmentBytes: 2 * 1024 });
    expect(reopened.maxSeq('vehicle')).toBe(99);
    expect(reopened.nextPending(0)).toBeUndefined();
    const lsn = await reopened.append(entry(100));
    expect(lsn).toBeGreaterThan(lsns[lsns.length - 1]!);
  });

  it('rejects a bad configuration and entries larger than half the bound', async () => {
    await expect(Outbox.open({ dir, maxBytes: 1000, segmentBytes: 800 })).rejects.toThrow(/twice segmentBytes/);
    const box = await open({ maxBytes: 8 * 1024, segmentBytes: 1024 });
    await expect(box.append(entry(0, 5000))).rejects.toMatchObject({ code: 'OUTBOX_ENTRY_TOO_LARGE' });
  });
});
