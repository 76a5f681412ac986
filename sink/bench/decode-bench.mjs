#!/usr/bin/env node
/**
 * node sink/bench/decode-bench.mjs — CPU per 1000 records of the sink's per-record steps on the
 * main thread, in this process without Kafka or DuckDB: decoding fetched record batches (kafkajs'
 * decoder vs src/kafkajs-batch-decoder.ts) and turning records into segment rows (decode + the
 * partition buffer, as Sink.onBatch does). Unlike bench:sink it hardly depends on what else runs on
 * the machine, so it shows what a change saves per record. Build first (npx tsc -b).
 */
import { createRequire } from 'node:module';
import { fastRecordBatchDecoder, kafkajsRecordBatchDecoder } from '../dist/kafkajs-batch-decoder.js';
import { PartitionBuffer, decode } from '../dist/index.js';
import { gpsRecord } from './gen.mjs';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');

const BATCH = 2500;
const BATCHES = 8;
const ROUNDS = Number(process.env.DECODE_ROUNDS ?? 15);

// Record batches as the bridge produces them: key = deviceId, the contracts' three headers.
const fetched = Buffer.concat(
  await Promise.all(
    Array.from({ length: BATCHES }, async (_, b) => {
      const records = Array.from({ length: BATCH }, (_, i) => {
        const r = gpsRecord(b * BATCH + i);
        const headers = { 'fleetlake-mqtt-topic': `fleetlake/v1/${r.deviceId}/gps`, 'fleetlake-received-at': r.timestamp, 'fleetlake-schema-version': '1' };
        return Record({ offsetDelta: i, timestampDelta: i, key: r.deviceId, value: JSON.stringify(r), headers });
      });
      const batch = await RecordBatch({ records, firstOffset: b * BATCH, firstTimestamp: 1_795_000_000_000, maxTimestamp: 1_795_000_000_000 + BATCH, lastOffsetDelta: BATCH - 1 });
      return batch.buffer;
    }),
  ),
);
const N = BATCH * BATCHES;

async function decodeAll(decodeBatch) {
  const decoder = new Decoder(fetched);
  const messages = [];
  while (decoder.canReadBytes(49)) messages.push(...(await decodeBatch(decoder)).records);
  return messages;
}

/** CPU ms per 1000 records of `fn()` (one pass over all N records), after a warm-up. */
async function measure(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const t0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await fn();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) / 1000 / (ROUNDS * N)) * 1000;
}

const messages = await decodeAll(fastRecordBatchDecoder);
const root = { kind: "local", dir: "/tmp/lake" };
function toRows() {
  const buffer = new PartitionBuffer('gps_data', 0, { maxRecords: 250_000, maxBytes: 512 * 1024 * 1024, maxSpanMs: 3_600_000 * 24 });
  const source = { topic: 'gps_data', partition: 0 };
  for (const m of messages) {
    const item = decode(source, m, root);
    buffer.add(item);
  }
  buffer.reset();
}

const rows = [
  ['record batches, kafkajs decoder', await measure(() => decodeAll(kafkajsRecordBatchDecoder))],
  ['record batches, fastRecordBatchDecoder', await measure(() => decodeAll(fastRecordBatchDecoder))],
  ['decode + partition buffer', await measure(toRows)],
];
for (const [name, ms] of rows) process.stdout.write(`${name.padEnd(40)} ${ms.toFixed(2)} CPU ms per 1000 records\n`);
