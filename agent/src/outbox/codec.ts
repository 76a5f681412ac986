import { crc32 } from 'node:zlib';

/**
 * On-disk framing of one outbox entry: `u32 bodyLength | u32 crc32(body) | body` (big-endian).
 * A torn write (power loss, kill -9 mid-write) leaves a short frame or a CRC mismatch at the tail of
 * the last segment; recovery detects it and cuts the file back to the last whole frame.
 *
 * Body (version 1): `u8 version | u8 flags | u16 topicLen | topic | u16 keyLen | key | f64 seq | payload`.
 * `key`/`seq` let the agent recover the highest `seq` per stream after a restart.
 */
export const FRAME_HEADER_BYTES = 8;
const BODY_VERSION = 1;
const FLAG_HAS_SEQ = 1;
/** Far above any legitimate entry (a camera frame is bounded by the MQTT payload budget). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface EntryData {
  topic: string;
  payload: Buffer;
  /** Sequence key (the stream) and its seq, when the entry is a stamped record. */
  key?: string | undefined;
  seq?: number | undefined;
}

export function encodeFrame(entry: EntryData): Buffer {
  const topic = Buffer.from(entry.topic, 'utf8');
  const key = Buffer.from(entry.key ?? '', 'utf8');
  if (topic.length > 0xffff || key.length > 0xffff) throw new RangeError('outbox entry topic or key too long');
  const hasSeq = entry.seq !== undefined;
  const bodyLength = 1 + 1 + 2 + topic.length + 2 + key.length + 8 + entry.payload.length;
  if (bodyLength > MAX_BODY_BYTES) throw new RangeError(`outbox entry of ${bodyLength} bytes exceeds ${MAX_BODY_BYTES}`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  let o = FRAME_HEADER_BYTES;
  o = frame.writeUInt8(BODY_VERSION, o);
  o = frame.writeUInt8(hasSeq ? FLAG_HAS_SEQ : 0, o);
  o = frame.writeUInt16BE(topic.length, o);
  o += topic.copy(frame, o);
  o = frame.writeUInt16BE(key.length, o);
  o += key.copy(frame, o);
  o = frame.writeDoubleBE(hasSeq ? entry.seq! : -1, o);
  entry.payload.copy(frame, o);
  frame.writeUInt32BE(bodyLength, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

export type DecodeResult =
  | { ok: true; entry: EntryData; frameBytes: number }
  | { ok: false; reason: 'truncated' | 'bad_length' | 'bad_crc' | 'bad_body' };

/** Decodes the frame at `offset` of `buf`; anything not whole and intact is reported, never thrown. */
export function decodeFrame(buf: Buffer, offset = 0, copyPayload = true): DecodeResult {
  if (buf.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  const bodyLength = buf.readUInt32BE(offset);
  if (bodyLength < 14 || bodyLength > MAX_BODY_BYTES) return { ok: false, reason: 'bad_length' };
  const end = offset + FRAME_HEADER_BYTES + bodyLength;
  if (end > buf.length) return { ok: false, reason: 'truncated' };
  const body = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(body) !== buf.readUInt32BE(offset + 4)) return { ok: false, reason: 'bad_crc' };
  const entry = decodeBody(body, copyPayload);
  return entry ? { ok: true, entry, frameBytes: end - offset } : { ok: false, reason: 'bad_body' };
}

function decodeBody(body: Buffer, copyPayload: boolean): EntryData | undefined {
  if (body.readUInt8(0) !== BODY_VERSION) return undefined;
  const flags = body.readUInt8(1);
  let o = 2;
  const topicLength = body.readUInt16BE(o);
  o += 2;
  if (o + topicLength + 2 > body.length) return undefined;
  const topic = body.toString('utf8', o, o + topicLength);
  o += topicLength;
  const keyLength = body.readUInt16BE(o);
  o += 2;
  if (o + keyLength + 8 > body.length) return undefined;
  const key = body.toString('utf8', o, o + keyLength);
  o += keyLength;
  const seq = body.readDoubleBE(o);
  o += 8;
  // Copy so that the entry does not pin a whole segment buffer in memory.
  const payload = copyPayload ? Buffer.from(body.subarray(o)) : body.subarray(o);
  const hasSeq = (flags & FLAG_HAS_SEQ) !== 0;
  return { topic, payload, key: keyLength > 0 ? key : undefined, seq: hasSeq ? seq : undefined };
}
