import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetEncoder } from '../src/parquet.js';
import { makeRecord } from './records.js';

let dir: string;
let encoder: ParquetEncoder;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sink-parquet-'));
  encoder = await ParquetEncoder.create({ tmpDir: dir });
});
afterAll(() => {
  encoder.close();
  rmSync(dir, { recursive: true, force: true });
});

async function read(sql: string) {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run(`SET TimeZone = 'UTC'`);
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

const lines = (stream: 'gps' | 'vehicle', n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`${JSON.stringify(makeRecord(stream, i))}\n`));

describe('ParquetEncoder', () => {
  it('writes typed columns: TIMESTAMP(MICROS, UTC), DOUBLE, INTEGER, BIGINT, VARCHAR; ZSTD', async () => {
    const file = join(dir, 'gps.parquet');
    await encoder.encode('gps', lines('gps', 1000), file, { 'fleetlake.kafka.startOffset': '5' });
    const schema = Object.fromEntries((await read(`SELECT name, type, logical_type FROM parquet_schema('${file}')`)).map((r) => [r.name, r]));
    expect(schema.timestamp!.logical_type).toMatch(/isAdjustedToUTC=1.*MICROS=MicroSeconds/);
    expect(schema.latitude!.type).toBe('DOUBLE');
    expect(schema.fixQuality!.type).toBe('INT32');
    expect(schema.seq!.type).toBe('INT64');
    expect(schema.deviceId!.type).toBe('BYTE_ARRAY');
    const codecs = await read(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs).toEqual([{ compression: 'ZSTD' }]);
    const kv = await read(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) LIKE 'fleetlake.%'`);
    expect(kv).toEqual([{ k: 'fleetlake.kafka.startOffset', v: '5' }]);
    const rows = await read(`SELECT deviceId, seq, "timestamp"::VARCHAR AS ts, latitude, fixQuality, hdop FROM '${file}' WHERE seq = 3 AND deviceId = 'car-0002'`);
    const r = makeRecord('gps', 32);
    expect(rows).toEqual([{ deviceId: 'car-0002', seq: '3', ts: '2026-11-27 10:00:03+00', latitude: r.latitude, fixQuality: 1, hdop: 0.9 }]);
    expect((await read(`SELECT count(*)::INT AS n FROM '${file}'`))[0]!.n).toBe(1000);
  });

  it('keeps the row order and writes byte-identical files for the same input (replays overwrite with the same content)', async () => {
    const a = join(dir, 'a.parquet');
    const b = join(dir, 'b.parquet');
    await encoder.encode('vehicle', lines('vehicle', 5000), a);
    await encoder.encode('vehicle', lines('vehicle', 5000), b);
    const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(hash(a)).toBe(hash(b));
    const ids = await read(`SELECT id FROM '${a}' LIMIT 3`);
    expect(ids.map((r) => r.id)).toEqual([0, 1, 2].map((i) => makeRecord('vehicle', i).id));
  });

  it('stores what JSON.parse validated for an object with a duplicate name, which DuckDB alone refuses', async () => {
    const file = join(dir, 'dup.parquet');
    const good = lines('gps', 3);
    const dup = Buffer.from(JSON.stringify(makeRecord('gps', 7)).replace('"latitude":', '"latitude":999,"latitude":'));
    const cr = Buffer.from(JSON.stringify(makeRecord('gps', 8)).replace('"seq":', '\r"seq":'));
    await encoder.encode('gps', [good[0]!, Buffer.concat([dup, Buffer.from('\n')]), good[1]!, Buffer.concat([cr, Buffer.from('\n')]), good[2]!], file);
    const rows = await read(`SELECT id, latitude FROM '${file}'`);
    expect(rows.map((r) => r.id)).toEqual([0, 7, 1, 8, 2].map((i) => makeRecord('gps', i).id));
    expect(rows[1]!.latitude).toBe(makeRecord('gps', 7).latitude);
    // The same input gives the same file (a replay), though it took the second way.
    const again = join(dir, 'dup-again.parquet');
    await encoder.encode('gps', [good[0]!, Buffer.concat([dup, Buffer.from('\n')]), good[1]!, Buffer.concat([cr, Buffer.from('\n')]), good[2]!], again);
    const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(hash(again)).toBe(hash(file));
    expect(readdirSync(dir).filter((f) => f.includes('normalized'))).toEqual([]);
  });

  it('missing optional properties become NULL', async () => {
    const file = join(dir, 'opt.parquet');
    const r = { ...makeRecord('gps', 1) } as Record<string, unknown>;
    delete r.hdop;
    await encoder.encode('gps', [Buffer.from(`${JSON.stringify(r)}\n`)], file);
    expect(await read(`SELECT hdop FROM '${file}'`)).toEqual([{ hdop: null }]);
  });
});
