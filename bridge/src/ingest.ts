import { DEFAULT_DEAD_LETTER_KEEP_BYTES, eventTimeBounds, type EventTimeBounds } from '@fleetlake/contracts';
import { isRetriable, type Logger } from '@fleetlake/core';
import type { AckCallback, KafkaWriter } from './kafka-writer.js';
import type { BridgeMetrics } from './metrics.js';
import { deadLetter, kafkaHeaders, routeMessage, type OutRecord, type RouteOptions } from './route.js';

/** A received message, for building dead letters after the fact. */
interface Received {
  mqttTopic: string;
  payload: Buffer;
  receivedAt: string;
  deviceId: string | undefined;
  /** Kafka refused it (or its first dead letter) already. */
  refused?: boolean;
}

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
    if (routed.kind === 'status') {
      if (!this.options.statusKafkaTopic) return 'pass';
      const record = { topic: this.options.statusKafkaTopic, key: routed.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) };
      this.write(record, { mqttTopic, payload, receivedAt, deviceId: routed.deviceId }, 'original', done);
      return 'queued';
    }
    if (routed.kind === 'dead') {
      this.metrics.deadLetters.inc({ reason: routed.reason });
      this.logger.debug({ mqttTopic, reason: routed.reason }, 'dead letter');
    }
    this.write(routed.record, { mqttTopic, payload, receivedAt, deviceId: routed.deviceId }, routed.kind === 'dead' ? 'dead_letter' : 'original', done);
    return routed.kind === 'dead' ? 'dead' : 'queued';
  }

  /**
   * Writes `record`. If Kafka refuses it for good: the original (a record or a status message) is
   * replaced by a dead letter keeping the bytes up to the bound, and a dead letter by one without the
   * original bytes (size and SHA-256 only); only when even that is refused does `done` get the error.
   */
  private write(record: OutRecord, msg: Received, stage: 'original' | 'dead_letter' | 'bare', done: AckCallback): void {
    this.writer.write(record, (err) => {
      if (!err || isRetriable(err) || stage === 'bare') return done(err);
      const keep = stage === 'original' ? (this.route.deadLetterKeepBytes ?? DEFAULT_DEAD_LETTER_KEEP_BYTES) : 0;
      const issue = { path: '', message: `Kafka refused the record for ${record.topic}: ${err.message}` };
      // Once per message, however many fallbacks it takes.
      if (!msg.refused) this.metrics.deadLetters.inc({ reason: 'too_large_for_kafka' });
      msg.refused = true;
      this.logger.warn({ mqttTopic: msg.mqttTopic, topic: record.topic, bytes: msg.payload.byteLength, keptBytes: keep }, 'Kafka refused a record as too large; writing a dead letter instead');
      const fallback = deadLetter('too_large_for_kafka', [issue], msg.mqttTopic, msg.payload, msg.receivedAt, msg.deviceId, keep);
      this.write(fallback, msg, stage === 'original' ? 'dead_letter' : 'bare', done);
    });
  }

  hasRoom(): boolean {
    return this.writer.hasRoom();
  }

  onRoom(fn: () => void): void {
    this.writer.onRoom(fn);
  }
}
