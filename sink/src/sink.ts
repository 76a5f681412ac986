import { Kafka, Partitioners, logLevel, type Consumer, type EachBatchPayload, type Producer, type SASLOptions } from 'kafkajs';
import { eventTimeBounds, type EventTimeBounds, type LakeRoot } from '@fleetlake/contracts';
import { FleetlakeError, kafkaSecurityOptions, once, redact, redactedMessage, retry, silentLogger, type Logger } from '@fleetlake/core';
import type { SinkConfig } from './config.js';
import { decode } from './decode.js';
import { flushSegment } from './flush.js';
import { HttpServer } from './http.js';
import { installFastRecordBatchDecoder } from './kafkajs-batch-decoder.js';
import { sendMarker } from './marker.js';
import { SinkMetrics } from './metrics.js';
import { openStore } from './open-store.js';
import { ParquetEncoder } from './parquet.js';
import { PartitionBuffer, type RollLimits, type Segment } from './segment.js';
import { SinkTopics } from './sink-topics.js';
import type { ObjectStore } from './store.js';

/** Frames are large and each is its own object: smaller files of them keep memory bounded. */
const FRAME_LIMITS: Omit<RollLimits, 'maxSpanMs'> = { maxRecords: 200, maxBytes: 16 * 1024 * 1024 };

const tpKey = (topic: string, partition: number) => `${topic}:${partition}`;

interface PartitionState {
  buffer: PartitionBuffer;
  lastActivity: number;
  markerSentAt?: number;
  /** Offset committed last for this partition. */
  committed: bigint;
  /** Closed segments are stored and committed one after the other, while consumption goes on. */
  tail: Promise<void>;
}

/** Closed segments being stored at once (all partitions); consumption waits beyond this. */
const MAX_IN_FLIGHT = 2;

export interface SinkOptions {
  logger?: Logger;
}

/**
 * Kafka → lake. A consumer group over the stream topics and camera_frames; per (topic, partition)
 * buffers cut into segments by count, bytes, event-time span and flush markers; each closed segment
 * is stored, then its end offset committed. Nothing else commits offsets.
 */
export class Sink {
  private readonly partitions = new Map<string, PartitionState>();
  private idleTimer: NodeJS.Timeout | undefined;
  private http: HttpServer | undefined;
  /** A segment could not be stored: fatal, nothing after it is committed. */
  private crashed: Error | undefined;
  /** The consumer's last crash; kafkajs restarts it, and a new group join clears this. */
  private consumerError: Error | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private stopping = false;
  private fatal: ((err: Error) => void) | undefined;
  private readonly topics: SinkTopics;
  private readonly eventTimeBounds: EventTimeBounds;
  /** Resolves when the sink stopped by itself after a fatal error. */
  readonly failed: Promise<Error>;

  private constructor(
    private readonly config: SinkConfig,
    private readonly logger: Logger,
    private readonly consumer: Consumer,
    private readonly producer: Producer,
    private readonly encoder: ParquetEncoder,
    private readonly store: ObjectStore,
    private readonly root: LakeRoot,
    private readonly abort: AbortController,
    readonly metrics: SinkMetrics,
  ) {
    this.failed = new Promise((resolve) => (this.fatal = resolve));
    this.topics = new SinkTopics(config.kafka.topicPrefix);
    this.eventTimeBounds = eventTimeBounds(config.eventTime);
  }

  static async create(config: SinkConfig, options: SinkOptions = {}): Promise<Sink> {
    const logger = options.logger ?? silentLogger();
    // Before the first fetch: kafkajs' own decoding of fetched records was the sink's largest CPU cost
    // after JSON.parse.
    if (!installFastRecordBatchDecoder()) logger.warn('kafkajs fetch decoding already loaded; using its own (slower) record batch decoder');
    const { ssl, sasl } = kafkaSecurityOptions(config.kafka);
    const kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: [...config.kafka.brokers],
      ...(ssl ? { ssl } : {}),
      ...(sasl ? { sasl: sasl as SASLOptions } : {}),
      logLevel: logLevel.WARN,
      retry: { retries: 10 },
      // kafkajs' own lines (one per failed connection attempt and broker) at debug, in the sink's log
      // shape; the sink itself says what matters (start-up, Kafka not reachable, crashes).
      logCreator: () => ({ level, log }) => logger.debug({ kafkajs: log.logger, kafkajsLevel: level, message: log.message, error: (log as { error?: unknown }).error }, 'kafkajs'),
    });
    const consumer = kafka.consumer({
      groupId: config.kafka.groupId,
      sessionTimeout: config.kafka.sessionTimeoutMs,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    const metrics = new SinkMetrics();
    const abort = new AbortController();
    const { root, store } = await openStore(config, { logger, signal: abort.signal, onRetry: () => metrics.storeRetries.inc() });
    const encoder = await ParquetEncoder.create({ tmpDir: store.tmpDir, threads: config.duckdbThreads });
    return new Sink(config, logger, consumer, producer, encoder, store, root, abort, metrics);
  }

  get httpPort(): number | undefined {
    return this.http?.port;
  }

  get lakeStore(): ObjectStore {
    return this.store;
  }

  async start(): Promise<void> {
    const { consumer, producer, config } = this;
    if (this.stopping) throw new FleetlakeError('SINK_STOPPING', 'sink stopped before it started', { retriable: false });
    if (config.http.port >= 0) {
      this.http = await HttpServer.start({
        host: config.http.host,
        port: config.http.port,
        registry: this.metrics.registry,
        healthy: () => ({
          ok: this.running && !this.crashed && !this.consumerError,
          detail: { running: this.running, error: maybeRedacted((this.crashed ?? this.consumerError)?.message) },
        }),
      });
    }
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = new Set(Object.entries(e.payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => tpKey(t, p))));
      for (const [key, state] of this.partitions) {
        if (!assigned.has(key)) {
          // Revoked: the next owner replays from the committed offset.
          state.buffer.reset();
          this.partitions.delete(key);
        }
      }
      this.consumerError = undefined;
      this.logger.info({ assigned: [...assigned] }, 'partitions assigned');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.consumerError = e.payload.error;
      this.logger.error({ err: e.payload.error.message, restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) this.fatal?.(e.payload.error);
    });
    // The one start-up line, before anything waits for Kafka.
    this.logger.info({ lake: this.store.location, brokers: config.kafka.brokers, groupId: config.kafka.groupId, httpPort: this.httpPort }, 'sink starting');
    // A broker that just started (or topics just created) answers "not yet" for a while: retry those.
    const startup = {
      retries: 10,
      baseMs: config.retry.baseMs,
      maxMs: config.retry.maxMs,
      signal: this.abort.signal,
      onRetry: (err: unknown, attempt: number, delayMs: number) => {
        if (attempt === 1 || attempt % 5 === 0) this.logger.warn({ err: redactedMessage(err), attempt, delayMs }, 'Kafka not reachable yet; retrying');
      },
    };
    await retry(() => producer.connect(), startup);
    await retry(() => consumer.connect(), startup);
    await retry(() => consumer.subscribe({ topics: this.topics.all, fromBeginning: config.kafka.fromBeginning }), startup);
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.running = true;
    const tick = Math.max(50, Math.min(1000, Math.floor(config.roll.idleMarkerMs / 4)));
    this.idleTimer = setInterval(() => void this.markIdle('idle', config.roll.idleMarkerMs), tick);
    this.logger.info('consuming');
  }

  private state(topic: string, partition: number): PartitionState {
    const key = tpKey(topic, partition);
    let s = this.partitions.get(key);
    if (!s) {
      const limits = this.topics.isFrames(topic) ? { ...FRAME_LIMITS, maxSpanMs: this.config.roll.maxSpanMs } : this.config.roll;
      s = { buffer: new PartitionBuffer(topic, partition, limits, this.store.tmpDir), lastActivity: Date.now(), committed: -1n, tail: Promise.resolve() };
      this.partitions.set(key, s);
    }
    return s;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const source = { topic, partition };
    const state = this.state(topic, partition);
    // Counted per batch, not per record: a labelled prom-client counter hashes its labels on every inc.
    const counts = { row: 0, frame: 0, dead: 0, marker: 0 };
    state.lastActivity = Date.now();
    // Offset of the last record handed to the buffer; resolved with kafkajs before every await and at
    // the end, not per record (kafkajs parses it into a Long each time).
    let last: string | undefined;
    const resolve = () => {
      if (last !== undefined) resolveOffset(last);
      last = undefined;
    };
    // isRunning() and isStale() can only change while this handler awaits (a rebalance, seek or stop
    // runs on the same thread), so they are checked before the first record and after each await.
    let current = isRunning() && !isStale();
    try {
      for (const message of batch.messages) {
        if (!current) break;
        const item = decode(source, message, this.root, this.topics, this.eventTimeBounds);
        counts[item.kind]++;
        if (item.kind === 'dead') this.metrics.deadLetters.inc({ topic, reason: item.reason });
        const closed = state.buffer.add(item);
        if (closed.length > 0) {
          resolve();
          for (const seg of closed) await this.enqueue(seg, state, heartbeat);
          state.lastActivity = Date.now();
          state.markerSentAt = undefined;
          current = isRunning() && !isStale();
        }
        // Resolved only once its closed segments are queued, as before: a throw above leaves it unresolved.
        last = message.offset;
      }
    } finally {
      resolve();
      for (const kind of ['row', 'frame', 'dead', 'marker'] as const) if (counts[kind] > 0) this.metrics.records.inc({ topic, kind }, counts[kind]);
      state.lastActivity = Date.now();
    }
    this.updateBuffered();
    await heartbeat();
  }

  /**
   * Queues a closed segment behind the partition's earlier ones (offsets are committed in order) and
   * lets consumption go on; waits only when MAX_IN_FLIGHT segments are being stored. After a failed
   * segment nothing later in that partition is stored or committed.
   */
  private async enqueue(seg: Segment, state: PartitionState, heartbeat: () => Promise<void>): Promise<void> {
    if (this.crashed) throw this.crashed;
    const run = state.tail.then(() => this.complete(seg, state, heartbeat));
    state.tail = run;
    const tracked = run.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    while (this.inFlight.size > MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.crashed) throw this.crashed;
  }

  /** Stores a closed segment, then commits the offset after it. */
  private async complete(seg: Segment, state: PartitionState, heartbeat: () => Promise<void>): Promise<void> {
    const end = this.metrics.flushSeconds.startTimer();
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3000);
    try {
      const result = await flushSegment(seg, this.encoder, this.store, this.topics);
      for (const o of result.objects) this.metrics.objects.inc({ kind: o.kind });
      this.metrics.bytes.inc(result.bytes);
    } catch (err) {
      // Not stored and not retriable (or the sink is stopping): never commit past it. Stop consuming;
      // a restart replays from the last committed offset.
      this.crashed = err as Error;
      this.logger.error({ err: (err as Error).message, topic: seg.topic, partition: seg.partition, start: String(seg.startOffset) }, 'segment not stored');
      this.fatal?.(err as Error);
      throw err;
    } finally {
      clearInterval(beat);
      end();
    }
    try {
      await this.consumer.commitOffsets([{ topic: seg.topic, partition: seg.partition, offset: seg.nextOffset.toString() }]);
      state.committed = seg.nextOffset;
      this.metrics.commits.inc({ result: 'ok' });
    } catch (err) {
      // A later segment's commit covers this one; a rebalance makes the next owner replay it.
      this.metrics.commits.inc({ result: 'error' });
      this.logger.warn({ err: (err as Error).message, topic: seg.topic, partition: seg.partition }, 'offset commit failed');
    }
  }

  private updateBuffered(): void {
    let n = 0;
    for (const s of this.partitions.values()) n += s.buffer.pendingRecords;
    this.metrics.buffered.set(n);
  }

  /** Appends a flush marker to each partition whose open file has been quiet for `idleMs`. */
  private async markIdle(reason: 'idle' | 'shutdown', idleMs: number): Promise<Map<string, bigint>> {
    const now = Date.now();
    const sent = new Map<string, bigint>();
    for (const [key, s] of this.partitions) {
      const { topic, partition } = s.buffer;
      if (s.buffer.pendingRecords === 0 || now - s.lastActivity < idleMs) continue;
      if (reason === 'idle' && s.markerSentAt !== undefined && now - s.markerSentAt < idleMs) continue;
      s.markerSentAt = now;
      try {
        const meta = await sendMarker(this.producer, topic, partition, reason);
        this.metrics.markers.inc({ reason });
        const offset = meta[0]?.baseOffset ?? meta[0]?.offset;
        if (offset !== undefined) sent.set(key, BigInt(offset));
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, topic, partition }, 'flush marker not sent');
      }
    }
    return sent;
  }

  /**
   * Graceful stop: append a marker to every partition with buffered records, wait until each marker
   * was consumed (its file stored and committed), then leave the group. Records after a marker stay
   * uncommitted and are replayed by the next owner, so every file boundary is still in the log.
   */
  readonly stop = once(async () => {
    this.stopping = true;
    // Everything below shares one deadline: the sink is gone within drainTimeoutMs whatever Kafka or
    // the store do. What is not committed by then is replayed by the next owner of the partitions.
    const deadline = Date.now() + this.config.drainTimeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.running && !this.crashed) {
      const markers = await within(this.markIdle('shutdown', 0), left());
      while (markers && Date.now() < deadline && [...markers].some(([key, off]) => (this.partitions.get(key)?.committed ?? -1n) <= off)) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.running = false;
    await within(Promise.allSettled([...this.inFlight]), left());
    this.abort.abort(new Error('sink stopping'));
    const closed = await within(
      Promise.all([this.consumer.disconnect().catch(() => undefined), this.producer.disconnect().catch(() => undefined)]),
      // Leaving the group is worth a second even after the deadline: the next owner starts sooner.
      Math.max(left(), 1000),
    );
    if (closed === undefined) this.logger.warn({ drainTimeoutMs: this.config.drainTimeoutMs }, 'Kafka did not answer in time; stopping without leaving the group');
    this.encoder.close();
    await within(this.store.close(), Math.max(left(), 1000));
    await this.http?.stop();
    this.logger.info('sink stopped');
  });
}

/** `p`'s value, or undefined once `ms` have passed first. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const maybeRedacted = (text: string | undefined) => (text === undefined ? undefined : redact(text));
