import { FleetlakeError } from '@fleetlake/core';
import { haversineM } from './geo.js';
import type { RouteData } from './route.js';

/**
 * Builds a dense road-following polyline from hand-placed anchors (see data/*.anchors.json):
 * a centripetal Catmull-Rom spline through every anchor, sampled every `stepM` metres, so that
 * motorway bends are smooth and junction corners stay where the anchors put them.
 */
export interface AnchorSection {
  road: string;
  maxSpeedKmh: number;
  /** [lat, lon] or [lat, lon, tag] with tag "signal" | "start" | "end". */
  points: Array<[number, number] | [number, number, string]>;
}

export interface AnchorFile {
  name: string;
  description?: string;
  provenance?: string;
  license?: string;
  sections: AnchorSection[];
}

interface Anchor {
  lat: number;
  lon: number;
  maxSpeedKmh: number;
  signal: boolean;
}

export function buildRouteFromAnchors(file: AnchorFile, stepM = 25): RouteData {
  const anchors: Anchor[] = [];
  for (const section of file.sections) {
    for (const p of section.points) {
      anchors.push({ lat: p[0], lon: p[1], maxSpeedKmh: section.maxSpeedKmh, signal: p[2] === 'signal' });
    }
  }
  if (anchors.length < 2) throw new FleetlakeError('ROUTE_INVALID', `${file.name}: needs at least two anchors`);
  // Local equirectangular projection (metres) around the route's mean latitude: fine for a spline over a few km.
  const lat0 = anchors.reduce((a, p) => a + p.lat, 0) / anchors.length;
  const kx = (Math.PI / 180) * 6_371_008.8 * Math.cos((lat0 * Math.PI) / 180);
  const ky = (Math.PI / 180) * 6_371_008.8;
  const xy = anchors.map((a) => [a.lon * kx, a.lat * ky] as const);

  const points: Array<readonly [number, number]> = [];
  const maxSpeedKmh: number[] = [];
  const signals: number[] = [];
  for (let i = 0; i < anchors.length - 1; i++) {
    const p0 = xy[Math.max(0, i - 1)]!;
    const p1 = xy[i]!;
    const p2 = xy[i + 1]!;
    const p3 = xy[Math.min(anchors.length - 1, i + 2)]!;
    const a = anchors[i]!;
    const chord = haversineM(a.lat, a.lon, anchors[i + 1]!.lat, anchors[i + 1]!.lon);
    const n = Math.max(1, Math.ceil(chord / stepM));
    if (a.signal) signals.push(points.length);
    for (let k = 0; k < n; k++) {
      const [x, y] = catmullRom(p0, p1, p2, p3, k / n);
      points.push([round7(y / ky), round7(x / kx)]);
      maxSpeedKmh.push(a.maxSpeedKmh);
    }
  }
  const last = anchors[anchors.length - 1]!;
  if (last.signal) signals.push(points.length);
  points.push([last.lat, last.lon]);
  maxSpeedKmh.push(last.maxSpeedKmh);
  return { name: file.name, points, maxSpeedKmh, signals };
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

type P = readonly [number, number];

/** Centripetal (alpha = 0.5) Catmull-Rom between p1 and p2 at t in [0, 1]: no cusps or self-loops. */
function catmullRom(p0: P, p1: P, p2: P, p3: P, t: number): P {
  const d = (a: P, b: P) => Math.max(1e-6, Math.sqrt(Math.hypot(b[0] - a[0], b[1] - a[1])));
  const t0 = 0;
  const t1 = t0 + d(p0, p1);
  const t2 = t1 + d(p1, p2);
  const t3 = t2 + d(p2, p3);
  const tt = t1 + (t2 - t1) * t;
  const lerp = (a: P, b: P, ta: number, tb: number): P => {
    const w = tb - ta < 1e-12 ? 0 : (tt - ta) / (tb - ta);
    return [a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w];
  };
  const a1 = lerp(p0, p1, t0, t1);
  const a2 = lerp(p1, p2, t1, t2);
  const a3 = lerp(p2, p3, t2, t3);
  const b1 = lerp(a1, a2, t0, t2);
  const b2 = lerp(a2, a3, t1, t3);
  return lerp(b1, b2, t1, t2);
}
