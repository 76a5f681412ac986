import { isUtf8 } from 'node:buffer';
import { compileValidator, type ValidationIssue, type ValidationResult, type Validator } from '@fleetlake/core';
import { eventTimeIssue, type EventTimeBounds } from './event-time.js';
import { eventTime } from './lake.js';
import { DeadLetter, DeviceStatus, STREAM_SCHEMAS, type StreamRecords } from './schemas.js';
import { DEFAULT_MQTT_PAYLOAD_BUDGET, STREAMS, type Stream } from './streams.js';

const streamValidators = Object.fromEntries(STREAMS.map((s) => [s, compileValidator(STREAM_SCHEMAS[s])])) as {
  [S in Stream]: Validator<(typeof STREAM_SCHEMAS)[S]>;
};

export const deviceStatusValidator = compileValidator(DeviceStatus);
export const deadLetterValidator = compileValidator(DeadLetter);

/** Why a payload was rejected; `reason` is a stable code for counters and the dead-letter envelope. */
export type RejectReason = 'payload_too_large' | 'not_json' | 'schema' | 'device_mismatch' | 'not_jpeg' | 'bad_topic' | 'event_time_out_of_range';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; issues: ValidationIssue[] };

export function validateRecord<S extends Stream>(stream: S, value: unknown): ValidationResult<StreamRecords[S]> {
  return streamValidators[stream].validate(value) as ValidationResult<StreamRecords[S]>;
}

/**
 * The text of UTF-8 bytes `bytes[start, end)`, or undefined when they are not valid UTF-8 (JSON text
 * must be, and Parquet strings are: DuckDB refuses a whole file over one such record). The decoder
 * replaces bad sequences with U+FFFD; only a text holding one has its bytes checked exactly.
 */
export function utf8Text(bytes: Buffer, start = 0, end = bytes.byteLength): string | undefined {
  const text = bytes.toString('utf8', start, end);
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes.subarray(start, end))) return undefined;
  return text;
}

/** The rejection of a payload that is not UTF-8 text (for callers that decode with `utf8Text`). */
export function notUtf8(): { ok: false; reason: 'not_json'; issues: ValidationIssue[] } {
  return { ok: false, reason: 'not_json', issues: [{ path: '', message: 'payload is not valid UTF-8' }] };
}

/** A raw unpaired surrogate, or a JSON escape of any surrogate: then the parsed strings are checked. */
const SURROGATE_HINT = /\p{Cs}|\\u[dD][89a-fA-F]/u;
const UNPAIRED = /\p{Cs}/u;

/** JSON pointer of the first string (value or name) in `v` with an unpaired surrogate, if any. */
function unpairedSurrogateAt(v: unknown, path = ''): string | undefined {
  if (typeof v === 'string') return UNPAIRED.test(v) ? path : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, child] of Object.entries(v)) {
    const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (UNPAIRED.test(k)) return at;
    const found = unpairedSurrogateAt(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Hard cap on a JSON record's size, far above any legitimate record. */
export const MAX_RECORD_BYTES = 16 * 1024;

/** When a record was received, and the window its event time must fall into (event-time.ts). */
export interface ReceiveTime {
  receivedMs: number;
  bounds: EventTimeBounds;
}

/**
 * Bytes from the wire to a validated record: size cap, UTF-8, JSON parse, Unicode strings, schema,
 * when the caller knows which device sent it (from the MQTT topic) that the record claims the same
 * deviceId, and when it knows the receive time that the event time lies in the window around it.
 * A string payload is taken as the text it is (the sink decodes with `utf8Text`).
 */
export function parseRecord<S extends Stream>(
  stream: S,
  payload: Uint8Array | string,
  expectedDeviceId?: string,
  received?: ReceiveTime,
): Parsed<StreamRecords[S]> {
  // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: most strings need no exact count.
  const size = typeof payload !== 'string' ? payload.byteLength : payload.length * 3 <= MAX_RECORD_BYTES ? 0 : Buffer.byteLength(payload);
  if (size > MAX_RECORD_BYTES) {
    return { ok: false, reason: 'payload_too_large', issues: [{ path: '', message: `${size} bytes exceeds ${MAX_RECORD_BYTES}` }] };
  }
  const text = typeof payload === 'string' ? payload : utf8Text(Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  if (text === undefined) return notUtf8();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'not_json', issues: [{ path: '', message: (err as Error).message }] };
  }
  // "\ud800" is valid JSON but not Unicode text: no Parquet string can hold it.
  const unpaired = SURROGATE_HINT.test(text) ? unpairedSurrogateAt(value) : undefined;
  if (unpaired !== undefined) return { ok: false, reason: 'not_json', issues: [{ path: unpaired, message: 'string with an unpaired UTF-16 surrogate (not Unicode text)' }] };
  const result = validateRecord(stream, value);
  if (!result.ok) return { ok: false, reason: 'schema', issues: result.issues };
  if (expectedDeviceId !== undefined && result.value.deviceId !== expectedDeviceId) {
    return {
      ok: false,
      reason: 'device_mismatch',
      issues: [{ path: '/deviceId', message: `record says "${result.value.deviceId}" but was published by "${expectedDeviceId}"` }],
    };
  }
  if (received !== undefined) {
    const issue = eventTimeIssue(eventTime(result.value.timestamp).ms, received.receivedMs, received.bounds);
    if (issue) return { ok: false, reason: 'event_time_out_of_range', issues: [issue] };
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
