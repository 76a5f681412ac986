import { createRequire } from 'node:module';
import { replaceCjsExport } from '@fleetlake/core';

/**
 * A cheaper decoder for the record batches (Kafka record format v2) in kafkajs' fetch responses.
 *
 * Why: kafkajs 2.2.4 decodes every record through a new `Decoder`, parses the batch's first offset
 * and timestamp from strings into `Long`s again for each record, reads varlongs with `Long`
 * arithmetic and builds the headers object by spreading it once per header. In bench:sink that was
 * ~1.3 µs per record plus the garbage it left, the largest cost after JSON.parse. This module reads
 * the same fields straight from the fetch buffer, with plain numbers where they are exact, and
 * lazily: each record is a `FetchedRecord` that makes its key, value, headers and timestamp only
 * when they are read (decode-bench: 2.7 ms per 1000 records with all fields made, 0.2 lazily).
 *
 * How: kafkajs' fetch responses (`protocol/requests/fetch/v4/decodeMessages.js`, used by fetch v4
 * to v11) take the batch decoder from `protocol/recordBatch/v0/decoder` when first required, which is
 * at the first fetch. `installFastRecordBatchDecoder()` replaces that module's export in the require
 * cache before then. The result is value-for-value what kafkajs returns (same fields, offsets and
 * timestamps as strings, keys and values as slices of the fetch buffer, duplicate headers as arrays;
 * `FetchedRecord.toKafkajs()` gives the plain object) and kafkajs' decoder gets every batch the fast
 * path does not handle exactly: compressed batches, partial batches at the end of a fetch, numbers
 * beyond 2^53, anything malformed (test/kafkajs-batch-decoder.test.ts compares both). A record's
 * key, value and headers are checked at decoding, so its getters cannot fail later. Like kafkajs,
 * the CRC is not verified.
 */

/** kafkajs' `protocol/decoder` as far as the batch decoder uses it. */
export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
}

type Headers = Record<string, Buffer | null | (Buffer | null)[]>;

export interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
}

export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  isControlRecord: boolean;
  batchContext: BatchContext & { magicByte: number };
}

export type DecodedBatch = BatchContext & { records: DecodedRecord[] };

type RecordBatchDecoder = (decoder: KafkajsDecoder) => Promise<DecodedBatch>;

const require = createRequire(import.meta.url);
const DECODER_MODULE = 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
const DECODE_MESSAGES_MODULE = 'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js';

/** kafkajs' own batch decoder (the fallback, and the reference in tests). */
export const kafkajsRecordBatchDecoder = require(DECODER_MODULE) as RecordBatchDecoder;

const TimestampTypes = require('kafkajs/src/protocol/timestampTypes.js') as { CREATE_TIME: number; LOG_APPEND_TIME: number };

// Batch header fields, relative to the batch's first byte (the Kafka protocol's RecordBatch v2).
const LENGTH_AT = 8;
const LEADER_EPOCH_AT = 12;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const FIRST_TIMESTAMP_AT = 27;
const MAX_TIMESTAMP_AT = 35;
const PRODUCER_ID_AT = 43;
const PRODUCER_EPOCH_AT = 51;
const FIRST_SEQUENCE_AT = 53;
const RECORD_COUNT_AT = 57;
const RECORDS_AT = 61;
/** Bytes before the batch's `length` field counts from. */
const LENGTH_FIELD_END = 12;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;

/** Thrown inside the fast path for anything it leaves to kafkajs; never escapes this module. */
const NOT_FAST = new Error('left to kafkajs');

/** Read position of the batch being decoded (one batch at a time: decoding never awaits). */
let pos = 0;

/** kafkajs' `readVarInt` (zig-zag, 32-bit arithmetic as kafkajs does it), not past `end`. */
function varInt(buf: Buffer, end: number): number {
  let byte: number;
  let result = 0;
  let shift = 0;
  do {
    if (pos >= end || shift > 28) throw NOT_FAST;
    byte = buf[pos++]!;
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** kafkajs' `readVarLong` as a number; more than 7 bytes (beyond ±2^48) is left to kafkajs. */
function varLong(buf: Buffer, end: number): number {
  let byte: number;
  let result = 0;
  let scale = 1;
  do {
    if (pos >= end || scale > 2 ** 42) throw NOT_FAST;
    byte = buf[pos++]!;
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

/** kafkajs' `readVarIntBytes`: null for length -1, else a slice (sharing memory, as kafkajs' is). */
function varBytes(buf: Buffer, end: number): Buffer | null {
  const length = varInt(buf, end);
  if (length === -1) return null;
  if (length < 0 || pos + length > end) throw NOT_FAST;
  const bytes = buf.subarray(pos, pos + length);
  pos += length;
  return bytes;
}

/** A signed 64-bit field as kafkajs gives it (a decimal string) and as a number when that is exact. */
function int64(buf: Buffer, at: number): { text: string; exact: number | undefined } {
  const big = buf.readBigInt64BE(at);
  const n = Number(big);
  return { text: big.toString(), exact: Number.isSafeInteger(n) ? n : undefined };
}

/** `base + delta` as kafkajs' Long arithmetic prints it, when plain numbers give the exact sum. */
function sum(base: number | undefined, delta: number): string {
  return String(exactSum(base, delta));
}

/** `base + delta` when plain numbers give it exactly. */
function exactSum(base: number | undefined, delta: number): number {
  if (base === undefined) throw NOT_FAST;
  const total = base + delta;
  if (!Number.isSafeInteger(total)) throw NOT_FAST;
  return total;
}

/** Header names met so far, with their strings: a topic's records carry the same few names. */
const knownNames: { bytes: Buffer; name: string }[] = [];
const MAX_KNOWN_NAMES = 16;

/**
 * kafkajs' `readVarIntString` for a header name: the known string when the bytes match one (no
 * Buffer and no string per record), else decoded as UTF-8.
 */
function headerName(buf: Buffer, end: number): string {
  const length = varInt(buf, end);
  // A null name becomes "null" in kafkajs: left to it.
  if (length < 0 || pos + length > end) throw NOT_FAST;
  const start = pos;
  pos += length;
  for (const known of knownNames) if (sameBytes(known.bytes, buf, start, pos)) return known.name;
  const name = buf.toString('utf8', start, pos);
  if (knownNames.length < MAX_KNOWN_NAMES) knownNames.push({ bytes: Buffer.from(buf.subarray(start, pos)), name });
  return name;
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

/**
 * kafkajs' headers object: name → value, a repeated name → an array of its values. Built as kafkajs'
 * `reduce` with object spreads builds it (a lookup that sees Object.prototype's members, too).
 */
function headers(buf: Buffer, end: number): Headers {
  const count = varInt(buf, end);
  const result: Headers = {};
  if (count === -1) return result;
  if (count < 0) throw NOT_FAST;
  for (let i = 0; i < count; i++) {
    const name = headerName(buf, end);
    // Assigning "__proto__" would set the prototype instead of adding a header.
    if (name === '__proto__') throw NOT_FAST;
    const value = varBytes(buf, end);
    const previous = result[name];
    result[name] = previous === undefined ? value : Array.isArray(previous) ? previous.concat([value]) : [previous, value];
  }
  return result;
}

/** What the records of one batch share. */
interface BatchShared {
  buf: Buffer;
  context: BatchContext & { magicByte: number };
  /** The batch's first timestamp as a number (exact: checked per record at decoding). */
  firstTimestamp: number;
  /** A log-append-time batch gives every record the batch's max timestamp (as kafkajs does). */
  appendTime: string | undefined;
}

/**
 * One fetched record, decoded lazily: what kafkajs' decoder returns (the same fields with the same
 * values), but `key`, `value`, `headers` and `timestamp` are made on first use from the fetch buffer
 * and kept. kafkajs' consumer itself reads only `offset`, `isControlRecord`, `batchContext` (and `key`
 * of transactional batches); the sink reads the value's bytes in place (`valueStart`/`valueEnd`,
 * `header()`), so most records never get a Buffer, a headers object or a timestamp string.
 * Why: those five Buffer views and two objects per record were most of the decoding time and,
 * alive while a whole fetch is handled, most of what each scavenge had to copy.
 */
export class FetchedRecord implements DecodedRecord {
  private keyCache: Buffer | null | undefined = undefined;
  private valueCache: Buffer | null | undefined = undefined;
  private headersCache: Headers | undefined = undefined;

  constructor(
    private readonly batch: BatchShared,
    readonly attributes: number,
    readonly offset: string,
    private readonly timestampDelta: number,
    /** Where the key's length varint starts. */
    private readonly keyAt: number,
    /** The value's bytes in `buffer`; `valueStart` is -1 for a null value. The headers follow. */
    readonly valueStart: number,
    readonly valueEnd: number,
    /** Where the record ends. */
    private readonly end: number,
  ) {}

  /** The fetch buffer the record's bytes are in. */
  get buffer(): Buffer {
    return this.batch.buf;
  }

  get magicByte(): number {
    return this.batch.context.magicByte;
  }

  get isControlRecord(): boolean {
    return this.batch.context.isControlBatch;
  }

  get batchContext(): BatchContext & { magicByte: number } {
    return this.batch.context;
  }

  get timestamp(): string {
    return this.batch.appendTime ?? String(this.batch.firstTimestamp + this.timestampDelta);
  }

  get key(): Buffer | null {
    if (this.keyCache === undefined) {
      pos = this.keyAt;
      this.keyCache = varBytes(this.batch.buf, this.end);
    }
    return this.keyCache;
  }

  get value(): Buffer | null {
    if (this.valueCache === undefined) this.valueCache = this.valueStart < 0 ? null : this.batch.buf.subarray(this.valueStart, this.valueEnd);
    return this.valueCache;
  }

  get headers(): Headers {
    if (this.headersCache === undefined) {
      pos = this.valueEnd;
      this.headersCache = headers(this.batch.buf, this.end);
    }
    return this.headersCache;
  }

  /**
   * The first value of header `name` (as `headers[name]`, or its first element when repeated),
   * found without building the headers object; undefined when there is none.
   */
  header(name: string): Buffer | null | undefined {
    const buf = this.batch.buf;
    const wanted = nameBytes(name);
    pos = this.valueEnd;
    const count = varInt(buf, this.end);
    for (let i = 0; i < count; i++) {
      const length = varInt(buf, this.end);
      const start = pos;
      pos += length;
      const match = sameBytes(wanted, buf, start, pos);
      const valueLength = varInt(buf, this.end);
      if (match) return valueLength === -1 ? null : buf.subarray(pos, pos + valueLength);
      if (valueLength > 0) pos += valueLength;
    }
    return undefined;
  }

  /** The record as kafkajs' decoder returns it: a plain object with every field. */
  toKafkajs(): DecodedRecord {
    return {
      magicByte: this.magicByte,
      attributes: this.attributes,
      timestamp: this.timestamp,
      offset: this.offset,
      key: this.key,
      value: this.value,
      headers: this.headers,
      isControlRecord: this.isControlRecord,
      batchContext: this.batchContext,
    };
  }
}

const namesAsBytes = new Map<string, Buffer>();

function nameBytes(name: string): Buffer {
  let bytes = namesAsBytes.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name);
    if (namesAsBytes.size < MAX_KNOWN_NAMES) namesAsBytes.set(name, bytes);
  }
  return bytes;
}

const PROTO = Buffer.from('__proto__');

/**
 * Checks the headers from `pos` to `end` as `headers()` would read them, without building anything:
 * whatever `headers()` would leave to kafkajs is left to it now, not when a getter runs.
 */
function skipHeaders(buf: Buffer, end: number): void {
  const count = varInt(buf, end);
  if (count < -1) throw NOT_FAST;
  for (let i = 0; i < count; i++) {
    const length = varInt(buf, end);
    if (length < 0 || pos + length > end) throw NOT_FAST;
    // Assigning "__proto__" would set the prototype instead of adding a header.
    if (sameBytes(PROTO, buf, pos, pos + length)) throw NOT_FAST;
    pos += length;
    const valueLength = varInt(buf, end);
    if (valueLength < -1 || pos + valueLength > end) throw NOT_FAST;
    if (valueLength > 0) pos += valueLength;
  }
}

/** Skips a varint-length byte field (as `varBytes` reads it); returns its start, -1 for null. */
function skipBytes(buf: Buffer, end: number): number {
  const length = varInt(buf, end);
  if (length === -1) return -1;
  if (length < 0 || pos + length > end) throw NOT_FAST;
  const start = pos;
  pos += length;
  return start;
}

function decodeUncompressed(buf: Buffer, start: number, end: number): DecodedBatch {
  const attributes = buf.readInt16BE(start + ATTRIBUTES_AT);
  const firstOffset = int64(buf, start);
  const firstTimestamp = int64(buf, start + FIRST_TIMESTAMP_AT);
  const context: BatchContext = {
    firstOffset: firstOffset.text,
    firstTimestamp: firstTimestamp.text,
    partitionLeaderEpoch: buf.readInt32BE(start + LEADER_EPOCH_AT),
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: buf.readInt32BE(start + LAST_OFFSET_DELTA_AT),
    producerId: buf.readBigInt64BE(start + PRODUCER_ID_AT).toString(),
    producerEpoch: buf.readInt16BE(start + PRODUCER_EPOCH_AT),
    firstSequence: buf.readInt32BE(start + FIRST_SEQUENCE_AT),
    maxTimestamp: buf.readBigInt64BE(start + MAX_TIMESTAMP_AT).toString(),
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG) > 0 ? TimestampTypes.LOG_APPEND_TIME : TimestampTypes.CREATE_TIME,
  };
  const magicByte = buf.readInt8(start + MAGIC_AT);
  const appendTime = context.timestampType === TimestampTypes.LOG_APPEND_TIME ? context.maxTimestamp : undefined;
  // Record timestamps are computed from this when read: it must be exact.
  if (appendTime === undefined && firstTimestamp.exact === undefined) throw NOT_FAST;
  const shared: BatchShared = { buf, context: { ...context, magicByte }, firstTimestamp: firstTimestamp.exact ?? 0, appendTime };
  const count = buf.readInt32BE(start + RECORD_COUNT_AT);
  // Every record takes at least one byte: a larger count is malformed (kafkajs' problem to report).
  if (count < -1 || count > end - start) throw NOT_FAST;
  const records: DecodedRecord[] = new Array(Math.max(count, 0));
  pos = start + RECORDS_AT;
  for (let i = 0; i < count; i++) {
    const length = varInt(buf, end);
    const recordEnd = pos + length;
    if (length < 0 || recordEnd > end) throw NOT_FAST;
    if (pos >= recordEnd) throw NOT_FAST;
    const recordAttributes = buf.readInt8(pos++);
    const timestampDelta = varLong(buf, recordEnd);
    if (appendTime === undefined) exactSum(firstTimestamp.exact, timestampDelta);
    const offsetDelta = varInt(buf, recordEnd);
    const keyAt = pos;
    skipBytes(buf, recordEnd);
    const valueStart = skipBytes(buf, recordEnd);
    const valueEnd = pos;
    skipHeaders(buf, recordEnd);
    records[i] = new FetchedRecord(shared, recordAttributes, sum(firstOffset.exact, offsetDelta), timestampDelta, keyAt, valueStart, valueEnd, recordEnd);
    // kafkajs ignores bytes left in a record after its headers.
    pos = recordEnd;
  }
  return { ...context, records };
}

/** Same result as kafkajs' batch decoder, and the same position of `fetchDecoder` afterwards. */
export function fastRecordBatchDecoder(fetchDecoder: KafkajsDecoder): Promise<DecodedBatch> {
  const buf = fetchDecoder.buffer;
  const start = fetchDecoder.offset;
  if (buf.length - start >= RECORDS_AT) {
    const end = start + LENGTH_FIELD_END + buf.readInt32BE(start + LENGTH_AT);
    const complete = end <= buf.length && end >= start + RECORDS_AT;
    if (complete && (buf.readInt16BE(start + ATTRIBUTES_AT) & COMPRESSION_MASK) === 0) {
      try {
        const batch = decodeUncompressed(buf, start, end);
        fetchDecoder.offset = end;
        return Promise.resolve(batch);
      } catch {
        // NOT_FAST, or anything malformed: kafkajs decodes it (or reports it) its own way.
      }
    }
  }
  return kafkajsRecordBatchDecoder(fetchDecoder);
}

/**
 * Makes kafkajs' fetch responses use `fastRecordBatchDecoder`. Returns false (and changes nothing)
 * when kafkajs already loaded its fetch response decoding, which then keeps its own decoder.
 */
export function installFastRecordBatchDecoder(): boolean {
  return replaceCjsExport(import.meta.url, DECODER_MODULE, fastRecordBatchDecoder, [DECODE_MESSAGES_MODULE]);
}
