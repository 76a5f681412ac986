import { tableOf } from '@fleetlake/contracts';
import { SAVED_QUERIES, type LakeQuery, type Row } from '@fleetlake/sink';
import { HttpError, notFound } from './http-errors.js';
import type { LakeReader } from './lake-reader.js';
import type { Incident, Position } from './live-state.js';
import { daysWindow, windowDays, type Window } from './params.js';

/**
 * What the pages ask of the lake, each answered by the operator's saved queries (the sink's
 * SAVED_QUERIES, over the dedup views) with bound parameters: nothing from a request becomes SQL.
 */

type Json = Row[string] | undefined;

/** A lake `timestamp` as both engines answer it: no zone, in UTC ("2026-11-27 22:54:39.123"). */
const LAKE_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$/;

/** A lake timestamp (zone-less, UTC) to ISO-8601 with Z; never read as local time. */
export function isoTime(v: Json): string {
  const s = String(v);
  const ms = LAKE_TIMESTAMP.test(s) ? Date.parse(`${s.replace(' ', 'T')}Z`) : NaN;
  if (Number.isNaN(ms)) throw new Error(`not a timestamp from the lake: ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}

const num = (v: Json): number => Number(v);
const optNum = (v: Json): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: Json): string => String(v ?? '');

/** One of the sink's saved queries over a window (and a device), its `dt` range derived from the window. */
async function saved(lake: LakeQuery, name: string, w: Pick<Window, 'from' | 'to'>, device?: string): Promise<Row[]> {
  const q = SAVED_QUERIES[name];
  if (!q) throw new Error(`saved query ${name} is missing from @fleetlake/sink`);
  return (await lake.saved(q, { device, from: w.from, to: w.to })).rows;
}

export interface TripSummary {
  points: number;
  started?: string | undefined;
  ended?: string | undefined;
  distanceKm: number;
  durationS: number;
  avgSpeedKmh?: number | undefined;
  avgReportedSpeedKmh?: number | undefined;
}

/** A track point: [epoch ms, latitude, longitude, speed km/h]. */
export type TrackPoint = [number, number, number, number];

export interface Frame {
  timestamp: string;
  frameId: string;
  cameraId: string;
  width: number;
  height: number;
  bytes: number;
}

export interface Weather {
  timestamp: string;
  latitude: number;
  longitude: number;
  temperature: number;
  condition: string;
  precipitation: number;
  windSpeed: number;
  humidity: number;
  airQualityIndex: number;
}

export interface VehicleView {
  deviceId: string;
  window: { from: string; to: string };
  summary: TripSummary;
  track: TrackPoint[];
  incidents: Incident[];
  weather: Weather[];
  frames: { total: number; shown: Frame[] };
}

const toIncident = (r: Row): Incident => ({
  incidentId: str(r.incidentid),
  deviceId: str(r.deviceid),
  type: str(r.type),
  status: r.status === 'Active' ? 'Active' : 'Resolved',
  timestamp: isoTime(r.timestamp),
  latitude: num(r.latitude),
  longitude: num(r.longitude),
  description: str(r.description),
});

/** Every `n`-th of a list so that at most `max` remain, first and last kept. */
export function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max === 1) return [items[0]!];
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}

export class LakeApi {
  constructor(
    private readonly lake: LakeReader,
    private readonly limits: { maxTrackPoints: number; maxFrames: number },
  ) {}

  /** The latest position of every vehicle seen in the last `lake.recentDays` days that hold positions. */
  async fleet(): Promise<Position[]> {
    return this.lake.withLake({ recentOf: tableOf('gps') }, async (lake, days) => {
      const w = daysWindow(days);
      if (!w) return [];
      return (await saved(lake, 'latest-positions', w)).map((r) => ({
        deviceId: str(r.deviceid),
        timestamp: isoTime(r.timestamp),
        seq: -1,
        latitude: num(r.latitude),
        longitude: num(r.longitude),
        speed: optNum(r.speed),
        direction: r.direction === null ? undefined : str(r.direction),
        vehicleType: r.vehicletype === null ? undefined : str(r.vehicletype),
      }));
    });
  }

  /** Every incident at its latest report in the last `lake.recentDays` days that hold incidents, active ones first. */
  async incidents(): Promise<Incident[]> {
    return this.lake.withLake({ recentOf: tableOf('emergency') }, async (lake, days) => {
      const w = daysWindow(days);
      return w ? (await saved(lake, 'incidents', w)).map(toIncident) : [];
    });
  }

  async vehicle(deviceId: string, w: Window): Promise<VehicleView> {
    return this.lake.withLake(windowDays(w), async (lake) => {
      const [s] = await saved(lake, 'trip-summary', w, deviceId);
      const points = num(s?.points ?? 0);
      if (points > this.limits.maxTrackPoints) {
        throw new HttpError(413, 'WINDOW_TOO_LARGE', `${points} positions in this window, more than lake.maxTrackPoints (${this.limits.maxTrackPoints}): ask for a shorter window`);
      }
      const track = (await saved(lake, 'track', w, deviceId)).map((r): TrackPoint => [Date.parse(isoTime(r.timestamp)), num(r.latitude), num(r.longitude), num(r.speed)]);
      const incidents = (await saved(lake, 'incidents-along-trip', w, deviceId)).map(toIncident);
      const weather = (await saved(lake, 'weather-along-trip', w, deviceId)).map((r): Weather => ({
        timestamp: isoTime(r.timestamp), latitude: num(r.latitude), longitude: num(r.longitude), temperature: num(r.temperature), condition: str(r.weathercondition),
        precipitation: num(r.precipitation), windSpeed: num(r.windspeed), humidity: num(r.humidity), airQualityIndex: num(r.airqualityindex),
      }));
      const frames = (await saved(lake, 'frames', w, deviceId)).filter((r) => r.snapshoturi !== null).map((r): Frame => ({
        timestamp: isoTime(r.timestamp), frameId: str(r.frameid), cameraId: str(r.cameraid), width: num(r.width), height: num(r.height), bytes: num(r.bytes),
      }));
      return {
        deviceId,
        window: { from: w.from, to: w.to },
        summary: {
          points,
          started: points ? isoTime(s!.started!) : undefined,
          ended: points ? isoTime(s!.ended!) : undefined,
          distanceKm: num(s?.distance_km ?? 0),
          durationS: num(s?.duration_s ?? 0),
          avgSpeedKmh: optNum(s?.avg_speed_kmh ?? null),
          avgReportedSpeedKmh: optNum(s?.avg_reported_speed_kmh ?? null),
        },
        track,
        incidents,
        weather,
        frames: { total: frames.length, shown: spread(frames, this.limits.maxFrames) },
      };
    });
  }

  /** The JPEG of one of a vehicle's frames in a window, found by its traffic_data row's snapshotUri. */
  async frame(deviceId: string, frameId: string, w: Window): Promise<Buffer> {
    const uri = await this.lake.withLake(windowDays(w), async (lake) => {
      const row = (await saved(lake, 'frames', w, deviceId)).find((r) => r.frameid === frameId);
      return row?.snapshoturi;
    });
    if (uri === undefined || uri === null) throw notFound(`no frame "${frameId}" of vehicle "${deviceId}" between ${w.from} and ${w.to}`);
    return this.lake.readFrame(String(uri));
  }
}
