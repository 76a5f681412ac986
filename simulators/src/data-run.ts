import type { Logger } from '@fleetlake/core';
import type { FrameFolder } from './frames.js';
import type { LineOutput } from './outputs/output.js';
import { Pacer, type Speed } from './pacer.js';
import { createRandom } from './random.js';
import { IncidentModel, VehicleModel, WeatherModel, type DataLine, type VehicleSpec } from './sensors.js';
import type { Trip, TruthState } from './trip.js';

/** Drives weather, incidents, vehicle data (JSON lines) and camera frames from the trip's clock. */
export interface DataRunOptions {
  trip: Trip;
  output?: LineOutput;
  durationS: number;
  fromS?: number;
  speed: Speed;
  seed: number;
  vehicleId: string;
  vehicle?: VehicleSpec;
  weatherEveryS?: number;
  vehicleEveryS?: number;
  incidentsPerHour?: number;
  frames?: { folder: FrameFolder; everyS: number };
  onLine?: (line: DataLine, truth: TruthState) => void;
  signal?: AbortSignal;
  log?: Logger;
}

export interface DataRunStats {
  lines: Record<DataLine['stream'], number>;
  droppedLines: number;
  frames: number;
  framesSkipped: number;
}

export async function runData(opts: DataRunOptions): Promise<DataRunStats> {
  const rand = createRandom(opts.seed);
  const weather = new WeatherModel(rand.fork('weather'));
  const incidents = new IncidentModel(rand.fork('incidents'), opts.incidentsPerHour ?? 2);
  const vehicle = new VehicleModel(rand.fork('vehicle'), opts.vehicle);
  const pacer = new Pacer(opts.speed, opts.signal);
  const wait = opts.speed === 'max';
  const weatherEvery = opts.weatherEveryS ?? 60;
  const vehicleEvery = opts.vehicleEveryS ?? 5;
  const from = opts.fromS ?? 0;
  const end = Math.min(from + opts.durationS, opts.trip.durationS);
  const stats: DataRunStats = { lines: { weather: 0, emergency: 0, vehicle: 0 }, droppedLines: 0, frames: 0, framesSkipped: 0 };
  const due = (t: number, every: number) => Math.floor(t / every) !== Math.floor((t - 1) / every) || t === from;
  const pending: Array<Promise<unknown>> = [];

  for (let t = from; t <= end; t++) {
    await pacer.until(t);
    const truth = opts.trip.at(t);
    const lines: DataLine[] = [];
    if (due(t, vehicleEvery)) lines.push(vehicle.next(truth, vehicleEvery));
    if (due(t, weatherEvery)) lines.push(weather.next(weatherEvery));
    lines.push(...incidents.step(t, 1));
    for (const line of lines) {
      opts.onLine?.(line, truth);
      stats.lines[line.stream]++;
      if (opts.output && !(await opts.output.write(`${JSON.stringify(line)}\n`, { wait }))) stats.droppedLines++;
    }
    const frames = opts.frames;
    if (frames && due(t, frames.everyS)) {
      const shot = { vehicleId: opts.vehicleId, timeMs: truth.timeMs, lat: truth.lat, lon: truth.lon, speedKmh: truth.speedMs * 3.6, courseDeg: truth.courseDeg };
      // With --speed max the frames are the bottleneck: wait for each, so none is skipped.
      const job = frames.folder.shoot(shot).catch((err: unknown) => opts.log?.warn({ err }, 'camera frame failed'));
      if (wait) await job;
      else pending.push(job);
    }
  }
  await Promise.all(pending);
  stats.frames = opts.frames?.folder.written ?? 0;
  stats.framesSkipped = opts.frames?.folder.skippedBusy ?? 0;
  return stats;
}
