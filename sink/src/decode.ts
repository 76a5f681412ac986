import {
  KAFKA_HEADERS,
  checkCameraFrame,
  eventTime,
  frameDate,
  frameIdTime,
  frameObjectKey,
  lakeLocation,
  parseMqttTopic,
  parseRecord,
  type DeadLetter,
  type LakeRoot,
  type RejectReason,
  type Stream,
} from '@fleetlake/contracts';
import type { ValidationIssue } from '@fleetlake/core';
import type { Item } from './items.js';
import { MARKER_HEADER } from './marker.js';
import { SinkTopics } from './sink-topics.js';

/** Optional Kafka header with a frame's capture time (ISO-8601 UTC); else the record's timestamp. */
export const EVENT_TIME_HEADER = 'fleetlake-event-time';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp, ms since the epoch as a string (kafkajs). */
  timestamp: string;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export type SinkRejectReason = RejectReason | 'unknown_topic' | 'empty';

function header(rec: KafkaRecord, name: string): string | undefined {
  const h = rec.headers?.[name];
  const v = Array.isArray(h) ? h[0] : h;
  return v === undefined ? undefined : v.toString();
}

function kafkaDate(rec: KafkaRecord): { dt: string; ms: number } {
  const ms = Number(rec.timestamp);
  return { dt: new Date(ms).toISOString().slice(0, 10), ms };
}

/**
 * The snapshotUri of a traffic row: where its frame is (or will be) stored. Computed from deviceId,
 * frameId and the row's event date, so it does not depend on the frame having arrived.
 */
export function snapshotUri(root: LakeRoot, dt: string, deviceId: string, frameId: string): string {
  return lakeLocation(root, frameObjectKey(dt, deviceId, frameId));
}

function dead(rec: KafkaRecord, reason: SinkRejectReason, issues: ValidationIssue[], deviceId?: string): Item {
  const { dt, ms } = kafkaDate(rec);
  const payload = rec.value ?? Buffer.alloc(0);
  const envelope: DeadLetter = {
    reason,
    issues: issues.slice(0, 50),
    source: 'sink',
    kafkaTopic: rec.topic,
    kafkaPartition: rec.partition,
    kafkaOffset: rec.offset,
    // The record's own timestamp (not the clock), so that a replay writes identical bytes.
    receivedAt: new Date(ms).toISOString(),
    payloadBase64: payload.toString('base64'),
    payloadBytes: payload.byteLength,
  };
  const mqttTopic = header(rec, KAFKA_HEADERS.mqttTopic);
  if (mqttTopic !== undefined) envelope.mqttTopic = mqttTopic;
  if (deviceId !== undefined) envelope.deviceId = deviceId;
  return { kind: 'dead', offset: BigInt(rec.offset), dt, reason, line: Buffer.from(`${JSON.stringify(envelope)}\n`) };
}

const NL = 0x0a;

function decodeStream(stream: Stream, rec: KafkaRecord, root: LakeRoot): Item {
  const value = rec.value!;
  const parsed = parseRecord(stream, value);
  if (!parsed.ok) return dead(rec, parsed.reason, parsed.issues);
  const record = parsed.value;
  const { dt, ms: eventMs } = eventTime(record.timestamp);
  let json: Buffer;
  if (stream === 'traffic') {
    const t = record as { deviceId: string; frameId: string };
    // The frame is filed under the date its id carries (UUIDv7 from the agent), else the row's date.
    json = Buffer.from(JSON.stringify({ ...record, snapshotUri: snapshotUri(root, frameDate(t.frameId, dt), t.deviceId, t.frameId) }));
  } else if (value.indexOf(NL) !== -1) {
    json = Buffer.from(JSON.stringify(record));
  } else {
    // Already one line of valid JSON: the segment copies it into its file text as it is.
    json = value;
  }
  return { kind: 'row', offset: BigInt(rec.offset), dt, eventMs, json };
}

function decodeFrame(rec: KafkaRecord): Item {
  const topic = parseMqttTopic(header(rec, KAFKA_HEADERS.mqttTopic) ?? '');
  if (!topic.ok || topic.topic.kind !== 'camera') {
    return dead(rec, 'bad_topic', [{ path: '', message: `camera frame without a camera MQTT topic header: ${topic.ok ? topic.topic.kind : topic.error}` }]);
  }
  const { deviceId, frameId } = topic.topic;
  const check = checkCameraFrame(rec.value!, Number.MAX_SAFE_INTEGER);
  if (!check.ok) return dead(rec, check.reason, check.issues, deviceId);
  // Event time: carried by the frame id (UUIDv7, as the agent makes them), else an event-time
  // header, else the Kafka timestamp. The traffic row's snapshotUri takes the date from the id too.
  const eventTimeHeader = header(rec, EVENT_TIME_HEADER);
  const headerMs = eventTimeHeader === undefined ? NaN : Date.parse(eventTimeHeader);
  const eventMs = frameIdTime(frameId) ?? (Number.isNaN(headerMs) ? Number(rec.timestamp) : headerMs);
  const dt = new Date(eventMs).toISOString().slice(0, 10);
  return { kind: 'frame', offset: BigInt(rec.offset), key: frameObjectKey(dt, deviceId, frameId), eventMs, body: rec.value! };
}

const DEFAULT_TOPICS = new SinkTopics();

/** A Kafka record to what it becomes in the lake. Never throws: bad input becomes a dead letter. */
export function decode(rec: KafkaRecord, root: LakeRoot, topics: SinkTopics = DEFAULT_TOPICS): Item {
  if (header(rec, MARKER_HEADER) !== undefined) return { kind: 'marker', offset: BigInt(rec.offset) };
  if (!rec.value || rec.value.byteLength === 0) return dead(rec, 'empty', [{ path: '', message: 'record has no value' }]);
  if (topics.isFrames(rec.topic)) return decodeFrame(rec);
  const stream = topics.streamOf(rec.topic);
  if (!stream) return dead(rec, 'unknown_topic', [{ path: '', message: `no stream for topic ${rec.topic}` }]);
  try {
    return decodeStream(stream, rec, root);
  } catch (err) {
    return dead(rec, 'schema', [{ path: '/timestamp', message: (err as Error).message }]);
  }
}
