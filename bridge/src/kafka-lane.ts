import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { FleetlakeError, once, retry, type Logger } from '@fleetlake/core';
import { memoKeyPartitioner } from './key-partitioner.js';
import type { BridgeMetrics } from './metrics.js';
import type { OutRecord } from './route.js';

/** Called once per record: without an error when Kafka acknowledged it (acks=all), with one when it never will be. */
export type AckCallback = (err?: Error) => void;

export interface LaneOptions {
  idempotent: boolean;
  allowAutoTopicCreation: boolean;
  lingerMs: number;
  batchMaxRecords: number;
  batchMaxBytes: number;
  requestTimeoutMs: number;
}

export interface Pending {
  record: OutRecord;
  bytes: number;
  at: number;
  done: AckCallback;
}

/**
 * One ordered lane to Kafka: its own producer (connection) and queue, one batch in flight at a time.
 * While a batch is out, new records collect; the next batch leaves when it is full or the oldest record
 * has waited `lingerMs`. A failed batch is retried (core's retry, with a fresh producer each time) before
 * anything after it is sent, so per-key order survives broker failures. A batch Kafka refuses for its
 * size (no retry can help) is sent again in halves, in order, down to single records; a single record
 * still refused gets a non-retriable `KAFKA_RECORD_TOO_LARGE` error (never acknowledged) and the lane
 * goes on. Per topic, later batches stay at half the smallest size Kafka refused, so the split is
 * paid once, not for every batch. `release(bytes)` tells the owner what an acknowledged or refused batch freed.
 */
export class KafkaLane {
  /** Records from `head` on wait for Kafka; slots before `head` are emptied as soon as their batch is acknowledged. */
  private queue: (Pending | undefined)[] = [];
  private head = 0;
  private producer: Promise<Producer> | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private lastOk = false;
  /** Per topic: at most this many estimated bytes per batch (half the smallest batch Kafka refused for it). */
  private readonly topicCaps = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: LaneOptions,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
    private readonly release: (bytes: number, records: number) => void,
  ) {}

  /** Starts the send loop. Does not wait for Kafka: records are held until it answers. */
  start(): void {
    // Connect early so that /healthz turns healthy before the first record; failures are retried by the loop.
    if (!this.loop) this.getProducer().then(() => this.setOk(true), () => undefined);
    this.loop ??= this.run().catch((err: unknown) => {
      this.logger.error({ err }, 'kafka writer loop ended');
    });
  }

  get pendingRecords(): number {
    return this.queue.length - this.head;
  }

  /** True after the last send succeeded. */
  get kafkaOk(): boolean {
    return this.lastOk;
  }

  push(p: Pending): void {
    this.queue.push(p);
    if (this.wake && (this.pendingRecords === 1 || this.pendingRecords >= this.options.batchMaxRecords)) this.wakeUp();
  }

  /** Sends what is queued (no more lingering) and resolves when the queue is empty. */
  drain(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    return this.loop ?? Promise.resolve();
  }

  /** After drain (or its timeout): gives up on what is left (each gets an error) and closes the producer. */
  readonly stop = once(async () => {
    this.stopping = true;
    this.abort.abort(new FleetlakeError('BRIDGE_STOPPING', 'drain timed out', { retriable: true }));
    this.wakeUp();
    await this.loop;
    const err = new FleetlakeError('BRIDGE_STOPPING', 'bridge stopped before Kafka acknowledged', { retriable: true });
    let left = 0;
    for (let i = this.head; i < this.queue.length; i++) {
      left += this.queue[i]!.bytes;
      this.queue[i]!.done(err);
    }
    this.release(left, this.pendingRecords);
    this.queue = [];
    this.head = 0;
    await this.dropProducer();
  });

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms > 0 ? setTimeout(() => this.wakeUp(), ms) : undefined;
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { lingerMs, batchMaxRecords } = this.options;
    while (!this.abort.signal.aborted) {
      const count = this.pendingRecords;
      if (count === 0) {
        if (this.stopping) return;
        await this.sleep(0);
        continue;
      }
      const age = Date.now() - this.queue[this.head]!.at;
      if (!this.stopping && count < batchMaxRecords && age < lingerMs) {
        await this.sleep(lingerMs - age);
        continue;
      }
      await this.send(this.takeBatch());
    }
  }

  private takeBatch(): Pending[] {
    const end = batchEnd(this.queue as Pending[], this.head, this.options.batchMaxRecords, this.options.batchMaxBytes, this.topicCaps);
    return this.queue.slice(this.head, end) as Pending[];
  }

  /**
   * Sends the batch at the head and completes it. Refused for its size, it is sent as two halves, the
   * second only after the first is done, so records (and each device's order) keep their order.
   */
  private async send(batch: Pending[]): Promise<void> {
    const refusal = await this.sendWithRetry(batch);
    if (!refusal) return this.complete(batch);
    this.rememberRefusal(batch);
    if (batch.length === 1) return this.complete(batch, this.refuse(batch[0]!, refusal));
    this.metrics.kafkaSplitBatches.inc();
    const mid = Math.ceil(batch.length / 2);
    await this.send(batch.slice(0, mid));
    await this.send(batch.slice(mid));
  }

  /**
   * A refused batch of one topic: later batches for that topic get at most half its size — what the
   * split tries next, so after the first refusals the cap lies between half the broker's limit and the limit.
   */
  private rememberRefusal(batch: Pending[]): void {
    const topic = batch[0]!.record.topic;
    if (batch.some((p) => p.record.topic !== topic)) return;
    const cap = Math.floor(batch.reduce((sum, p) => sum + p.bytes, 0) / 2);
    if (cap >= (this.topicCaps.get(topic) ?? Infinity)) return;
    this.topicCaps.set(topic, cap);
    this.logger.info({ topic, records: batch.length, batchMaxBytes: cap }, 'Kafka refused a batch as too large; later batches for this topic stay at half its size');
  }

  /** A single record Kafka refuses as too large: counted, logged, and failed (its device is not acknowledged). */
  private refuse(p: Pending, refusal: SizeRefusal): FleetlakeError {
    const { topic, key } = p.record;
    const bytes = p.record.value.byteLength;
    this.metrics.kafkaRefused.inc({ reason: refusal.reason });
    this.logger.warn({ topic, key, bytes, reason: refusal.reason }, 'Kafka refused a record as too large; it is not acknowledged');
    return new FleetlakeError('KAFKA_RECORD_TOO_LARGE', `Kafka refused a ${bytes}-byte record for ${topic} as too large (${refusal.reason})`, {
      retriable: false,
      cause: refusal.err,
      details: { topic, bytes },
    });
  }

  /** The batch at the head was acknowledged (or refused: `err`): drop it, call back in order, report what was freed. */
  private complete(batch: Pending[], err?: Error): void {
    // Empty the slots at once: left in the array until the next compaction, the last few thousand
    // records (payloads, headers, callbacks) would survive into V8's old generation and turn cheap
    // young-generation collections into long ones.
    this.queue.fill(undefined, this.head, this.head + batch.length);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    let freed = 0;
    for (const p of batch) freed += p.bytes;
    for (const p of batch) p.done(err);
    this.release(freed, batch.length);
  }

  /** Sends until Kafka acknowledges (retrying any error) or refuses the batch for its size (returned). */
  private sendWithRetry(batch: Pending[]): Promise<SizeRefusal | undefined> {
    const topicMessages = toTopicMessages(batch);
    return retry(
      async () => {
        const producer = await this.getProducer().catch((err: unknown) => {
          this.metrics.sendErrors.inc();
          throw err;
        });
        const started = process.hrtime.bigint();
        try {
          await producer.sendBatch({ topicMessages, acks: -1, timeout: this.options.requestTimeoutMs });
        } catch (err) {
          // A fresh producer after a failure: new connections, and for the idempotent producer a new
          // producer id, so a broker that lost its state cannot wedge the sequence numbers (and the
          // parts of a refused request that other partitions took are simply written again).
          await this.dropProducer();
          const refusal = sizeRefusal(err);
          if (refusal) return refusal;
          this.metrics.sendErrors.inc();
          this.setOk(false);
          throw new FleetlakeError('KAFKA_SEND_FAILED', `Kafka send failed: ${(err as Error).message}`, { retriable: true, cause: err });
        }
        this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.metrics.batchRecords.observe(batch.length);
        for (const tm of topicMessages) this.metrics.produced.inc({ topic: tm.topic }, tm.messages.length);
        this.setOk(true);
        return undefined;
      },
      {
        retries: Infinity,
        baseMs: 100,
        maxMs: 2000,
        shouldRetry: () => !this.abort.signal.aborted,
        signal: this.abort.signal,
        onRetry: (err, attempt, delayMs) => {
          if (attempt === 1 || attempt % 20 === 0) this.logger.warn({ err: (err as Error).message, attempt, delayMs, pending: this.pendingRecords }, 'Kafka unavailable; holding records');
        },
      },
    );
  }

  private setOk(ok: boolean): void {
    if (ok !== this.lastOk) {
      this.lastOk = ok;
      this.metrics.kafkaUp.set(ok ? 1 : 0);
      if (ok) this.logger.info('Kafka acknowledging');
    }
  }

  /** The connected producer, shared by concurrent callers; a failed connect is forgotten so the next call retries. */
  private getProducer(): Promise<Producer> {
    this.producer ??= this.connectProducer().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: this.options.idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: this.options.allowAutoTopicCreation,
      createPartitioner: memoKeyPartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      this.setOk(false);
      await producer.disconnect().catch(() => undefined);
      throw new FleetlakeError('KAFKA_CONNECT_FAILED', `cannot connect to Kafka: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    return producer;
  }

  private async dropProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    const producer = await p?.catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }
}

/** Kafka refused a batch for its size: no retry of the same batch can succeed. */
export interface SizeRefusal {
  /** kafkajs' error type in lower case: `message_too_large` or `record_list_too_large`. */
  reason: string;
  err: unknown;
}

const SIZE_ERROR_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Whether a send error is Kafka refusing the batch for its size (error codes 10 and 18; kafkajs throws
 * the protocol error itself or wraps it as the `cause` of a non-retriable error).
 */
export function sizeRefusal(err: unknown): SizeRefusal | undefined {
  let e = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && SIZE_ERROR_TYPES.has(type)) return { reason: type.toLowerCase(), err };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const NO_CAPS: ReadonlyMap<string, number> = new Map();

/**
 * Where the batch starting at `head` ends: at most `maxRecords` records and `maxBytes` estimated bytes,
 * never more — the broker rejects a partition's batch above its `message.max.bytes` (1 MiB by default)
 * and no retry can make it fit — and, for a topic in `topicCaps`, at most its cap of estimated bytes. A first record is always taken, even when it alone is
 * larger (the broker decides then).
 */
export function batchEnd(
  queue: readonly { bytes: number; record: { topic: string } }[],
  head: number,
  maxRecords: number,
  maxBytes: number,
  topicCaps: ReadonlyMap<string, number> = NO_CAPS,
): number {
  const perTopic = topicCaps.size > 0 ? new Map<string, number>() : undefined;
  let end = head;
  let size = 0;
  while (end < queue.length && end - head < maxRecords) {
    const { bytes, record } = queue[end]!;
    const next = size + bytes;
    if (next > maxBytes && end > head) break;
    const cap = perTopic && topicCaps.get(record.topic);
    if (cap !== undefined) {
      const topicBytes = (perTopic!.get(record.topic) ?? 0) + bytes;
      if (topicBytes > cap && end > head) break;
      perTopic!.set(record.topic, topicBytes);
    }
    size = next;
    end++;
  }
  return end;
}

function toTopicMessages(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { record } of batch) {
    let list = byTopic.get(record.topic);
    if (!list) byTopic.set(record.topic, (list = []));
    list.push({ key: record.key, value: record.value, headers: record.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
