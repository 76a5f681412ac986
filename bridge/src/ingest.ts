import { DEFAULT_DEAD_LETTER_KEEP_BYTES, eventTimeBounds, type EventTimeBounds, type ReceiveTime } from '@fleetlake/contracts';
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
  private lastReceived: ReceiveTime;

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
    this.lastReceived = { receivedMs: 0, bounds: this.route.eventTime! };
  }

  /** Receive time as ISO-8601 (and for the event-time check), made at most once per millisecond. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
      this.lastReceived = { receivedMs: ms, bounds: this.lastReceived.bounds };
    }
    return this.lastIso;
  }

  accept(mqttTopic: string, payload: Buffer, done: AckCallback): 'pass' | 'queued' | 'dead' {
    const receivedAt = this.now();
    const routed = routeMessage(mqttTopic, payload, receivedAt, this.route, this.lastReceived);
    this.receivedByKind[routed.kind].inc();
    if (routed.kind === 'dead') {
      this.metrics.deadLetters.inc({ reason: routed.reason });
      this.logger.debug({ mqttTopic, reason: routed.reason }, 'dead letter');
      const letter = routed.record;
      this.writer.write(letter, (err) => {
        if (!err || isRetriable(err)) return done(err);
        // Refused itself (a dead-letter topic with a small max.message.bytes): once more without the original bytes.
        this.replace(letter, withoutPayload(letter, refusal(letter, err)), true, true, done);
      });
      return 'dead';
    }
    let record: OutRecord;
    if (routed.kind === 'status') {
      if (!this.options.statusKafkaTopic) return 'pass';
      record = { topic: this.options.statusKafkaTopic, key: routed.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) };
    } else {
      record = routed.record;
    }
    // One closure per message: the payload it holds is the record's own value.
    this.writer.write(record, (err) => {
      if (!err || isRetriable(err)) return done(err);
      // Refused for good (too large for its topic): a dead letter in its place, keeping the bytes up to the bound.
      const letter = deadLetter('too_large_for_kafka', [refusal(record, err)], mqttTopic, payload, receivedAt, routed.deviceId, this.route.deadLetterKeepBytes ?? DEFAULT_DEAD_LETTER_KEEP_BYTES);
      this.replace(record, letter, false, true, done);
    });
    return 'queued';
  }

  /**
   * Writes `letter` in place of `refused` (`count`: the first replacement of this message). If Kafka
   * refuses that too and it is not `last`, the letter once more without the original bytes; `done`
   * gets an error only when even that was refused.
   */
  private replace(refused: OutRecord, letter: OutRecord, last: boolean, count: boolean, done: AckCallback): void {
    if (count) this.metrics.deadLetters.inc({ reason: 'too_large_for_kafka' });
    this.logger.warn({ topic: refused.topic, key: refused.key, bytes: refused.value.byteLength, instead: letter.value.byteLength }, 'Kafka refused a record as too large; writing a dead letter instead');
    this.writer.write(letter, (err) => {
      if (!err || isRetriable(err) || last) return done(err);
      this.replace(letter, withoutPayload(letter, refusal(letter, err)), true, false, done);
    });
  }

  hasRoom(): boolean {
    return this.writer.hasRoom();
  }

  onRoom(fn: () => void): void {
    this.writer.onRoom(fn);
  }
}
