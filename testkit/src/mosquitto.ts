import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { runDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, spawnManaged, startRestartable, type RestartableProcess } from './process.js';
import { waitFor } from './wait.js';

export interface MosquittoOptions {
  /** Extra mosquitto.conf lines. */
  extraConfig?: string[];
}

/** restart() brings the broker back on the same port, with the sessions it persisted. */
export interface MosquittoBroker extends RestartableProcess {
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/** Probe: an MQTT client can connect. */
export function mqttAnswers(url: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 1000, clientId: `probe-${process.pid}-${Date.now()}` });
    // The first event decides; 'close' also follows a successful connect once we end the probe.
    client.once('connect', () => {
      resolve(true);
      client.end(true);
    });
    client.once('error', (err) => {
      reject(err);
      client.end(true);
    });
    client.once('close', () => reject(new Error('connection closed')));
  });
}

/** Mosquitto as its own process with its own config on a free loopback port (not the system service). */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = runDir('mosquitto');
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Started as root, Mosquitto would switch to the "mosquitto" user and lose access to its folder.
      `user ${userInfo().username}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 1000000',
      'max_inflight_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const url = `mqtt://127.0.0.1:${port}`;
  const service = await startRestartable(async () => {
    const proc = spawnManaged('mosquitto', 'mosquitto', ['-c', conf]);
    await awaitReady(proc, waitFor(() => mqttAnswers(url), { timeoutMs: 20_000, intervalMs: 50, what: `Mosquitto on ${url}` }));
    return proc;
  });
  return { ...service, url, host: '127.0.0.1', port };
}
