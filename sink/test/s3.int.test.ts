import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { parseParquetObjectKey } from '@fleetlake/contracts';
import { sharedKafka, sharedMoto } from '@fleetlake/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBucket } from '../src/bucket.js';
import { ensureCatalog } from '../src/glue-catalog.js';
import { S3Store } from '../src/s3-store.js';
import { Sink } from '../src/sink.js';
import { GLUE_TYPES, lakeTables, tableDefs } from '../src/tables.js';
import { createTopics, duck, kafkaClient, produce, startProxy, testConfig, waitCaughtUp } from './harness.js';

const BUCKET = `fleetlake-test-${Date.now()}`;

describe('sink → S3 (moto) through an outage, and the Glue catalog', () => {
  const prefix = `s3${Date.now()}.`;
  const group = `${prefix}sink`;
  const dir = mkdtempSync(join(tmpdir(), 'sink-s3-'));
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every record exactly once and never commits past what is stored while S3 refuses connections', async () => {
    const moto = await sharedMoto();
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    const s3 = new S3Client({ endpoint: moto.endpoint, region: moto.region, forcePathStyle: true });
    cleanup.push(async () => s3.destroy());
    await ensureBucket(s3, BUCKET, moto.region);
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

    const { brokers } = await sharedKafka();
    const topics = await createTopics(brokers, prefix, 2);
    await produce(brokers, prefix, { counts: { gps: 8000, weather: 1000 }, devices: 5 });
    const proxy = await startProxy(moto.port);
    cleanup.push(() => proxy.stop());
    const sink = await Sink.create(
      testConfig({
        kafka: { brokers, groupId: group, topicPrefix: prefix, sessionTimeoutMs: 6000 },
        lake: { root: `s3://${BUCKET}/raw`, endpoint: `http://127.0.0.1:${proxy.port}`, forcePathStyle: true, sse: 'AES256' },
        roll: { maxRecords: 1000, idleMarkerMs: 300 },
        retry: { baseMs: 50, maxMs: 400 },
      }),
    );
    cleanup.push(() => sink.stop());
    await sink.start();
    await waitCaughtUp(brokers, group, topics, 120_000);

    // Outage: connections refused. New records arrive; nothing can be stored, so nothing is committed.
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    cleanup.push(() => admin.disconnect());
    const committed = async () => JSON.stringify(await Promise.all(topics.map((t) => admin.fetchOffsets({ groupId: group, topics: [t] }))));
    const direct = await S3Store.create({ bucket: BUCKET, prefix: 'raw', region: moto.region, endpoint: moto.endpoint, forcePathStyle: true, multipartThresholdBytes: 64 << 20, retry: { baseMs: 50, maxMs: 200, retries: 5 } });
    cleanup.push(() => direct.close());
    await proxy.down();
    const before = await committed();
    const objectsBefore = (await direct.list('')).length;
    await produce(brokers, prefix, { counts: { gps: 4000, weather: 500 }, devices: 5, from: 100_000 });
    const { waitFor } = await import('@fleetlake/testkit');
    await waitFor(async () => (await sink.metrics.storeRetries.get()).values[0]!.value >= 5, { timeoutMs: 60_000, what: 'the sink to retry S3' });
    expect(await committed()).toBe(before);
    expect((await direct.list('')).length).toBe(objectsBefore);
    await proxy.up();
    await waitCaughtUp(brokers, group, topics, 120_000);

    // Everything is there once: read back from S3.
    const keys = (await direct.list('')).filter((k) => k.endsWith('.parquet'));
    for (const k of keys) expect(parseParquetObjectKey(k)).toBeDefined();
    for (const [i, k] of keys.entries()) writeFileSync(join(dir, `${k.split('/')[0]}-${i}.parquet`), await direct.get(k));
    const counts = await duck<{ n: number; d: number }>(`SELECT count(*)::INT AS n, count(DISTINCT (deviceId, seq))::INT AS d FROM '${dir}/gps_data-*.parquet'`);
    expect(counts[0]).toEqual({ n: 12_000, d: 12_000 });
    const w = await duck<{ n: number }>(`SELECT count(*)::INT AS n FROM '${dir}/weather_data-*.parquet'`);
    expect(w[0]!.n).toBe(1500);
  });

  it('creates Glue tables (through the API) whose columns match the Parquet files, with partition projection and dedup views', async () => {
    const moto = await sharedMoto();
    const glue = new GlueClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    cleanup.push(async () => glue.destroy());
    const first = await ensureCatalog(glue, `s3://${BUCKET}/raw`);
    // The run's moto is shared with athena-catalog.int.test.ts, which may have made the tables first.
    expect(first.map((r) => r.name).sort()).toEqual(lakeTables().flatMap((d) => (d.view ? [d.name, d.view] : [d.name])).sort());
    const again = await ensureCatalog(glue, `s3://${BUCKET}/raw`);
    expect(again.every((r) => r.action === 'updated')).toBe(true);

    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'fleetlake', Name: 'gps_data' }));
    expect(Table!.TableType).toBe('EXTERNAL_TABLE');
    expect(Table!.StorageDescriptor!.SerdeInfo!.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(Table!.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
    expect(Table!.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date', 'storage.location.template': `s3://${BUCKET}/raw/gps_data/dt=\${dt}` });
    expect(Table!.StorageDescriptor!.Location).toBe(`s3://${BUCKET}/raw/gps_data/`);
    // The file's columns (DuckDB's view of the Parquet schema) are the table's columns, same order and types.
    const fileCols = await duck<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM '${dir}/gps_data-0.parquet'`);
    const duckToGlue: Record<string, string> = { VARCHAR: 'string', DOUBLE: 'double', INTEGER: 'int', BIGINT: 'bigint', 'TIMESTAMP WITH TIME ZONE': 'timestamp', BOOLEAN: 'boolean' };
    expect(Table!.StorageDescriptor!.Columns!.map((c) => [c.Name, c.Type])).toEqual(fileCols.map((c) => [c.column_name.toLowerCase(), duckToGlue[c.column_type]]));
    const def = tableDefs().find((d) => d.name === 'gps_data')!;
    expect(def.columns.map((c) => GLUE_TYPES[c.type])).toEqual(fileCols.map((c) => duckToGlue[c.column_type]));

    const view = await glue.send(new GetTableCommand({ DatabaseName: 'fleetlake', Name: 'gps_data_dedup' }));
    expect(view.Table!.TableType).toBe('VIRTUAL_VIEW');
    const body = JSON.parse(Buffer.from(/Presto View: (\S+) \*\//.exec(view.Table!.ViewOriginalText!)![1]!, 'base64').toString());
    expect(body.originalSql).toContain('PARTITION BY "dt", "deviceid", "seq"');
  });
});
