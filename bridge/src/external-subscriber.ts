import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { once, type Logger } from '@fleetlake/core';
import type { BridgeConfig } from './config.js';
import type { Ingest } from './ingest.js';
import type { BridgeMetrics } from './metrics.js';

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * External broker mode: an mqtt.js subscriber (MQTT 5, persistent session: clean=false with a session
 * expiry) on `$share/{group}/{filter}`, so several bridges split the load. A message is acknowledged to
 * the broker only after Kafka acknowledged its record; until then the broker keeps it in the session.
 *
 * mqtt.js handles incoming packets one at a time and sends the PUBACK when `handleMessage` calls
 * back, so waiting there for Kafka would allow one message per Kafka round trip. Instead
 * `handleMessage` calls back at once and the PUBACK for that packet id is held back (in the client's
 * packet sender) until Kafka acknowledged. Only a full buffer holds `handleMessage` (back-pressure).
 *
 * Note: a shared subscription hands consecutive messages of one device to different bridges, so
 * per-device order in Kafka holds per bridge, not across bridges; use one bridge (shareGroup "") when
 * strict per-device order matters more than spreading the load.
 */
export class ExternalSubscriber {
  private client: MqttClient | undefined;
  private readonly pendingAcks = new Map<number, Promise<void>>();
  private closing = false;

  private constructor(
    private readonly config: BridgeConfig['mqtt']['external'],
    private readonly ingest: Ingest,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
  ) {}

  static async create(config: BridgeConfig['mqtt']['external'], ingest: Ingest, metrics: BridgeMetrics, logger: Logger): Promise<ExternalSubscriber> {
    return new ExternalSubscriber(config, ingest, metrics, logger);
  }

  get subscription(): string {
    return this.config.shareGroup ? `$share/${this.config.shareGroup}/${this.config.topicFilter}` : this.config.topicFilter;
  }

  async start(): Promise<void> {
    const c = this.config;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: c.clientId,
      clean: false,
      properties: { sessionExpiryInterval: c.sessionExpirySec },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.ca ? { ca: readFileSync(c.ca) } : {}),
      ...(c.cert ? { cert: readFileSync(c.cert) } : {}),
      ...(c.key ? { key: readFileSync(c.key) } : {}),
      manualConnect: true,
    };
    const client = mqtt.connect(c.url, options);
    this.client = client;
    this.deferAcks(client);
    client.handleMessage = (packet, callback) => this.onMessage(packet, callback);
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'MQTT subscriber error'));
    client.on('offline', () => this.logger.warn('MQTT subscriber offline'));
    const connected = new Promise<boolean>((resolve, reject) => {
      client.once('connect', (connack) => resolve(connack.sessionPresent));
      client.once('error', reject);
    });
    client.connect();
    const sessionPresent = await connected;
    // With a present session the broker still has the subscription; subscribing again is harmless.
    await client.subscribeAsync(this.subscription, { qos: 1 });
    this.logger.info({ url: c.url, subscription: this.subscription, sessionPresent }, 'MQTT subscriber connected');
  }

  stopAccepting(): void {
    this.closing = true;
  }

  /** After the Kafka writer drained: wait for the held PUBACKs to go out, then disconnect (session kept). */
  readonly stop = once(async () => {
    this.closing = true;
    await Promise.allSettled([...this.pendingAcks.values()]);
    await this.client?.endAsync();
  });

  private onMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    if (this.closing) return; // never acknowledged: the broker keeps it for the next session
    const topic = packet.topic;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.ingest.onRoom(() => {
      if (this.closing) return;
      if (packet.qos === 0) {
        this.ingest.accept(topic, payload, () => undefined);
        return callback();
      }
      const messageId = packet.messageId!;
      const acked = new Promise<void>((resolve, reject) => {
        const r = this.ingest.accept(topic, payload, (err) => (err ? reject(err) : resolve()));
        if (r === 'pass') resolve();
      });
      acked.catch(() => undefined);
      this.pendingAcks.set(messageId, acked);
      callback();
    });
  }

  /** Holds PUBACK/PUBREC for a packet id until its record is in Kafka; other packets pass unchanged. */
  private deferAcks(client: MqttClient): void {
    const target = client as unknown as { _sendPacket: SendPacket };
    const send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      const id = (packet as { messageId?: number }).messageId;
      const wait = (packet.cmd === 'puback' || packet.cmd === 'pubrec') && id !== undefined ? this.pendingAcks.get(id) : undefined;
      if (!wait) return send(packet, cb, ...rest);
      this.pendingAcks.delete(id!);
      wait.then(
        () => {
          if (!client.connected) return;
          send(packet, undefined, ...rest);
          this.metrics.acked.inc();
        },
        () => undefined,
      );
      cb?.();
    };
  }
}
