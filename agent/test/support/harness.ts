import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { streamMqttTopic } from '@fleetlake/contracts';
import { Outbox } from '../../src/outbox/outbox.js';
import { MqttPublisher, type PublisherOptions } from '../../src/publish/publisher.js';

export const DEVICE = 'pi-test-01';
export const TOPIC = streamMqttTopic(DEVICE, 'vehicle');

export interface Message {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

export type Cleanups = Array<() => Promise<void>>;

/** An outbox in a temp folder and a publisher on it; `capture(n)` appends n numbered records. */
export async function setupPublisher(url: string, cleanups: Cleanups, extra: Partial<PublisherOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'agent-pub-'));
  const outbox = await Outbox.open({ dir, maxBytes: 4 << 20, segmentBytes: 256 << 10, checkpointIntervalMs: 200 });
  const publisher = await MqttPublisher.create({
    outbox,
    url,
    deviceId: DEVICE,
    protocolVersion: 4,
    keepaliveSec: 5,
    connectTimeoutMs: 2000,
    reconnect: { baseMs: 50, maxMs: 400 },
    maxInflight: 16,
    ratePerSecond: 2000,
    agentVersion: '0.1.0',
    ...extra,
  });
  cleanups.push(async () => {
    await publisher.stop();
    await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });
  let seq = 0;
  const capture = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () => {
        const s = seq++;
        return outbox.append({ topic: TOPIC, payload: Buffer.from(JSON.stringify({ seq: s })), key: 'vehicle', seq: s });
      }),
    );
  return { outbox, publisher, capture, captured: () => seq };
}

/** seqs of the records received on `topic`, in arrival order. */
export const seqsOf = (received: Message[], topic = TOPIC) =>
  received.filter((m) => m.topic === topic).map((m) => (JSON.parse(m.payload.toString()) as { seq: number }).seq);

/** Keeps the first arrival of each value, in arrival order (re-sends after a reconnect may repeat a record). */
export function firstArrivals<T>(values: T[]): T[] {
  const seen = new Set<T>();
  return values.filter((v) => !seen.has(v) && (seen.add(v), true));
}

/** Every seq 0..n-1 arrived, and the first arrival of each is in seq order. */
export function expectCompleteInOrder(seqs: number[], n: number): void {
  expect(firstArrivals(seqs)).toEqual(Array.from({ length: n }, (_, i) => i));
}
