import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { PlainObject } from '@fleetlake/core';
import { loadBridgeConfig, type BridgeConfig } from '../src/config.js';
import { hashPassword } from '../src/credentials.js';

/** Short random tag so that this run's devices are told apart in the shared Kafka topics. */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

export const PASSWORD = 'device-secret';

/** A credentials file for these devices (cheap scrypt parameters: tests, not production). */
export async function credentialsFile(deviceIds: string[], password = PASSWORD): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-test-'));
  const hash = await hashPassword(password, { N: 1024 });
  // One hash for all: each device still authenticates under its own name.
  const file = join(dir, 'devices.yaml');
  writeFileSync(file, `devices:\n${deviceIds.map((id) => `  ${id}: "${hash}"`).join('\n')}\n`, { mode: 0o600 });
  return file;
}

export function testConfig(brokers: string[], flags: PlainObject = {}): Readonly<BridgeConfig> {
  const base: PlainObject = {
    mqtt: { tcp: { port: 0 } },
    http: { port: 0 },
    // a copy: loadConfig freezes what it is given
    kafka: { brokers: [...brokers], requestTimeoutMs: 5000 },
    drainTimeoutMs: 10_000,
  };
  return loadBridgeConfig(undefined, deepMerge(base, flags), {});
}

function deepMerge(a: PlainObject, b: PlainObject): PlainObject {
  const out: PlainObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(prev as PlainObject, v as PlainObject) : v;
  }
  return out;
}

export function connectDevice(url: string, deviceId: string, extra: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId: deviceId, username: deviceId, password: PASSWORD, reconnectPeriod: 0, connectTimeout: 5000, ...extra });
    const onError = (err: Error) => {
      client.end(true);
      reject(err);
    };
    client.once('error', onError);
    client.once('connect', () => {
      // Later errors (e.g. a refused reconnect while the bridge restarts) must not end the client.
      client.off('error', onError);
      client.on('error', () => undefined);
      resolve(client);
    });
  });
}

export interface Collected {
  topic: string;
  partition: number;
  offset: string;
  message: KafkaMessage;
}

/** Reads topics from the beginning into memory (only messages whose key passes `keep`). */
export class KafkaCollector {
  readonly messages: Collected[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], topics: string[], keep: (key: string | undefined) => boolean): Promise<KafkaCollector> {
    const kafka = new Kafka({ brokers, clientId: 'bridge-test-reader', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `bridge-test-${runTag()}-${Date.now()}`, maxWaitTimeInMs: 200 });
    const c = new KafkaCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (keep(message.key?.toString())) c.messages.push({ topic: batch.topic, partition: batch.partition, offset: message.offset, message });
        }
      },
    });
    return c;
  }

  json(topic: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.message.value!.toString('utf8')) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Per device: the seqs seen, in Kafka order. */
export function seqsByDevice(records: Record<string, unknown>[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    const d = r.deviceId as string;
    if (!out.has(d)) out.set(d, []);
    out.get(d)!.push(r.seq as number);
  }
  return out;
}
