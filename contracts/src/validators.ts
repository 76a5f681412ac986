import { compileValidator, type ValidationIssue, type ValidationResult, type Validator } from '@fleetlake/core';
import { DeadLetter, DeviceStatus, STREAM_SCHEMAS, type StreamRecords } from './schemas.js';
import { DEFAULT_MQTT_PAYLOAD_BUDGET, STREAMS, type Stream } from './streams.js';

const streamValidators = Object.fromEntries(STREAMS.map((s) => [s, compileValidator(STREAM_SCHEMAS[s])])) as {
  [S in Stream]: Validator<(typeof STREAM_SCHEMAS)[S]>;
};

export const deviceStatusValidator = compileValidator(DeviceStatus);
export const deadLetterValidator = compileValidator(DeadLetter);

/** Why a payload was rejected; `reason` is a stable code for counters and the dead-letter envelope. */
export type RejectReason = 'payload_too_large' | 'not_json' | 'schema' | 'device_mismatch' | 'not_jpeg' | 'bad_topic';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; issues: ValidationIssue[] };

export function validateRecord<S extends Stream>(stream: S, value: unknown): ValidationResult<StreamRecords[S]> {
  return streamValidators[stream].validate(value) as ValidationResult<StreamRecords[S]>;
}

/** A Buffer (the bridge's and the sink's payloads) is decoded as it is, without a Buffer view made per record. */
const utf8 = (bytes: Uint8Array): string =>
  Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** Hard cap on a JSON record's size, far above any legitimate record. */
export const MAX_RECORD_BYTES = 16 * 1024;

/**
 * Bytes from the wire to a validated record: size cap, JSON parse, schema, and — when the caller knows
 * which device sent it (from the MQTT topic) — that the record claims the same deviceId.
 */
export function parseRecord<S extends Stream>(
  stream: S,
  payload: Uint8Array | string,
  expectedDeviceId?: string,
): Parsed<StreamRecords[S]> {
  // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: most strings need no exact count.
  const size = typeof payload !== 'string' ? payload.byteLength : payload.length * 3 <= MAX_RECORD_BYTES ? 0 : Buffer.byteLength(payload);
  if (size > MAX_RECORD_BYTES) {
    return { ok: false, reason: 'payload_too_large', issues: [{ path: '', message: `${size} bytes exceeds ${MAX_RECORD_BYTES}` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : utf8(payload));
  } catch (err) {
    return { ok: false, reason: 'not_json', issues: [{ path: '', message: (err as Error).message }] };
  }
  const result = validateRecord(stream, value);
  if (!result.ok) return { ok: false, reason: 'schema', issues: result.issues };
  if (expectedDeviceId !== undefined && result.value.deviceId !== expectedDeviceId) {
    return {
      ok: false,
      reason: 'device_mismatch',
      issues: [{ path: '/deviceId', message: `record says "${result.value.deviceId}" but was published by "${expectedDeviceId}"` }],
    };
  }
  return result;
}

/** Camera frames travel as raw JPEG bytes: check the SOI marker and the payload budget. */
export function checkCameraFrame(payload: Uint8Array, budget = DEFAULT_MQTT_PAYLOAD_BUDGET): Parsed<Uint8Array> {
  if (payload.byteLength > budget) {
    return { ok: false, reason: 'payload_too_large', issues: [{ path: '', message: `${payload.byteLength} bytes exceeds the ${budget}-byte budget` }] };
  }
  if (payload.byteLength < 4 || payload[0] !== 0xff || payload[1] !== 0xd8 || payload[2] !== 0xff) {
    return { ok: false, reason: 'not_jpeg', issues: [{ path: '', message: 'payload does not start with a JPEG SOI marker (FF D8 FF)' }] };
  }
  return { ok: true, value: payload };
}
