// Before kafkajs loads: see kafkajs-group-messages.ts.
import './kafkajs-group-messages.js';
import { Partitioners, type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';

/** Keys remembered per topic; beyond it the memo starts over (a fleet is far smaller in practice). */
const MAX_KEYS = 100_000;

/**
 * kafkajs' default partitioner (murmur2 of the key, as the Java client) with each key's partition
 * remembered. kafkajs calls the partitioner for every message; the default one encodes the key to a
 * Buffer, hashes it and filters the partition list each time, while the bridge's keys (deviceIds)
 * repeat for every message of a device. A key's partition depends only on the key and the topic's
 * partition count, so the memo is dropped when that count changes. Everything else (explicit
 * partition, Buffer or null keys) goes to the default partitioner unchanged.
 */
export const memoKeyPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
  return (args: PartitionerArgs) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== 'string' || message.partition != null) return fallback(args);
    let memo = byTopic.get(topic);
    if (!memo || memo.partitions !== partitionMetadata.length || memo.keys.size >= MAX_KEYS) {
      memo = { partitions: partitionMetadata.length, keys: new Map() };
      byTopic.set(topic, memo);
    }
    let partition = memo.keys.get(key);
    if (partition === undefined) {
      partition = fallback(args);
      memo.keys.set(key, partition);
    }
    return partition;
  };
};
