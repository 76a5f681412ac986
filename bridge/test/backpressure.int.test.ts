import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createLogger } from '@fleetlake/core';
import { waitFor } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import type { EmbeddedBroker } from '../src/embedded-broker.js';
import { MAX_RECORD_BYTES } from '@fleetlake/contracts';
import { connectDevice, credentialsFile, runTag, testConfig } from './harness.js';
import { gpsMessage } from './helpers.js';

const BUFFER = 16 * 1024;

describe('Kafka unreachable with a small buffer', () => {
  const tag = runTag();
  const ids = Array.from({ length: 5 }, (_, i) => `b${tag}-${i}`);
  let bridge: Bridge;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    // Nothing listens on port 1: Kafka never answers.
    const config = testConfig(['127.0.0.1:1'], { mqtt: { credentialsFile: await credentialsFile(ids) }, kafka: { bufferMaxBytes: BUFFER }, drainTimeoutMs: 500 });
    bridge = await Bridge.create(config, createLogger('bridge-test', { level: 'silent' }));
    await bridge.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await bridge?.stop();
  });

  it('holds at most the configured bytes, acknowledges nothing and reports unhealthy', async () => {
    const url = `mqtt://127.0.0.1:${(bridge.input as EmbeddedBroker).ports().tcp}`;
    let acked = 0;
    for (const id of ids) {
      const c = await connectDevice(url, id);
      clients.push(c);
      for (let seq = 0; seq < 200; seq++) {
        const { topic, payload } = gpsMessage(id, seq);
        c.publish(topic, payload, { qos: 1 }, (err) => {
          if (!err) acked++;
        });
      }
    }
    await waitFor(() => !bridge.writer.hasRoom(), { what: 'buffer to fill' });
    // Once full, it stays put: every device is waiting on TCP back-pressure.
    const pending = bridge.writer.pendingRecords;
    await waitFor(async () => (await bridge.metrics.count(bridge.metrics.sendErrors)) >= 2, { what: 'more failed sends', timeoutMs: 20_000 });
    expect(bridge.writer.pendingRecords).toBe(pending);
    expect(bridge.writer.pendingBytes).toBeLessThan(BUFFER + MAX_RECORD_BYTES);
    expect(pending).toBeLessThan(ids.length * 200);
    expect(acked).toBe(0);
    expect(bridge.health()).toMatchObject({ ok: false, kafka: false, bufferFull: true });
    const res = await fetch(`http://127.0.0.1:${bridge.http!.address()}/healthz`);
    expect(res.status).toBe(503);
  });
});
