import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import sharp from 'sharp';
import { LakeQuery, tableDefs } from '@fleetlake/sink';
import type { StatusSnapshot } from '../src/status.js';
import type { TruthEpoch } from '../src/vehicle.js';

export function readTruth(file: string): Map<number, TruthEpoch> {
  const truth = new Map<number, TruthEpoch>();
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line) truth.set((JSON.parse(line) as TruthEpoch).timeMs, JSON.parse(line) as TruthEpoch);
  return truth;
}

const haversineKm = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b.lat - a.lat) / 2) ** 2 + Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(r(b.lon - a.lon) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
};

export interface LakeCheckResult {
  gpsRows: number;
  sqlKm: number;
  truthKm: number;
  frames: number;
  rawRows: number;
  dedupRows: number;
}

/**
 * What the end-to-end test demands of the lake for one vehicle:
 * every (deviceId, stream, seq) the agent captured is there once after dedup and nothing else is;
 * each position equals the simulator's ground truth at that GPS second; frames referenced by
 * traffic_data exist and are valid JPEGs of the stated size.
 */
export async function checkLake(lakeDir: string, deviceId: string, agent: NonNullable<StatusSnapshot['agent']>, truth: Map<number, TruthEpoch>): Promise<LakeCheckResult> {
  const lake = await LakeQuery.open(lakeDir);
  try {
    let rawRows = 0;
    let dedupRows = 0;
    for (const def of tableDefs()) {
      const { rows } = await lake.query(`SELECT seq::BIGINT AS seq FROM fleetlake.${def.view} WHERE deviceid = $d ORDER BY seq`, { d: deviceId });
      const raw = await lake.query(`SELECT count(*) AS n FROM fleetlake.${def.name} WHERE deviceid = $d`, { d: deviceId });
      rawRows += Number(raw.rows[0]!.n);
      dedupRows += rows.length;
      // seq is per (device, stream) from 0, one per captured record: the view holds exactly 0..last, once each.
      const captured = agent.capturedByStream[def.stream] ?? 0;
      const last = agent.lastSeqByStream[def.stream];
      expect(last === undefined ? 0 : last + 1, `${def.stream}: last seq + 1 vs captured`).toBe(captured);
      expect(rows.map((r) => Number(r.seq)), `${def.name} seqs of ${deviceId}`).toEqual(Array.from({ length: captured }, (_, i) => i));
    }
    expect(dedupRows).toBe(agent.captured);

    const gps = (await lake.query(`SELECT epoch_ms("timestamp") AS ms, latitude AS lat, longitude AS lon, timesource AS src FROM fleetlake.gps_data_dedup WHERE deviceid = $d ORDER BY "timestamp"`, { d: deviceId })).rows;
    expect(gps.length).toBeGreaterThan(10);
    let worst = 0;
    for (const g of gps) {
      const t = truth.get(Number(g.ms));
      expect(t, `ground truth at ${new Date(Number(g.ms)).toISOString()}`).toBeDefined();
      worst = Math.max(worst, Math.abs(Number(g.lat) - t!.lat), Math.abs(Number(g.lon) - t!.lon));
      expect(g.src).toBe('gps');
    }
    expect(worst).toBeLessThanOrEqual(1e-7);

    // Trip distance in SQL (the saved trip-summary's haversine sum) against the simulator's odometer.
    const first = truth.get(Number(gps[0]!.ms))!;
    const last = truth.get(Number(gps.at(-1)!.ms))!;
    const sql = await lake.query(`SELECT sum(km) AS km FROM (SELECT 2 * 6371.0088 * asin(sqrt(pow(sin(radians(latitude - lag(latitude) OVER w) / 2), 2)
      + cos(radians(lag(latitude) OVER w)) * cos(radians(latitude)) * pow(sin(radians(longitude - lag(longitude) OVER w) / 2), 2))) AS km
      FROM fleetlake.gps_data_dedup WHERE deviceid = $d WINDOW w AS (ORDER BY "timestamp", seq))`, { d: deviceId });
    const sqlKm = Number(sql.rows[0]!.km);
    const truthKm = (last.distanceM - first.distanceM) / 1000;
    // The same sum computed here, so a wrong SQL cannot hide behind a generous tolerance.
    let jsKm = 0;
    for (let i = 1; i < gps.length; i++) jsKm += haversineKm({ lat: Number(gps[i - 1]!.lat), lon: Number(gps[i - 1]!.lon) }, { lat: Number(gps[i]!.lat), lon: Number(gps[i]!.lon) });
    expect(Math.abs(sqlKm - jsKm)).toBeLessThan(1e-6 * jsKm + 1e-9);
    expect(Math.abs(sqlKm - truthKm) / truthKm).toBeLessThanOrEqual(0.005);

    const frames = (await lake.query(`SELECT snapshoturi AS uri, width AS w, height AS h, bytes AS b FROM fleetlake.traffic_data_dedup WHERE deviceid = $d`, { d: deviceId })).rows;
    for (const f of frames) {
      const jpeg = readFileSync(String(f.uri));
      expect(jpeg.length).toBe(Number(f.b));
      const meta = await sharp(jpeg).metadata();
      expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'jpeg', width: Number(f.w), height: Number(f.h) });
    }
    return { gpsRows: gps.length, sqlKm, truthKm, frames: frames.length, rawRows, dedupRows };
  } finally {
    lake.close();
  }
}
