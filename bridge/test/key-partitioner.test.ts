import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { memoKeyPartitioner } from '../src/key-partitioner.js';

const metadata = (n: number) => Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: i === 1 ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const args = (topic: string, n: number, key: string): PartitionerArgs => ({ topic, partitionMetadata: metadata(n), message: { key, value: 'v' } });

describe('memoKeyPartitioner', () => {
  it('picks the partition kafkajs default partitioner picks, also after the partition count changes', () => {
    const memo = memoKeyPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    for (const n of [6, 6, 12, 3]) {
      for (let i = 0; i < 500; i++) {
        const a = args(i % 2 ? 'gps_data' : 'dead_letter', n, `car-${i % 150}`);
        expect(memo(a)).toBe(plain(a));
      }
    }
  });

  it('leaves explicit partitions to kafkajs', () => {
    const memo = memoKeyPartitioner();
    expect(memo({ topic: 't', partitionMetadata: metadata(6), message: { key: 'car-1', value: 'v', partition: 4 } })).toBe(4);
  });
});
