import { Kafka, logLevel, type Admin } from 'kafkajs';
import { once } from '@fleetlake/core';

/**
 * Consumer lag of a group: per topic, the records between the group's committed offsets and the
 * end of each partition. For the sink this is "in Kafka, not yet stored in the lake", because it
 * commits only after the objects are stored.
 */
export class KafkaLag {
  private constructor(private readonly admin: Admin) {}

  static async connect(brokers: string[]): Promise<KafkaLag> {
    const admin = new Kafka({ clientId: 'fleetlake-demo', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
    await admin.connect();
    return new KafkaLag(admin);
  }

  async lag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    const committed = await this.admin.fetchOffsets({ groupId, topics });
    const out: Record<string, number> = {};
    const ends = await Promise.all(committed.map(({ topic }) => this.admin.fetchTopicOffsets(topic)));
    committed.forEach(({ topic, partitions }, i) => {
      const end = new Map(ends[i]!.map((p) => [p.partition, BigInt(p.high)]));
      let sum = 0n;
      for (const p of partitions) {
        const high = end.get(p.partition) ?? 0n;
        // -1: nothing committed yet, so everything up to the end is lag.
        const done = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
        sum += high > done ? high - done : 0n;
      }
      out[topic] = Number(sum);
    });
    return out;
  }

  readonly stop = once(async () => {
    await this.admin.disconnect();
  });
}
