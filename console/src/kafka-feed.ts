import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type SASLOptions } from 'kafkajs';
import { kafkaSecurityOptions, once, type KafkaSecurity, type Logger } from '@fleetlake/core';

/**
 * Every Kafka access of the console is in this file, behind `KafkaFeed`: a live subscription to topics
 * and the committed offsets of another group (the sink's lag). It is implemented with kafkajs; another
 * client replaces it here and nowhere else.
 */

/** One record as the console sees it. */
export interface FeedRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  /** The record's Kafka timestamp (ms). */
  timestamp: number;
  /** Header values as text (the first, when a header repeats). */
  headers: Record<string, string>;
}

type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

function headerText(headers: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

export interface FeedTopic {
  topic: string;
  /** Read the whole topic first (a keyed, compacted topic: the latest value per key), else only what arrives from now on. */
  fromBeginning: boolean;
}

export interface KafkaFeedOptions extends KafkaSecurity {
  brokers: readonly string[];
  clientId: string;
  /** A random suffix is added: each console process is a group of its own and sees every partition. */
  groupIdPrefix: string;
  topics: readonly FeedTopic[];
  logger: Logger;
}

/** Per partition of a topic: the end offset and a group's committed offset (-1: none). */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  high: bigint;
  committed: bigint;
}

export interface KafkaFeed {
  /** Connects and subscribes; `onRecords` gets each fetched batch in partition order. Resolves once consuming. */
  start(onRecords: (records: FeedRecord[]) => void): Promise<void>;
  /** Whether the consumer is in its group and fetching. */
  readonly connected: boolean;
  /** End and committed offsets of `groupId` on `topics` (for its lag). */
  offsets(groupId: string, topics: readonly string[]): Promise<PartitionOffsets[]>;
  stop(): Promise<void>;
}

class KafkajsFeed implements KafkaFeed {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private adminReady: Promise<Admin> | undefined;
  private isConnected = false;
  private readonly kafka: Kafka;

  constructor(private readonly options: KafkaFeedOptions) {
    const { ssl, sasl } = kafkaSecurityOptions(options);
    const log = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...(ssl ? { ssl } : {}),
      ...(sasl ? { sasl: sasl as SASLOptions } : {}),
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log: entry }) => {
        const line = { kafkajs: entry.logger, message: entry.message, error: (entry as { error?: unknown }).error };
        if (level <= logLevel.ERROR) log.warn(line, 'kafka client error');
        else log.debug(line, 'kafka client');
      },
    });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async start(onRecords: (records: FeedRecord[]) => void): Promise<void> {
    // A start after a failed one begins with a new consumer.
    await this.consumer?.disconnect().catch(() => undefined);
    const groupId = `${this.options.groupIdPrefix}-${randomBytes(4).toString('hex')}`;
    // Short fetch waits: a position reaches the page within a fraction of a second of reaching Kafka.
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 1 << 20 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => (this.isConnected = true));
    consumer.on(consumer.events.DISCONNECT, () => (this.isConnected = false));
    consumer.on(consumer.events.CRASH, () => (this.isConnected = false));
    await consumer.connect();
    for (const fromBeginning of [true, false]) {
      const topics = this.options.topics.filter((t) => t.fromBeginning === fromBeginning).map((t) => t.topic);
      if (topics.length) await consumer.subscribe({ topics, fromBeginning });
    }
    // Nothing is committed: the group has no state to resume, so every start reads live again.
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        onRecords(batch.messages.map((m) => ({ topic: batch.topic, key: m.key ? m.key.toString('utf8') : null, value: m.value, timestamp: Number(m.timestamp), headers: headerText(m.headers) })));
      },
    });
    this.options.logger.info({ groupId, topics: this.options.topics.map((t) => t.topic) }, 'live feed consuming');
  }

  private connectAdmin(): Promise<Admin> {
    this.adminReady ??= (async () => {
      const admin = this.kafka.admin();
      this.admin = admin;
      try {
        await admin.connect();
        return admin;
      } catch (err) {
        this.adminReady = undefined;
        throw err;
      }
    })();
    return this.adminReady;
  }

  async offsets(groupId: string, topics: readonly string[]): Promise<PartitionOffsets[]> {
    const admin = await this.connectAdmin();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const ends = await Promise.all(committed.map(({ topic }) => admin.fetchTopicOffsets(topic)));
    return committed.flatMap(({ topic, partitions }, i) => {
      const done = new Map(partitions.map((p) => [p.partition, BigInt(p.offset)]));
      return ends[i]!.map((e) => ({ topic, partition: e.partition, high: BigInt(e.high), committed: done.get(e.partition) ?? -1n }));
    });
  }

  readonly stop = once(async () => {
    this.isConnected = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  });
}

export function createKafkaFeed(options: KafkaFeedOptions): KafkaFeed {
  return new KafkajsFeed(options);
}
