import type { Kafka } from 'kafkajs';
import { FleetlakeError, once, type Logger } from '@fleetlake/core';
import { KafkaLane, type AckCallback, type LaneOptions } from './kafka-lane.js';
import type { BridgeMetrics } from './metrics.js';
import { recordBytes, type OutRecord } from './route.js';

export type { AckCallback } from './kafka-lane.js';

export interface KafkaWriterOptions extends LaneOptions {
  /** Parallel producers; a key always uses the same lane, so per-device order holds. */
  lanes: number;
  bufferMaxBytes: number;
  drainTimeoutMs: number;
}

/** FNV-1a, to spread keys over lanes (stable within a process). */
function laneOf(key: string | null, lanes: number): number {
  if (key === null || lanes === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

/**
 * Writes records to Kafka and reports each one's acknowledgement, in order per key.
 *
 * Records are spread by key over `lanes` ordered lanes (each its own producer with one batch in
 * flight: the bound on in-flight requests is `lanes` batches). Records stay in memory until Kafka
 * acknowledged them; `hasRoom()` turns false at `bufferMaxBytes`, and the MQTT side stops reading from
 * devices until `onRoom` fires (TCP back-pressure), so memory stays bounded while Kafka is away.
 */
export class KafkaWriter {
  private readonly lanes: KafkaLane[];
  private bytes = 0;
  private records = 0;
  private roomWaiters: (() => void)[] = [];
  private stopping = false;

  private constructor(
    kafka: Kafka,
    private readonly options: KafkaWriterOptions,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
  ) {
    this.lanes = Array.from({ length: options.lanes }, () => new KafkaLane(kafka, options, metrics, logger, (b, n) => this.release(b, n)));
  }

  static async create(kafka: Kafka, options: KafkaWriterOptions, metrics: BridgeMetrics, logger: Logger): Promise<KafkaWriter> {
    return new KafkaWriter(kafka, options, metrics, logger);
  }

  /** Starts the lanes. Does not wait for Kafka: records are held (bounded) until it answers. */
  async start(): Promise<void> {
    for (const lane of this.lanes) lane.start();
  }

  get pendingRecords(): number {
    return this.records;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** True when every lane's last send (or connect) succeeded. */
  get kafkaOk(): boolean {
    return this.lanes.every((l) => l.kafkaOk);
  }

  hasRoom(): boolean {
    return this.bytes < this.options.bufferMaxBytes;
  }

  /** Runs `fn` once the buffer has room again (at once if it has). */
  onRoom(fn: () => void): void {
    if (this.hasRoom()) fn();
    else this.roomWaiters.push(fn);
  }

  write(record: OutRecord, done: AckCallback): void {
    if (this.stopping) {
      done(new FleetlakeError('BRIDGE_STOPPING', 'bridge is shutting down', { retriable: true }));
      return;
    }
    const bytes = recordBytes(record);
    this.bytes += bytes;
    this.records++;
    this.metrics.bufferedRecords.inc();
    this.metrics.bufferedBytes.inc(bytes);
    this.lanes[laneOf(record.key, this.lanes.length)]!.push({ record, bytes, at: Date.now(), done });
  }

  /** Stops taking records, waits up to drainTimeoutMs for the buffer to reach Kafka, then closes. */
  readonly stop = once(async () => {
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(this.lanes.map((l) => l.drain())).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.options.drainTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.logger.warn({ pending: this.records }, 'drain timed out; unacknowledged records are left for the devices to resend');
    await Promise.all(this.lanes.map((l) => l.stop()));
  });

  private release(bytes: number, records: number): void {
    this.bytes -= bytes;
    this.records -= records;
    this.metrics.bufferedRecords.dec(records);
    this.metrics.bufferedBytes.dec(bytes);
    if (this.hasRoom() && this.roomWaiters.length > 0) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
  }
}
