import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { waitFor } from '@fleetlake/testkit';

describe('Kafka broker (KRaft, from the Maven Central jars)', () => {
  let kafka: Kafka;
  beforeAll(async () => {
    const { brokers } = await sharedKafka();
    kafka = new Kafka({ brokers, clientId: 'testkit-kafka-test', logLevel: logLevel.NOTHING });
  });

  it('takes 10,000 keyed records and a consumer group reads them all back in per-key order', async () => {
    const topic = `testkit-order-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    await admin.disconnect();

    const keys = Array.from({ length: 50 }, (_, i) => `device-${i}`);
    const total = 10_000;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let start = 0; start < total; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, j) => {
        const n = start + j;
        return { key: keys[n % keys.length]!, value: String(Math.floor(n / keys.length)) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const seen = new Map<string, number[]>();
    let count = 0;
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key!.toString();
        const list = seen.get(key) ?? [];
        list.push(Number(message.value!.toString()));
        seen.set(key, list);
        count++;
      },
    });
    await waitFor(() => count >= total, { timeoutMs: 60_000, what: `${total} records consumed` });
    await consumer.disconnect();

    expect(count).toBe(total);
    expect(seen.size).toBe(keys.length);
    for (const [, values] of seen) {
      expect(values).toEqual(Array.from({ length: total / keys.length }, (_, i) => i));
    }
  });
});
