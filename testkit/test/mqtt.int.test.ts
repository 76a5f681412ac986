import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedMosquitto } from '@fleetlake/testkit/vitest';
import { startMosquitto, waitFor } from '@fleetlake/testkit';

async function roundTrip(url: string, protocolVersion: 3 | 4 | 5): Promise<{ acked: number; received: string[] }> {
  const topic = `fleetlake/v1/testkit-${protocolVersion}-${Date.now()}/gps`;
  const sub: MqttClient = await mqtt.connectAsync(url, { protocolVersion, clientId: `s${process.pid}${Date.now() % 1e6}` });
  const pub: MqttClient = await mqtt.connectAsync(url, { protocolVersion, clientId: `p${process.pid}${Date.now() % 1e6}` });
  const received: string[] = [];
  sub.on('message', (_t, payload) => received.push(payload.toString()));
  await sub.subscribeAsync(topic, { qos: 1 });
  let acked = 0;
  for (let i = 0; i < 100; i++) {
    // publishAsync resolves at QoS 1 only once the broker's PUBACK arrived.
    await pub.publishAsync(topic, String(i), { qos: 1 });
    acked++;
  }
  await waitFor(() => received.length >= 100, { timeoutMs: 10_000, what: '100 messages at the subscriber' });
  await Promise.all([pub.endAsync(), sub.endAsync()]);
  return { acked, received };
}

const expected = Array.from({ length: 100 }, (_, i) => String(i));

describe('MQTT QoS 1 through Mosquitto', () => {
  it.each([4, 5] as const)('MQTT protocol %i: every publish is PUBACKed and delivered in order', async (v) => {
    const { url } = await sharedMosquitto();
    const { acked, received } = await roundTrip(url, v);
    expect(acked).toBe(100);
    expect(received).toEqual(expected);
  });

  it('a private Mosquitto can be stopped and restarted on the same port', async () => {
    const broker = await startMosquitto();
    try {
      await broker.kill('SIGKILL');
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow();
      await broker.restart();
      const { acked } = await roundTrip(broker.url, 4);
      expect(acked).toBe(100);
    } finally {
      await broker.stop();
    }
    expect(broker.process().isRunning()).toBe(false);
  });
});

describe('MQTT QoS 1 through an in-process aedes broker', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    server.close();
  });

  // aedes speaks MQTT 3.1 and 3.1.1 only (no MQTT 5): the bridge's embedded broker is 3.1.1.
  it.each([3, 4] as const)('MQTT protocol %i: every publish is PUBACKed and delivered in order', async (v) => {
    const { acked, received } = await roundTrip(url, v);
    expect(acked).toBe(100);
    expect(received).toEqual(expected);
  });
});
