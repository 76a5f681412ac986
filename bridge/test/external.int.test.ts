import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { cameraMqttTopic } from '@fleetlake/contracts';
import { createLogger } from '@fleetlake/core';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { startMosquitto, waitFor, type MosquittoBroker } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { KafkaCollector, runTag, seqsByDevice, testConfig } from './harness.js';
import { gpsMessage } from './helpers.js';

const DEVICES = 10;
const PER_DEVICE = 200;

describe('external broker (Mosquitto) → Kafka', () => {
  const tag = runTag();
  const ids = Array.from({ length: DEVICES }, (_, i) => `m${tag}-${i}`);
  let mosquitto: MosquittoBroker;
  let brokers: string[];
  let collector: KafkaCollector;
  const bridges: Bridge[] = [];
  let publisher: MqttClient;

  const external = (clientId: string, shareGroup = `g${tag}`, kafkaBrokers = brokers) =>
    testConfig(kafkaBrokers, { drainTimeoutMs: 1000, mode: 'external', http: { enabled: false }, mqtt: { external: { url: mosquitto.url, clientId, shareGroup, topicFilter: `fleetlake/v1/+/#`, sessionExpirySec: 600 } } });

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    ({ brokers } = await sharedKafka());
    await createTopics(createKafka(testConfig(brokers).kafka), { partitions: 3, replicationFactor: 1 });
    collector = await KafkaCollector.start(brokers, ['gps_data', 'dead_letter'], (k) => k?.startsWith(`m${tag}`) === true);
    publisher = await mqtt.connectAsync(mosquitto.url, { clientId: `pub-${tag}` });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    for (const b of bridges) await b.stop();
    await collector?.stop();
    await mosquitto?.stop();
  });

  async function publishRange(from: number, to: number): Promise<void> {
    for (let seq = from; seq < to; seq++) {
      await Promise.all(ids.map((id) => {
        const { topic, payload } = gpsMessage(id, seq);
        return publisher.publishAsync(topic, payload, { qos: 1 });
      }));
    }
  }

  it('two bridges on one shared subscription split the load; every record arrives; invalid ones are dead-lettered', async () => {
    for (const id of ['a', 'b']) {
      const b = await Bridge.create(external(`bridge-${tag}-${id}`), createLogger('bridge-test', { level: 'warn' }));
      await b.start();
      bridges.push(b);
    }
    await publishRange(0, PER_DEVICE / 2);
    await publisher.publishAsync(`fleetlake/v1/${ids[0]}/gps`, 'not json', { qos: 1 });
    await waitFor(() => collector.json('gps_data').length >= DEVICES * (PER_DEVICE / 2), { what: 'first half in Kafka', timeoutMs: 60_000 });
    await waitFor(() => collector.json('dead_letter').some((d) => d.reason === 'not_json'), { what: 'dead letter' });
    const perBridge = await Promise.all(bridges.map((b) => b.metrics.count(b.metrics.produced, { topic: 'gps_data' })));
    expect(perBridge.every((n) => n > 0)).toBe(true);
    expect(perBridge.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(DEVICES * (PER_DEVICE / 2));
  });

  it('keeps the persistent session: messages published while the bridges are down arrive after they return', async () => {
    for (const b of bridges.splice(0)) await b.stop();
    await publishRange(PER_DEVICE / 2, PER_DEVICE);
    for (const id of ['a', 'b']) {
      const b = await Bridge.create(external(`bridge-${tag}-${id}`), createLogger('bridge-test', { level: 'warn' }));
      await b.start();
      bridges.push(b);
    }
    await waitFor(() => {
      const seen = seqsByDevice(collector.json('gps_data'));
      return ids.every((id) => new Set(seen.get(id) ?? []).size === PER_DEVICE);
    }, { what: 'all records in Kafka', timeoutMs: 60_000 });
    const seen = seqsByDevice(collector.json('gps_data'));
    for (const id of ids) expect([...new Set(seen.get(id))].sort((a, b) => a - b)).toEqual(Array.from({ length: PER_DEVICE }, (_, i) => i));
  });

  it('does not acknowledge what Kafka did not take: the broker redelivers it to the next session', async () => {
    const clientId = `bridge-${tag}-solo`;
    const group = `solo${tag}`;
    // Kafka unreachable: the bridge receives the message but must not acknowledge it.
    const blind = await Bridge.create(external(clientId, group, ['127.0.0.1:1']), createLogger('bridge-test', { level: 'silent' }));
    await blind.start();
    const { topic, payload } = gpsMessage(ids[0]!, 5000);
    await publisher.publishAsync(topic, payload, { qos: 1 });
    await waitFor(async () => (await blind.metrics.count(blind.metrics.received)) >= 1, { what: 'message received by the bridge without Kafka' });
    expect(await blind.metrics.count(blind.metrics.acked)).toBe(0);
    await blind.stop();
    const seeing = await Bridge.create(external(clientId, group), createLogger('bridge-test', { level: 'warn' }));
    bridges.push(seeing);
    await seeing.start();
    await waitFor(() => collector.json('gps_data').some((r) => r.seq === 5000 && r.deviceId === ids[0]), { what: 'redelivered record in Kafka', timeoutMs: 30_000 });
    // A reader can see the record a moment before the producer has Kafka's answer: wait for the ack.
    await waitFor(async () => (await seeing.metrics.count(seeing.metrics.acked)) >= 1, { what: 'acknowledgement after Kafka' });
  });

  it('dead-letters a 10 MB message (bytes up to the bound, size, SHA-256) and acknowledges it: never redelivered', async () => {
    for (const b of bridges.splice(0)) await b.stop();
    const clientId = `bridge-${tag}-big`;
    const group = `big${tag}`;
    const first = await Bridge.create(external(clientId, group), createLogger('bridge-test', { level: 'warn' }));
    await first.start();
    const payload = Buffer.alloc(10 * 1024 * 1024, 0x42);
    const topic = cameraMqttTopic(ids[1]!, 'huge-ext');
    await publisher.publishAsync(topic, payload, { qos: 1 });
    const letter = await waitFor(() => collector.json('dead_letter').find((d) => d.mqttTopic === topic), { what: 'the dead letter', timeoutMs: 30_000 });
    expect(letter).toMatchObject({ reason: 'payload_too_large', payloadBytes: payload.length, payloadSha256: createHash('sha256').update(payload).digest('hex') });
    expect(Buffer.from(letter.payloadBase64 as string, 'base64').length).toBe(128 * 1024);
    await waitFor(async () => (await first.metrics.count(first.metrics.acked)) >= 1, { what: 'the acknowledgement to the broker' });
    await first.stop();
    // Same session again: a control message arrives, the 10 MB one does not come back.
    const second = await Bridge.create(external(clientId, group), createLogger('bridge-test', { level: 'warn' }));
    bridges.push(second);
    await second.start();
    const control = gpsMessage(ids[1]!, 7000);
    await publisher.publishAsync(control.topic, control.payload, { qos: 1 });
    await waitFor(async () => (await second.metrics.count(second.metrics.acked)) >= 1, { what: 'the control message acknowledged' });
    expect(await second.metrics.count(second.metrics.received)).toBe(1);
  }, 60_000);
});
