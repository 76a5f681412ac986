import { createRequire } from 'node:module';
import { replaceCjsExport } from '@fleetlake/core';

/**
 * A linear `groupMessagesPerPartition` for kafkajs' producer.
 *
 * Why: kafkajs 2.2.4 groups each send's messages by partition with `[...current, message]` per
 * message, copying the partition's array every time: quadratic in the records per partition of a
 * batch, ~4% of the bridge's main thread in bench:bridge (--cpu-prof) at 10,000 msg/s.
 *
 * kafkajs' producer takes this export once, when `producer/sendMessages` loads, and that happens as
 * `kafkajs` itself is imported. So the replacement is made when this module is evaluated, and the
 * bridge's modules that import kafkajs import this one first (ES modules evaluate their imports in
 * order). `fastGroupingInstalled` is false when kafkajs was loaded earlier (by another package, or a
 * test): kafkajs then keeps its own, which gives the same groups.
 */

const require = createRequire(import.meta.url);
const MODULE = 'kafkajs/src/producer/groupMessagesPerPartition.js';
const TAKEN_BY = ['kafkajs/src/producer/sendMessages.js'];

export interface GroupArgs<M> {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly M[];
  partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: M }) => number;
}

type Group = <M>(args: GroupArgs<M>) => Record<number, M[]>;

/** kafkajs' own (kept for tests), taken before the replacement. */
export const kafkajsGroupMessagesPerPartition = require(MODULE) as Group;

/** Messages by the partition the partitioner gives each, in their order; `{}` without partitions (as kafkajs). */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupArgs<M>): Record<number, M[]> {
  const groups: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (groups[partition] ??= []).push(message);
  }
  return groups;
}

export const fastGroupingInstalled = replaceCjsExport(import.meta.url, MODULE, groupMessagesPerPartition, TAKEN_BY);
