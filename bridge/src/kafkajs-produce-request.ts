import { createRequire } from 'node:module';
import { replaceCjsExport } from '@fleetlake/core';
import { crc32c } from './kafkajs-crc32c.js';
import { EncodedRecord, fastRecordEncoder } from './kafkajs-record-encoder.js';

/**
 * A cheaper body for kafkajs' produce request (API v3, which v4–v7 reuse): the whole request body in
 * one exact-size Buffer.
 *
 * Why: after the record encoder (kafkajs-record-encoder.ts), building the request around the records
 * was the largest piece of kafkajs left in the bridge's profile at 10,000 msg/s (~15 % of its samples):
 * per message an object spread and a closure, per partition four growing `Encoder`s (zero-filled,
 * doubled and copied as they fill), and the batch copied once per nesting level.
 *
 * How: as for the record encoder, kafkajs 2.2.4's `protocol/requests/produce/v3/request.js` export is
 * replaced in the require cache before `v4`..`v7` (which take it when they load, at the first produce
 * request) are loaded. The replacement keeps everything of kafkajs' request object except `encode`.
 * What the fast path does not handle exactly — compression, transactions, messages with their own
 * timestamps or partitions without a firstSequence field shape it knows — goes to kafkajs' own encode,
 * so the bytes on the wire are kafkajs' bytes (test/kafkajs-produce-request.test.ts compares both).
 */

interface ProduceMessage {
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
  timestamp?: unknown;
}

interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}

interface TopicData {
  topic: string;
  partitions: PartitionData[];
}

interface LongLike {
  getHighBits(): number;
  getLowBits(): number;
}

export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}

interface KafkajsRequest {
  encode: () => Promise<{ buf: Buffer; readonly buffer: Buffer }>;
  [other: string]: unknown;
}

type ProduceRequest = (args: ProduceRequestArgs) => KafkajsRequest;

const require = createRequire(import.meta.url);
const PRODUCE_V3_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
const LATER_VERSIONS = [4, 5, 6, 7].map((v) => `kafkajs/src/protocol/requests/produce/v${v}/request.js`);
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): LongLike };

/** kafkajs' own produce v3 request, loaded by `installFastProduceRequest` (the fallback; tests compare with it). */
let kafkajsV3: ProduceRequest | undefined;
export function kafkajsProduceRequest(): ProduceRequest {
  return (kafkajsV3 ??= require(PRODUCE_V3_MODULE) as ProduceRequest);
}

// Record batch header (magic 2) after the batch length: leader epoch, magic, CRC, then the CRC'd part.
const MAGIC = 2;
const CRC_COVERED_HEADER = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4; // attributes .. records count
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4; // firstOffset, length, leader epoch, magic, CRC

function fastPathApplies(args: ProduceRequestArgs): boolean {
  if ((args.compression ?? 0) !== 0 || (args.transactionalId ?? null) !== null || args.producerId === null || args.producerEpoch === null) return false;
  for (const t of args.topicData) {
    for (const p of t.partitions) {
      if (p.messages.length === 0) return false;
      for (const m of p.messages) if (m.timestamp != null) return false;
    }
  }
  return true;
}

function writeInt64(buf: Buffer, at: number, value: unknown): number {
  const long = Long.fromValue(value);
  buf.writeInt32BE(long.getHighBits(), at);
  buf.writeInt32BE(long.getLowBits(), at + 4);
  return at + 8;
}

/** The request body kafkajs' v3 `encode()` would produce, when every message takes the batch's timestamp. */
export function encodeProduceBody(args: ProduceRequestArgs, now: number): Buffer {
  const producerId = args.producerId ?? -1;
  const producerEpoch = args.producerEpoch ?? 0;
  const topicNames = args.topicData.map((t) => Buffer.from(t.topic, 'utf8'));
  const records: Buffer[][] = [];
  let size = 2 + 2 + 4 + 4; // null transactional id, acks, timeout, topic count
  args.topicData.forEach((t, ti) => {
    size += 2 + topicNames[ti]!.length + 4;
    for (const p of t.partitions) {
      const encoded: Buffer[] = new Array(p.messages.length);
      let recordBytes = 0;
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i]!;
        // The fields kafkajs' Record reads, named: spreading the message (as kafkajs does) cost more than encoding it.
        const r = fastRecordEncoder({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: 0 }).buffer;
        encoded[i] = r;
        recordBytes += r.length;
      }
      records.push(encoded);
      size += 4 + 4 + BATCH_HEADER + CRC_COVERED_HEADER + recordBytes; // partition, record set size, batch
    }
  });

  const buf = Buffer.allocUnsafe(size);
  let at = buf.writeInt16BE(-1, 0); // transactional id: null
  at = buf.writeInt16BE(args.acks, at);
  at = buf.writeInt32BE(args.timeout, at);
  at = buf.writeInt32BE(args.topicData.length, at);
  let batchIndex = 0;
  args.topicData.forEach((t, ti) => {
    const name = topicNames[ti]!;
    at = buf.writeInt16BE(name.length, at);
    at += name.copy(buf, at);
    at = buf.writeInt32BE(t.partitions.length, at);
    for (const p of t.partitions) {
      const encoded = records[batchIndex++]!;
      let recordBytes = 0;
      for (const r of encoded) recordBytes += r.length;
      const batchLength = 4 + 1 + 4 + CRC_COVERED_HEADER + recordBytes; // after the length field
      at = buf.writeInt32BE(p.partition, at);
      at = buf.writeInt32BE(8 + 4 + batchLength, at); // record set size
      at = writeInt64(buf, at, 0); // first offset
      at = buf.writeInt32BE(batchLength, at);
      at = buf.writeInt32BE(0, at); // partition leader epoch
      at = buf.writeInt8(MAGIC, at);
      const crcAt = at;
      at += 4;
      const crcFrom = at;
      at = buf.writeInt16BE(0, at); // attributes: no compression, create time, not transactional
      at = buf.writeInt32BE(encoded.length - 1, at); // last offset delta
      at = writeInt64(buf, at, now); // first timestamp
      at = writeInt64(buf, at, now); // max timestamp
      at = writeInt64(buf, at, producerId);
      at = buf.writeInt16BE(producerEpoch, at);
      at = buf.writeInt32BE(p.firstSequence ?? 0, at);
      at = buf.writeInt32BE(encoded.length, at);
      for (const r of encoded) at += r.copy(buf, at);
      buf.writeUInt32BE(crc32c(buf.subarray(crcFrom, at)), crcAt);
    }
  });
  if (at !== size) throw new Error(`fast produce encoder wrote ${at} of ${size} bytes`);
  return buf;
}

/** kafkajs' produce v3 request with the one-buffer `encode` when the fast path applies. */
export function fastProduceRequest(args: ProduceRequestArgs): KafkajsRequest {
  const request = kafkajsProduceRequest()(args);
  if (!fastPathApplies(args)) return request;
  return { ...request, encode: async () => new EncodedRecord(encodeProduceBody(args, Date.now())) };
}

/**
 * Makes kafkajs' produce requests (v3–v7) use `fastProduceRequest`. Call it after
 * `installFastRecordEncoder` and `installFastCrc32c` (loading kafkajs' v3 request here fixes the record
 * encoder and CRC its fallback uses). Returns false (and changes nothing) when a later produce version
 * already took kafkajs' v3 request.
 */
export function installFastProduceRequest(): boolean {
  kafkajsProduceRequest(); // kafkajs' own, kept before it is replaced
  return replaceCjsExport(import.meta.url, PRODUCE_V3_MODULE, fastProduceRequest, LATER_VERSIONS);
}
