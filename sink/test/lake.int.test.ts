import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeQuery } from '../src/lake-query.js';
import { SAVED_QUERIES } from '../src/saved-queries.js';
import { Sink } from '../src/sink.js';
import { AWKWARD_LATITUDE, createTopics, duck, produce, pyarrowRead, testConfig, waitCaughtUp } from './harness.js';
import { makeRecord } from './records.js';

/**
 * Many records across every topic → a local lake, read back by DuckDB and pyarrow.
 * SINK_E2E_RECORDS scales the gps stream (the other streams are proportional).
 */
const GPS = Number(process.env.SINK_E2E_RECORDS ?? 200_000);
const counts = { gps: GPS, vehicle: GPS / 4, weather: GPS / 20, emergency: GPS / 50, traffic: GPS / 100 };
const INVALID = 50;
const LATE = 100;
const DEVICES = 20;

describe(`sink → local lake (${Object.values(counts).reduce((a, b) => a + b) + INVALID + LATE + 3 + counts.traffic} records)`, () => {
  const prefix = `e2e${Date.now()}.`;
  const lake = mkdtempSync(join(tmpdir(), 'sink-lake-'));
  let sink: Sink | undefined;
  let brokers: string[];

  beforeAll(async () => {
    brokers = (await sharedKafka()).brokers;
    const topics = await createTopics(brokers, prefix, 3);
    await produce(brokers, prefix, { counts, devices: DEVICES, invalid: INVALID, frames: true, late: LATE, awkward: true });
    const config = testConfig({
      kafka: { brokers, groupId: `${prefix}sink`, topicPrefix: prefix },
      lake: { root: lake },
      roll: { maxRecords: 50_000, idleMarkerMs: 500 },
      http: { port: 0 },
    });
    sink = await Sink.create(config);
    await sink.start();
    const t0 = performance.now();
    await waitCaughtUp(brokers, `${prefix}sink`, topics, 600_000);
    console.log(`sink e2e: all offsets committed ${Math.round(performance.now() - t0)} ms after start`);
  });

  afterAll(async () => {
    await sink?.stop();
    rmSync(lake, { recursive: true, force: true });
  });

  it('every valid record is in its table exactly once, with the right types', async () => {
    const q = await LakeQuery.open(lake);
    try {
      const { rows } = await q.query(`SELECT 'gps' AS s, count(*)::BIGINT AS n, count(DISTINCT (deviceId, seq))::BIGINT AS d FROM gps_data
        UNION ALL SELECT 'vehicle', count(*), count(DISTINCT (deviceId, seq)) FROM vehicle_data
        UNION ALL SELECT 'weather', count(*), count(DISTINCT (deviceId, seq)) FROM weather_data
        UNION ALL SELECT 'emergency', count(*), count(DISTINCT (deviceId, seq)) FROM emergency_data
        UNION ALL SELECT 'traffic', count(*), count(DISTINCT (deviceId, seq)) FROM traffic_data`);
      const got = Object.fromEntries(rows.map((r) => [r.s, [Number(r.n), Number(r.d)]]));
      expect(got).toEqual({
        // + the awkward workload's row with a duplicate name
        gps: [counts.gps + LATE + 1, counts.gps + LATE + 1],
        vehicle: [counts.vehicle, counts.vehicle],
        weather: [counts.weather, counts.weather],
        emergency: [counts.emergency, counts.emergency],
        traffic: [counts.traffic, counts.traffic],
      });
      const types = Object.fromEntries((await q.query('DESCRIBE gps_data')).rows.map((r) => [r.column_name, r.column_type]));
      // Athena's names and types: lower case, timestamp without a zone (UTC).
      expect(types).toMatchObject({ timestamp: 'TIMESTAMP', latitude: 'DOUBLE', seq: 'BIGINT', fixquality: 'INTEGER', satellites: 'INTEGER', deviceid: 'VARCHAR', dt: 'VARCHAR' });
      // Values survive the trip: a few records compared field by field.
      for (const i of [0, 12_345 % counts.gps, counts.gps - 1]) {
        const r = makeRecord('gps', i, DEVICES);
        const { rows: got } = await q.query(
          `SELECT id, "timestamp"::VARCHAR AS ts, latitude, longitude, speed, direction, satellites, hdop, dt FROM gps_data WHERE deviceId = '${r.deviceId}' AND seq = ${r.seq}`,
        );
        expect(got).toEqual([{ id: r.id, ts: r.timestamp.replace('T', ' ').replace(/\.000Z$/, ''), latitude: r.latitude, longitude: r.longitude, speed: r.speed, direction: r.direction, satellites: r.satellites, hdop: r.hdop, dt: '2026-11-27' }]);
      }
      // Late events went to their own date's partition.
      const late = await q.query(`SELECT dt, count(*)::INT AS n FROM gps_data WHERE deviceId = 'late-car' GROUP BY dt ORDER BY dt`);
      expect(late.rows).toEqual([
        { dt: '2026-11-26', n: 60 },
        { dt: '2026-11-27', n: 40 },
      ]);
      // The saved queries run against the same names.
      const latest = await q.saved(SAVED_QUERIES['latest-positions']!, { from: '2026-11-26', to: '2026-11-28' });
      // + late-car and the awkward workload's dup-car
      expect(latest.rows.length).toBe(DEVICES + 2);
      // The record with a duplicate name holds what JSON.parse validated: its last latitude.
      const dup = await q.query(`SELECT latitude, dt FROM gps_data WHERE deviceId = 'dup-car'`);
      expect(dup.rows).toEqual([{ latitude: AWKWARD_LATITUDE, dt: '2026-11-26' }]);
      const trip = await q.saved(SAVED_QUERIES['trip-summary']!, { device: 'car-0001', from: '2026-11-27T10:00:00Z', to: '2026-11-27T11:00:00Z' });
      expect(Number(trip.rows[0]!.points)).toBeGreaterThan(0);
      expect(Number(trip.rows[0]!.distance_km)).toBeGreaterThan(0);
    } finally {
      q.close();
    }
  });

  it('serves /healthz and /metrics', async () => {
    const base = `http://127.0.0.1:${sink!.httpPort}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(new RegExp(`fleetlake_sink_dead_letters_total\\{topic="${prefix.replace('.', '\\.')}gps_data",reason="schema"\\} ${INVALID}`));
    expect(text).toMatch(new RegExp(`fleetlake_sink_dead_letters_total\\{topic="${prefix.replace('.', '\\.')}gps_data",reason="not_json"\\} 2`));
    expect(text).toContain('fleetlake_sink_objects_written_total{kind="parquet"}');
  });

  it('object names and the offsets they hold line up: no overlap, no gap', async () => {
    const files = await duck<{ file_name: string; k: string; v: string }>(
      `SELECT file_name, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${lake}/*/dt=*/*.parquet') WHERE decode(key) LIKE 'fleetlake.kafka.%'`,
    );
    const segs = new Map<string, { topic: string; partition: number; start: bigint; end: bigint; name: string }>();
    for (const f of files) {
      const s = segs.get(f.file_name) ?? { topic: '', partition: -1, start: -1n, end: -1n, name: f.file_name };
      if (f.k === 'fleetlake.kafka.topic') s.topic = f.v;
      if (f.k === 'fleetlake.kafka.partition') s.partition = Number(f.v);
      if (f.k === 'fleetlake.kafka.startOffset') s.start = BigInt(f.v);
      if (f.k === 'fleetlake.kafka.endOffset') s.end = BigInt(f.v);
      segs.set(f.file_name, s);
    }
    for (const s of segs.values()) expect(s.name).toContain(`${s.topic}+${s.partition}+${String(s.start).padStart(19, '0')}.parquet`);
    // Per partition, distinct segments follow each other without overlap.
    const byTp = new Map<string, [bigint, bigint][]>();
    for (const s of segs.values()) {
      const k = `${s.topic}:${s.partition}`;
      const list = byTp.get(k) ?? [];
      if (!list.some(([a]) => a === s.start)) list.push([s.start, s.end]);
      byTp.set(k, list);
    }
    for (const list of byTp.values()) {
      list.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (let i = 1; i < list.length; i++) expect(list[i]![0]).toBeGreaterThan(list[i - 1]![1]);
    }
  });

  it('pyarrow reads the same files with timestamp[us, UTC], doubles, ints and strings', async () => {
    const files = (await duck<{ f: string }>(`SELECT file AS f FROM glob('${lake}/gps_data/dt=2026-11-27/*.parquet')`)).map((r) => r.f);
    const got = await pyarrowRead(files);
    expect(got.schema).toMatchObject({ timestamp: 'timestamp[us, tz=UTC]', latitude: 'double', seq: 'int64', fixQuality: 'int32', deviceId: 'string' });
    expect(got.rows).toBe(counts.gps + 40);
  });

  it('dead letters hold each invalid record with its reason; frames are JPEG objects the traffic rows point at', async () => {
    const dead = await duck<{ reason: string; n: number }>(`SELECT reason, count(*)::INT AS n FROM read_json('${lake}/dead_letter/*/*.jsonl') GROUP BY reason ORDER BY reason`);
    // The awkward workload: not UTF-8, and an unpaired surrogate.
    expect(dead).toEqual([{ reason: 'not_json', n: 2 }, { reason: 'schema', n: INVALID }]);
    const q = await LakeQuery.open(lake);
    try {
      const { rows } = await q.query(`SELECT snapshotUri AS u FROM traffic_data`);
      expect(rows.length).toBe(counts.traffic);
      for (const r of rows) {
        const path = String(r.u);
        expect(path.startsWith(`${lake}/frames/dt=2026-11-27/`)).toBe(true);
        expect(existsSync(path)).toBe(true);
      }
      expect(readFileSync(String(rows[0]!.u)).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    } finally {
      q.close();
    }
  });
});
