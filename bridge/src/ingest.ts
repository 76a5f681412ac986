import { DEFAULT_DEAD_LETTER_KEEP_BYTES, eventTimeBounds, type EventTimeBounds } from '@fleetlake/contracts';
import { isRetriable, type Logger } from '@fleetlake/core';
import type { AckCallback, KafkaWriter } from './kafka-writer.js';
import type { BridgeMetrics } from './metrics.js';
import { deadLetter, kafkaHeaders, routeMessage, withoutPayload, type OutRecord, type RouteOptions } from './route.js';

/** The issue a dead letter carries for a record Kafka refused. */
const refusal = (record: OutRecord, err: Error) => ({ path: '', message: `Kafka refused the record for ${record.topic}: ${err.message}` });

export interface IngestOptions {
  payloadBudget: number;
  /** Also write status messages to this Kafka topic; otherwise they only pass through the broker. */
  statusKafkaTopic?: string | undefined;
  /** Original bytes a dead letter keeps. */
  deadLetterKeepBytes?: number;
  /** Event times accepted around the receive time. */
  eventTime?: EventTimeBounds;
}

/**
 * What both broker modes do with a received message: route it (record or dead letter), count it, hand
 * it to the Kafka writer and call `done` once Kafka acknowledged. Returns 'pass' for status messages
 * that do not go to Kafka (the caller acknowledges those as MQTT normally would), 'dead' for a dead
 * letter (queued like a record; the broker must not retain it).
 *
 * A record Kafka refuses for good (too large for the topic) becomes a dead letter instead, without
 * its original bytes if need be, and `done` is called once that is in Kafka: the device is
 * acknowledged and never resends it forever, and nothing behind it waits.
 */
export class Ingest {
  private readonly receivedByKind: Record<'record' | 'dead' | 'status', { inc(): void }>;
  private readonly route: RouteOptions;
  private lastMs = 0;
  private lastIso = '';

  constructor(
    private readonly writer: KafkaWriter,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
    private readonly options: IngestOptions,
  ) {
    // Label children resolved once: this runs for every message.
    const r = metrics.received;
    this.receivedByKind = { record: r.labels('record'), dead: r.labels('dead'), status: r.labels('status') };
    this.route = { payloadBudget: options.payloadBudget, deadLetterKeepBytes: options.deadLetterKeepBytes, eventTime: options.eventTime ?? eventTimeBounds() };
  }

  /** Receive time as ISO-8601, formatted at most once per millisecond. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  accept(mqttTopic: string, payload: Buffer, done: AckCallback): 'pass' | 'queued' | 'dead' {
    const receivedAt = this.now();
    const routed = routeMessage(mqttTopic, payload, receivedAt, this.route, this.lastMs);
    this.receivedByKind[routed.kind].inc();
    if (routed.kind === 'dead') {
      this.metrics.deadLetters.inc({ reason: routed.reason });
      this.logger.debug({ mqttTopic, reason: routed.reason }, 'dead letter');
      // Refused itself (a dead-letter topic with a small max.message.bytes): once more without the original bytes.
      this.write(routed.record, (err) => withoutPayload(routed.record, refusal(routed.record, err)), done);
      return 'dead';
    }
    let record: OutRecord;
    if (routed.kind === 'status') {
      if (!this.options.statusKafkaTopic) return 'pass';
      record = { topic: this.options.statusKafkaTopic, key: routed.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) };
    } else {
      record = routed.record;
    }
    // Refused for good (too large for its topic): a dead letter in its place, keeping the bytes up to the bound.
    const keep = this.route.deadLetterKeepBytes ?? DEFAULT_DEAD_LETTER_KEEP_BYTES;
    this.write(record, (err) => deadLetter('too_large_for_kafka', [refusal(record, err)], mqttTopic, payload, receivedAt, routed.deviceId, keep), done);
    return 'queued';
  }

  /**
   * Writes `record`; if Kafka refuses it for good, writes `replacement(err)` instead (and, if that is
   * refused too, the replacement without the original bytes). `done` gets an error only when even the
   * smallest dead letter was refused. The original payload is held (for the replacement) only as long
   * as the record is, and for a record it is the record's own value.
   */
  private write(record: OutRecord, replacement: ((err: Error) => OutRecord) | undefined, done: AckCallback, replaced = false): void {
    this.writer.write(record, (err) => {
      if (!err || isRetriable(err) || !replacement) return done(err);
      // Counted once per message, however many replacements it takes.
      if (!replaced) this.metrics.deadLetters.inc({ reason: 'too_large_for_kafka' });
      const next = replacement(err);
      this.logger.warn({ topic: record.topic, key: record.key, bytes: record.value.byteLength, instead: next.value.byteLength }, 'Kafka refused a record as too large; writing a dead letter instead');
      const last = next.topic === record.topic; // already a dead letter: the bare one is the end
      this.write(next, last ? undefined : (err2) => withoutPayload(next, refusal(next, err2)), done, true);
    });
  }

  hasRoom(): boolean {
    return this.writer.hasRoom();
  }

  onRoom(fn: () => void): void {
    this.writer.onRoom(fn);
  }
}
