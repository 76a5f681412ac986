import { randomUUID } from 'node:crypto';
import { ConfigError } from '@fleetlake/core';
import { STREAMS, type Stream } from '@fleetlake/contracts';
import { compassPoint } from './geo.js';
import type { Random } from './random.js';
import type { Route } from './route.js';
import { TUTORIAL_CONDITIONS, TUTORIAL_INCIDENTS, uuidFrom } from './sensors.js';

/**
 * Full contract records for the fleet generator: what an agent would publish (id, deviceId, seq per
 * stream, timestamp, position) with cheap per-device state: each device drives the route from its own
 * starting point at its own speed.
 */
export type Mix = Record<Stream, number>;

export const DEFAULT_MIX: Mix = { gps: 5, vehicle: 2, weather: 1, emergency: 1, traffic: 1 };

/** "gps=5,vehicle=2,weather=1,emergency=1,traffic=1" (weights; omitted streams get 0 once any is given). */
export function parseMix(spec: string | undefined): Mix {
  if (!spec) return { ...DEFAULT_MIX };
  const mix: Mix = { gps: 0, vehicle: 0, weather: 0, emergency: 0, traffic: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, w] = part.split('=');
    const weight = Number(w);
    if (!name || !(STREAMS as readonly string[]).includes(name) || !Number.isFinite(weight) || weight < 0) {
      throw new ConfigError(`invalid --mix part ${JSON.stringify(part)}: STREAM=WEIGHT with STREAM one of ${STREAMS.join(', ')}`);
    }
    mix[name as Stream] = weight;
  }
  if (Object.values(mix).every((w) => w === 0)) throw new ConfigError('--mix needs at least one positive weight');
  return mix;
}

export class DeviceState {
  private readonly seq: Record<Stream, number> = { gps: 0, vehicle: 0, weather: 0, emergency: 0, traffic: 0 };
  private distanceM: number;
  private readonly speedMs: number;
  private lastMs: number | undefined;

  constructor(
    readonly deviceId: string,
    private readonly route: Route,
    private readonly rand: Random,
    private readonly mix: Mix,
  ) {
    this.distanceM = rand.uniform(0, route.length);
    this.speedMs = rand.uniform(8, 31);
  }

  private pickStream(): Stream {
    const total = STREAMS.reduce((a, s) => a + this.mix[s], 0);
    let r = this.rand.next() * total;
    for (const s of STREAMS) {
      r -= this.mix[s];
      if (r < 0) return s;
    }
    return 'gps';
  }

  /** The next record (stream chosen by the mix) at wall time `nowMs`. */
  next(nowMs: number): { stream: Stream; record: Record<string, unknown> } {
    if (this.lastMs !== undefined) this.distanceM = (this.distanceM + (this.speedMs * (nowMs - this.lastMs)) / 1000) % this.route.length;
    this.lastMs = nowMs;
    const pos = this.route.positionAt(this.distanceM);
    const stream = this.pickStream();
    const r = this.rand;
    const base = {
      id: randomUUID(),
      deviceId: this.deviceId,
      seq: this.seq[stream]++,
      timestamp: new Date(nowMs).toISOString(),
      timeSource: 'gps' as const,
      latitude: Math.round(pos.lat * 1e7) / 1e7,
      longitude: Math.round(pos.lon * 1e7) / 1e7,
    };
    const kmh = Math.round(this.speedMs * 3.6 * 100) / 100;
    const direction = compassPoint(pos.courseDeg);
    switch (stream) {
      case 'gps':
        return { stream, record: { ...base, speed: kmh, direction, vehicleType: 'private', courseDeg: Math.round(pos.courseDeg * 100) / 100, altitudeM: 80, fixMode: '3d', fixQuality: 1, satellites: r.int(6, 12), hdop: Math.round(r.uniform(0.6, 1.8) * 100) / 100 } };
      case 'vehicle':
        return { stream, record: { ...base, speed: kmh, direction, make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid', engineRpm: r.int(1200, 3200) } };
      case 'weather':
        return { stream, record: { ...base, temperature: Math.round(r.uniform(-5, 26) * 10) / 10, weatherCondition: r.pick(TUTORIAL_CONDITIONS), precipitation: Math.round(r.uniform(0, 25) * 10) / 10, windSpeed: Math.round(r.uniform(0, 100) * 10) / 10, humidity: r.int(0, 100), airQualityIndex: Math.round(r.uniform(0, 500)) } };
      case 'emergency':
        return { stream, record: { ...base, incidentId: uuidFrom(r), type: r.pick(TUTORIAL_INCIDENTS), status: r.pick(['Active', 'Resolved'] as const), description: 'Description of the incident' } };
      case 'traffic':
        return { stream, record: { ...base, cameraId: 'cam-front', frameId: `${this.deviceId}-f${base.seq}`, width: 1280, height: 720, bytes: r.int(60_000, 120_000), contentType: 'image/jpeg' } };
    }
  }
}
