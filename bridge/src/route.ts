import {
  checkCameraFrame,
  DEAD_LETTER_TOPIC,
  deadLetterPayload,
  DEFAULT_DEAD_LETTER_KEEP_BYTES,
  eventTimeBounds,
  KAFKA_HEADERS,
  MAX_RECORD_BYTES,
  parseMqttTopic,
  parseRecord,
  SCHEMA_VERSION,
  type DeadLetter,
  type EventTimeBounds,
  type ReceiveTime,
  type RejectReason,
} from '@fleetlake/contracts';
import type { ValidationIssue } from '@fleetlake/core';

/** One record for Kafka. `bytes` is what it costs in the in-memory buffer. */
export interface OutRecord {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Why the bridge dead-letters a message: the contracts' reasons, and a record Kafka refused for good. */
export type DeadReason = RejectReason | 'too_large_for_kafka';

export type Routed =
  | { kind: 'record'; deviceId: string; record: OutRecord }
  | { kind: 'dead'; reason: DeadReason; deviceId: string | undefined; record: OutRecord }
  | { kind: 'status'; deviceId: string };

export interface RouteOptions {
  payloadBudget: number;
  /** Original bytes a dead letter keeps (default: contracts' DEFAULT_DEAD_LETTER_KEEP_BYTES). */
  deadLetterKeepBytes?: number;
  /** Event times outside this window around the receive time are dead letters (default: contracts' window). */
  eventTime?: EventTimeBounds;
}

const DEFAULT_BOUNDS = eventTimeBounds();

const SCHEMA_VERSION_TEXT = String(SCHEMA_VERSION);

export function kafkaHeaders(mqttTopic: string, receivedAt: string): Record<string, string> {
  return {
    [KAFKA_HEADERS.mqttTopic]: mqttTopic,
    [KAFKA_HEADERS.receivedAt]: receivedAt,
    [KAFKA_HEADERS.schemaVersion]: SCHEMA_VERSION_TEXT,
  };
}

/**
 * The contracts' dead-letter envelope: the original bytes (base64) up to `keepBytes`, with the full
 * size and the SHA-256 of the whole, so that it fits Kafka whatever was sent.
 */
export function deadLetter(
  reason: DeadReason,
  issues: ValidationIssue[],
  mqttTopic: string,
  payload: Buffer,
  receivedAt: string,
  deviceId: string | undefined,
  keepBytes: number = DEFAULT_DEAD_LETTER_KEEP_BYTES,
): OutRecord {
  const envelope: DeadLetter = {
    reason,
    issues: issues.slice(0, 50).map((i) => ({ path: i.path.slice(0, 256), message: i.message.slice(0, 1024) })),
    source: 'bridge',
    mqttTopic: mqttTopic.slice(0, 1024),
    ...(deviceId !== undefined ? { deviceId } : {}),
    receivedAt,
    ...deadLetterPayload(payload, keepBytes),
  };
  return { topic: DEAD_LETTER_TOPIC, key: deviceId ?? null, value: Buffer.from(JSON.stringify(envelope)), headers: kafkaHeaders(mqttTopic, receivedAt) };
}

/**
 * A dead letter's record again without the original bytes (their size and SHA-256 stay), reason
 * `too_large_for_kafka` and `issue` first: for when Kafka refuses the dead letter itself.
 */
export function withoutPayload(record: OutRecord, issue: ValidationIssue): OutRecord {
  const envelope = JSON.parse(record.value.toString('utf8')) as DeadLetter;
  const bare: DeadLetter = { ...envelope, reason: 'too_large_for_kafka', issues: [issue, ...envelope.issues].slice(0, 50), payloadBase64: '' };
  return { ...record, value: Buffer.from(JSON.stringify(bare)) };
}

/**
 * The one code path after receipt, for both broker modes: MQTT topic → validated record for its Kafka
 * topic (key = deviceId, headers: MQTT topic, receive time, schema version), or a dead letter that says why.
 * JSON records are forwarded as the bytes the device sent (they passed validation as they are).
 * Status messages larger than a record may be are dead letters too (they would be retained).
 */
export function routeMessage(
  mqttTopic: string,
  payload: Buffer,
  receivedAt: string,
  options: RouteOptions,
  // The caller may pass one object per millisecond: this runs for every message.
  received: ReceiveTime = { receivedMs: Date.parse(receivedAt), bounds: options.eventTime ?? DEFAULT_BOUNDS },
): Routed {
  const keep = options.deadLetterKeepBytes ?? DEFAULT_DEAD_LETTER_KEEP_BYTES;
  const parsed = parseMqttTopic(mqttTopic);
  if (!parsed.ok) return dead('bad_topic', [{ path: '', message: parsed.error }], mqttTopic, payload, receivedAt, undefined, keep);
  const topic = parsed.topic;
  if (topic.kind === 'status') {
    if (payload.byteLength <= MAX_RECORD_BYTES) return { kind: 'status', deviceId: topic.deviceId };
    const issue = { path: '', message: `${payload.byteLength} bytes exceeds ${MAX_RECORD_BYTES} (status message)` };
    return dead('payload_too_large', [issue], mqttTopic, payload, receivedAt, topic.deviceId, keep);
  }
  const check = topic.kind === 'camera' ? checkCameraFrame(payload, options.payloadBudget) : parseRecord(topic.stream, payload, topic.deviceId, received);
  if (!check.ok) return dead(check.reason, check.issues, mqttTopic, payload, receivedAt, topic.deviceId, keep);
  return {
    kind: 'record',
    deviceId: topic.deviceId,
    record: { topic: topic.kafkaTopic, key: topic.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) },
  };
}

function dead(reason: DeadReason, issues: ValidationIssue[], mqttTopic: string, payload: Buffer, receivedAt: string, deviceId: string | undefined, keep: number): Routed {
  return { kind: 'dead', reason, deviceId, record: deadLetter(reason, issues, mqttTopic, payload, receivedAt, deviceId, keep) };
}

/** Bytes a record holds in memory (value + key + headers, roughly). */
export function recordBytes(record: OutRecord): number {
  return record.value.byteLength + (record.key?.length ?? 0) + 128;
}
