import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@fleetlake/core';
import { startKafka, waitFor, type KafkaBroker } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import type { EmbeddedBroker } from '../src/embedded-broker.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { connectDevice, credentialsFile, KafkaCollector, runTag, seqsByDevice, testConfig } from './harness.js';
import { DeviceLoad, firstSeenInOrder, missingFromKafka, totalAcked } from './load.js';

const DEVICES = 20;
const PER_DEVICE = 400;
const KEEPALIVE_S = 2;
const OUTAGE_MS = 8000;

describe('Kafka killed with SIGKILL mid-stream', () => {
  const tag = runTag();
  const ids = Array.from({ length: DEVICES }, (_, i) => `k${tag}-${i}`);
  let kafka: KafkaBroker;
  let bridge: Bridge;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    kafka = await startKafka();
    const config = testConfig(kafka.brokers, { mqtt: { credentialsFile: await credentialsFile(ids) }, kafka: { requestTimeoutMs: 2000, sendRetries: 1 } });
    await createTopics(createKafka(config.kafka), { partitions: 2, replicationFactor: 1 });
    bridge = await Bridge.create(config, createLogger('bridge-test', { level: 'error' }));
    await bridge.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await bridge?.stop();
    await kafka?.stop();
  });

  it('stops acknowledging, keeps devices connected, and after the restart every acknowledged record is in Kafka', async () => {
    const url = `mqtt://127.0.0.1:${(bridge.input as EmbeddedBroker).ports().tcp}`;
    const closes: string[] = [];
    for (const id of ids) {
      const c = await connectDevice(url, id, { keepalive: KEEPALIVE_S, reconnectPeriod: 500, clean: false });
      c.on('close', () => closes.push(id));
      clients.push(c);
    }
    const loads = clients.map((c, i) => new DeviceLoad(ids[i]!, c, PER_DEVICE, 20, 2));
    const running = Promise.all(loads.map((l) => l.run()));
    await waitFor(() => totalAcked(loads) >= DEVICES * 50, { what: 'some records acknowledged', timeoutMs: 60_000 });

    await kafka.kill('SIGKILL');
    const health = async () => (await fetch(`http://127.0.0.1:${bridge.http!.address()}/healthz`)).status;
    await waitFor(async () => (await health()) === 503, { what: 'bridge to notice Kafka is gone', timeoutMs: 30_000 });
    const ackedAtOutage = totalAcked(loads);
    const outageStart = Date.now();
    // The outage lasts several keepalive periods: devices must stay connected (PINGREQs answered).
    await waitFor(() => Date.now() - outageStart >= OUTAGE_MS, { what: 'outage duration', timeoutMs: OUTAGE_MS + 5000, intervalMs: 250 });
    expect(totalAcked(loads)).toBe(ackedAtOutage);
    expect(bridge.writer.pendingRecords).toBeGreaterThan(0);
    expect(bridge.writer.pendingBytes).toBeLessThanOrEqual(bridge.config.kafka.bufferMaxBytes + 64 * 1024);
    expect(closes).toEqual([]);
    expect(clients.every((c) => c.connected)).toBe(true);

    await kafka.restart();
    await running;
    expect(totalAcked(loads)).toBe(DEVICES * PER_DEVICE);
    expect(closes).toEqual([]);

    const collector = await KafkaCollector.start(kafka.brokers, ['gps_data'], (k) => k?.startsWith(`k${tag}`) === true);
    try {
      await waitFor(() => missingFromKafka(loads, seqsByDevice(collector.json('gps_data'))).length === 0, { what: 'every acknowledged record in Kafka', timeoutMs: 60_000 });
      const seen = seqsByDevice(collector.json('gps_data'));
      for (const id of ids) expect(firstSeenInOrder(seen.get(id)!), id).toBe(true);
      const total = collector.json('gps_data').length;
      console.log(`kafka outage: ${ackedAtOutage} acked before, ${DEVICES * PER_DEVICE} after; ${total - DEVICES * PER_DEVICE} duplicates in Kafka; send errors ${await bridge.metrics.count(bridge.metrics.sendErrors)}`);
    } finally {
      await collector.stop();
    }
  }, 240_000);
});
