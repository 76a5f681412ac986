import type { MqttClient } from 'mqtt';
import { gpsMessage } from './helpers.js';

/**
 * One device publishing gps records seq 0..count-1 at QoS 1 with at most `window` unacknowledged,
 * recording which seqs were acknowledged (PUBACK). mqtt.js resends unacknowledged packets after a
 * reconnect, as a device with a persistent outbox does.
 */
export class DeviceLoad {
  readonly acked = new Set<number>();
  private stopped = false;

  constructor(
    readonly deviceId: string,
    readonly client: MqttClient,
    private readonly count: number,
    private readonly window: number,
    private readonly pauseMs = 0,
  ) {}

  async run(): Promise<void> {
    const inflight = new Set<Promise<unknown>>();
    for (let seq = 0; seq < this.count && !this.stopped; seq++) {
      const { topic, payload } = gpsMessage(this.deviceId, seq);
      const p = new Promise<void>((resolve) => {
        this.client.publish(topic, payload, { qos: 1 }, (err) => {
          if (!err) this.acked.add(seq);
          resolve();
        });
      }).finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= this.window) await Promise.race(inflight);
      if (this.pauseMs > 0) await new Promise((r) => setTimeout(r, this.pauseMs));
    }
    await Promise.all(inflight);
  }

  stop(): void {
    this.stopped = true;
  }
}

export function totalAcked(loads: DeviceLoad[]): number {
  return loads.reduce((s, l) => s + l.acked.size, 0);
}

/** Acknowledged (deviceId, seq) pairs that are not among those read from Kafka. */
export function missingFromKafka(loads: DeviceLoad[], seen: Map<string, number[]>): string[] {
  const missing: string[] = [];
  for (const l of loads) {
    const inKafka = new Set(seen.get(l.deviceId) ?? []);
    for (const seq of l.acked) if (!inKafka.has(seq)) missing.push(`${l.deviceId}#${seq}`);
  }
  return missing;
}

/** Per-device order: seqs in Kafka order never go backwards except for resent duplicates. */
export function firstSeenInOrder(seqs: number[]): boolean {
  const seen = new Set<number>();
  let last = -1;
  for (const s of seqs) {
    if (seen.has(s)) continue;
    if (s < last) return false;
    seen.add(s);
    last = s;
  }
  return true;
}
