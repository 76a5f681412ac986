import { packageVersion } from '@fleetlake/core';
import type { Auth } from './auth.js';
import type { ConsoleConfig } from './config.js';
import type { HealthMonitor } from './health.js';
import type { Route } from './http-server.js';
import { unknownVehicle } from './http-errors.js';
import type { KafkaFeed } from './kafka-feed.js';
import type { LakeApi } from './lake-api.js';
import type { LakeReader } from './lake-reader.js';
import type { LiveHub } from './live-hub.js';
import type { DeviceState, LiveState, Position, Status } from './live-state.js';
import type { ConsoleMetrics } from './metrics.js';
import { deviceIdParam, frameIdParam, queryParams, windowParams } from './params.js';

/** Paths of the single-page app (each serves the page; the page asks the API). */
export const APP_PATHS = [/^\/$/, /^\/vehicles\/[^/]+$/, /^\/incidents$/, /^\/health$/];

export interface RouteDeps {
  config: ConsoleConfig;
  auth: Auth;
  api: LakeApi;
  lake: LakeReader;
  live: LiveState | undefined;
  feed: KafkaFeed | undefined;
  hub: LiveHub;
  health: HealthMonitor;
  metrics: ConsoleMetrics;
}

/** A vehicle on the map: its newest position (lake or live), its status (live) and when it was last heard of. */
export interface FleetVehicle {
  deviceId: string;
  position?: Position | undefined;
  status?: Status | undefined;
  lastSeen?: string | undefined;
}

const newer = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : Date.parse(b) > Date.parse(a) ? b : a);

/** The lake's latest positions joined with the live state; the newer position wins. */
export function mergeFleet(lake: readonly Position[], live: readonly DeviceState[]): FleetVehicle[] {
  const out = new Map<string, FleetVehicle>();
  for (const p of lake) out.set(p.deviceId, { deviceId: p.deviceId, position: p, lastSeen: p.timestamp });
  for (const d of live) {
    const v = out.get(d.deviceId) ?? { deviceId: d.deviceId };
    if (d.position && (!v.position || Date.parse(d.position.timestamp) >= Date.parse(v.position.timestamp))) v.position = d.position;
    v.status = d.status;
    v.lastSeen = newer(newer(v.lastSeen, d.lastSeen), d.position?.timestamp);
    out.set(d.deviceId, v);
  }
  return [...out.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

const WINDOW_PARAMS = ['day', 'from', 'to'];

export function apiRoutes(d: RouteDeps): Route[] {
  const version = packageVersion(import.meta.url);
  // The lake's latest positions, shared by requests that come within a second of each other.
  let fleetCache: { at: number; value: Promise<Position[]> } | undefined;
  const lakeFleet = (): Promise<Position[]> => {
    if (!fleetCache || Date.now() - fleetCache.at > 1000) {
      const value = d.api.fleet();
      fleetCache = { at: Date.now(), value };
      value.catch(() => (fleetCache = undefined));
    }
    return fleetCache.value;
  };
  const fleet = async () => mergeFleet(await lakeFleet(), d.live?.snapshot() ?? []);
  const feedState = () => ({ enabled: d.feed !== undefined, connected: d.feed?.connected ?? false, rejected: d.live?.rejected, records: d.live?.records ?? 0 });
  /**
   * The vehicle as the map knows it (the lake's recent days or the live feed). One the map does not
   * know may still be asked for in a window of its own (an older day): a 404 comes only without one.
   */
  const vehicle = async (deviceId: string, p: Record<string, string>): Promise<FleetVehicle | undefined> => {
    const v = (await fleet()).find((x) => x.deviceId === deviceId);
    if (!v && p.day === undefined && p.from === undefined) throw unknownVehicle(deviceId);
    return v;
  };
  const windowOf = (p: Record<string, string>, v: FleetVehicle | undefined) =>
    windowParams(p, d.config.lake.maxWindowDays, v?.position?.timestamp.slice(0, 10) ?? v?.lastSeen?.slice(0, 10));

  return [
    { pattern: /^\/healthz$/, public: true, handle: async () => ({ json: { ok: true, feed: feedState() } }) },
    { pattern: /^\/metrics$/, public: true, handle: async () => ({ body: Buffer.from(await d.metrics.registry.metrics()), type: d.metrics.registry.contentType }) },
    {
      // What the page needs before it can ask anything else (no secrets: how to log in, which tiles).
      pattern: /^\/api\/config$/,
      public: true,
      handle: async (_p, q) => {
        queryParams(q, []);
        return { json: { version, auth: d.auth.scheme, map: d.config.map, lake: d.lake.location, kafka: d.config.kafka.enabled, maxWindowDays: d.config.lake.maxWindowDays } };
      },
    },
    {
      pattern: /^\/api\/fleet$/,
      handle: async (_p, q) => {
        queryParams(q, []);
        return { json: { vehicles: await fleet(), feed: feedState() } };
      },
    },
    {
      pattern: /^\/api\/vehicles\/([^/]+)$/,
      handle: async ([id], q) => {
        const deviceId = deviceIdParam(id!);
        const p = queryParams(q, WINDOW_PARAMS);
        const v = await vehicle(deviceId, p);
        const window = windowOf(p, v);
        const view = await d.api.vehicle(deviceId, window);
        if (!v && view.summary.points === 0) throw unknownVehicle(deviceId, window);
        return { json: { ...view, live: v ?? { deviceId } } };
      },
    },
    {
      pattern: /^\/api\/vehicles\/([^/]+)\/frames\/([^/]+)$/,
      handle: async ([id, frame], q) => {
        const deviceId = deviceIdParam(id!);
        const frameId = frameIdParam(frame!);
        const p = queryParams(q, WINDOW_PARAMS);
        const window = windowOf(p, await vehicle(deviceId, p));
        return { body: await d.api.frame(deviceId, frameId, window), type: 'image/jpeg' };
      },
    },
    {
      pattern: /^\/api\/incidents$/,
      handle: async (_p, q) => {
        queryParams(q, []);
        return { json: { incidents: await d.api.incidents() } };
      },
    },
    {
      pattern: /^\/api\/health$/,
      handle: async (_p, q) => {
        queryParams(q, []);
        const configured = ['agent', 'bridge', 'sink'].some((s) => d.config.health[s as 'agent'].length > 0);
        return { json: { configured, snapshot: d.health.snapshot ?? (await d.health.poll()), feed: feedState(), liveClients: d.hub.size } };
      },
    },
    {
      pattern: /^\/api\/live$/,
      handle: async (_p, q, _req, res) => {
        queryParams(q, []);
        const lake = await lakeFleet();
        // The live part of the snapshot and the stream's first event follow each other with nothing in between.
        d.hub.open(res, { vehicles: mergeFleet(lake, d.live?.snapshot() ?? []), feed: feedState() });
        return undefined;
      },
    },
  ];
}
