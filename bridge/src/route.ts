import {
  checkCameraFrame,
  DEAD_LETTER_TOPIC,
  KAFKA_HEADERS,
  parseMqttTopic,
  parseRecord,
  SCHEMA_VERSION,
  type DeadLetter,
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

export type Routed =
  | { kind: 'record'; deviceId: string; record: OutRecord }
  | { kind: 'dead'; reason: RejectReason; deviceId: string | undefined; record: OutRecord }
  | { kind: 'status'; deviceId: string };

export interface RouteOptions {
  payloadBudget: number;
}

const SCHEMA_VERSION_TEXT = String(SCHEMA_VERSION);

export function kafkaHeaders(mqttTopic: string, receivedAt: string): Record<string, string> {
  return {
    [KAFKA_HEADERS.mqttTopic]: mqttTopic,
    [KAFKA_HEADERS.receivedAt]: receivedAt,
    [KAFKA_HEADERS.schemaVersion]: SCHEMA_VERSION_TEXT,
  };
}

/** The contracts' dead-letter envelope, original bytes as base64. */
export function deadLetter(
  reason: RejectReason,
  issues: ValidationIssue[],
  mqttTopic: string,
  payload: Buffer,
  receivedAt: string,
  deviceId: string | undefined,
): OutRecord {
  const envelope: DeadLetter = {
    reason,
    issues: issues.slice(0, 50),
    source: 'bridge',
    mqttTopic: mqttTopic.slice(0, 1024),
    ...(deviceId !== undefined ? { deviceId } : {}),
    receivedAt,
    payloadBase64: payload.toString('base64'),
    payloadBytes: payload.byteLength,
  };
  return { topic: DEAD_LETTER_TOPIC, key: deviceId ?? null, value: Buffer.from(JSON.stringify(envelope)), headers: kafkaHeaders(mqttTopic, receivedAt) };
}

/**
 * The one code path after receipt, for both broker modes: MQTT topic → validated record for its Kafka
 * topic (key = deviceId, headers: MQTT topic, receive time, schema version), or a dead letter that says why.
 * JSON records are forwarded as the bytes the device sent (they passed validation as they are).
 */
export function routeMessage(mqttTopic: string, payload: Buffer, receivedAt: string, options: RouteOptions): Routed {
  const parsed = parseMqttTopic(mqttTopic);
  if (!parsed.ok) {
    return { kind: 'dead', reason: 'bad_topic', deviceId: undefined, record: deadLetter('bad_topic', [{ path: '', message: parsed.error }], mqttTopic, payload, receivedAt, undefined) };
  }
  const topic = parsed.topic;
  if (topic.kind === 'status') return { kind: 'status', deviceId: topic.deviceId };
  const check = topic.kind === 'camera' ? checkCameraFrame(payload, options.payloadBudget) : parseRecord(topic.stream, payload, topic.deviceId);
  if (!check.ok) {
    return { kind: 'dead', reason: check.reason, deviceId: topic.deviceId, record: deadLetter(check.reason, check.issues, mqttTopic, payload, receivedAt, topic.deviceId) };
  }
  return {
    kind: 'record',
    deviceId: topic.deviceId,
    record: { topic: topic.kafkaTopic, key: topic.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) },
  };
}

/** Bytes a record holds in memory (value + key + headers, roughly). */
export function recordBytes(record: OutRecord): number {
  return record.value.byteLength + (record.key?.length ?? 0) + 128;
}
