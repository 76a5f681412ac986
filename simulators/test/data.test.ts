import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCameraFrame, validateRecord, WEATHER_CONDITIONS } from '@fleetlake/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFrame, sceneSvg } from '../src/camera.js';
import { runData } from '../src/data-run.js';
import { FrameFolder } from '../src/frames.js';
import { loadRoute, type Route } from '../src/route.js';
import { stampRecord, TUTORIAL_RANGES, type DataLine } from '../src/sensors.js';
import { Trip } from '../src/trip.js';
import { MemoryOutput } from './helpers.js';

let route: Route;
let dir: string;
const START = Date.UTC(2026, 10, 27, 8);

beforeAll(async () => {
  route = await loadRoute('london-birmingham');
  dir = await mkdtemp(join(tmpdir(), 'fleetlake-sim-frames-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('weather, incident and vehicle data lines', () => {
  it('are domain fields only, become valid contract records once stamped, and stay in the tutorial ranges', async () => {
    const trip = Trip.create(route, { seed: 5, startMs: START });
    const output = new MemoryOutput();
    const durationS = 4 * 3600;
    const stats = await runData({ trip, output, durationS, speed: 'max', seed: 5, vehicleId: 'pi-van-07', incidentsPerHour: 6 });
    const lines = output.text().trim().split('\n').map((l) => JSON.parse(l) as DataLine);
    expect(stats.droppedLines).toBe(0);
    const by = (s: DataLine['stream']) => lines.filter((l) => l.stream === s);
    const end = Math.floor(trip.durationS);
    expect(by('vehicle').length).toBe(Math.floor(end / 5) + 1);
    expect(by('weather').length).toBe(Math.floor(end / 60) + 1);
    expect(by('emergency').length).toBeGreaterThan(5);
    let seq = 0;
    for (const line of lines) {
      // The agent stamps these; the simulator must not send them.
      for (const k of ['id', 'deviceId', 'seq', 'timestamp', 'latitude', 'longitude']) expect(line).not.toHaveProperty(k);
      const record = stampRecord(line, { deviceId: 'pi-van-07', seq: seq++, timestamp: new Date(START).toISOString(), latitude: 51.5, longitude: -0.1 });
      const result = validateRecord(line.stream, record);
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
    for (const w of by('weather')) {
      if (w.stream !== 'weather') continue;
      for (const key of Object.keys(TUTORIAL_RANGES) as Array<keyof typeof TUTORIAL_RANGES>) {
        expect(w[key]).toBeGreaterThanOrEqual(TUTORIAL_RANGES[key].min);
        expect(w[key]).toBeLessThanOrEqual(TUTORIAL_RANGES[key].max);
      }
      expect(WEATHER_CONDITIONS).toContain(w.weatherCondition);
    }
    // Every resolution follows its incident's activation.
    const active = new Set<string>();
    for (const e of by('emergency')) {
      if (e.stream !== 'emergency') continue;
      if (e.status === 'Active') active.add(e.incidentId);
      else expect(active.has(e.incidentId)).toBe(true);
    }
    const v = by('vehicle').at(-1)!;
    expect(v).toMatchObject({ make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid' });
  });
});

describe('dummy camera', () => {
  it('burns the vehicle id, UTC time and position into the scene, the same way for the same seed', () => {
    const shot = { vehicleId: 'pi-van-07', timeMs: Date.UTC(2026, 10, 27, 8, 30, 5), lat: 51.61234, lon: -0.31234, speedKmh: 104, seed: 9 };
    const svg = sceneSvg(shot, 1280, 720);
    expect(svg).toContain('pi-van-07');
    expect(svg).toContain('2026-11-27 08:30:05 UTC');
    expect(svg).toContain('51.61234°N 0.31234°W');
    expect(sceneSvg(shot, 1280, 720)).toBe(svg);
    expect(sceneSvg({ ...shot, seed: 10 }, 1280, 720)).not.toBe(svg);
  });

  it('renders a 1280x720 JPEG of realistic weight that fits the MQTT budget', async () => {
    const { jpeg } = await renderFrame({ vehicleId: 'pi-van-07', timeMs: START, lat: 51.5, lon: -0.1 });
    expect(checkCameraFrame(jpeg).ok).toBe(true);
    expect(jpeg.length).toBeGreaterThan(50_000);
    const meta = await sharp(jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
  });

  it('writes frames into a watched folder along the trip, whole files only', async () => {
    const trip = Trip.create(route, { seed: 5, startMs: START });
    const folder = new FrameFolder(dir);
    await folder.start();
    const stats = await runData({ trip, durationS: 1800, speed: 'max', seed: 5, vehicleId: 'pi-van-07', frames: { folder, everyS: 600 } });
    expect(stats.frames).toBe(4);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['pi-van-07-20261127T080000000Z.jpg', 'pi-van-07-20261127T081000000Z.jpg', 'pi-van-07-20261127T082000000Z.jpg', 'pi-van-07-20261127T083000000Z.jpg']);
    for (const f of files) expect(checkCameraFrame(await readFile(join(dir, f))).ok).toBe(true);
  });
});
