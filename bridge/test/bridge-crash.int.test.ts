import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { freePort, spawnManaged, waitFor, type ManagedProcess } from '@fleetlake/testkit';
import { createKafka, createTopics } from '../src/kafka.js';
import { loadBridgeConfig } from '../src/config.js';
import { connectDevice, credentialsFile, KafkaCollector, runTag, seqsByDevice } from './harness.js';
import { DeviceLoad, firstSeenInOrder, missingFromKafka, totalAcked } from './load.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DEVICES = 20;
const PER_DEVICE = 300;

describe('bridge process killed', () => {
  const tag = runTag();
  const ids = Array.from({ length: DEVICES }, (_, i) => `c${tag}-${i}`);
  let brokers: string[];
  let configFile: string;
  let mqttPort: number;
  let httpPort: number;
  let proc: ManagedProcess | undefined;
  const clients: MqttClient[] = [];

  async function startBridge(): Promise<ManagedProcess> {
    const p = spawnManaged('fleetlake-bridge', process.execPath, [CLI, 'run', '--config', configFile]);
    await waitFor(async () => {
      if (!p.isRunning()) throw new Error(`bridge exited:\n${p.output()}`);
      return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
    }, { what: 'bridge /healthz', timeoutMs: 30_000 });
    return p;
  }

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -b" first`);
    ({ brokers } = await sharedKafka());
    [mqttPort, httpPort] = [await freePort(), await freePort()];
    configFile = join(mkdtempSync(join(tmpdir(), 'bridge-crash-')), 'bridge.yaml');
    writeFileSync(configFile, stringify({
      mqtt: { tcp: { port: mqttPort }, credentialsFile: await credentialsFile(ids) },
      http: { port: httpPort },
      kafka: { brokers },
      drainTimeoutMs: 20_000,
      logLevel: 'warn',
    }));
    await createTopics(createKafka(loadBridgeConfig(configFile, {}, {}).kafka), { partitions: 3, replicationFactor: 1 });
    proc = await startBridge();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await proc?.stop();
  });

  it('SIGKILL: devices resend what was not acknowledged and nothing acknowledged is missing; SIGTERM drains', async () => {
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    for (const id of ids) clients.push(await connectDevice(url, id, { reconnectPeriod: 300, clean: false }));
    const loads = clients.map((c, i) => new DeviceLoad(ids[i]!, c, PER_DEVICE, 20, 3));
    const running = Promise.all(loads.map((l) => l.run()));

    await waitFor(() => totalAcked(loads) >= DEVICES * 60, { what: 'some records acknowledged', timeoutMs: 60_000 });
    await proc!.kill('SIGKILL');
    const ackedAtKill = totalAcked(loads);
    proc = await startBridge();
    await waitFor(() => totalAcked(loads) >= DEVICES * 180, { what: 'more acknowledged after restart', timeoutMs: 60_000 });

    // Graceful stop mid-stream: stop accepting, drain what was received, exit.
    const stopping = proc;
    await stopping.stop(30_000);
    const exit = await stopping.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(143);
    const ackedAtStop = totalAcked(loads);
    proc = await startBridge();
    await running;
    expect(totalAcked(loads)).toBe(DEVICES * PER_DEVICE);

    const collector = await KafkaCollector.start(brokers, ['gps_data'], (k) => k?.startsWith(`c${tag}`) === true);
    try {
      await waitFor(() => missingFromKafka(loads, seqsByDevice(collector.json('gps_data'))).length === 0, { what: 'every acknowledged record in Kafka', timeoutMs: 60_000 });
      const seen = seqsByDevice(collector.json('gps_data'));
      for (const id of ids) expect(firstSeenInOrder(seen.get(id)!), id).toBe(true);
      const total = collector.json('gps_data').length;
      console.log(`bridge crash: ${ackedAtKill} acked at SIGKILL, ${ackedAtStop} at SIGTERM, ${DEVICES * PER_DEVICE} in the end; ${total - DEVICES * PER_DEVICE} duplicates (resent after the crash)`);
    } finally {
      await collector.stop();
    }
  }, 240_000);
});
