import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@fleetlake/core';
import { ALL_KAFKA_TOPICS, deadLetterValidator, KAFKA_HEADERS, statusMqttTopic } from '@fleetlake/contracts';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { waitFor } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { connectDevice, credentialsFile, KafkaCollector, runTag, seqsByDevice, testConfig } from './harness.js';
import { gpsMessage } from './helpers.js';

// The issue asks for 100,000 messages from 100 devices; that is what runs here.
const DEVICES = Number(process.env.BRIDGE_TEST_DEVICES ?? 100);
const PER_DEVICE = Number(process.env.BRIDGE_TEST_PER_DEVICE ?? 1000);

describe('embedded broker → Kafka', () => {
  const tag = runTag();
  const ids = Array.from({ length: DEVICES }, (_, i) => `e${tag}-${i}`);
  let bridge: Bridge;
  let url: string;
  let collector: KafkaCollector;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    const { brokers } = await sharedKafka();
    const config = testConfig(brokers, { mqtt: { credentialsFile: await credentialsFile([...ids, `x${tag}`]) } });
    await createTopics(createKafka(config.kafka), { partitions: 3, replicationFactor: 1 });
    bridge = await Bridge.create(config, createLogger('bridge-test', { level: 'warn' }));
    await bridge.start();
    url = `mqtt://127.0.0.1:${(bridge.input as import('../src/embedded-broker.js').EmbeddedBroker).ports().tcp}`;
    collector = await KafkaCollector.start(brokers, [...ALL_KAFKA_TOPICS], (k) => k?.startsWith(`e${tag}`) === true || k?.startsWith(`x${tag}`) === true);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await collector?.stop();
    await bridge?.stop();
  });

  it(`delivers ${DEVICES * PER_DEVICE} messages from ${DEVICES} devices once each, in per-device order`, async () => {
    const devices = await Promise.all(ids.map((id) => connectDevice(url, id)));
    clients.push(...devices);
    const started = Date.now();
    // Each device keeps a window of 100 unacknowledged messages, as the agent's outbox does.
    await Promise.all(
      devices.map(async (client, d) => {
        const window = new Set<Promise<unknown>>();
        for (let seq = 0; seq < PER_DEVICE; seq++) {
          const { topic, payload } = gpsMessage(ids[d]!, seq);
          const p = client.publishAsync(topic, payload, { qos: 1 }).finally(() => window.delete(p));
          window.add(p);
          if (window.size >= 100) await Promise.race(window);
        }
        await Promise.all(window);
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`embedded: ${DEVICES * PER_DEVICE} PUBACKs in ${seconds.toFixed(1)} s (${Math.round((DEVICES * PER_DEVICE) / seconds)} msg/s)`);
    // Every PUBACK means the record was already in Kafka: the reader only has to catch up.
    await waitFor(() => collector.json('gps_data').length >= DEVICES * PER_DEVICE, { timeoutMs: 120_000, what: 'all records read back' });
    const bySeq = seqsByDevice(collector.json('gps_data'));
    expect(bySeq.size).toBe(DEVICES);
    const expected = Array.from({ length: PER_DEVICE }, (_, i) => i);
    for (const id of ids) expect(bySeq.get(id), id).toEqual(expected);
    const sample = collector.messages.find((m) => m.topic === 'gps_data')!;
    expect(sample.message.key!.toString()).toMatch(new RegExp(`^e${tag}-`));
    expect(sample.message.headers![KAFKA_HEADERS.mqttTopic]!.toString()).toMatch(/^fleetlake\/v1\/e.*\/gps$/);
    expect(sample.message.headers![KAFKA_HEADERS.schemaVersion]!.toString()).toBe('1');
    expect(Date.parse(sample.message.headers![KAFKA_HEADERS.receivedAt]!.toString())).toBeGreaterThan(started - 1000);
  }, 300_000);

  it('sends malformed payloads to dead_letter (acknowledged, original bytes kept) and counts them by reason', async () => {
    const id = ids[0]!;
    const client = await connectDevice(url, `${id}:dl`, { username: id });
    clients.push(client);
    const garbage = Buffer.from([0x7b, 0x00, 0xff, 0x22]);
    await client.publishAsync(`fleetlake/v1/${id}/weather`, garbage, { qos: 1 });
    const wrongDevice = gpsMessage(ids[1]!, 5).payload;
    await client.publishAsync(`fleetlake/v1/${id}/gps`, wrongDevice, { qos: 1 });
    await client.publishAsync(`fleetlake/v1/${id}/camera/frame-1`, Buffer.from('not a jpeg'), { qos: 1 });
    const dead = await waitFor(() => {
      const d = collector.json('dead_letter').filter((r) => r.deviceId === id);
      return d.length >= 3 ? d : undefined;
    }, { timeoutMs: 30_000, what: 'dead letters' });
    for (const d of dead) expect(deadLetterValidator.check(d)).toBe(true);
    const byReason = Object.fromEntries(dead.map((d) => [d.reason as string, d]));
    expect(Object.keys(byReason).sort()).toEqual(['device_mismatch', 'not_jpeg', 'not_json']);
    expect(Buffer.from(byReason.not_json!.payloadBase64 as string, 'base64').equals(garbage)).toBe(true);
    expect(byReason.not_json!.mqttTopic).toBe(`fleetlake/v1/${id}/weather`);
    expect(await bridge.metrics.count(bridge.metrics.deadLetters, { reason: 'not_json' })).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`http://127.0.0.1:${bridge.http!.address()}/metrics`)).text();
    expect(metrics).toMatch(/fleetlake_bridge_dead_letters_total\{reason="not_jpeg"\} [1-9]/);
    const health = await fetch(`http://127.0.0.1:${bridge.http!.address()}/healthz`);
    expect(health.status).toBe(200);
  });

  it('refuses an unauthenticated client and a wrong password', async () => {
    await expect(connectDevice(url, `x${tag}`, { username: undefined, password: undefined })).rejects.toThrow(/Not authorized|Bad username/i);
    // A device that logged in before (its password is remembered); x${tag} must stay free of the
    // login back-off a wrong password earns, for the next test.
    await expect(connectDevice(url, ids[2]!, { password: 'wrong' })).rejects.toThrow(/Not authorized|Bad username/i);
    expect(await bridge.metrics.count(bridge.metrics.refused, { reason: 'bad_credentials' })).toBeGreaterThanOrEqual(2);
  });

  it('disconnects a device that publishes as another device, and refuses subscriptions to other devices', async () => {
    const attacker = await connectDevice(url, `x${tag}`);
    clients.push(attacker);
    // SUBACK 0x80 (failure): mqtt.js turns it into an error
    await expect(attacker.subscribeAsync(`fleetlake/v1/${ids[1]}/#`, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(await bridge.metrics.count(bridge.metrics.refused, { reason: 'subscribe_denied' })).toBe(1);
    const own = await attacker.subscribeAsync(`fleetlake/v1/x${tag}/#`, { qos: 1 });
    expect(own[0]!.qos).toBe(1);
    const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
    const forged = gpsMessage(ids[1]!, 999_999);
    attacker.publish(forged.topic, forged.payload, { qos: 1 });
    await closed;
    expect(await bridge.metrics.count(bridge.metrics.refused, { reason: 'publish_denied' })).toBe(1);
    // Give the forged record every chance to show up (a control message from the victim must arrive first).
    const victim = await connectDevice(url, ids[1]!);
    clients.push(victim);
    const control = gpsMessage(ids[1]!, 1_000_000);
    await victim.publishAsync(control.topic, control.payload, { qos: 1 });
    await waitFor(() => collector.json('gps_data').some((r) => r.seq === 1_000_000 && r.deviceId === ids[1]), { what: 'control record' });
    expect(collector.json('gps_data').some((r) => r.seq === 999_999)).toBe(false);
  });

  it('passes status messages through the broker (retained, acknowledged) without writing them to Kafka', async () => {
    const id = ids[2]!;
    const status = JSON.stringify({ deviceId: id, status: 'online', timestamp: new Date().toISOString() });
    const device = await connectDevice(url, id);
    clients.push(device);
    await device.publishAsync(statusMqttTopic(id), status, { qos: 1, retain: true });
    const watcher = await connectDevice(url, `${id}:watch`, { username: id });
    clients.push(watcher);
    const got = new Promise<string>((resolve) => watcher.once('message', (_t, payload) => resolve(payload.toString())));
    await watcher.subscribeAsync(statusMqttTopic(id), { qos: 1 });
    expect(await got).toBe(status);
    expect(await bridge.metrics.count(bridge.metrics.received, { kind: 'status' })).toBeGreaterThanOrEqual(1);
    expect(collector.messages.some((m) => m.message.headers?.[KAFKA_HEADERS.mqttTopic]?.toString() === statusMqttTopic(id))).toBe(false);
  });
});
