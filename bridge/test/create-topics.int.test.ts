import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_KAFKA_TOPICS } from '@fleetlake/contracts';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { createTopics } from '../src/kafka.js';
import { runTag } from './harness.js';

describe('createTopics', () => {
  const tag = runTag();
  it('creates missing topics with the asked partitions, leaves existing ones, and covers every Fleetlake topic', async () => {
    const { brokers } = await sharedKafka();
    await createTopics(new Kafka({ brokers, logLevel: logLevel.NOTHING }), { partitions: 3, replicationFactor: 1 });
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const topics = [`bridge-ct-${tag}-1`, `bridge-ct-${tag}-2`];
    expect(await createTopics(kafka, { partitions: 4, replicationFactor: 1, topics })).toEqual(topics);
    expect(await createTopics(kafka, { partitions: 4, replicationFactor: 1, topics })).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [...topics, ...ALL_KAFKA_TOPICS] });
      expect(meta.topics.filter((t) => topics.includes(t.name)).map((t) => t.partitions.length)).toEqual([4, 4]);
      expect(meta.topics.map((t) => t.name)).toEqual(expect.arrayContaining([...ALL_KAFKA_TOPICS]));
    } finally {
      await admin.disconnect();
    }
  });

  it('fleetlake-bridge create-topics runs against the broker (topics there: nothing to do)', async () => {
    const { brokers } = await sharedKafka();
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const out = execFileSync(process.execPath, [cli, 'create-topics', '--brokers', brokers.join(','), '--partitions', '3'], { encoding: 'utf8', env: { ...process.env, FLEETLAKE_LOG_LEVEL: 'error' } });
    expect(out.trim()).toBe('all topics exist');
    const help = execFileSync(process.execPath, [cli, 'create-topics', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/--replication N/);
  });
});
