import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSuperset, supersetInstalled } from '@fleetlake/testkit';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { LakeQuery } from '../src/lake-query.js';
import { Sink } from '../src/sink.js';
import { publishTripChart } from '../src/superset-publish.js';
import { createTopics, produce, testConfig, waitCaughtUp } from './harness.js';

/**
 * Superset (PyPI, with duckdb-engine) over a lake written by the sink: the views file from
 * `fleetlake-sink views`, a dataset on gps_data_dedup and a chart of one vehicle's trip, all through
 * Superset's REST API; the chart's data equals DuckDB's answer. Skipped where the Superset virtualenv
 * is absent (`node testkit/dist/cli.js fetch --superset`, which scripts/setup runs).
 */
describe.skipIf(!supersetInstalled())('Superset over the lake (duckdb-engine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sink-superset-'));
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a database, a dataset on the dedup view and a chart of the trip; its data is the lake’s', async () => {
    const superset = startSuperset();
    cleanup.push(async () => (await superset).stop());
    const { brokers } = await sharedKafka();
    const prefix = `ss${Date.now()}.`;
    const topics = await createTopics(brokers, prefix, 1);
    await produce(brokers, prefix, { counts: { gps: 1200 }, devices: 2 });
    const lake = join(dir, 'lake');
    const sink = await Sink.create(testConfig({ kafka: { brokers, groupId: `${prefix}sink`, topicPrefix: prefix }, lake: { root: lake }, roll: { idleMarkerMs: 300 } }));
    await sink.start();
    try {
      await waitCaughtUp(brokers, `${prefix}sink`, topics);
    } finally {
      await sink.stop();
    }
    const file = join(dir, 'lake.duckdb');
    (await LakeQuery.open(lake, file)).close();

    const s = await superset;
    const chart = await publishTripChart(s, { sqlalchemyUri: `duckdb:///${file}`, device: 'car-0001', fromDt: '2026-11-27', toDt: '2026-11-27' });
    const duck = await LakeQuery.open(lake);
    try {
      const { rows } = await duck.query(`SELECT epoch_ms(date_trunc('minute', "timestamp")) AS t, avg(speed) AS v FROM fleetlake.gps_data_dedup WHERE deviceid = 'car-0001' AND dt = '2026-11-27' GROUP BY 1 ORDER BY 1`);
      expect(rows.length).toBeGreaterThan(1);
      const got = [...chart.rows].sort((a, b) => a.timestamp - b.timestamp).map((r) => [r.timestamp, Number(r.avg_speed.toFixed(9))]);
      expect(got).toEqual(rows.map((r) => [Number(r.t), Number(Number(r.v).toFixed(9))]));
    } finally {
      duck.close();
    }
  });
});
