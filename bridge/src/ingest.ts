import type { Logger } from '@fleetlake/core';
import type { AckCallback, KafkaWriter } from './kafka-writer.js';
import type { BridgeMetrics } from './metrics.js';
import { kafkaHeaders, routeMessage } from './route.js';

export interface IngestOptions {
  payloadBudget: number;
  /** Also write status messages to this Kafka topic; otherwise they only pass through the broker. */
  statusKafkaTopic?: string | undefined;
}

/**
 * What both broker modes do with a received message: route it (record or dead letter), count it, hand
 * it to the Kafka writer and call `done` once Kafka acknowledged. Returns 'pass' for status messages
 * that do not go to Kafka (the caller acknowledges those as MQTT normally would).
 */
export class Ingest {
  private readonly receivedByKind: Record<'record' | 'dead' | 'status', { inc(): void }>;
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

  accept(mqttTopic: string, payload: Buffer, done: AckCallback): 'pass' | 'queued' {
    const receivedAt = this.now();
    const routed = routeMessage(mqttTopic, payload, receivedAt, { payloadBudget: this.options.payloadBudget });
    this.receivedByKind[routed.kind].inc();
    if (routed.kind === 'status') {
      if (!this.options.statusKafkaTopic) return 'pass';
      const record = { topic: this.options.statusKafkaTopic, key: routed.deviceId, value: payload, headers: kafkaHeaders(mqttTopic, receivedAt) };
      this.writer.write(record, done);
      return 'queued';
    }
    if (routed.kind === 'dead') {
      this.metrics.deadLetters.inc({ reason: routed.reason });
      this.logger.debug({ mqttTopic, reason: routed.reason }, 'dead letter');
    }
    this.writer.write(routed.record, done);
    return 'queued';
  }

  hasRoom(): boolean {
    return this.writer.hasRoom();
  }

  onRoom(fn: () => void): void {
    this.writer.onRoom(fn);
  }
}
