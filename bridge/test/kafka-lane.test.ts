import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, type Kafka, type TopicMessages } from 'kafkajs';
import { FleetlakeError, silentLogger } from '@fleetlake/core';
import { KafkaLane, sizeRefusal, type LaneOptions } from '../src/kafka-lane.js';
import { BridgeMetrics } from '../src/metrics.js';
import type { OutRecord } from '../src/route.js';
import { recordBytes } from '../src/route.js';

const require = createRequire(import.meta.url);
/** What kafkajs throws for an error code in a produce response. */
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error };

describe('sizeRefusal', () => {
  it('recognizes MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE, also as the cause of a wrapping error', () => {
    expect(sizeRefusal(createErrorFromCode(10))?.reason).toBe('message_too_large');
    expect(sizeRefusal(createErrorFromCode(18))?.reason).toBe('record_list_too_large');
    const wrapped = new KafkaJSNonRetriableError(createErrorFromCode(10));
    (wrapped as { cause?: unknown }).cause = createErrorFromCode(10);
    expect(sizeRefusal(wrapped)?.reason).toBe('message_too_large');
    expect(sizeRefusal(new FleetlakeError('X', 'x', { cause: createErrorFromCode(18) }))?.reason).toBe('record_list_too_large');
  });

  it('leaves every other error to the retry loop', () => {
    expect(sizeRefusal(createErrorFromCode(6))).toBeUndefined(); // NOT_LEADER_OR_FOLLOWER
    expect(sizeRefusal(new KafkaJSConnectionError('connection refused'))).toBeUndefined();
    expect(sizeRefusal(new Error('MESSAGE_TOO_LARGE'))).toBeUndefined();
    expect(sizeRefusal(undefined)).toBeUndefined();
  });
});

/**
 * A stand-in for kafkajs: refuses a send whose value bytes for a topic pass that topic's limit (as
 * Kafka does with MESSAGE_TOO_LARGE), throws `failures` first, and records what it accepted.
 */
class FakeKafka {
  readonly written: string[] = [];
  /** Records per sendBatch call, in call order. */
  readonly sends: number[] = [];
  constructor(
    private readonly limits: Record<string, number>,
    readonly failures: Error[] = [],
  ) {}

  producer() {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
        this.sends.push(topicMessages.reduce((n, tm) => n + tm.messages.length, 0));
        const failure = this.failures.shift();
        if (failure) throw failure;
        for (const { topic, messages } of topicMessages) {
          const bytes = messages.reduce((n, m) => n + (m.value as Buffer).length, 0);
          if (bytes > (this.limits[topic] ?? Infinity)) throw createErrorFromCode(10);
        }
        for (const { messages } of topicMessages) for (const m of messages) this.written.push((m.value as Buffer).toString());
      },
    };
  }
}

const OPTIONS: LaneOptions = { idempotent: true, allowAutoTopicCreation: false, lingerMs: 0, batchMaxRecords: 1000, batchMaxBytes: 1_000_000, requestTimeoutMs: 1000 };

/** A lane on a FakeKafka; `send` queues records (value = name padded to `size` bytes) and resolves with each one's outcome. */
function lane(kafka: FakeKafka) {
  const metrics = new BridgeMetrics({ processMetrics: false });
  const released = { bytes: 0, records: 0 };
  const l = new KafkaLane(kafka as unknown as Kafka, OPTIONS, metrics, silentLogger(), (bytes, records) => {
    released.bytes += bytes;
    released.records += records;
  });
  const outcomes: string[] = [];
  const send = (records: [name: string, size: number, topic?: string][]) =>
    Promise.all(
      records.map(([name, size, topic = 't']) => {
        const record: OutRecord = { topic, key: name.split('-')[0]!, value: Buffer.from(name.padEnd(size, '.')), headers: {} };
        return new Promise<void>((resolve) => {
          l.push({
            record,
            bytes: recordBytes(record),
            at: Date.now(),
            done: (err) => {
              outcomes.push(err ? `${name}:${(err as FleetlakeError).code}:${(err as FleetlakeError).retriable}` : name);
              resolve();
            },
          });
        });
      }),
    );
  return { l, metrics, released, outcomes, send };
}

const records = (device: string, from: number, count: number, size: number): [string, number][] =>
  Array.from({ length: count }, (_, i) => [`${device}-${from + i}`, size]);

describe('KafkaLane and batches Kafka refuses for their size', () => {
  it('sends a refused batch in halves, in order, acknowledges every record once, and sends later batches at the learnt size', async () => {
    const kafka = new FakeKafka({ t: 1000 });
    const { l, metrics, released, outcomes, send } = lane(kafka);
    // Two devices interleaved: each one's order must survive the split.
    const first = records('a', 0, 20, 100).map(([n, s], i): [string, number] => [i % 2 ? n.replace('a', 'b') : n, s]);
    const sent = send(first);
    l.start();
    try {
      await sent;
      expect(kafka.sends).toEqual([20, 10, 10]);
      expect(await metrics.count(metrics.kafkaSplitBatches)).toBe(1);
      expect(outcomes).toEqual(first.map(([n]) => n));
      expect(kafka.written.map((v) => v.replace(/\.+$/, ''))).toEqual(first.map(([n]) => n));
      expect(released.records).toBe(20);
      // No more refusals: batches for this topic now stay at half the refused size (10 records).
      await send(records('a', 20, 20, 100));
      expect(kafka.sends).toEqual([20, 10, 10, 10, 10]);
      expect(await metrics.count(metrics.kafkaSplitBatches)).toBe(1);
      expect(kafka.written).toHaveLength(40);
    } finally {
      await l.stop();
    }
  });

  it('fails a single record Kafka refuses (non-retriable, counted, not written) and keeps sending the rest in order', async () => {
    const kafka = new FakeKafka({ t: 1000 });
    const { l, metrics, released, outcomes, send } = lane(kafka);
    const sent = send([['a-0', 100], ['a-1', 5000], ['a-2', 100]]);
    l.start();
    try {
      await sent;
      expect(outcomes).toEqual(['a-0', 'a-1:KAFKA_RECORD_TOO_LARGE:false', 'a-2']);
      expect(kafka.written.map((v) => v.replace(/\.+$/, ''))).toEqual(['a-0', 'a-2']);
      expect(await metrics.count(metrics.kafkaRefused, { reason: 'message_too_large' })).toBe(1);
      expect(await metrics.count(metrics.sendErrors)).toBe(0);
      expect(released.records).toBe(3);
      expect(l.kafkaOk).toBe(true);
      await send([['a-3', 100]]);
      expect(outcomes.at(-1)).toBe('a-3');
    } finally {
      await l.stop();
    }
  });

  it('splits a refused batch of several topics and caps only the topic Kafka refused', async () => {
    const kafka = new FakeKafka({ small: 150 });
    const { l, outcomes, send } = lane(kafka);
    const mixed: [string, number, string][] = [['a-0', 100, 'big'], ['a-1', 100, 'big'], ['a-2', 100, 'small'], ['a-3', 100, 'small']];
    const sent = send(mixed);
    l.start();
    try {
      await sent;
      expect(outcomes).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
      expect(kafka.sends).toEqual([4, 2, 2, 1, 1]);
      // 'big' is not capped (ten records in one batch); 'small' now goes one record per batch, without refusals.
      await send(records('b', 0, 10, 100).map(([n, s]) => [n, s, 'big']));
      await send(records('c', 0, 3, 100).map(([n, s]) => [n, s, 'small']));
      expect(kafka.sends.slice(5)).toEqual([10, 1, 1, 1]);
      expect(kafka.written).toHaveLength(17);
    } finally {
      await l.stop();
    }
  });

  it('retries any other error with the same batch, without splitting it', async () => {
    const kafka = new FakeKafka({ t: 1000 }, [new KafkaJSConnectionError('connection refused'), createErrorFromCode(6)]);
    const { l, metrics, outcomes, send } = lane(kafka);
    const sent = send(records('a', 0, 4, 100));
    l.start();
    try {
      await sent;
      expect(kafka.sends).toEqual([4, 4, 4]);
      expect(outcomes).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
      expect(await metrics.count(metrics.sendErrors)).toBe(2);
      expect(await metrics.count(metrics.kafkaRefused)).toBe(0);
    } finally {
      await l.stop();
    }
  });
});
