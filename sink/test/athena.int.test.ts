import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { KAFKA_HEADERS, streamMqttTopic } from '@fleetlake/contracts';
import { TrinoClient, trinoLiteral } from '@fleetlake/testkit';
import { sharedKafka, sharedTrino } from '@fleetlake/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaDdl } from '../src/ddl.js';
import { LakeQuery, type QueryResult } from '../src/lake-query.js';
import { ENGINE_TYPES, SAVED_QUERIES, bindSavedQuery, renderSavedQuery, type QueryWindow, type SavedQuery } from '../src/saved-queries.js';
import { Sink } from '../src/sink.js';
import { dedupViewSql, lakeTables, tableDefs } from '../src/tables.js';
import { createTopics, kafkaClient, produce, testConfig, waitCaughtUp } from './harness.js';
import { makeRecord } from './records.js';
import { trinoScript } from './trino-ddl.js';

/**
 * The lake as Athena reads it, on a real Trino 476 (Athena engine v3 is Trino): a lake written by the
 * sink from Kafka, the tables, views and saved queries exactly as `fleetlake-sink ddl` prints them
 * (tables translated from Hive DDL, see trino-ddl.ts), compared with DuckDB over the same folder.
 */
const LAKE_URI = 's3://fleetlake-test/raw';
const counts = { gps: 2000, vehicle: 200, weather: 200, emergency: 60, traffic: 40 };
const DEVICES = 4;
const INVALID = 5;
/** late-car, from 2026-11-26 23:59:00: 60 fixes on the 26th, 40 on the 27th. */
const LATE = 100;
const LATE_ON_26TH = 60;

describe('Athena SQL on Trino 476 and DuckDB over one lake', () => {
  const started = Date.now();
  const prefix = `ath${started}.`;
  const lake = mkdtempSync(join(tmpdir(), 'sink-athena-'));
  let trino: TrinoClient;
  let duck: LakeQuery;
  let copiedRows = 0;

  beforeAll(async () => {
    const { brokers } = await sharedKafka();
    const trinoStarting = sharedTrino();
    const topics = await createTopics(brokers, prefix, 2);
    await produce(brokers, prefix, { counts, devices: DEVICES, invalid: INVALID, frames: true, late: LATE, awkward: true });
    // A different record that reuses (deviceId, seq) of car-0001's first fix, on the next day.
    const producer = kafkaClient(brokers).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const reused = { ...makeRecord('gps', 1, DEVICES), id: '00000000-0000-4000-8000-00000000beef', timestamp: '2026-11-28T00:00:30.000Z' };
    await producer.send({ topic: `${prefix}gps_data`, acks: -1, messages: [{ key: reused.deviceId, value: JSON.stringify(reused), headers: { [KAFKA_HEADERS.mqttTopic]: streamMqttTopic(reused.deviceId, 'gps') } }] });
    await producer.disconnect();

    const sink = await Sink.create(testConfig({ kafka: { brokers, groupId: `${prefix}sink`, topicPrefix: prefix }, lake: { root: lake }, roll: { maxRecords: 700, idleMarkerMs: 300 } }));
    await sink.start();
    try {
      await waitCaughtUp(brokers, `${prefix}sink`, topics, 180_000);
    } finally {
      await sink.stop();
    }
    // A duplicated file (a copy of one the sink wrote), as a botched sync or manual re-upload leaves it.
    const day = join(lake, 'gps_data', 'dt=2026-11-27');
    const original = readdirSync(day).find((f) => f.endsWith('.parquet'))!;
    copyFileSync(join(day, original), join(day, `copy-${original}`));
    duck = await LakeQuery.open(lake);
    copiedRows = Number((await duck.query(`SELECT count(*) AS n FROM read_parquet('${join(day, original)}')`)).rows[0]!.n);

    const t = await trinoStarting;
    trino = new TrinoClient(t.url, { catalog: t.catalog, schema: 'fleetlake' });
    for (const stmt of trinoScript(athenaDdl(LAKE_URI), (s3) => s3.replace(LAKE_URI, `local://${lake}`))) await trino.query(stmt);
  });

  afterAll(() => {
    duck?.close();
    rmSync(lake, { recursive: true, force: true });
  });

  /** A saved query on Trino: its Athena text, verbatim, with the same positional values. */
  const onTrino = (q: SavedQuery, w: QueryWindow) =>
    trino.query(`EXECUTE IMMEDIATE ${trinoLiteral(renderSavedQuery(q, 'athena'))} USING ${bindSavedQuery(q, w).map(trinoLiteral).join(', ')}`);

  /** Values compared across engines: timestamps as instants, doubles to 12 significant digits. */
  const norm = (v: unknown, type: string): unknown => {
    if (v === null || v === undefined) return null;
    if (type === 'timestamp') return Date.parse(`${String(v).replace(' ', 'T')}Z`);
    if (type === 'double') return Number(Number(v).toPrecision(12));
    if (type === 'bigint' || type === 'integer') return Number(v);
    return v;
  };
  const duckRows = (q: SavedQuery, r: QueryResult) => r.rows.map((row) => q.columns.map((c) => norm(row[c.name], c.type)));

  it('counts the same rows in every table and dedup view; both drop the duplicated file, neither the reused seq', async () => {
    for (const def of lakeTables()) {
      const sql = `SELECT (SELECT count(*) FROM fleetlake.${def.name}) AS n${def.view ? `, (SELECT count(*) FROM fleetlake.${def.view}) AS d` : ''}`;
      const d = (await duck.query(sql)).rows[0]!;
      const t = (await trino.objects(sql)).rows[0]!;
      expect({ table: def.name, n: Number(t.n), d: t.d === undefined ? undefined : Number(t.d) }).toEqual({ table: def.name, n: Number(d.n), d: d.d === undefined ? undefined : Number(d.d) });
    }
    const gps = (await trino.objects(`SELECT (SELECT count(*) FROM gps_data) AS n, (SELECT count(*) FROM gps_data_dedup) AS d`)).rows[0]!;
    // + late-car, the awkward workload's dup-car and the record reusing a seq on the next day
    const written = counts.gps + LATE + 1 + 1;
    expect({ n: Number(gps.n), d: Number(gps.d) }).toEqual({ n: written + copiedRows, d: written });
    expect(copiedRows).toBeGreaterThan(0);
    const reused = await trino.objects(`SELECT dt, id FROM gps_data_dedup WHERE deviceid = 'car-0001' AND seq = 0 ORDER BY dt`);
    expect(reused.rows.map((r) => r.dt)).toEqual(['2026-11-27', '2026-11-28']);
  });

  it('every saved query gives the same column names, types and rows on Trino and DuckDB', async () => {
    const trip = { device: 'car-0001', from: '2026-11-26T00:00:00Z', to: '2026-11-29T00:00:00Z' };
    // Dead letters are dated by their Kafka record's time: this run's.
    const now = { from: new Date(started - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    for (const q of Object.values(SAVED_QUERIES)) {
      const window = q.name === 'dead-letters' ? now : trip;
      const [t, d] = [await onTrino(q, window), await duck.saved(q, window)];
      expect(t.columns.map((c) => c.name), q.name).toEqual(q.columns.map((c) => c.name));
      expect(d.columns, q.name).toEqual(q.columns.map((c) => c.name));
      expect(t.columns.map((c) => c.type), q.name).toEqual(q.columns.map((c) => ENGINE_TYPES[c.type].athena));
      expect(d.types, q.name).toEqual(q.columns.map((c) => ENGINE_TYPES[c.type].duckdb));
      expect(t.rows.length, `${q.name} has rows`).toBeGreaterThan(0);
      expect(t.rows.map((row) => q.columns.map((c, i) => norm(row[i], c.type))), q.name).toEqual(duckRows(q, d));
    }
  });

  it('a dt filter on a dedup view reaches the scan: a day without data reads 0 rows, a day reads that day only', async () => {
    const empty = await trino.query(`SELECT count(*) FROM fleetlake.gps_data_dedup WHERE dt = '2026-11-29'`);
    expect(empty.rows).toEqual([[0]]);
    expect(empty.stats.processedRows).toBe(0);
    const oneDay = await trino.query(`SELECT count(*) FROM fleetlake.gps_data_dedup WHERE dt = '2026-11-26'`);
    // late-car's first 60 fixes and the awkward workload's dup-car
    expect(oneDay.rows).toEqual([[LATE_ON_26TH + 1]]);
    expect(oneDay.stats.processedRows).toBe(LATE_ON_26TH + 1);
    // Trino's IO plan: the scan of gps_data is constrained to that one dt.
    const io = JSON.parse(String((await trino.query(`EXPLAIN (TYPE IO, FORMAT JSON) SELECT * FROM fleetlake.gps_data_dedup WHERE dt = '2026-11-29'`)).rows[0]![0]));
    const dt = io.inputTableColumnInfos[0].constraint.columnConstraints.find((c: { columnName: string }) => c.columnName === 'dt');
    expect(dt.domain.ranges).toEqual([{ low: { value: '2026-11-29', bound: 'EXACTLY' }, high: { value: '2026-11-29', bound: 'EXACTLY' } }]);
    // The same view without dt in its window (as it was shipped before) reads every day for the same answer.
    const gps = tableDefs().find((d) => d.name === 'gps_data')!;
    await trino.query(`CREATE OR REPLACE VIEW fleetlake.gps_unpruned AS ${dedupViewSql(gps, 'fleetlake.gps_data').replace('PARTITION BY "dt", ', 'PARTITION BY ')}`);
    const unpruned = await trino.query(`SELECT count(*) FROM fleetlake.gps_unpruned WHERE dt = '2026-11-29'`);
    expect(unpruned.rows).toEqual([[0]]);
    expect(unpruned.stats.processedRows).toBeGreaterThan(counts.gps);

    // DuckDB's plan statistics: the parquet scan under the view opens no file for that day.
    const plan = String((await duck.query(`EXPLAIN ANALYZE SELECT count(*) FROM fleetlake.gps_data_dedup WHERE dt = '2026-11-29'`)).rows[0]!.explain_value);
    expect(plan).toMatch(/Total Files Read: 0/);
    const planDay = String((await duck.query(`EXPLAIN ANALYZE SELECT count(*) FROM fleetlake.gps_data_dedup WHERE dt = '2026-11-26'`)).rows[0]!.explain_value);
    expect(planDay).toMatch(/Total Files Read: [1-9]/);
    expect(planDay).not.toMatch(/Scanning Files: (\d+)\/\1\b/);
  });

  it('the dead-letter table shows what was refused and why, the same in both', async () => {
    const sql = `SELECT reason, source, count(*) AS n, min(payloadbytes) AS b FROM fleetlake.dead_letter GROUP BY reason, source ORDER BY reason`;
    const t = (await trino.objects(sql)).rows.map((r) => ({ ...r, n: Number(r.n), b: Number(r.b) }));
    const d = (await duck.query(sql)).rows.map((r) => ({ ...r, n: Number(r.n), b: Number(r.b) }));
    expect(t).toEqual(d);
    expect(t.map((r) => [r.reason, r.n])).toEqual([['not_json', 2], ['schema', INVALID]]);
  });
});
