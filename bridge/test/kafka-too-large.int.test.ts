import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@fleetlake/core';
import { createHash } from 'node:crypto';
import { DEAD_LETTER_TOPIC, statusMqttTopic } from '@fleetlake/contracts';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { waitFor } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import type { EmbeddedBroker } from '../src/embedded-broker.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { connectDevice, credentialsFile, KafkaCollector, runTag, seqsByDevice, testConfig } from './harness.js';

/** The topic's max.message.bytes: far below the bridge's batchMaxBytes (1,000,000). */
const LIMIT = 4000;
const PER_DEVICE = 100;

/**
 * A Kafka topic that refuses batches above 4000 bytes. Status messages are the stream whose Kafka topic
 * is configurable (`mqtt.statusKafkaTopic`), so this test points them at a topic of its own.
 */
describe('Kafka refusing batches for their size (topic max.message.bytes 4000)', () => {
  const tag = runTag();
  const ids = [`big${tag}-0`, `big${tag}-1`];
  const topic = `bridge_too_large_${tag}`;
  let bridge: Bridge;
  let url: string;
  let collector: KafkaCollector;
  const clients: MqttClient[] = [];

  /** ~300 bytes of JSON, or `size` bytes when given. */
  const status = (deviceId: string, seq: number, size = 300) => {
    const json = JSON.stringify({ deviceId, seq, pad: '' });
    return Buffer.from(json.replace('"pad":""', `"pad":"${'x'.repeat(size - json.length)}"`));
  };

  beforeAll(async () => {
    const { brokers } = await sharedKafka();
    const config = testConfig(brokers, {
      mqtt: { credentialsFile: await credentialsFile(ids), statusKafkaTopic: topic },
      // A long linger gathers each device's burst into one batch, far above the topic's limit.
      kafka: { lingerMs: 200 },
    });
    await createTopics(createKafka(config.kafka), { partitions: 1, replicationFactor: 1 }); // dead_letter among them
    await createTopics(createKafka(config.kafka), { topics: [topic], partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(LIMIT) } });
    bridge = await Bridge.create(config, createLogger('bridge-test', { level: 'warn' }));
    await bridge.start();
    url = `mqtt://127.0.0.1:${(bridge.input as EmbeddedBroker).ports().tcp}`;
    collector = await KafkaCollector.start(brokers, [topic, DEAD_LETTER_TOPIC], (k) => k?.startsWith(`big${tag}`) === true);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await collector?.stop();
    await bridge?.stop();
  });

  it('splits refused batches: every record arrives once, in order, and is acknowledged', async () => {
    const devices = await Promise.all(ids.map((id) => connectDevice(url, id)));
    clients.push(...devices);
    // Both devices at once: their records share batches, and the split must keep each one's order.
    await Promise.all(devices.map((client, d) => Promise.all(Array.from({ length: PER_DEVICE }, (_, seq) => client.publishAsync(statusMqttTopic(ids[d]!), status(ids[d]!, seq), { qos: 1 })))));
    await waitFor(() => collector.json(topic).length >= 2 * PER_DEVICE, { timeoutMs: 30_000, what: 'all records read back' });
    const bySeq = seqsByDevice(collector.json(topic));
    const expected = Array.from({ length: PER_DEVICE }, (_, i) => i);
    for (const id of ids) expect(bySeq.get(id), id).toEqual(expected);
    // Split (at least once), not refused, and no send error retried.
    const { metrics } = bridge;
    expect(await metrics.count(metrics.kafkaRefused)).toBe(0);
    expect(await metrics.count(metrics.sendErrors)).toBe(0);
    expect(await metrics.count(metrics.kafkaSplitBatches)).toBeGreaterThan(0);
  }, 60_000);

  /** The dead letters of one device that Kafka's refusal of a record produced. */
  const refusedLetters = (id: string) => collector.json(DEAD_LETTER_TOPIC).filter((d) => d.deviceId === id && d.reason === 'too_large_for_kafka');

  it('dead-letters a record Kafka refuses for its size (acknowledged, with its hash), and later records still flow', async () => {
    const [client] = clients;
    const id = ids[0]!;
    const { metrics } = bridge;
    const big = status(id, PER_DEVICE, 2 * LIMIT);
    // Acknowledged once its dead letter is in Kafka, in order with the records after it.
    await Promise.all([
      client!.publishAsync(statusMqttTopic(id), big, { qos: 1 }),
      ...Array.from({ length: 10 }, (_, i) => client!.publishAsync(statusMqttTopic(id), status(id, PER_DEVICE + 1 + i), { qos: 1 })),
    ]);
    expect(await metrics.count(metrics.kafkaRefused, { reason: 'message_too_large' })).toBe(1);
    expect(await metrics.count(metrics.deadLetters, { reason: 'too_large_for_kafka' })).toBe(1);
    await waitFor(() => (seqsByDevice(collector.json(topic)).get(id)?.length ?? 0) >= PER_DEVICE + 10 && refusedLetters(id).length === 1, { timeoutMs: 30_000, what: 'later records and the dead letter read back' });
    const expected = [...Array.from({ length: PER_DEVICE }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => PER_DEVICE + 1 + i)];
    expect(seqsByDevice(collector.json(topic)).get(id)).toEqual(expected);
    const [letter] = refusedLetters(id);
    expect(letter).toMatchObject({ mqttTopic: statusMqttTopic(id), payloadBytes: big.length, payloadSha256: createHash('sha256').update(big).digest('hex') });
    expect(Buffer.from(letter!.payloadBase64 as string, 'base64')).toEqual(big);
    expect(bridge.health().kafka).toBe(true);
  }, 60_000);

  it('completes QoS 2 for a record Kafka refuses once its dead letter is in Kafka', async () => {
    const id = ids[1]!;
    const client = await connectDevice(url, `${id}:qos2`, { username: id });
    clients.push(client);
    await client.publishAsync(statusMqttTopic(id), status(id, PER_DEVICE, 2 * LIMIT), { qos: 2 });
    expect(client.connected).toBe(true);
    expect(await bridge.metrics.count(bridge.metrics.kafkaRefused)).toBe(2);
    expect(seqsByDevice(collector.json(topic)).get(id)).not.toContain(PER_DEVICE);
    await waitFor(() => refusedLetters(id).length === 1, { timeoutMs: 30_000, what: 'the dead letter read back' });
  }, 30_000);
});
