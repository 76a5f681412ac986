import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusMqttTopic } from '@fleetlake/contracts';
import { waitFor } from '@fleetlake/testkit';
import { Outbox } from '../src/outbox/outbox.js';
import { MqttPublisher, type PublisherOptions } from '../src/publish/publisher.js';
import { startAedes, type AedesBroker } from './support/aedes.js';
import { DEVICE, expectCompleteInOrder, seqsOf, setupPublisher, TOPIC, type Cleanups } from './support/harness.js';
import { makeTestCerts, type TestCerts } from './support/certs.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const setup = (broker: { url: string }, extra: Partial<PublisherOptions> = {}) => setupPublisher(broker.url, cleanups, extra);

describe('MqttPublisher with aedes', () => {
  let broker: AedesBroker;
  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(async () => {
    await broker.stop();
  });

  // aedes speaks MQTT 3.1.1 only; MQTT 5 is tested against Mosquitto (publisher-mosquitto.int.test.ts).
  it('publishes captured records in order, each acknowledged, with a retained online status', async () => {
    broker.received.length = 0;
    const { outbox, publisher, capture } = await setup(broker);
    await capture(150);
    await publisher.start();
    await capture(150);
    await waitFor(() => outbox.stats().pending === 0, { timeoutMs: 30_000, what: 'outbox drained' });
    expect(seqsOf(broker.received)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(publisher.stats().acked).toBe(300);
    const status = broker.received.filter((m) => m.topic === statusMqttTopic(DEVICE));
    expect(status[0]!.retain).toBe(true);
    expect(JSON.parse(status[0]!.payload.toString())).toMatchObject({ deviceId: DEVICE, status: 'online', agentVersion: '0.1.0' });
    await publisher.stop();
    const last = broker.received.filter((m) => m.topic === statusMqttTopic(DEVICE)).at(-1)!;
    expect(JSON.parse(last.payload.toString())).toMatchObject({ status: 'offline', reason: 'shutdown' });
  });

  it('keeps capturing while the broker is down and delivers every record, in order, once it is back', async () => {
    broker.received.length = 0;
    const { outbox, publisher, capture, captured } = await setup(broker);
    await publisher.start();
    await capture(50);
    await waitFor(() => seqsOf(broker.received).length >= 50, { what: 'first records' });
    await broker.down();
    for (let i = 0; i < 10; i++) await capture(20); // captured while the broker is unreachable
    await waitFor(() => publisher.stats().connectFailures >= 2, { what: 'failed reconnects while down' });
    expect(outbox.stats().pending).toBeGreaterThan(0);
    await broker.up();
    await capture(50);
    await waitFor(() => outbox.stats().pending === 0, { timeoutMs: 30_000, what: 'outbox drained after the broker came back' });
    expectCompleteInOrder(seqsOf(broker.received), captured());
    expect(publisher.stats().connects).toBeGreaterThanOrEqual(2);
  });

  it('a record leaves the outbox only on PUBACK: sent but unacknowledged records are sent again after the connection drops', async () => {
    broker.received.length = 0;
    const { outbox, publisher, capture, captured } = await setupPublisher(broker.url, cleanups);
    await publisher.start();
    await capture(20);
    await waitFor(() => outbox.stats().pending === 0, { what: 'first records acknowledged' });
    broker.holdAcks(true);
    await capture(40);
    await waitFor(() => publisher.stats().inflight === 16, { what: 'a full window sent and unacknowledged' });
    expect(outbox.stats().pending).toBe(40);
    await broker.down();
    broker.holdAcks(false);
    await broker.up();
    await waitFor(() => outbox.stats().pending === 0, { what: 'the held records re-sent and acknowledged' });
    expectCompleteInOrder(seqsOf(broker.received), captured());
  });

  it('stop() returns within its drain timeout when the broker never acknowledges, keeping the records', async () => {
    const { outbox, publisher, capture } = await setupPublisher(broker.url, cleanups, { drainTimeoutMs: 500 });
    await publisher.start();
    await waitFor(() => publisher.stats().connected, { what: 'connected' });
    broker.holdAcks(true);
    try {
      await capture(10);
      await waitFor(() => publisher.stats().inflight === 10, { what: 'records sent, unacknowledged' });
      const t0 = Date.now();
      await publisher.stop();
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(outbox.stats().pending).toBe(10);
    } finally {
      broker.holdAcks(false);
    }
  });

  it('outbox bound: with the broker away, the oldest records are dropped and counted; the newest arrive in order', async () => {
    broker.received.length = 0;
    const dir = await mkdtemp(join(tmpdir(), 'agent-bound-'));
    const outbox = await Outbox.open({ dir, maxBytes: 32 * 1024, segmentBytes: 4 * 1024, checkpointIntervalMs: 100 });
    const publisher = await MqttPublisher.create({
      outbox, url: broker.url, deviceId: DEVICE, protocolVersion: 4, keepaliveSec: 5, connectTimeoutMs: 2000,
      reconnect: { baseMs: 50, maxMs: 200 }, maxInflight: 16, ratePerSecond: 5000,
    });
    cleanups.push(async () => (await publisher.stop(), await outbox.close(), await rm(dir, { recursive: true, force: true })));
    await broker.down();
    await publisher.start();
    const n = 1500;
    for (let s = 0; s < n; s++) await outbox.append({ topic: TOPIC, payload: Buffer.from(JSON.stringify({ seq: s, pad: 'p'.repeat(60) })), key: 'vehicle', seq: s });
    const { dropped, pending, diskBytes } = outbox.stats();
    expect(diskBytes).toBeLessThanOrEqual(32 * 1024);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + pending).toBe(n);
    await broker.up();
    await waitFor(() => outbox.stats().pending === 0, { what: 'the kept records delivered' });
    // exactly the newest `pending` records, in order
    expect(seqsOf(broker.received)).toEqual(Array.from({ length: pending }, (_, i) => n - pending + i));
  });

  it('sends a retained offline will when the connection is lost without a goodbye', async () => {
    broker.received.length = 0;
    const { publisher } = await setup(broker);
    await publisher.start();
    await waitFor(() => publisher.stats().connected, { what: 'connected' });
    await broker.down(); // sockets destroyed: the broker publishes the will
    const will = await waitFor(() => broker.received.find((m) => m.topic === statusMqttTopic(DEVICE) && m.payload.includes('offline')), { what: 'will message' });
    expect(will.retain).toBe(true);
    expect(JSON.parse(will.payload.toString())).toMatchObject({ status: 'offline', reason: 'connection lost' });
    await broker.up();
    await waitFor(() => publisher.stats().connected, { what: 'reconnected' });
  });
});

describe('MqttPublisher over TLS with client certificates', () => {
  let certs: TestCerts;
  let broker: AedesBroker;
  beforeAll(async () => {
    certs = makeTestCerts(DEVICE);
    broker = await startAedes({ tls: { key: certs.read(certs.serverKey), cert: certs.read(certs.serverCert), ca: certs.read(certs.caCert) } });
  });
  afterAll(async () => {
    await broker.stop();
    certs.remove();
  });

  it('connects with a client certificate the broker trusts and delivers records', async () => {
    broker.received.length = 0;
    const { outbox, publisher, capture } = await setup(broker, { tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    await capture(20);
    await publisher.start();
    await waitFor(() => outbox.stats().pending === 0, { what: 'drained over TLS' });
    expect(seqsOf(broker.received)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('is refused with a certificate from another CA, and keeps the records', async () => {
    broker.received.length = 0;
    const { outbox, publisher, capture } = await setup(broker, { tls: { ca: certs.caCert, cert: certs.rogueCert, key: certs.rogueKey } });
    await capture(5);
    await publisher.start();
    await waitFor(() => publisher.stats().connectFailures >= 2, { what: 'refused connections' });
    expect(publisher.stats().connects).toBe(0);
    expect(outbox.stats().pending).toBe(5);
    expect(seqsOf(broker.received)).toEqual([]);
  });

  it('refuses a configuration with TLS files on a plain mqtt:// URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-pub-'));
    const outbox = await Outbox.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    cleanups.push(async () => (await outbox.close(), await rm(dir, { recursive: true, force: true })));
    await expect(
      MqttPublisher.create({ outbox, url: 'mqtt://127.0.0.1:1', deviceId: DEVICE, protocolVersion: 4, keepaliveSec: 5, connectTimeoutMs: 1000, reconnect: { baseMs: 10, maxMs: 10 }, maxInflight: 1, ratePerSecond: 1, tls: { ca: certs.caCert } }),
    ).rejects.toThrow(/not mqtts/);
  });
});
