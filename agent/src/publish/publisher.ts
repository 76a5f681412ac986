import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { abortableDelay, backoffDelay, once, redact, silentLogger, type BackoffOptions, type Logger } from '@fleetlake/core';
import { statusMqttTopic } from '@fleetlake/contracts';
import type { Outbox } from '../outbox/outbox.js';
import { buildClientOptions, statusPayload, type ConnectionSettings } from './mqtt-options.js';
import { RateLimiter } from './rate-limiter.js';

export interface PublisherOptions extends ConnectionSettings {
  outbox: Outbox;
  reconnect: BackoffOptions;
  /** QoS 1 messages sent and not yet acknowledged, at most. */
  maxInflight: number;
  /** Messages per second at most (paces the replay of a backlog after a reconnect). */
  ratePerSecond: number;
  /** How long stop() waits for outstanding PUBACKs and the offline status. */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export interface PublisherStats {
  connected: boolean;
  connects: number;
  connectFailures: number;
  /** Entries acknowledged by the broker (PUBACK). */
  acked: number;
  /** Entries the broker refused for good (MQTT 5 reason code), by code; removed from the outbox. */
  rejected: Record<string, number>;
  inflight: number;
  lastError?: string | undefined;
}

/** MQTT 5 PUBACK reason codes worth trying again later rather than giving the record up. */
const RETRIABLE_REASON_CODES = new Set([0x80, 0x83, 0x88, 0x89, 0x97, 0x96, 0x9f]);

/**
 * Sends the outbox to the broker, oldest first, QoS 1; an entry leaves the outbox only on PUBACK.
 * Each connection is a fresh mqtt.js client (no automatic reconnect, no reliance on its in-memory
 * store): after a disconnect, sending restarts at the oldest unacknowledged entry, after a capped,
 * jittered backoff. A retained `online` status is published on connect; the will (and stop()) say `offline`.
 */
export class MqttPublisher {
  private baseOptions: IClientOptions | undefined;
  private client: MqttClient | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly limiter: RateLimiter;
  private readonly inflight = new Set<number>();
  private waiters: Array<() => void> = [];
  private readonly log: Logger;
  private readonly counters: Omit<PublisherStats, 'connected' | 'inflight'> = { connects: 0, connectFailures: 0, acked: 0, rejected: {} };

  private constructor(private readonly opts: PublisherOptions) {
    this.log = opts.logger ?? silentLogger();
    this.limiter = new RateLimiter(opts.ratePerSecond);
  }

  /** Reads the TLS files and checks the settings; does not connect yet. */
  static async create(opts: PublisherOptions): Promise<MqttPublisher> {
    const p = new MqttPublisher(opts);
    p.baseOptions = await buildClientOptions(opts);
    return p;
  }

  start(): Promise<void> {
    this.opts.outbox.on('append', this.onAppend);
    this.loop ??= this.run();
    return Promise.resolve();
  }

  private readonly onAppend = () => this.poke();

  /** Wakes everything waiting for a change (new entry, ack, close, stop). */
  private poke(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      const wasConnected = await this.session();
      if (this.stopping) break;
      if (wasConnected) attempt = 0;
      const delayMs = backoffDelay(attempt++, this.opts.reconnect);
      this.log.info({ delayMs, attempt }, 'mqtt: reconnecting after backoff');
      await abortableDelay(delayMs, this.abort.signal).catch(() => undefined);
    }
  }

  /** One connection: resolves when it closes, with whether it got connected at all. */
  private session(): Promise<boolean> {
    return new Promise((resolve) => {
      const base = this.baseOptions!;
      const options: IClientOptions = {
        ...base,
        will: { ...base.will!, payload: statusPayload(this.opts.deviceId, 'offline', 'connection lost', this.opts.agentVersion) },
      };
      const client = connect(this.opts.url, options);
      this.client = client;
      let connected = false;
      client.on('connect', () => {
        connected = true;
        this.counters.connects++;
        this.log.info({ url: redact(this.opts.url), protocolVersion: this.opts.protocolVersion }, 'mqtt: connected');
        client.publish(statusMqttTopic(this.opts.deviceId), statusPayload(this.opts.deviceId, 'online', undefined, this.opts.agentVersion), { qos: 1, retain: true });
        void this.pump(client);
      });
      client.on('error', (err) => {
        this.counters.lastError = redact(err.message);
        this.log.warn({ err: err.message, code: (err as { code?: unknown }).code }, 'mqtt: connection error');
      });
      client.on('close', () => {
        if (!connected) this.counters.connectFailures++;
        else if (this.stopping) this.log.info('mqtt: disconnected');
        else this.log.warn('mqtt: connection closed');
        if (this.client === client) this.client = undefined;
        this.inflight.clear();
        client.end(true);
        this.poke();
        resolve(connected);
      });
    });
  }

  /** Sends pending entries in lsn order while this client stays connected. */
  private async pump(client: MqttClient): Promise<void> {
    const { outbox } = this.opts;
    let cursor = 0;
    const live = () => this.client === client && client.connected && !this.stopping;
    while (live()) {
      const lsn = outbox.nextPending(cursor);
      if (lsn === undefined || this.inflight.size >= this.opts.maxInflight) {
        await this.sleep();
        continue;
      }
      await this.limiter.take(this.abort.signal).catch(() => undefined);
      if (!live()) break;
      const entry = await outbox.read(lsn);
      if (!live()) break;
      cursor = lsn + 1;
      if (!entry) continue; // dropped by the byte bound meanwhile
      this.inflight.add(lsn);
      client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
        if (this.client !== client) return; // a closed session's callbacks: re-sent by the next one
        this.inflight.delete(lsn);
        if (!err) {
          outbox.ack(lsn);
          this.counters.acked++;
        } else {
          this.onPublishError(err, lsn, entry.topic, client);
        }
        this.poke();
      });
    }
  }

  private onPublishError(err: Error, lsn: number, topic: string, client: MqttClient): void {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 0x80 && !RETRIABLE_REASON_CODES.has(code)) {
      // The broker will never take it: give the entry up, counted and logged, rather than block the queue.
      this.opts.outbox.ack(lsn);
      const key = `0x${code.toString(16)}`;
      this.counters.rejected[key] = (this.counters.rejected[key] ?? 0) + 1;
      this.log.error({ lsn, topic, reasonCode: key, err: err.message }, 'mqtt: broker rejected a record; removed from the outbox');
      return;
    }
    // Retriable: drop this connection; the next session re-sends from the oldest pending entry.
    this.log.warn({ lsn, topic, err: err.message }, 'mqtt: publish failed; reconnecting to re-send');
    client.end(true);
  }

  stats(): PublisherStats {
    return { ...this.counters, rejected: { ...this.counters.rejected }, connected: this.client?.connected ?? false, inflight: this.inflight.size };
  }

  /** Stops sending, waits briefly for outstanding PUBACKs, says `offline` (retained) and disconnects. */
  readonly stop = once(async () => {
    this.opts.outbox.off('append', this.onAppend);
    const client = this.client;
    const deadline = Date.now() + (this.opts.drainTimeoutMs ?? 2000);
    this.abort.abort();
    this.poke();
    let graceful = false;
    if (client?.connected) {
      while (this.inflight.size > 0 && client.connected && Date.now() < deadline) {
        await Promise.race([this.sleep(), abortableDelay(50)]);
      }
      const offlineAcked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(100, deadline - Date.now()));
        client.publish(statusMqttTopic(this.opts.deviceId), statusPayload(this.opts.deviceId, 'offline', 'shutdown', this.opts.agentVersion), { qos: 1, retain: true }, (err) => {
          clearTimeout(timer);
          resolve(!err);
        });
      });
      // mqtt.js's graceful end waits for every outstanding PUBACK, which a stalled broker may never
      // send; then close at once (the entries stay in the outbox, and the will says offline).
      graceful = offlineAcked && this.inflight.size === 0;
    }
    this.client = undefined;
    if (!graceful && client?.connected) this.log.warn({ inflight: this.inflight.size }, 'mqtt: broker did not acknowledge everything in time; closing without waiting');
    await new Promise<void>((resolve) => (client ? client.end(!graceful, {}, () => resolve()) : resolve()));
    await this.loop;
  });
}
