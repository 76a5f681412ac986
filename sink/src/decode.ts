import {
  KAFKA_HEADERS,
  checkCameraFrame,
  deadLetterPayload,
  eventTime,
  eventTimeBounds,
  frameDate,
  frameIdTime,
  frameObjectKey,
  lakeLocation,
  notUtf8,
  parseMqttTopic,
  parseRecord,
  utf8Text,
  type DeadLetter,
  type EventTimeBounds,
  type LakeRoot,
  type RejectReason,
  type Stream,
} from '@fleetlake/contracts';
import type { ValidationIssue } from '@fleetlake/core';
import type { Item } from './items.js';
import { FetchedRecord } from './kafkajs-batch-decoder.js';
import { MARKER_HEADER } from './marker.js';
import { SinkTopics } from './sink-topics.js';

/** Optional Kafka header with a frame's capture time (ISO-8601 UTC); else the record's timestamp. */
export const EVENT_TIME_HEADER = 'fleetlake-event-time';

/**
 * A record as kafkajs hands it over: a plain object from kafkajs' own decoder, or (the usual case) a
 * lazily decoded `FetchedRecord`, whose value and headers are read in place.
 */
export interface KafkaMessage {
  offset: string;
  /** Kafka record timestamp, ms since the epoch as a string (kafkajs). */
  timestamp: string;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | null | (Buffer | string | null)[] | undefined>;
}

/** Where a record came from. */
export interface RecordSource {
  topic: string;
  partition: number;
}

export type SinkRejectReason = RejectReason | 'unknown_topic' | 'empty';

/** The (first) value of header `name` as text; a header without a value (null) is ''. */
function header(m: KafkaMessage, name: string): string | undefined {
  let v: Buffer | string | null | undefined;
  if (m instanceof FetchedRecord) v = m.header(name);
  else {
    const h = m.headers?.[name];
    v = Array.isArray(h) ? h[0] : h;
  }
  return v === undefined ? undefined : v === null ? '' : v.toString();
}

function kafkaDate(m: KafkaMessage): { dt: string; ms: number } {
  const ms = Number(m.timestamp);
  return { dt: new Date(ms).toISOString().slice(0, 10), ms };
}

/**
 * The snapshotUri of a traffic row: where its frame is (or will be) stored. Computed from deviceId,
 * frameId and the row's event date, so it does not depend on the frame having arrived.
 */
export function snapshotUri(root: LakeRoot, dt: string, deviceId: string, frameId: string): string {
  return lakeLocation(root, frameObjectKey(dt, deviceId, frameId));
}

/**
 * When the record was received: the bridge's `fleetlake-received-at` header, else the Kafka record's
 * timestamp. Never the clock, so that a replay decides the same.
 */
function receivedMs(m: KafkaMessage): number {
  const h = header(m, KAFKA_HEADERS.receivedAt);
  const ms = h === undefined ? NaN : Date.parse(h);
  return Number.isNaN(ms) ? Number(m.timestamp) : ms;
}

function dead(src: RecordSource, m: KafkaMessage, reason: SinkRejectReason, issues: ValidationIssue[], deviceId?: string): Item {
  const { dt, ms } = kafkaDate(m);
  const payload = m.value ?? Buffer.alloc(0);
  const envelope: DeadLetter = {
    reason,
    issues: issues.slice(0, 50),
    source: 'sink',
    kafkaTopic: src.topic,
    kafkaPartition: src.partition,
    kafkaOffset: m.offset,
    // The record's own timestamp (not the clock), so that a replay writes identical bytes.
    receivedAt: new Date(ms).toISOString(),
    // Whole: a fetched record is bounded by Kafka's own limits, and the lake has room.
    ...deadLetterPayload(payload, payload.byteLength),
  };
  const mqttTopic = header(m, KAFKA_HEADERS.mqttTopic);
  if (mqttTopic !== undefined) envelope.mqttTopic = mqttTopic;
  if (deviceId !== undefined) envelope.deviceId = deviceId;
  return { kind: 'dead', offset: BigInt(m.offset), dt, reason, line: Buffer.from(`${JSON.stringify(envelope)}\n`) };
}

function row(m: KafkaMessage, dt: string, eventMs: number, json: Buffer, start: number, end: number): Item {
  return { kind: 'row', offset: BigInt(m.offset), dt, eventMs, json, start, end };
}

/** `text` (the record's value, in `bytes[start, end)`) to a row, or a dead letter. */
function decodeStream(stream: Stream, src: RecordSource, m: KafkaMessage, root: LakeRoot, bytes: Buffer, start: number, end: number, bounds: EventTimeBounds): Item {
  const text = utf8Text(bytes, start, end);
  if (text === undefined) {
    const rejected = notUtf8();
    return dead(src, m, rejected.reason, rejected.issues);
  }
  const parsed = parseRecord(stream, text, undefined, { receivedMs: receivedMs(m), bounds });
  if (!parsed.ok) return dead(src, m, parsed.reason, parsed.issues);
  const record = parsed.value;
  const { dt, ms: eventMs } = eventTime(record.timestamp);
  if (stream === 'traffic') {
    const t = record as { deviceId: string; frameId: string };
    // The frame is filed under the date its id carries (UUIDv7 from the agent), else the row's date.
    const json = Buffer.from(JSON.stringify({ ...record, snapshotUri: snapshotUri(root, frameDate(t.frameId, dt), t.deviceId, t.frameId) }));
    return row(m, dt, eventMs, json, 0, json.length);
  }
  if (text.indexOf('\n') !== -1) {
    const json = Buffer.from(JSON.stringify(record));
    return row(m, dt, eventMs, json, 0, json.length);
  }
  // Already one line of valid JSON: the segment copies it from the fetched bytes into its file text.
  return row(m, dt, eventMs, bytes, start, end);
}

function decodeFrame(src: RecordSource, m: KafkaMessage, value: Buffer): Item {
  const topic = parseMqttTopic(header(m, KAFKA_HEADERS.mqttTopic) ?? '');
  if (!topic.ok || topic.topic.kind !== 'camera') {
    return dead(src, m, 'bad_topic', [{ path: '', message: `camera frame without a camera MQTT topic header: ${topic.ok ? topic.topic.kind : topic.error}` }]);
  }
  const { deviceId, frameId } = topic.topic;
  const check = checkCameraFrame(value, Number.MAX_SAFE_INTEGER);
  if (!check.ok) return dead(src, m, check.reason, check.issues, deviceId);
  // Event time: carried by the frame id (UUIDv7, as the agent makes them), else an event-time
  // header, else the Kafka timestamp. The traffic row's snapshotUri takes the date from the id too.
  const eventTimeHeader = header(m, EVENT_TIME_HEADER);
  const headerMs = eventTimeHeader === undefined ? NaN : Date.parse(eventTimeHeader);
  const eventMs = frameIdTime(frameId) ?? (Number.isNaN(headerMs) ? Number(m.timestamp) : headerMs);
  const dt = new Date(eventMs).toISOString().slice(0, 10);
  return { kind: 'frame', offset: BigInt(m.offset), key: frameObjectKey(dt, deviceId, frameId), eventMs, body: value };
}

const DEFAULT_TOPICS = new SinkTopics();
const DEFAULT_BOUNDS = eventTimeBounds();

/**
 * A Kafka record to what it becomes in the lake. Never throws: bad input becomes a dead letter, and so
 * does a record whose event time lies outside `bounds` around its receive time (no table would show it).
 */
export function decode(src: RecordSource, m: KafkaMessage, root: LakeRoot, topics: SinkTopics = DEFAULT_TOPICS, bounds: EventTimeBounds = DEFAULT_BOUNDS): Item {
  if (header(m, MARKER_HEADER) !== undefined) return { kind: 'marker', offset: BigInt(m.offset) };
  // The value's bytes: in place in the fetch buffer for a FetchedRecord (no Buffer view made).
  let bytes: Buffer | null;
  let start = 0;
  let end = 0;
  if (m instanceof FetchedRecord) {
    bytes = m.valueStart < 0 ? null : m.buffer;
    start = m.valueStart;
    end = m.valueEnd;
  } else {
    bytes = m.value;
    end = bytes?.byteLength ?? 0;
  }
  if (!bytes || end === start) return dead(src, m, 'empty', [{ path: '', message: 'record has no value' }]);
  if (topics.isFrames(src.topic)) return decodeFrame(src, m, m.value!);
  const stream = topics.streamOf(src.topic);
  if (!stream) return dead(src, m, 'unknown_topic', [{ path: '', message: `no stream for topic ${src.topic}` }]);
  try {
    return decodeStream(stream, src, m, root, bytes, start, end, bounds);
  } catch (err) {
    return dead(src, m, 'schema', [{ path: '/timestamp', message: (err as Error).message }]);
  }
}
