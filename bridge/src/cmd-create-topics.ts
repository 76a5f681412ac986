import { createLogger, type Command } from '@fleetlake/core';
import { ALL_KAFKA_TOPICS } from '@fleetlake/contracts';
import { configOptions, flagsToConfig } from './cmd-run.js';
import { loadBridgeConfig } from './config.js';
import { createKafka, createTopics } from './kafka.js';

export const createTopicsCommand: Command = {
  summary: 'create the Kafka topics (stream topics, camera_frames, dead_letter)',
  help: `Usage: fleetlake-bridge create-topics [--config FILE] [--brokers LIST] [--partitions N] [--replication N]
                                      [--min-insync N]

Creates ${ALL_KAFKA_TOPICS.join(', ')}
with the given partitions and replication factor, and mqtt.statusKafkaTopic when it is set (compacted:
it keeps each device's latest status); topics that exist are left alone. The bridge does
not auto-create topics unless kafka.allowAutoTopicCreation is true. Kafka connection settings (TLS,
SASL/SCRAM, brokers) come from the same configuration as "run".

Options:
  -c, --config FILE   YAML configuration file
  --brokers LIST      Kafka bootstrap brokers, comma-separated
  --partitions N      partitions per topic (default 6)
  --replication N     replication factor (default 1; 3 for production clusters)
  --min-insync N      min.insync.replicas topic setting (default: broker's)

Examples:
  fleetlake-bridge create-topics --brokers 127.0.0.1:9092 --partitions 6 --replication 1
  fleetlake-bridge create-topics --config bridge.yaml --partitions 12 --replication 3 --min-insync 2`,
  options: { ...configOptions, partitions: { type: 'string' }, replication: { type: 'string' }, 'min-insync': { type: 'string' } },
  async run({ values }) {
    const config = loadBridgeConfig(values.config as string | undefined, flagsToConfig(values));
    const partitions = Number(values.partitions ?? 6);
    const replicationFactor = Number(values.replication ?? 1);
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error('--partitions must be a positive integer');
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1) throw new Error('--replication must be a positive integer');
    const configs = values['min-insync'] !== undefined ? { 'min.insync.replicas': String(values['min-insync']) } : undefined;
    const kafka = createKafka(config.kafka, createLogger('fleetlake-bridge'));
    const created = await createTopics(kafka, { partitions, replicationFactor, configs });
    const status = config.mqtt.statusKafkaTopic;
    if (status) created.push(...(await createTopics(kafka, { topics: [status], partitions, replicationFactor, configs: { ...configs, 'cleanup.policy': 'compact' } })));
    process.stdout.write(created.length ? `created: ${created.join(', ')}\n` : 'all topics exist\n');
    return 0;
  },
};
