import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@fleetlake/core';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { waitFor } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import type { EmbeddedBroker } from '../src/embedded-broker.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { connectDevice, credentialsFile, KafkaCollector, runTag, seqsByDevice, testConfig } from './harness.js';
import { gpsMessage } from './helpers.js';

describe('embedded broker over WebSocket', () => {
  const tag = runTag();
  const id = `w${tag}`;
  let bridge: Bridge;
  let port: number;
  let collector: KafkaCollector;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const { brokers } = await sharedKafka();
    const config = testConfig(brokers, { mqtt: { ws: { enabled: true, port: 0 }, credentialsFile: await credentialsFile([id]) } });
    await createTopics(createKafka(config.kafka), { partitions: 3, replicationFactor: 1 });
    bridge = await Bridge.create(config, createLogger('bridge-ws-test', { level: 'warn' }));
    await bridge.start();
    port = (bridge.input as EmbeddedBroker).ports().ws!;
    collector = await KafkaCollector.start(brokers, ['gps_data'], (k) => k === id);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await collector?.stop();
    await bridge?.stop();
  });

  it('acknowledges QoS 1 messages sent over ws:// only once Kafka has them, in order', async () => {
    const device = await connectDevice(`ws://127.0.0.1:${port}/mqtt`, id, { protocolVersion: 4 });
    clients.push(device);
    for (let seq = 0; seq < 200; seq++) {
      const { topic, payload } = gpsMessage(id, seq);
      await device.publishAsync(topic, payload, { qos: 1 });
    }
    // Every PUBACK came after Kafka's acknowledgement: all 200 are already readable.
    await waitFor(() => collector.json('gps_data').length >= 200, { timeoutMs: 30_000, what: '200 records in Kafka' });
    expect(seqsByDevice(collector.json('gps_data')).get(id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('refuses a wrong password over WebSocket too, and answers plain HTTP with 426', async () => {
    await expect(connectDevice(`ws://127.0.0.1:${port}/mqtt`, id, { password: 'wrong', protocolVersion: 4 })).rejects.toThrow(/Not authorized|Bad username/i);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(426);
  });
});
