import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { frameIdTime, parseRecord, streamMqttTopic } from '@fleetlake/contracts';
import type { Fix } from '../src/gps/fix.js';
import { Outbox } from '../src/outbox/outbox.js';
import { Capture } from '../src/records/capture.js';
import { compassPoint } from '../src/records/compass.js';
import { EventClock } from '../src/records/event-clock.js';
import { GpsRecorder, gpsFields } from '../src/records/gps-records.js';
import { LineIngest } from '../src/records/line-ingest.js';

const DEVICE = 'pi-van-07';
let dir: string;
let outbox: Outbox;
let mono = 0;
let clock: EventClock;
let capture: Capture;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'records-'));
  outbox = await Outbox.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
  mono = 0;
  clock = new EventClock({ maxFixAgeMs: 10_000, maxPositionAgeMs: 60_000, monotonic: () => mono, hostNow: () => Date.parse('2030-01-01T00:00:00Z') });
  capture = new Capture({ deviceId: DEVICE, outbox, clock, payloadBudget: 1024 });
});
afterEach(async () => {
  await outbox.close();
  await rm(dir, { recursive: true, force: true });
});

const fix = (over: Partial<Fix> = {}): Fix => ({ time: '2026-11-27T10:00:00.000Z', lat: 51.5, lon: -0.12, mode: 3, speedKmh: 50, courseDeg: 44, altMSL: 30, satellites: 9, hdop: 0.9, fixQuality: 1, ...over });
const vehicle = { speed: 48.2, direction: 'North', make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid' };

/** What the outbox holds, parsed back with the contracts (as the bridge would). */
async function stored(): Promise<Array<{ topic: string; payload: Buffer }>> {
  const out = [];
  for (let lsn = outbox.nextPending(0); lsn !== undefined; lsn = outbox.nextPending(lsn + 1)) out.push((await outbox.read(lsn))!);
  return out;
}

describe('compass and gps fields', () => {
  it('maps courses to the nearest of eight points', () => {
    expect([0, 22, 23, 90, 180, 225, 315, 337.4, 337.6, 360, -45].map(compassPoint)).toEqual([
      'North', 'North', 'North-East', 'East', 'South', 'South-West', 'North-West', 'North-West', 'North', 'North', 'North-West',
    ]);
  });

  it('derives gps_data fields from a fix, keeping the last heading when the course is unknown', () => {
    expect(gpsFields(fix(), 'bus', 'North')).toEqual({ speed: 50, direction: 'North-East', vehicleType: 'bus', fixMode: '3d', fixQuality: 1, courseDeg: 44, altitudeM: 30, satellites: 9, hdop: 0.9 });
    expect(gpsFields({ time: fix().time, lat: 1, lon: 2, mode: 2 }, 'bus', 'West')).toEqual({ speed: 0, direction: 'West', vehicleType: 'bus', fixMode: '2d', fixQuality: 1 });
  });
});

describe('EventClock', () => {
  it('uses GPS time advanced by elapsed monotonic time, then falls back to the host clock, labelled', () => {
    expect(clock.now()).toEqual({ timestamp: '2030-01-01T00:00:00.000Z', timeSource: 'host', position: undefined });
    clock.update(fix());
    mono = 250;
    expect(clock.now()).toEqual({ timestamp: '2026-11-27T10:00:00.250Z', timeSource: 'gps', position: { latitude: 51.5, longitude: -0.12 } });
    mono = 20_000; // fix too old for time, recent enough for position
    expect(clock.now()).toMatchObject({ timeSource: 'host', position: { latitude: 51.5 } });
    mono = 100_000;
    expect(clock.now().position).toBeUndefined();
    expect(clock.update(fix({ time: 'not a time' }))).toBe(false);
    // a fix the reader timed with the host clock (no GPS date yet): position yes, GPS time no
    mono = 0;
    clock.update({ ...fix({ time: '2030-01-01T00:00:05.000Z' }), timeSource: 'host' } as Fix);
    expect(clock.now()).toMatchObject({ timestamp: '2030-01-01T00:00:00.000Z', timeSource: 'host', position: { latitude: 51.5 } });
  });
});

describe('Capture', () => {
  it('stamps, validates and stores a record with per-stream seq on its contract topic', async () => {
    clock.update(fix());
    const a = await capture.record('vehicle', vehicle as never);
    const b = await capture.record('vehicle', vehicle as never);
    const w = await capture.record('weather', { temperature: 11.5, weatherCondition: 'Rain', precipitation: 2.5, windSpeed: 18, humidity: 88, airQualityIndex: 41 });
    expect([a.ok && a.record.seq, b.ok && b.record.seq, w.ok && w.record.seq]).toEqual([0, 1, 0]);
    const entries = await stored();
    expect(entries.map((e) => e.topic)).toEqual([streamMqttTopic(DEVICE, 'vehicle'), streamMqttTopic(DEVICE, 'vehicle'), streamMqttTopic(DEVICE, 'weather')]);
    const parsed = parseRecord('vehicle', entries[0]!.payload, DEVICE);
    expect(parsed.ok && parsed.value).toMatchObject({ deviceId: DEVICE, seq: 0, timeSource: 'gps', timestamp: '2026-11-27T10:00:00.000Z', latitude: 51.5, longitude: -0.12, make: 'BMW' });
  });

  it('reports the last seq assigned per stream (what a test or an operator compares deliveries with)', async () => {
    expect(capture.lastSeq()).toEqual({});
    clock.update(fix());
    for (let i = 0; i < 3; i++) await capture.record('vehicle', vehicle as never);
    await capture.record('vehicle', { ...vehicle, speed: -1 } as never); // rejected: spends no seq
    await capture.record('weather', { temperature: 1, weatherCondition: 'Snow', precipitation: 0, windSpeed: 3, humidity: 50, airQualityIndex: 20 });
    expect(capture.lastSeq()).toEqual({ vehicle: 2, weather: 0 });
    expect(capture.captured.snapshot()).toEqual({ vehicle: 3, weather: 1 });
  });

  it('continues seq after a restart', async () => {
    clock.update(fix());
    for (let i = 0; i < 3; i++) await capture.record('vehicle', vehicle as never);
    await outbox.close();
    outbox = await Outbox.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    const again = new Capture({ deviceId: DEVICE, outbox, clock, payloadBudget: 1024 });
    const r = await again.record('vehicle', vehicle as never);
    expect(r.ok && r.record.seq).toBe(3);
    expect(again.lastSeq()).toEqual({ vehicle: 3 });
  });

  it('counts invalid readings by reason and spends no seq on them', async () => {
    expect(await capture.record('vehicle', vehicle as never)).toMatchObject({ ok: false, reason: 'no_position' });
    const withOwnPosition = await capture.record('vehicle', { ...vehicle, latitude: 10, longitude: 20 } as never);
    expect(withOwnPosition.ok && withOwnPosition.record).toMatchObject({ latitude: 10, longitude: 20, timeSource: 'host', seq: 0 });
    clock.update(fix());
    const bad = await capture.record('vehicle', { ...vehicle, speed: -5 } as never);
    expect(bad).toMatchObject({ ok: false, reason: 'schema' });
    expect(!bad.ok && bad.issues![0]!.path).toBe('/speed');
    const next = await capture.record('vehicle', vehicle as never);
    expect(next.ok && next.record.seq).toBe(1);
    expect(capture.rejected.snapshot()).toEqual({ no_position: 1, schema: 1 });
  });

  it('captures a frame as raw JPEG on the camera topic followed by its traffic_data record', async () => {
    clock.update(fix());
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]);
    const r = await capture.frame({ frameId: 'f-000001', cameraId: 'cam-front', jpeg, width: 640, height: 480, capturedAt: '2026-11-27T10:00:00.000Z' });
    expect(r.ok && r.record).toMatchObject({ frameId: 'f-000001', bytes: 104, contentType: 'image/jpeg', seq: 0 });
    const entries = await stored();
    expect(entries[0]).toMatchObject({ topic: `fleetlake/v1/${DEVICE}/camera/f-000001` });
    expect(entries[0]!.payload.equals(jpeg)).toBe(true);
    expect(entries[1]!.topic).toBe(streamMqttTopic(DEVICE, 'traffic'));
    const tooBig = await capture.frame({ frameId: 'f-2', cameraId: 'c', jpeg: Buffer.concat([jpeg, Buffer.alloc(2000)]), width: 1, height: 1, capturedAt: '' });
    const notJpeg = await capture.frame({ frameId: 'f-3', cameraId: 'c', jpeg: Buffer.from('hello'), width: 1, height: 1, capturedAt: '' });
    expect([tooBig.ok, notJpeg.ok]).toEqual([false, false]);
    expect(capture.rejected.snapshot()).toEqual({ frame_not_jpeg: 1, frame_payload_too_large: 1 });
    expect((await stored()).length).toBe(2);

    // Frames a camera does not name get a UUIDv7 of their event (GPS) time, the sink's date key.
    const unnamed = await capture.frame({ cameraId: 'cam-front', jpeg, width: 640, height: 480, capturedAt: '2026-11-27T10:00:00.000Z' });
    expect(unnamed.ok).toBe(true);
    const record = (unnamed as { record: { frameId: string; timestamp: string } }).record;
    expect(frameIdTime(record.frameId)).toBe(Date.parse(record.timestamp));
    expect((await stored())[2]!.topic).toBe(`fleetlake/v1/${DEVICE}/camera/${record.frameId}`);
  });
});

describe('LineIngest', () => {
  it('accepts good lines of every input stream and counts bad ones by reason', async () => {
    let triggered = 0;
    const ingest = new LineIngest({ capture, onActiveEmergency: () => triggered++ });
    clock.update(fix());
    const lines = [
      JSON.stringify({ stream: 'vehicle', ...vehicle, seq: 999, deviceId: 'someone-else' }),
      JSON.stringify({ stream: 'weather_data', temperature: 3, weatherCondition: 'Snow', precipitation: 1, windSpeed: 5, humidity: 90, airQualityIndex: 20 }),
      JSON.stringify({ stream: 'emergency', incidentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', type: 'Fire', status: 'Active', description: 'smoke' }),
      JSON.stringify({ stream: 'emergency', incidentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', type: 'Fire', status: 'Resolved', description: '' }),
      '',
      '{"stream":"vehicle",',
      '[1,2]',
      JSON.stringify({ stream: 'gps', speed: 1 }),
      JSON.stringify({ ...vehicle }),
      JSON.stringify({ stream: 'vehicle', ...vehicle, year: 1700 }),
      JSON.stringify({ stream: 'vehicle', ...vehicle, extra: 'x' }),
    ];
    const results = [];
    for (const l of lines) results.push(await ingest.handle(l, 'test'));
    expect(results.map((r) => r?.ok)).toEqual([true, true, true, true, undefined, false, false, false, false, false, false]);
    expect(results[0]!.ok && results[0]!.record).toMatchObject({ deviceId: DEVICE, seq: 0 });
    expect(triggered).toBe(1);
    expect(capture.rejected.snapshot()).toEqual({ not_json: 1, not_object: 1, schema: 2, unknown_stream: 2 });
    // a source's default stream applies to lines without one
    expect((await ingest.handle(JSON.stringify(vehicle), 'test', 'vehicle'))?.ok).toBe(true);
  });
});

describe('GpsRecorder', () => {
  it('derives gps_data at the configured rate by GPS time, stamped with each fix', async () => {
    const fixes = new EventEmitter();
    const recorder = new GpsRecorder(fixes, { capture, clock, intervalMs: 1000, vehicleType: 'private' });
    await recorder.start();
    const base = Date.parse('2026-11-27T10:00:00.000Z');
    for (let i = 0; i < 10; i++) fixes.emit('fix', fix({ time: new Date(base + i * 500).toISOString(), lat: 51.5 + i * 1e-4 }));
    fixes.emit('fix', fix({ time: 'garbage' }));
    await recorder.stop();
    fixes.emit('fix', fix({ time: new Date(base + 60_000).toISOString() })); // after stop: ignored
    const recs = (await stored()).map((e) => JSON.parse(e.payload.toString()) as { seq: number; timestamp: string; latitude: number; timeSource: string });
    expect(recs.map((r) => r.timestamp)).toEqual([0, 1, 2, 3, 4].map((s) => new Date(base + s * 1000).toISOString()));
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(recs[1]!.latitude).toBeCloseTo(51.5002, 6);
    expect(recs.every((r) => r.timeSource === 'gps')).toBe(true);
    expect(capture.rejected.get('fix_bad_time')).toBe(1);
    fixes.emit('fix', { ...fix({ time: new Date(base + 120_000).toISOString() }), timeSource: 'host' });
    await recorder.start();
    fixes.emit('fix', { ...fix({ time: new Date(base + 180_000).toISOString() }), timeSource: 'host' });
    await recorder.stop();
    const last = (await stored()).map((e) => JSON.parse(e.payload.toString()) as { timeSource: string }).at(-1)!;
    expect(last.timeSource).toBe('host');
  });
});
