#!/usr/bin/env node
/**
 * node bridge/bench/encode-bench.mjs — CPU per 1000 messages of the bridge's Kafka encoding steps,
 * kafkajs' own vs the bridge's (src/kafkajs-record-encoder.ts, src/key-partitioner.ts,
 * src/kafkajs-crc32c.ts), in this
 * process without MQTT or Kafka. Unlike bench:bridge it hardly depends on what else runs on the
 * machine, so it shows what those changes save per message. Build first (npx tsc -b).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { fastRecordEncoder, kafkajsRecordEncoder } from '../dist/kafkajs-record-encoder.js';
import { memoKeyPartitioner } from '../dist/key-partitioner.js';
import { crc32c, kafkajsCrc32c } from '../dist/kafkajs-crc32c.js';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');

const DEVICES = 1000;
const BATCH = 1000;
const ROUNDS = Number(process.env.ENCODE_ROUNDS ?? 300);
const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 0 }));
const messages = Array.from({ length: BATCH }, (_, i) => {
  const id = `bench-${String(i % DEVICES).padStart(4, '0')}`;
  const topic = `fleetlake/v1/${id}/gps`;
  const value = Buffer.from(`{"id":"${randomUUID()}","deviceId":"${id}","seq":${i},"timestamp":"2026-11-27T12:00:00.000Z","timeSource":"gps","latitude":51.5074,"longitude":-0.1278,"speed":48.2,"direction":"North-West","vehicleType":"van","fixMode":"3d","fixQuality":1,"satellites":9,"hdop":0.9}`);
  return { key: id, value, headers: { 'fleetlake-mqtt-topic': topic, 'fleetlake-received-at': '2026-11-27T12:00:00.000Z', 'fleetlake-schema-version': '1' } };
});

/** CPU ms per 1000 messages of `fn(batch)`, after a warm-up. */
async function measure(fn) {
  for (let i = 0; i < 30; i++) await fn();
  const t0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await fn();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) / 1000 / (ROUNDS * BATCH)) * 1000;
}

const encodeBatch = (encode) => () =>
  RecordBatch({ records: messages.map((m, i) => encode({ ...m, offsetDelta: i, timestampDelta: 0 })), firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: BATCH - 1 });
const partitionAll = (create) => {
  const partitioner = create();
  return () => {
    for (const message of messages) partitioner({ topic: 'gps_data', partitionMetadata, message });
  };
};

const batchBytes = Buffer.concat(messages.map((m, i) => fastRecordEncoder({ ...m, offsetDelta: i }).buf));
const rows = [
  ['record batch, kafkajs Record', await measure(encodeBatch(kafkajsRecordEncoder))],
  ['record batch, fastRecordEncoder', await measure(encodeBatch(fastRecordEncoder))],
  ['partitioner, kafkajs default', await measure(partitionAll(Partitioners.DefaultPartitioner))],
  ['partitioner, memoKeyPartitioner', await measure(partitionAll(memoKeyPartitioner))],
  ['batch CRC-32C, kafkajs', await measure(() => kafkajsCrc32c(batchBytes))],
  ['batch CRC-32C, crc32c', await measure(() => crc32c(batchBytes))],
];
for (const [name, ms] of rows) process.stdout.write(`${name.padEnd(34)} ${ms.toFixed(2)} CPU ms per 1000 messages\n`);
