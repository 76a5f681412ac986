import { describe, expect, it } from 'vitest';
import type { Item } from '../src/items.js';
import { PartitionBuffer, type RollLimits, type Segment } from '../src/segment.js';

const limits: RollLimits = { maxRecords: 3, maxBytes: 1000, maxSpanMs: 60_000 };
const row = (offset: number, eventMs = 0, dt = '2026-11-27', size = 10): Item => ({ kind: 'row', offset: BigInt(offset), dt, eventMs, json: Buffer.alloc(size), start: 0, end: size });
const marker = (offset: number): Item => ({ kind: 'marker', offset: BigInt(offset) });

function cut(items: Item[], buf = new PartitionBuffer('gps_data', 0, limits)): Segment[] {
  return items.flatMap((i) => buf.add(i));
}
const bounds = (segs: Segment[]) => segs.map((s) => [Number(s.startOffset), Number(s.lastOffset), s.records]);

describe('PartitionBuffer', () => {
  it('rolls by record count', () => {
    expect(bounds(cut([0, 1, 2, 3, 4, 5, 6].map((o) => row(o))))).toEqual([
      [0, 2, 3],
      [3, 5, 3],
    ]);
  });

  it('rolls by bytes before a record would overflow', () => {
    const segs = cut([row(0, 0, undefined, 600), row(1, 0, undefined, 600), row(2, 0, undefined, 100)]);
    expect(bounds(segs)).toEqual([[0, 0, 1]]);
  });

  it('rolls by event-time span, not by the clock', () => {
    const segs = cut([row(0, 0), row(1, 30_000), row(2, 61_000), row(3, 62_000)]);
    expect(bounds(segs)).toEqual([[0, 1, 2]]);
  });

  it('late events join the open segment and are grouped under their own date', () => {
    const buf = new PartitionBuffer('gps_data', 0, { ...limits, maxRecords: 10 });
    cut([row(0, 100_000, '2026-11-27'), row(1, 0, '2026-11-26'), row(2, 100_001, '2026-11-27')], buf);
    const seg = buf.openSegment!;
    expect([...seg.rows.keys()].sort()).toEqual(['2026-11-26', '2026-11-27']);
    expect(seg.rows.get('2026-11-27')!.length).toBe(2);
  });

  it('a marker closes the open segment at its own offset; a lone marker closes an empty one', () => {
    const segs = cut([row(0), row(1), marker(2), marker(3), row(4)]);
    expect(bounds(segs)).toEqual([
      [0, 2, 2],
      [3, 3, 0],
    ]);
    expect(segs[0]!.nextOffset).toBe(3n);
  });

  it('a replay from any committed offset cuts the same segments', () => {
    const items = [row(0, 0), row(1, 1000), marker(2), row(3, 2000), row(4, 200_000), row(5, 200_001), row(6, 200_002), row(7, 200_003)];
    const first = bounds(cut(items));
    for (const seg of cut(items)) {
      const from = items.filter((i) => i.offset >= seg.nextOffset);
      const replay = bounds(cut(from));
      expect(replay).toEqual(first.filter(([start]) => BigInt(start!) >= seg.nextOffset));
    }
  });

  it('starts over when the consumer rewinds to a committed offset', () => {
    const buf = new PartitionBuffer('gps_data', 0, limits);
    cut([row(0), row(1)], buf);
    expect(buf.pendingRecords).toBe(2);
    const segs = cut([row(0), row(1), row(2), row(3)], buf);
    expect(bounds(segs)).toEqual([[0, 2, 3]]);
  });
});
