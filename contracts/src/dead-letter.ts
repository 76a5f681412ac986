import { createHash } from 'node:crypto';
import type { DeadLetter } from './schemas.js';

/**
 * Original bytes a dead letter keeps by default: a whole payload within the default MQTT payload
 * budget (128 KiB; base64 makes ~175 KB), far below Kafka's default 1 MiB message limit.
 */
export const DEFAULT_DEAD_LETTER_KEEP_BYTES = 128 * 1024;

/**
 * The payload part of a dead letter: the first `keepBytes` bytes as base64, the full size and the
 * SHA-256 of the whole payload. So a dead letter stays small enough for Kafka whatever was sent, and
 * a truncated one (`payloadBytes` larger than what `payloadBase64` holds) still identifies the original.
 */
export function deadLetterPayload(payload: Uint8Array, keepBytes: number = DEFAULT_DEAD_LETTER_KEEP_BYTES): Pick<DeadLetter, 'payloadBase64' | 'payloadBytes' | 'payloadSha256'> {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const kept = bytes.byteLength > keepBytes ? bytes.subarray(0, Math.max(0, keepBytes)) : bytes;
  return {
    payloadBase64: kept.toString('base64'),
    payloadBytes: bytes.byteLength,
    payloadSha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
