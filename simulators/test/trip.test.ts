import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { angleDiffDeg, haversineM } from '../src/geo.js';
import { loadRoute, parseGeoJsonRoute, parseGpxRoute, Route } from '../src/route.js';
import { buildRouteFromAnchors, type AnchorFile } from '../src/route-build.js';
import { Trip } from '../src/trip.js';

let route: Route;
const START = Date.UTC(2026, 10, 27, 8);

beforeAll(async () => {
  route = await loadRoute('london-birmingham');
});

describe('the built-in London → Birmingham route', () => {
  it('runs from Charing Cross to Birmingham along a dense road-following polyline', () => {
    expect(route.vertexCount).toBeGreaterThan(5000);
    expect(haversineM(route.lats[0]!, route.lons[0]!, 51.5074, -0.1278)).toBeLessThan(1);
    const n = route.vertexCount - 1;
    expect(haversineM(route.lats[n]!, route.lons[n]!, 52.4862, -1.8904)).toBeLessThan(1);
    // M1/M6 by road is ~180-195 km; the straight line is ~163 km.
    expect(haversineM(51.5074, -0.1278, 52.4862, -1.8904)).toBeLessThan(165_000);
    expect(route.length).toBeGreaterThan(175_000);
    expect(route.length).toBeLessThan(200_000);
    let maxGap = 0;
    for (let i = 1; i <= n; i++) maxGap = Math.max(maxGap, route.cum[i]! - route.cum[i - 1]!);
    expect(maxGap).toBeLessThan(40);
  });

  it('bends smoothly on the motorways (no kinks above 4° between 25 m segments at 112 km/h)', () => {
    for (let i = 1; i < route.vertexCount - 1; i++) {
      if (route.maxSpeedKmh[i] === 112 && route.maxSpeedKmh[i - 1] === 112) expect(Math.abs(angleDiffDeg(route.bearings[i - 1]!, route.bearings[i]!))).toBeLessThan(4);
    }
  });

  it('is what the shipped anchors build (the GeoJSON file is not edited by hand)', async () => {
    const anchors = JSON.parse(await readFile(new URL('../data/london-birmingham.anchors.json', import.meta.url), 'utf8')) as AnchorFile;
    const rebuilt = Route.fromData(buildRouteFromAnchors(anchors));
    expect(rebuilt.vertexCount).toBe(route.vertexCount);
    expect(rebuilt.length).toBeCloseTo(route.length, 0);
    expect(rebuilt.signalDistances).toEqual(route.signalDistances);
    expect(anchors.license).toBe('CC0-1.0');
  });

  it('passes within 150 m of the published M1 junction and service-area positions it was checked against', async () => {
    const anchors = JSON.parse(await readFile(new URL('../data/london-birmingham.anchors.json', import.meta.url), 'utf8')) as AnchorFile & {
      controlPoints: Array<{ name: string; lat: number; lon: number; approximate?: boolean }>;
    };
    const published = anchors.controlPoints.filter((c) => !c.approximate);
    expect(published.length).toBeGreaterThanOrEqual(12);
    for (const c of published) {
      let nearest = Infinity;
      for (let i = 0; i < route.vertexCount; i++) nearest = Math.min(nearest, haversineM(c.lat, c.lon, route.lats[i]!, route.lons[i]!));
      expect(nearest, c.name).toBeLessThan(150);
    }
  });

  it('round-trips through GPX and GeoJSON', () => {
    const gpx = Route.fromData(parseGpxRoute(route.toGpx()));
    expect(gpx.vertexCount).toBe(route.vertexCount);
    expect(gpx.length).toBeCloseTo(route.length, -1);
    const geo = Route.fromData(parseGeoJsonRoute(JSON.stringify(route.toGeoJson())));
    expect(Array.from(geo.maxSpeedKmh)).toEqual(Array.from(route.maxSpeedKmh));
    expect(geo.signalDistances.length).toBe(route.signalDistances.length);
  });

  it('rejects routes that are not routes', () => {
    expect(() => parseGeoJsonRoute('{"type":"Point","coordinates":[0,0]}')).toThrow(/LineString/);
    expect(() => parseGeoJsonRoute('not json')).toThrow(/not JSON/);
    expect(() => parseGpxRoute('<gpx></gpx>')).toThrow(/no trkpt/);
    expect(() => Route.fromData({ name: 'x', points: [[1, 1], [1, 1]] })).toThrow(/two distinct/);
    expect(() => Route.fromData({ name: 'x', points: [[91, 1], [1, 1]] })).toThrow(/invalid point/);
  });

  it('accepts a plain GPX track with default limits', () => {
    const gpx = `<gpx><rte><rtept lon="-0.1" lat="51.5"/><rtept lat='51.51' lon='-0.1'/><rtept lat="51.51" lon="-0.08"/></rte></gpx>`;
    const r = Route.fromData(parseGpxRoute(gpx), 50);
    expect(r.vertexCount).toBe(3);
    const trip = Trip.create(r, { seed: 1, startMs: START });
    const fastest = Math.max(...Array.from({ length: Math.floor(trip.durationS) }, (_, t) => trip.at(t).speedMs));
    expect(fastest * 3.6).toBeLessThanOrEqual(50 * 1.03 + 0.01);
    // The right-angle corner is taken slowly.
    const corner = r.cum[1]!;
    const atCorner = Array.from({ length: Math.floor(trip.durationS) * 10 }, (_, k) => trip.at(k / 10)).find((s) => s.distanceM >= corner)!;
    expect(atCorner.speedMs * 3.6).toBeLessThan(30);
  });
});

describe('trip model', () => {
  it('is reproducible: same seed, same trip; another seed, another trip', () => {
    const a = Trip.create(route, { seed: 42, startMs: START });
    const b = Trip.create(route, { seed: 42, startMs: START });
    const c = Trip.create(route, { seed: 43, startMs: START });
    expect(a.durationS).toBe(b.durationS);
    for (const t of [0, 100, 1234.5, 5000]) expect(a.at(t)).toEqual(b.at(t));
    expect(c.durationS).not.toBe(a.durationS);
  });

  it('drives like a vehicle: limits, acceleration, braking, stops, arrival', () => {
    const trip = Trip.create(route, { seed: 7, startMs: START });
    // 1.5 to 3 hours for ~182 km with London and Birmingham traffic lights.
    expect(trip.durationS).toBeGreaterThan(1.5 * 3600);
    expect(trip.durationS).toBeLessThan(3 * 3600);
    let stoppedEpisodes = 0;
    let wasStopped = true;
    let prev = trip.at(0);
    const steps = Math.round(trip.durationS / 0.1);
    for (let k = 1; k <= steps; k++) {
      const s = trip.at(k * 0.1);
      const limitKmh = route.maxSpeedKmh[route.segmentAt(s.distanceM)]!;
      expect(s.speedMs * 3.6).toBeLessThanOrEqual(limitKmh * 1.03 + 0.5);
      const a = (s.speedMs - prev.speedMs) / 0.1;
      expect(a).toBeLessThanOrEqual(1.2 + 1e-3);
      expect(a).toBeGreaterThanOrEqual(-3.7);
      expect(s.distanceM).toBeGreaterThanOrEqual(prev.distanceM);
      if (s.stopped && !wasStopped) stoppedEpisodes++;
      wasStopped = s.stopped;
      prev = s;
    }
    // Every red light caught is a stop, plus the arrival.
    expect(trip.stops.length).toBeGreaterThan(3);
    expect(stoppedEpisodes).toBe(trip.stops.length + 1);
    for (const stop of trip.stops) expect(route.signalDistances).toContain(stop.distanceM);
    const end = trip.at(trip.durationS);
    expect(end.distanceM).toBeCloseTo(route.length, 3);
    expect(end.speedMs).toBe(0);
    // Motorway cruising near the 70 mph limit.
    const motorway = trip.at(trip.durationS / 2);
    expect(motorway.speedMs * 3.6).toBeGreaterThan(85);
  });

  it('clock maps simulated seconds to UTC time from the start', () => {
    const trip = Trip.create(route, { seed: 1, startMs: START });
    expect(trip.at(90.5).timeMs).toBe(START + 90_500);
  });
});
