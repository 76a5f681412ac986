import { createRequire } from 'node:module';
import { replaceCjsExport } from '@fleetlake/core';

/**
 * A cheaper encoder for kafkajs' per-record encoding (Kafka record format v2, produce API v3+).
 *
 * Why: kafkajs 2.2.4 builds every record from 1 + (number of headers) `Encoder`s, each a zero-filled
 * 512-byte Buffer, and writes every varint through a temporary array and `Buffer.from`. With the
 * contracts' three headers that is ~4 KB zeroed and ~15 small Buffers per message; in the bridge
 * benchmark kafkajs plus the garbage it made were the largest share of the bridge's CPU. This module
 * writes the same bytes into one exact-size Buffer (`Buffer.allocUnsafe`, from Node's pool).
 *
 * How: kafkajs' produce request (`protocol/requests/produce/v3/request.js`) takes its `Record`
 * function from `protocol/recordBatch/record/v0` when it is first required, which is at the first
 * produce request. `installFastRecordEncoder()` replaces that module's export in the require cache
 * before then (it is called when the bridge's Kafka module loads). Anything the fast path does not
 * handle exactly (non-string/non-Buffer values, timestamp deltas beyond ±2^30 ms, array header values)
 * goes to kafkajs' own encoder, so the output is byte-for-byte what kafkajs would have sent
 * (test/kafkajs-record-encoder.test.ts compares both on random records and whole record batches).
 */

interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/** What kafkajs' RecordBatch needs from an encoded record: `buf` (checked to be a Buffer) and `buffer`. */
export class EncodedRecord {
  constructor(readonly buf: Buffer) {}
  get buffer(): Buffer {
    return this.buf;
  }
  size(): number {
    return this.buf.length;
  }
}

/** kafkajs' Encoder and EncodedRecord alike: `buf` (kafkajs checks it is a Buffer) and the written bytes, `buffer`. */
type RecordEncoder = (record: RecordInput) => { buf: Buffer; readonly buffer: Buffer };

const require = createRequire(import.meta.url);
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
const PRODUCE_V3_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';

/** kafkajs' own record encoder (kept for the fallback and for tests). */
export const kafkajsRecordEncoder = require(RECORD_MODULE) as RecordEncoder;

const zigZag = (v: number) => ((v << 1) ^ (v >> 31)) >>> 0;

function uvarintSize(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u >>>= 7;
    n++;
  }
  return n;
}

function writeUVarInt(buf: Buffer, at: number, u: number): number {
  while (u >= 0x80) {
    buf[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[at++] = u;
  return at;
}

/** A value (string, Buffer or null) as it will be written: its byte length, -1 for null. */
function byteLength(v: string | Buffer | null): number {
  if (v === null) return -1;
  return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
}

function writeBytes(buf: Buffer, at: number, v: string | Buffer | null, len: number): number {
  at = writeUVarInt(buf, at, zigZag(len));
  if (v === null) return at;
  if (typeof v === 'string') buf.write(v, at, len, 'utf8');
  else v.copy(buf, at);
  return at + len;
}

const isSimple = (v: unknown): v is string | Buffer | null => v === null || typeof v === 'string' || Buffer.isBuffer(v);
// Inside ±2^30 the 32-bit zig-zag of kafkajs' varint and of its 64-bit varlong give the same bytes.
const isSmallInt = (v: number) => Number.isInteger(v) && v >= -0x40000000 && v < 0x40000000;

/** Same output as kafkajs' `Record()` for the records the bridge writes, without its allocations. */
export function fastRecordEncoder(record: RecordInput): ReturnType<RecordEncoder> {
  const { offsetDelta = 0, timestampDelta = 0, headers = {} } = record;
  const key = record.key === undefined ? null : record.key;
  const value = record.value === undefined ? null : record.value;
  if (!isSimple(key) || !isSimple(value) || !isSmallInt(offsetDelta) || !isSmallInt(timestampDelta)) return kafkajsRecordEncoder(record);
  const names = Object.keys(headers);
  const lengths: number[] = [];
  let headersSize = uvarintSize(zigZag(names.length));
  for (const name of names) {
    const hv = headers[name];
    // kafkajs encodes array values as repeated headers and fails on null ones; leave both to it.
    if (typeof hv !== 'string' && !Buffer.isBuffer(hv)) return kafkajsRecordEncoder(record);
    const nameLen = Buffer.byteLength(name, 'utf8');
    const valueLen = byteLength(hv);
    lengths.push(nameLen, valueLen);
    headersSize += uvarintSize(zigZag(nameLen)) + nameLen + uvarintSize(zigZag(valueLen)) + valueLen;
  }
  const keyLen = byteLength(key);
  const valueLen = byteLength(value);
  const body =
    1 + // attributes
    uvarintSize(zigZag(timestampDelta)) +
    uvarintSize(zigZag(offsetDelta)) +
    uvarintSize(zigZag(keyLen)) + Math.max(keyLen, 0) +
    uvarintSize(zigZag(valueLen)) + Math.max(valueLen, 0) +
    headersSize;
  const buf = Buffer.allocUnsafe(uvarintSize(zigZag(body)) + body);
  let at = writeUVarInt(buf, 0, zigZag(body));
  buf[at++] = 0; // attributes: none used
  at = writeUVarInt(buf, at, zigZag(timestampDelta));
  at = writeUVarInt(buf, at, zigZag(offsetDelta));
  at = writeBytes(buf, at, key, keyLen);
  at = writeBytes(buf, at, value, valueLen);
  at = writeUVarInt(buf, at, zigZag(names.length));
  for (let i = 0; i < names.length; i++) {
    at = writeBytes(buf, at, names[i]!, lengths[2 * i]!);
    at = writeBytes(buf, at, headers[names[i]!] as string | Buffer, lengths[2 * i + 1]!);
  }
  if (at !== buf.length) throw new Error(`fast record encoder wrote ${at} of ${buf.length} bytes`);
  return new EncodedRecord(buf);
}

/**
 * Makes kafkajs' produce requests use `fastRecordEncoder`. Returns false (and changes nothing) when
 * kafkajs already loaded its produce request, which then keeps its own encoder.
 */
export function installFastRecordEncoder(): boolean {
  return replaceCjsExport(import.meta.url, RECORD_MODULE, fastRecordEncoder, [PRODUCE_V3_MODULE]);
}
