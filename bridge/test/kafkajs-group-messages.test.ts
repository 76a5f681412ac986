import { describe, expect, test } from 'vitest';
import { groupMessagesPerPartition, kafkajsGroupMessagesPerPartition } from '../src/kafkajs-group-messages.js';

interface Msg {
  key: string;
  n: number;
}

/** Deterministic messages: `count` of them over `keys` keys. */
function messages(count: number, keys: number, seed: number): Msg[] {
  let x = seed;
  return Array.from({ length: count }, (_, n) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return { key: `car-${x % keys}`, n };
  });
}

const byKey = ({ partitionMetadata, message }: { partitionMetadata: readonly unknown[]; message: Msg }) =>
  Number(message.key.slice(4)) % partitionMetadata.length;

describe('groupMessagesPerPartition (linear, replacing kafkajs 2.2.4 own)', () => {
  test.each([
    [0, 1, 1],
    [1, 1, 3],
    [500, 7, 6],
    [2000, 100, 6],
    [333, 3, 1],
  ])('%i messages over %i keys into %i partitions: the same groups, in the same order, as kafkajs', (count, keys, partitions) => {
    const args = { topic: 'gps_data', partitionMetadata: Array.from({ length: partitions }, (_, i) => ({ partitionId: i })), messages: messages(count, keys, count + keys), partitioner: byKey };
    const ours = groupMessagesPerPartition(args);
    expect(ours).toEqual(kafkajsGroupMessagesPerPartition(args));
    expect(Object.values(ours).reduce((sum, g) => sum + g.length, 0)).toBe(count);
    for (const group of Object.values(ours)) expect(group.map((m) => m.n)).toEqual([...group.map((m) => m.n)].sort((a, b) => a - b));
  });

  test('a topic without partition metadata gives no groups, as in kafkajs', () => {
    const args = { topic: 't', partitionMetadata: [], messages: messages(10, 2, 1), partitioner: byKey };
    expect(groupMessagesPerPartition(args)).toEqual({});
    expect(kafkajsGroupMessagesPerPartition(args)).toEqual({});
  });
});
