import { readFile } from 'node:fs/promises';
import { FleetlakeError } from '@fleetlake/core';
import { bearingDeg, haversineM } from './geo.js';

/**
 * A route: a polyline with cumulative distances, a speed limit per segment and the distances of
 * signalled junctions (where a vehicle may have to stop). Loaded from GeoJSON or GPX, or built in.
 */
export interface RouteData {
  name: string;
  /** [lat, lon] per vertex. */
  points: ReadonlyArray<readonly [number, number]>;
  /** Speed limit (km/h) of the segment that starts at each vertex; defaults to `defaultMaxSpeedKmh`. */
  maxSpeedKmh?: readonly number[];
  /** Vertex indices of signalled junctions. */
  signals?: readonly number[];
}

export const DEFAULT_MAX_SPEED_KMH = 80;

export interface RoutePosition {
  lat: number;
  lon: number;
  /** Bearing of the segment the position lies on. */
  courseDeg: number;
  /** Index of that segment's first vertex. */
  segment: number;
}

export class Route {
  readonly name: string;
  readonly lats: Float64Array;
  readonly lons: Float64Array;
  /** Cumulative distance (m) at each vertex. */
  readonly cum: Float64Array;
  readonly bearings: Float64Array;
  readonly maxSpeedKmh: Float64Array;
  /** Distances (m) of signalled junctions, ascending. */
  readonly signalDistances: number[];

  private constructor(data: RouteData, defaultMaxSpeedKmh: number) {
    const pts = dedupe(data.points);
    if (pts.length < 2) throw new FleetlakeError('ROUTE_INVALID', `route ${data.name} needs at least two distinct points`);
    for (const [lat, lon] of pts) {
      if (!(Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) {
        throw new FleetlakeError('ROUTE_INVALID', `route ${data.name} has an invalid point ${lat},${lon}`);
      }
    }
    this.name = data.name;
    const n = pts.length;
    this.lats = Float64Array.from(pts, (p) => p[0]);
    this.lons = Float64Array.from(pts, (p) => p[1]);
    this.cum = new Float64Array(n);
    this.bearings = new Float64Array(n);
    for (let i = 1; i < n; i++) {
      this.cum[i] = this.cum[i - 1]! + haversineM(this.lats[i - 1]!, this.lons[i - 1]!, this.lats[i]!, this.lons[i]!);
      this.bearings[i - 1] = bearingDeg(this.lats[i - 1]!, this.lons[i - 1]!, this.lats[i]!, this.lons[i]!);
    }
    this.bearings[n - 1] = this.bearings[n - 2]!;
    // dedupe() may have removed vertices: limits and signals index the original list only when nothing was removed.
    const sameIndexing = pts.length === data.points.length;
    this.maxSpeedKmh = Float64Array.from({ length: n }, (_, i) => (sameIndexing ? data.maxSpeedKmh?.[i] : undefined) ?? defaultMaxSpeedKmh);
    this.signalDistances = sameIndexing ? [...(data.signals ?? [])].filter((i) => i >= 0 && i < n).map((i) => this.cum[i]!).sort((a, b) => a - b) : [];
  }

  static fromData(data: RouteData, defaultMaxSpeedKmh = DEFAULT_MAX_SPEED_KMH): Route {
    return new Route(data, defaultMaxSpeedKmh);
  }

  get length(): number {
    return this.cum[this.cum.length - 1]!;
  }

  get vertexCount(): number {
    return this.lats.length;
  }

  /** Segment index containing distance s (binary search). */
  segmentAt(s: number): number {
    const cum = this.cum;
    if (s <= 0) return 0;
    if (s >= this.length) return cum.length - 2;
    let lo = 0;
    let hi = cum.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! <= s) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Position at distance s along the route (clamped to the ends), linear within a segment. */
  positionAt(s: number): RoutePosition {
    const i = this.segmentAt(s);
    const segLen = this.cum[i + 1]! - this.cum[i]!;
    const f = segLen > 0 ? Math.min(1, Math.max(0, (s - this.cum[i]!) / segLen)) : 0;
    return {
      lat: this.lats[i]! + f * (this.lats[i + 1]! - this.lats[i]!),
      lon: this.lons[i]! + f * (this.lons[i + 1]! - this.lons[i]!),
      courseDeg: this.bearings[i]!,
      segment: i,
    };
  }

  /** As GeoJSON (coordinates [lon, lat]) with the limits and signals as properties. */
  toGeoJson(extra: Record<string, unknown> = {}): object {
    const signals: number[] = [];
    let k = 0;
    for (let i = 0; i < this.cum.length && k < this.signalDistances.length; i++) {
      if (this.cum[i] === this.signalDistances[k]) {
        signals.push(i);
        k++;
      }
    }
    return {
      type: 'Feature',
      properties: { name: this.name, lengthM: Math.round(this.length), ...extra, maxSpeedKmh: Array.from(this.maxSpeedKmh), signals },
      geometry: { type: 'LineString', coordinates: Array.from(this.lats, (lat, i) => [round7(this.lons[i]!), round7(lat)]) },
    };
  }

  toGpx(): string {
    const pts = Array.from(this.lats, (lat, i) => `      <trkpt lat="${round7(lat)}" lon="${round7(this.lons[i]!)}"/>`).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="fleetlake-sim" xmlns="http://www.topografix.com/GPX/1/1">
  <trk>
    <name>${escapeXml(this.name)}</name>
    <trkseg>
${pts}
    </trkseg>
  </trk>
</gpx>
`;
  }
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function dedupe(points: RouteData['points']): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function invalid(source: string, why: string): FleetlakeError {
  return new FleetlakeError('ROUTE_INVALID', `${source}: ${why}`);
}

/** GeoJSON LineString (bare geometry, Feature or the first LineString of a FeatureCollection). */
export function parseGeoJsonRoute(text: string, source = 'GeoJSON'): RouteData {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(source, `not JSON (${(err as Error).message})`);
  }
  type Geo = { type?: string; coordinates?: unknown; geometry?: Geo; properties?: Record<string, unknown>; features?: Geo[] };
  const root = doc as Geo;
  const feature = root.type === 'FeatureCollection' ? root.features?.find((f) => f.geometry?.type === 'LineString') : root;
  const geometry = feature?.type === 'Feature' ? feature.geometry : feature;
  if (!geometry || geometry.type !== 'LineString' || !Array.isArray(geometry.coordinates)) throw invalid(source, 'no LineString found');
  const props = feature?.type === 'Feature' ? (feature.properties ?? {}) : {};
  const points = (geometry.coordinates as unknown[]).map((c, i) => {
    if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') throw invalid(source, `coordinate ${i} is not [lon, lat]`);
    return [c[1], c[0]] as const;
  });
  const numbers = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined);
  const maxSpeedKmh = numbers(props.maxSpeedKmh);
  return {
    name: typeof props.name === 'string' ? props.name : source,
    points,
    ...(maxSpeedKmh && maxSpeedKmh.length === points.length ? { maxSpeedKmh } : {}),
    ...(numbers(props.signals) ? { signals: numbers(props.signals) } : {}),
  };
}

/** GPX track points (trkpt), or route points (rtept) when there is no track. */
export function parseGpxRoute(text: string, source = 'GPX'): RouteData {
  const pick = (tag: string) =>
    [...text.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m, i) => {
      const attrs = m[1]!;
      const lat = Number(/\blat\s*=\s*["']([^"']+)["']/.exec(attrs)?.[1]);
      const lon = Number(/\blon\s*=\s*["']([^"']+)["']/.exec(attrs)?.[1]);
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) throw invalid(source, `${tag} ${i} has no valid lat/lon`);
      return [lat, lon] as const;
    });
  const trk = pick('trkpt');
  const points = trk.length > 0 ? trk : pick('rtept');
  if (points.length === 0) throw invalid(source, 'no trkpt or rtept elements');
  const name = /<name>([^<]*)<\/name>/.exec(text)?.[1]?.trim();
  return { name: name || source, points };
}

export const BUILTIN_ROUTES = ['london-birmingham'] as const;

function dataUrl(file: string): URL {
  // src/ and dist/ both sit one level below the workspace folder that holds data/.
  return new URL(`../data/${file}`, import.meta.url);
}

/** A built-in route by name, or a .geojson/.json/.gpx file path. */
export async function loadRoute(nameOrPath: string, defaultMaxSpeedKmh = DEFAULT_MAX_SPEED_KMH): Promise<Route> {
  const builtin = (BUILTIN_ROUTES as readonly string[]).includes(nameOrPath);
  const location = builtin ? dataUrl(`${nameOrPath}.geojson`) : nameOrPath;
  let text: string;
  try {
    text = await readFile(location, 'utf8');
  } catch (err) {
    throw new FleetlakeError('ROUTE_NOT_FOUND', `cannot read route ${nameOrPath}: ${(err as Error).message} (built in: ${BUILTIN_ROUTES.join(', ')})`);
  }
  const data = /\.gpx$/i.test(nameOrPath) || text.trimStart().startsWith('<') ? parseGpxRoute(text, nameOrPath) : parseGeoJsonRoute(text, nameOrPath);
  return Route.fromData(data, defaultMaxSpeedKmh);
}
