import { randomBytes } from 'node:crypto';

/**
 * Frame ids that carry their capture time: UUID version 7 (RFC 9562), whose first 48 bits are the
 * Unix time in milliseconds. The agent makes a frame's id from the frame's event (GPS) time, so the
 * sink files the JPEG (camera_frames) and computes the traffic_data row's snapshotUri under the same
 * date partition without ever seeing both records together — also when a frame reaches Kafka days
 * after it was taken (an outbox replayed after hours offline). Both ends use this one file.
 */
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new frame id for a frame taken at `eventMs` (Unix ms). */
export function newFrameId(eventMs: number): string {
  const b = randomBytes(16);
  const ms = BigInt(Math.max(0, Math.floor(eventMs)));
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The capture time (Unix ms) a frame id carries, or undefined for ids that are not UUIDv7. */
export function frameIdTime(frameId: string): number | undefined {
  if (!V7.test(frameId)) return undefined;
  return parseInt(frameId.slice(0, 8) + frameId.slice(9, 13), 16);
}

/** The date partition (YYYY-MM-DD) of a frame: from its id when it carries time, else `fallback`. */
export function frameDate(frameId: string, fallback: string): string {
  const ms = frameIdTime(frameId);
  return ms === undefined ? fallback : new Date(ms).toISOString().slice(0, 10);
}
