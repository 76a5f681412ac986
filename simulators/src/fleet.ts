import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { FleetlakeError, once, type Logger } from '@fleetlake/core';
import { streamMqttTopic, validateRecord, type Stream } from '@fleetlake/contracts';
import { DeviceState, type Mix } from './fleet-records.js';
import { createRandom } from './random.js';
import type { Route } from './route.js';

/**
 * N simulated devices publishing contract records straight to an MQTT broker (QoS 1 by default),
 * one MQTT connection per device, for load tests of the bridge and the sink.
 *
 * One scheduler drives every device: message m (counted from the start) is due at m / (N × rate)
 * seconds and belongs to device m mod N, so the aggregate rate is exact, each device sends at its own
 * rate, and the devices' sends are spread evenly instead of all firing on the same tick.
 */
export interface FleetOptions {
  brokerUrl: string;
  devices: number;
  /** Messages per second per device. */
  rateHz: number;
  durationS: number;
  mix: Mix;
  qos?: 0 | 1;
  idPrefix?: string;
  seed?: number;
  /** New connections per second while connecting. */
  connectPerSecond?: number;
  /** How long to wait for outstanding acknowledgements at the end. */
  drainTimeoutS?: number;
  route: Route;
  mqtt?: Pick<IClientOptions, 'username' | 'password' | 'protocolVersion' | 'rejectUnauthorized' | 'ca' | 'cert' | 'key'>;
  onProgress?: (p: FleetProgress) => void;
  progressEveryMs?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface FleetProgress {
  elapsedS: number;
  connected: number;
  devices: number;
  sent: number;
  acked: number;
  errors: number;
  inflight: number;
  /** Sent per second over the last progress interval. */
  rate: number;
  ackRate: number;
}

export interface FleetSummary {
  devices: number;
  connected: number;
  connectSeconds: number;
  targetRate: number;
  durationS: number;
  sent: number;
  acked: number;
  errors: number;
  errorsByReason: Record<string, number>;
  invalid: number;
  /** Sent per second over the publishing window. */
  sentRate: number;
  /** Acknowledged per second over the publishing window. */
  ackedRate: number;
  /** Lowest and highest per-second counts over whole seconds of the run (the first and last second excluded). */
  sentPerSecond: { min: number; max: number };
  ackedPerSecond: { min: number; max: number };
  byStream: Record<Stream, number>;
  /** Publish → PUBACK latency. */
  ackLatencyMs: { p50: number; p95: number; p99: number; max: number };
  unackedAtEnd: number;
}

export class Fleet {
  private readonly clients: MqttClient[] = [];
  private readonly states: DeviceState[] = [];
  private sent = 0;
  private acked = 0;
  private errors = 0;
  private invalid = 0;
  private readonly errorsByReason: Record<string, number> = {};
  private readonly byStream: Record<Stream, number> = { gps: 0, vehicle: 0, weather: 0, emergency: 0, traffic: 0 };
  private readonly sentBuckets: number[] = [];
  private readonly ackedBuckets: number[] = [];
  private readonly latencies: number[] = [];
  private t0 = 0;
  private connectSeconds = 0;
  /** Devices the broker refused (CONNACK return code), with its reason: nothing is sent for them, each message counts as an error. */
  private readonly refused = new Map<number, string>();

  private constructor(private readonly opts: FleetOptions) {}

  /** Connects every device (no I/O in the constructor). */
  static async create(opts: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(opts);
    try {
      await fleet.connectAll();
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  private get connected(): number {
    return this.clients.reduce((n, c) => n + (c.connected ? 1 : 0), 0);
  }

  private countError(reason: string): void {
    this.errors++;
    this.errorsByReason[reason] = (this.errorsByReason[reason] ?? 0) + 1;
  }

  private async connectAll(): Promise<void> {
    const { devices, idPrefix = 'sim', connectPerSecond = 250 } = this.opts;
    const rand = createRandom(this.opts.seed ?? 1);
    const width = String(devices).length;
    const started = performance.now();
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < devices; i++) {
      if (this.opts.signal?.aborted) throw this.opts.signal.reason;
      const deviceId = `${idPrefix}-${String(i + 1).padStart(width, '0')}`;
      this.states.push(new DeviceState(deviceId, this.opts.route, rand.fork(deviceId), this.opts.mix));
      const client = connect(this.opts.brokerUrl, {
        clientId: deviceId,
        clean: true,
        keepalive: 60,
        reconnectPeriod: 2000,
        connectTimeout: 30_000,
        protocolVersion: 4,
        // Each device logs in as itself (the bridge admits username = deviceId) unless told otherwise.
        username: deviceId,
        ...this.opts.mqtt,
      });
      client.on('error', (err) => this.countError(`connection: ${(err as { code?: string }).code ?? err.message}`));
      this.clients.push(client);
      // Connected, or refused by the broker (a CONNACK return code: bad credentials, not authorized),
      // after which mqtt.js does not retry. Network errors (ECONNREFUSED...) are retried until the timeout.
      ready.push(
        new Promise((resolve) => {
          client.once('connect', () => resolve());
          client.on('error', (err) => {
            if (typeof (err as { code?: unknown }).code === 'number') {
              this.refused.set(i, `${deviceId}: ${err.message}`);
              resolve();
            }
          });
        }),
      );
      // Pace the connection storm: the broker (and our 2 cores) take a burst of TLS/TCP handshakes badly.
      const due = started + ((i + 1) * 1000) / connectPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    // A referenced timer: with every device refused nothing else keeps the process alive, and it
    // used to exit 0 here without a word.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 30_000)));
    const result = await Promise.race([Promise.all(ready).then(() => 'ok' as const), timeout]);
    clearTimeout(timer);
    this.connectSeconds = (performance.now() - started) / 1000;
    if (this.connected === 0) {
      const reasons = [...this.refused.values()];
      const why = reasons.length ? `refused by the broker (${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; ...' : ''})` : 'no connection within 30 s';
      throw new FleetlakeError('FLEET_NOT_CONNECTED', `none of the ${devices} devices could connect to ${this.opts.brokerUrl}: ${why}`);
    }
    if (this.refused.size) this.opts.log?.warn({ refused: this.refused.size, devices, example: this.refused.values().next().value }, 'some devices were refused by the broker; publishing with the others');
    if (result === 'timeout') this.opts.log?.warn({ connected: this.connected, devices }, 'not every device connected within 30 s; publishing anyway');
  }

  private bucket(arr: number[]): void {
    const s = Math.floor((performance.now() - this.t0) / 1000);
    while (arr.length <= s) arr.push(0);
    arr[s]!++;
  }

  private publishOne(m: number): void {
    const device = m % this.states.length;
    if (this.refused.has(device)) {
      this.countError('device_refused_by_broker');
      return;
    }
    const state = this.states[device]!;
    const client = this.clients[device]!;
    const { stream, record } = state.next(Date.now());
    const valid = validateRecord(stream, record);
    if (!valid.ok) {
      this.invalid++;
      this.countError('invalid_record');
      return;
    }
    const payload = JSON.stringify(record);
    const sentAt = performance.now();
    this.sent++;
    this.byStream[stream]++;
    this.bucket(this.sentBuckets);
    client.publish(streamMqttTopic(state.deviceId, stream), payload, { qos: this.opts.qos ?? 1 }, (err) => {
      if (err) {
        this.countError(`publish: ${err.message}`);
        return;
      }
      this.acked++;
      this.bucket(this.ackedBuckets);
      if (this.latencies.length < 200_000) this.latencies.push(performance.now() - sentAt);
    });
  }

  private progress(last: { t: number; sent: number; acked: number }): FleetProgress {
    const now = performance.now();
    const dt = (now - last.t) / 1000;
    const p: FleetProgress = {
      elapsedS: (now - this.t0) / 1000,
      connected: this.connected,
      devices: this.opts.devices,
      sent: this.sent,
      acked: this.acked,
      errors: this.errors,
      inflight: this.sent - this.acked,
      rate: dt > 0 ? (this.sent - last.sent) / dt : 0,
      ackRate: dt > 0 ? (this.acked - last.acked) / dt : 0,
    };
    last.t = now;
    last.sent = this.sent;
    last.acked = this.acked;
    return p;
  }

  /** Publishes for the configured duration, waits for outstanding acknowledgements, returns the summary. */
  async run(): Promise<FleetSummary> {
    const { devices, rateHz, durationS, signal } = this.opts;
    const perSecond = devices * rateHz;
    const total = Math.round(perSecond * durationS);
    this.t0 = performance.now();
    const last = { t: this.t0, sent: 0, acked: 0 };
    const progressTimer = setInterval(() => this.opts.onProgress?.(this.progress(last)), this.opts.progressEveryMs ?? 1000);
    let m = 0;
    try {
      while (m < total && !signal?.aborted) {
        const elapsed = (performance.now() - this.t0) / 1000;
        const due = Math.min(total, Math.floor(elapsed * perSecond) + 1);
        while (m < due) this.publishOne(m++);
        // Sleep until the next message is due (timers fire ~1 ms late; the catch-up loop above absorbs it).
        const next = (m / perSecond) * 1000 - (performance.now() - this.t0);
        await new Promise((r) => setTimeout(r, Math.max(1, Math.min(next, 50))));
      }
      const publishEnd = performance.now();
      const drainUntil = publishEnd + (this.opts.drainTimeoutS ?? 15) * 1000;
      while (this.acked + this.errors - this.invalid < this.sent && performance.now() < drainUntil && !signal?.aborted) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const windowS = (publishEnd - this.t0) / 1000;
      return this.summary(windowS);
    } finally {
      clearInterval(progressTimer);
      this.opts.onProgress?.(this.progress(last));
    }
  }

  private summary(windowS: number): FleetSummary {
    const minMax = (buckets: number[]) => {
      const whole = buckets.slice(1, Math.max(1, Math.floor(windowS)));
      return whole.length ? { min: Math.min(...whole), max: Math.max(...whole) } : { min: 0, max: 0 };
    };
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10 : 0);
    return {
      devices: this.opts.devices,
      connected: this.connected,
      connectSeconds: Math.round(this.connectSeconds * 100) / 100,
      targetRate: this.opts.devices * this.opts.rateHz,
      durationS: Math.round(windowS * 1000) / 1000,
      sent: this.sent,
      acked: this.acked,
      errors: this.errors,
      errorsByReason: { ...this.errorsByReason },
      invalid: this.invalid,
      sentRate: Math.round((this.sent / windowS) * 10) / 10,
      ackedRate: Math.round((this.acked / windowS) * 10) / 10,
      sentPerSecond: minMax(this.sentBuckets),
      ackedPerSecond: minMax(this.ackedBuckets),
      byStream: { ...this.byStream },
      ackLatencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: sorted.length ? Math.round(sorted[sorted.length - 1]! * 10) / 10 : 0 },
      unackedAtEnd: this.sent - this.acked,
    };
  }

  /** Disconnects every device (idempotent). */
  readonly stop = once(async () => {
    await Promise.all(this.clients.map((c) => new Promise<void>((resolve) => c.end(!c.connected, {}, () => resolve()))));
  });
}
