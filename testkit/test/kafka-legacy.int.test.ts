import { existsSync, readdirSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_VERSIONS, startKafka, waitFor, type KafkaBroker } from '@fleetlake/testkit';

describe(`Kafka ${KAFKA_VERSIONS.legacy} (the 3.x line managed clusters still run)`, () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    // Its log in memory (the option benchmarks use): restart keeps it, stop() removes it.
    broker = await startKafka({ version: KAFKA_VERSIONS.legacy, heapMb: 512, logInMemory: true });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('starts in KRaft mode and round-trips records; survives SIGKILL and restart with its data', async () => {
    expect(broker.version).toBe(KAFKA_VERSIONS.legacy);
    expect(broker.dataDir.startsWith('/dev/shm/')).toBe(true);
    const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'legacy', acks: -1, messages: [{ key: 'k', value: 'before-kill' }] });
    await producer.disconnect();

    await broker.kill('SIGKILL');
    expect(broker.process().isRunning()).toBe(false);
    await broker.restart();

    const values: string[] = [];
    const consumer = kafka.consumer({ groupId: 'legacy-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'legacy', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= 1, { timeoutMs: 60_000, what: 'the record written before the kill' });
    await consumer.disconnect();
    expect(values).toEqual(['before-kill']);
  });

  it('stop() is final: the broker is gone and so is its data folder', async () => {
    expect(existsSync(broker.dataDir)).toBe(true);
    await broker.stop();
    expect(broker.process().isRunning()).toBe(false);
    expect(existsSync(broker.dataDir)).toBe(false);
  });

  // The same call removes its run folder on disk; that one is not checked here, as other test files
  // create and remove folders of that name at the same time.
  it('a broker that cannot start leaves no in-memory log folder behind', async () => {
    const memoryLogs = () => readdirSync('/dev/shm').filter((f) => f.startsWith('fleetlake-kafka-log-'));
    const before = memoryLogs();
    // An invalid node id: the storage format step refuses it before any broker runs.
    await expect(
      startKafka({ version: KAFKA_VERSIONS.legacy, heapMb: 256, logInMemory: true, brokerProperties: { 'node.id': 'not-a-number' } }),
    ).rejects.toThrow();
    expect(memoryLogs()).toEqual(before);
  });
});
