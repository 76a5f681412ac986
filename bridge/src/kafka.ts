// First, before kafkajs loads: see kafkajs-group-messages.ts.
import { fastGroupingInstalled } from './kafkajs-group-messages.js';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import { ALL_KAFKA_TOPICS } from '@fleetlake/contracts';
import { FleetlakeError, kafkaSecurityOptions, retry, type Logger } from '@fleetlake/core';
import type { KafkaConfig } from './config.js';
import { installFastCrc32c } from './kafkajs-crc32c.js';
import { installFastProduceRequest } from './kafkajs-produce-request.js';
import { installFastRecordEncoder } from './kafkajs-record-encoder.js';

/** kafkajs client options from the bridge's kafka section: several brokers, TLS, SASL/SCRAM. */
export function kafkaClientConfig(config: KafkaConfig, logger?: Logger): KafkaJsConfig {
  const { ssl, sasl } = kafkaSecurityOptions(config);
  return {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl: sasl as SASLOptions } : {}),
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: 3000,
    retry: { retries: config.sendRetries, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.ERROR,
    logCreator: () => ({ level, log }) => {
      if (!logger) return;
      const entry = { kafkajs: log.logger, message: log.message, error: (log as { error?: unknown }).error };
      if (level <= logLevel.ERROR) logger.debug(entry, 'kafkajs error');
    },
  };
}

export function createKafka(config: KafkaConfig, logger?: Logger): Kafka {
  // Before the first produce request: kafkajs' per-record encoding was the bridge's largest CPU cost,
  // and its byte-at-a-time CRC-32C of each batch another ~2%.
  if (!installFastRecordEncoder()) logger?.warn('kafkajs produce request already loaded; using its own (slower) record encoder');
  if (!installFastCrc32c()) logger?.warn('kafkajs record batch already loaded; using its own (slower) CRC-32C');
  // Then the request around the records (it loads kafkajs' own request with the two above for its fallback).
  if (!installFastProduceRequest()) logger?.warn('kafkajs produce request already in use; using its own (slower) request encoder');
  if (!fastGroupingInstalled) logger?.warn('kafkajs was loaded before the bridge; its producer groups messages with its own (quadratic) grouping');
  return new Kafka(kafkaClientConfig(config, logger));
}

export interface CreateTopicsOptions {
  partitions: number;
  replicationFactor: number;
  topics?: readonly string[];
  /** Extra topic configs, e.g. { 'min.insync.replicas': '2' }. */
  configs?: Record<string, string>;
}

/** Creates Fleetlake's topics (contracts' ALL_KAFKA_TOPICS); returns the ones that were new. */
export async function createTopics(kafka: Kafka, options: CreateTopicsOptions): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = (options.topics ?? ALL_KAFKA_TOPICS).filter((t) => !existing.has(t));
    if (wanted.length === 0) return [];
    await admin.createTopics({
      // kafkajs' own wait gives up after a few seconds on a busy broker; wait below instead.
      waitForLeaders: false,
      timeout: 60_000,
      topics: wanted.map((topic) => ({
        topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: Object.entries(options.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await retry(
      async () => {
        const meta = await admin.fetchTopicMetadata({ topics: wanted });
        const ready = meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
        if (!ready) throw new FleetlakeError('KAFKA_TOPICS_NOT_READY', 'new topics have no leaders yet', { retriable: true });
      },
      { retries: 60, baseMs: 250, maxMs: 1000, shouldRetry: () => true },
    );
    return wanted;
  } finally {
    await admin.disconnect();
  }
}
