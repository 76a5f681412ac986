import { eventTimeBounds } from '@fleetlake/contracts';
import { once, type Logger } from '@fleetlake/core';
import type { BridgeConfig } from './config.js';
import { Credentials } from './credentials.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { ExternalSubscriber } from './external-subscriber.js';
import { HttpServer } from './http-server.js';
import { Ingest } from './ingest.js';
import { createKafka } from './kafka.js';
import { KafkaWriter } from './kafka-writer.js';
import { LoginGate } from './login-gate.js';
import { BridgeMetrics } from './metrics.js';

/**
 * The whole bridge: MQTT input (embedded aedes or external subscriber) → Ingest → KafkaWriter, plus
 * /metrics and /healthz. stop(): stop accepting, drain in-flight records to Kafka, then close.
 */
export class Bridge {
  private constructor(
    readonly config: Readonly<BridgeConfig>,
    readonly metrics: BridgeMetrics,
    readonly writer: KafkaWriter,
    readonly input: EmbeddedBroker | ExternalSubscriber,
    readonly http: HttpServer | undefined,
    private readonly logger: Logger,
  ) {}

  static async create(config: Readonly<BridgeConfig>, logger: Logger, metrics = new BridgeMetrics()): Promise<Bridge> {
    const kafka = createKafka(config.kafka, logger);
    const k = config.kafka;
    const writer = await KafkaWriter.create(
      kafka,
      {
        lanes: k.lanes,
        idempotent: k.idempotent,
        allowAutoTopicCreation: k.allowAutoTopicCreation,
        lingerMs: k.lingerMs,
        batchMaxRecords: k.batchMaxRecords,
        batchMaxBytes: k.batchMaxBytes,
        bufferMaxBytes: k.bufferMaxBytes,
        requestTimeoutMs: k.requestTimeoutMs,
        drainTimeoutMs: config.drainTimeoutMs,
      },
      metrics,
      logger,
    );
    const ingest = new Ingest(writer, metrics, logger, {
      payloadBudget: config.mqtt.payloadBudget,
      statusKafkaTopic: config.mqtt.statusKafkaTopic,
      deadLetterKeepBytes: config.deadLetterKeepBytes,
      eventTime: eventTimeBounds(config.eventTime),
    });
    let input: EmbeddedBroker | ExternalSubscriber;
    if (config.mode === 'embedded') {
      const credentials = config.mqtt.credentialsFile ? Credentials.fromFile(config.mqtt.credentialsFile) : undefined;
      if (!credentials && !config.mqtt.allowAnonymous && !(config.mqtt.tls.enabled && config.mqtt.tls.ca && config.mqtt.tls.requestClientCert)) {
        throw new Error('embedded broker needs device authentication: mqtt.credentialsFile, TLS client certificates (mqtt.tls.ca), or mqtt.allowAnonymous=true');
      }
      const gate = new LoginGate({ ...config.mqtt.login, onChecked: (ok) => metrics.loginChecks.inc({ result: ok ? 'ok' : 'failed' }) });
      input = await EmbeddedBroker.create({ mqtt: config.mqtt, auth: { credentials, allowAnonymous: config.mqtt.allowAnonymous, gate } }, ingest, metrics, logger);
    } else {
      input = await ExternalSubscriber.create(config.mqtt.external, ingest, metrics, logger);
    }
    const holder: { bridge?: Bridge } = {};
    const http = config.http.enabled ? await HttpServer.create(config.http.host, config.http.port, metrics, () => holder.bridge!.health(), logger) : undefined;
    holder.bridge = new Bridge(config, metrics, writer, input, http, logger);
    return holder.bridge;
  }

  health(): { ok: boolean; kafka: boolean; pendingRecords: number; pendingBytes: number; bufferFull: boolean } {
    const bufferFull = !this.writer.hasRoom();
    return { ok: this.writer.kafkaOk && !bufferFull, kafka: this.writer.kafkaOk, pendingRecords: this.writer.pendingRecords, pendingBytes: this.writer.pendingBytes, bufferFull };
  }

  async start(): Promise<void> {
    await this.writer.start();
    await this.http?.start();
    await this.input.start();
    this.logger.info({ mode: this.config.mode }, 'bridge started');
  }

  readonly stop = once(async () => {
    this.logger.info({ pending: this.writer.pendingRecords }, 'bridge stopping: no new messages, draining to Kafka');
    this.input.stopAccepting();
    await this.writer.stop();
    await this.input.stop();
    await this.http?.stop();
    this.logger.info('bridge stopped');
  });
}
