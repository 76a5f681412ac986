import { randomUUID } from 'node:crypto';
import type { EmergencyData, VehicleData, WeatherData } from '@fleetlake/contracts';
import { compassPoint } from './geo.js';
import type { Random } from './random.js';
import type { TruthState } from './trip.js';

/**
 * Weather, emergency incidents and vehicle data as the agent's data source would deliver them: the
 * domain fields only (the agent stamps id, deviceId, seq, timestamp and position), plus `stream`
 * naming the contract. Value ranges default to the original tutorial's:
 *   weather  temperature -5..26 °C, Sunny/Cloudy/Rain/Snow, precipitation 0..25 mm, wind 0..100 km/h,
 *            humidity 0..100 %, air quality index 0..500;
 *   incidents Fire/Medical/Police/None (+ Accident), Active/Resolved;
 *   vehicle  BMW C500 2024 Hybrid.
 * Unlike the tutorial's independent draws, values wander smoothly within the ranges.
 */
type Domain<T> = Omit<T, 'id' | 'deviceId' | 'seq' | 'timestamp' | 'timeSource' | 'latitude' | 'longitude'>;
export type WeatherLine = { stream: 'weather' } & Domain<WeatherData>;
export type EmergencyLine = { stream: 'emergency' } & Domain<EmergencyData>;
export type VehicleLine = { stream: 'vehicle' } & Domain<VehicleData>;
export type DataLine = WeatherLine | EmergencyLine | VehicleLine;

export interface Range {
  min: number;
  max: number;
}

export const TUTORIAL_RANGES = {
  temperature: { min: -5, max: 26 },
  precipitation: { min: 0, max: 25 },
  windSpeed: { min: 0, max: 100 },
  humidity: { min: 0, max: 100 },
  airQualityIndex: { min: 0, max: 500 },
} as const satisfies Record<string, Range>;

export const TUTORIAL_CONDITIONS = ['Sunny', 'Cloudy', 'Rain', 'Snow'] as const;
export const TUTORIAL_INCIDENTS = ['Accident', 'Fire', 'Medical', 'Police', 'None'] as const;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const clamp = (x: number, r: Range) => Math.min(r.max, Math.max(r.min, x));

export class WeatherModel {
  private state: Record<keyof typeof TUTORIAL_RANGES, number>;
  private condition: WeatherData['weatherCondition'];

  constructor(
    private readonly rand: Random,
    private readonly ranges: Record<keyof typeof TUTORIAL_RANGES, Range> = TUTORIAL_RANGES,
    private readonly conditions: readonly WeatherData['weatherCondition'][] = TUTORIAL_CONDITIONS,
  ) {
    const mid = (r: Range) => rand.uniform(r.min + (r.max - r.min) * 0.2, r.max - (r.max - r.min) * 0.4);
    this.state = {
      temperature: mid(ranges.temperature),
      precipitation: 0,
      windSpeed: mid(ranges.windSpeed) / 2,
      humidity: mid(ranges.humidity),
      airQualityIndex: mid(ranges.airQualityIndex) / 3,
    };
    this.condition = rand.pick(conditions);
  }

  /** The next reading, `dtS` simulated seconds after the previous one. */
  next(dtS: number): WeatherLine {
    const r = this.rand;
    const k = Math.sqrt(Math.max(dtS, 1) / 60);
    if (r.chance(Math.min(1, dtS / 1800))) this.condition = r.pick(this.conditions);
    const wet = this.condition === 'Rain' || this.condition === 'Snow' || this.condition === 'Storm';
    const s = this.state;
    const span = (key: keyof typeof TUTORIAL_RANGES) => this.ranges[key].max - this.ranges[key].min;
    s.temperature = clamp(s.temperature + r.normal(0, 0.3 * k), this.ranges.temperature);
    if (this.condition === 'Snow') s.temperature = Math.min(s.temperature, 2);
    s.precipitation = wet ? clamp(s.precipitation + r.normal(0.5, span('precipitation') * 0.05 * k), this.ranges.precipitation) : 0;
    s.windSpeed = clamp(s.windSpeed + r.normal(0, span('windSpeed') * 0.03 * k), this.ranges.windSpeed);
    s.humidity = clamp(s.humidity + r.normal(wet ? 1 : -0.2, 2 * k), this.ranges.humidity);
    s.airQualityIndex = clamp(s.airQualityIndex + r.normal(0, span('airQualityIndex') * 0.02 * k), this.ranges.airQualityIndex);
    return {
      stream: 'weather',
      temperature: round(s.temperature),
      weatherCondition: this.condition,
      precipitation: round(s.precipitation),
      windSpeed: round(s.windSpeed),
      humidity: round(s.humidity, 0),
      airQualityIndex: round(s.airQualityIndex, 0),
    };
  }
}

const DESCRIPTIONS: Record<EmergencyData['type'], string[]> = {
  Accident: ['two cars, lane 1 blocked', 'vehicle on the hard shoulder', 'shunt in slow traffic'],
  Fire: ['vehicle fire on the verge', 'smoke across the carriageway'],
  Medical: ['driver taken ill, ambulance called', 'pedestrian injured at the junction'],
  Police: ['police stop ahead', 'road closed by police'],
  None: ['all clear'],
};

/** Incidents that start Active at a random rate and are Resolved some minutes later. */
export class IncidentModel {
  private open: Array<{ incidentId: string; type: EmergencyData['type']; description: string; resolvesAt: number }> = [];

  constructor(
    private readonly rand: Random,
    /** Mean incidents per simulated hour. */
    private readonly perHour = 2,
    private readonly types: readonly EmergencyData['type'][] = TUTORIAL_INCIDENTS,
  ) {}

  /** Lines due in the interval (t - dtS, t]: new incidents and resolutions. */
  step(t: number, dtS: number): EmergencyLine[] {
    const out: EmergencyLine[] = [];
    for (const inc of this.open.filter((i) => i.resolvesAt <= t)) {
      out.push({ stream: 'emergency', incidentId: inc.incidentId, type: inc.type, status: 'Resolved', description: inc.description });
    }
    this.open = this.open.filter((i) => i.resolvesAt > t);
    if (this.rand.chance(1 - Math.exp((-this.perHour * dtS) / 3600))) {
      const type = this.rand.pick(this.types);
      const inc = { incidentId: uuidFrom(this.rand), type, description: this.rand.pick(DESCRIPTIONS[type]), resolvesAt: t + this.rand.uniform(120, 1800) };
      this.open.push(inc);
      out.push({ stream: 'emergency', incidentId: inc.incidentId, type, status: 'Active', description: inc.description });
    }
    return out;
  }
}

/** A v4-shaped UUID from the seeded source (reproducible, unlike crypto.randomUUID). */
export function uuidFrom(rand: Random): string {
  const hex = Array.from({ length: 32 }, () => rand.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = (rand.int(0, 3) | 8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface VehicleSpec {
  make: string;
  model: string;
  year: number;
  fuelType: VehicleData['fuelType'];
}

export const TUTORIAL_VEHICLE: VehicleSpec = { make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid' };

/** OBD-like data from the trip truth: rpm from speed and gear, coolant warming up, fuel used, odometer. */
export class VehicleModel {
  private tempC: number;
  private fuelPct: number;
  private readonly odometerStartKm: number;

  constructor(
    private readonly rand: Random,
    readonly spec: VehicleSpec = TUTORIAL_VEHICLE,
  ) {
    this.tempC = rand.uniform(8, 18);
    this.fuelPct = rand.uniform(55, 95);
    this.odometerStartKm = rand.uniform(5_000, 60_000);
  }

  next(truth: TruthState, dtS: number): VehicleLine {
    const kmh = truth.speedMs * 3.6;
    const gearTop = [0, 20, 35, 55, 75, 95, 250];
    const gear = Math.max(1, gearTop.findIndex((g) => kmh <= g));
    const rpm = kmh < 1 ? 800 + this.rand.normal(0, 20) : 1200 + ((kmh - gearTop[gear - 1]!) / (gearTop[gear]! - gearTop[gear - 1]!)) * 1800 + Math.max(0, truth.accelMs2) * 300;
    this.tempC += (90 - this.tempC) * Math.min(1, dtS / 600);
    this.fuelPct = Math.max(0, this.fuelPct - (kmh / 3600) * dtS * 0.05);
    const electric = this.spec.fuelType === 'Electric';
    return {
      stream: 'vehicle',
      speed: round(kmh, 2),
      direction: compassPoint(truth.courseDeg),
      ...this.spec,
      ...(electric ? {} : { engineRpm: Math.round(Math.min(7000, Math.max(0, rpm))), engineTempC: round(this.tempC) }),
      fuelLevelPct: round(this.fuelPct),
      odometerKm: round(this.odometerStartKm + truth.distanceM / 1000, 2),
    };
  }
}

/** A full contract record from a data line: what the agent will make of it (for tests and the fleet). */
export function stampRecord(line: DataLine, base: { deviceId: string; seq: number; timestamp: string; latitude: number; longitude: number }): Record<string, unknown> {
  const { stream: _stream, ...fields } = line;
  return { id: randomUUID(), ...base, ...fields };
}
