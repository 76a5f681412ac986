import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceTopicFilter, statusMqttTopic, streamMqttTopic } from '@fleetlake/contracts';
import { freePort, startMosquitto, waitFor, type MosquittoBroker } from '@fleetlake/testkit';
import { makeTestCerts, type TestCerts } from './support/certs.js';
import { DEVICE, expectCompleteInOrder, seqsOf, setupPublisher, type Cleanups } from './support/harness.js';
import { subscribe } from './support/subscriber.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MqttPublisher with Mosquitto', () => {
  let broker: MosquittoBroker;
  let certs: TestCerts;
  let tlsPort: number;
  beforeAll(async () => {
    certs = makeTestCerts(DEVICE);
    tlsPort = await freePort();
    broker = await startMosquitto({
      extraConfig: [
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${certs.caCert}`,
        `certfile ${certs.serverCert}`,
        `keyfile ${certs.serverKey}`,
        'require_certificate true',
        'use_identity_as_username true',
      ],
    });
  });
  let aclBroker: MosquittoBroker;
  beforeAll(async () => {
    // Anonymous clients may publish vehicle records and status, nothing else.
    const acl = join(certs.dir, 'acl');
    writeFileSync(acl, 'topic readwrite fleetlake/v1/+/vehicle\ntopic readwrite fleetlake/v1/+/status\n');
    aclBroker = await startMosquitto({ extraConfig: [`acl_file ${acl}`] });
  });
  afterAll(async () => {
    await aclBroker?.stop();
    await broker?.stop();
    certs?.remove();
  });

  it.each([4, 5] as const)('MQTT %i: records arrive in order with a retained online status', async (protocolVersion) => {
    const sub = await subscribe(broker.url, deviceTopicFilter(DEVICE), `sub-order-${protocolVersion}`, protocolVersion);
    cleanups.push(sub.close);
    const { outbox, publisher, capture } = await setupPublisher(broker.url, cleanups, { protocolVersion });
    await capture(100);
    await publisher.start();
    await capture(100);
    await waitFor(() => outbox.stats().pending === 0, { what: 'outbox drained' });
    await waitFor(() => seqsOf(sub.received).length >= 200, { what: 'subscriber got every record' });
    expect(seqsOf(sub.received)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(sub.received.some((m) => m.topic === statusMqttTopic(DEVICE) && m.payload.includes('"online"'))).toBe(true);
  });

  it('MQTT 5: the broker stopped for a while and restarted — every record arrives, in order, none lost', async () => {
    const sub = await subscribe(broker.url, deviceTopicFilter(DEVICE), 'sub-restart', 5);
    cleanups.push(sub.close);
    const { outbox, publisher, capture, captured } = await setupPublisher(broker.url, cleanups, { protocolVersion: 5 });
    await publisher.start();
    await capture(100);
    await waitFor(() => outbox.stats().pending === 0, { what: 'first batch acknowledged' });
    await broker.process().stop();
    for (let i = 0; i < 10; i++) await capture(30); // records keep coming while the broker is gone
    await waitFor(() => publisher.stats().connectFailures >= 2, { what: 'reconnect attempts while the broker is down' });
    expect(outbox.stats().pending).toBe(300);
    await broker.restart();
    await capture(100);
    await waitFor(() => outbox.stats().pending === 0, { timeoutMs: 60_000, what: 'outbox drained after restart' });
    await waitFor(() => new Set(seqsOf(sub.received)).size >= captured(), { timeoutMs: 30_000, what: 'subscriber got every record' });
    expectCompleteInOrder(seqsOf(sub.received), captured());
  });

  it('MQTT 5: a record the broker refuses for good (PUBACK 0x87) is removed and counted, and does not block the ones after it', async () => {
    const refused = streamMqttTopic(DEVICE, 'weather');
    const sub = await subscribe(aclBroker.url, deviceTopicFilter(DEVICE), 'sub-acl', 5);
    cleanups.push(sub.close);
    const { outbox, publisher, capture } = await setupPublisher(aclBroker.url, cleanups, { protocolVersion: 5 });
    await capture(3);
    await outbox.append({ topic: refused, payload: Buffer.from('{"seq":0}'), key: 'weather', seq: 0 });
    await capture(3);
    await publisher.start();
    await waitFor(() => outbox.stats().pending === 0, { what: 'outbox drained' });
    await waitFor(() => seqsOf(sub.received).length >= 6, { what: 'the allowed records' });
    expect(seqsOf(sub.received)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(publisher.stats().rejected).toEqual({ '0x87': 1 });
    expect(sub.received.some((m) => m.topic === refused)).toBe(false);
  });

  it('MQTT 5 over TLS: a client certificate signed by the trusted CA is accepted', async () => {
    const url = `mqtts://127.0.0.1:${tlsPort}`;
    const sub = await subscribe(broker.url, deviceTopicFilter(DEVICE), 'sub-tls', 5);
    cleanups.push(sub.close);
    const { outbox, publisher, capture } = await setupPublisher(url, cleanups, {
      protocolVersion: 5,
      tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey },
    });
    await capture(30);
    await publisher.start();
    await waitFor(() => outbox.stats().pending === 0, { what: 'drained over TLS' });
    await waitFor(() => seqsOf(sub.received).length >= 30, { what: 'subscriber got the records' });
    expect(seqsOf(sub.received)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});
