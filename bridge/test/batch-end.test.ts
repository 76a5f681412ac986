import { describe, expect, it } from 'vitest';
import { batchEnd } from '../src/kafka-lane.js';

const q = (...bytes: number[]) => bytes.map((b) => ({ bytes: b, record: { topic: 't' } }));
/** `[topic, bytes]` pairs. */
const qt = (...records: [string, number][]) => records.map(([topic, bytes]) => ({ bytes, record: { topic } }));

describe('batchEnd', () => {
  it('stops before the record that would pass maxBytes, so a batch never exceeds it', () => {
    expect(batchEnd(q(400, 400, 400), 0, 100, 1000)).toBe(2);
    expect(batchEnd(q(400, 600, 1), 0, 100, 1000)).toBe(2);
    expect(batchEnd(q(400, 400, 400, 400), 2, 100, 1000)).toBe(4);
  });

  it('stops at maxRecords and at the end of the queue', () => {
    expect(batchEnd(q(1, 1, 1, 1), 0, 3, 1000)).toBe(3);
    expect(batchEnd(q(1, 1), 1, 3, 1000)).toBe(2);
    expect(batchEnd(q(), 0, 3, 1000)).toBe(0);
  });

  it('still sends a single record larger than maxBytes alone (the broker decides), never with others', () => {
    expect(batchEnd(q(5000, 1), 0, 100, 1000)).toBe(1);
    expect(batchEnd(q(1, 5000), 0, 100, 1000)).toBe(1);
  });

  it('keeps a capped topic at most at its cap, other topics unaffected, and still takes a first record alone', () => {
    const caps = new Map([['small', 1000]]);
    expect(batchEnd(qt(['small', 400], ['small', 400], ['small', 400]), 0, 100, 1_000_000, caps)).toBe(2);
    expect(batchEnd(qt(['small', 400], ['big', 5000], ['small', 600], ['small', 1]), 0, 100, 1_000_000, caps)).toBe(3);
    expect(batchEnd(qt(['big', 5000], ['big', 5000]), 0, 100, 1_000_000, caps)).toBe(2);
    expect(batchEnd(qt(['small', 1500], ['big', 1]), 0, 100, 1_000_000, caps)).toBe(2);
    expect(batchEnd(qt(['big', 1], ['small', 1500]), 0, 100, 1_000_000, caps)).toBe(1);
  });
});
