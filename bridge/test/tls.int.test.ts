import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fleetlake/core';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { waitFor } from '@fleetlake/testkit';
import { Bridge } from '../src/bridge.js';
import type { EmbeddedBroker } from '../src/embedded-broker.js';
import { createKafka, createTopics } from '../src/kafka.js';
import { connectDevice, KafkaCollector, runTag, testConfig } from './harness.js';
import { gpsMessage } from './helpers.js';

/** A throw-away CA, a server certificate for 127.0.0.1 and client certificates with CN = deviceId (openssl). */
function makePki(dir: string, devices: string[]): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=fleetlake-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  const issue = (name: string, cn: string, ext: string[] = []) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.crt`, ...ext);
  };
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  issue('server', '127.0.0.1', ['-extfile', 'san.ext']);
  for (const d of devices) issue(d, d);
}

describe('embedded broker over TLS with client certificates', () => {
  const tag = runTag();
  const [carA, carB] = [`t${tag}-a`, `t${tag}-b`];
  const dir = mkdtempSync(join(tmpdir(), 'bridge-pki-'));
  let bridge: Bridge;
  let brokers: string[];
  let url: string;
  const pem = (name: string) => readFileSync(join(dir, name));

  beforeAll(async () => {
    makePki(dir, [carA, carB]);
    ({ brokers } = await sharedKafka());
    const config = testConfig(brokers, {
      mqtt: { tcp: { enabled: false }, tls: { enabled: true, port: 0, ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') } },
    });
    await createTopics(createKafka(config.kafka), { partitions: 3, replicationFactor: 1 });
    bridge = await Bridge.create(config, createLogger('bridge-test', { level: 'warn' }));
    await bridge.start();
    url = `mqtts://127.0.0.1:${(bridge.input as EmbeddedBroker).ports().tls}`;
  });

  afterAll(async () => {
    await bridge?.stop();
  });

  it('authenticates a device by its certificate CN and refuses one without a certificate', async () => {
    const collector = await KafkaCollector.start(brokers, ['gps_data'], (k) => k === carA);
    try {
      const tls = { ca: pem('ca.crt'), cert: pem(`${carA}.crt`), key: pem(`${carA}.key`), username: undefined, password: undefined };
      const client = await connectDevice(url, carA, tls);
      const { topic, payload } = gpsMessage(carA, 1);
      await client.publishAsync(topic, payload, { qos: 1 });
      await waitFor(() => collector.json('gps_data').some((r) => r.deviceId === carA), { what: 'record from the certificate device' });
      // Publishing as the other car with car A's certificate gets the connection closed.
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const forged = gpsMessage(carB, 1);
      client.publish(forged.topic, forged.payload, { qos: 1 });
      await closed;
      await client.endAsync(true);
      await expect(connectDevice(url, carB, { ca: pem('ca.crt'), username: undefined, password: undefined })).rejects.toThrow(/Not authorized|Bad username/i);
      // A certificate for car B cannot log in as car A.
      await expect(connectDevice(url, carA, { ca: pem('ca.crt'), cert: pem(`${carB}.crt`), key: pem(`${carB}.key`), username: carA })).rejects.toThrow(/Not authorized|Bad username/i);
    } finally {
      await collector.stop();
    }
  });
});
