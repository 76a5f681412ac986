// Compares Parquet writers on N gps_data rows: rows/s, file size, and what DuckDB reads back.
import { performance } from 'node:perf_hooks';
// Usage: node sink/bench/writers.mjs [rows]   (after `npm run build`)
import { writeFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnsOf } from '@fleetlake/contracts';
import { gpsRecord } from './gen.mjs';

const N = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'fleetlake-writers-'));
const cols = columnsOf('gps');
const rows = Array.from({ length: N }, (_, i) => gpsRecord(i));

async function parquetWasm(file) {
  const arrow = await import('apache-arrow');
  const pw = await import('parquet-wasm');
  const types = { string: new arrow.Utf8(), double: new arrow.Float64(), int: new arrow.Int32(), bigint: new arrow.Int64(), timestamp: new arrow.TimestampMillisecond('UTC'), boolean: new arrow.Bool() };
  const vecs = {};
  for (const c of cols) {
    let data = rows.map((r) => r[c.name] ?? null);
    if (c.type === 'timestamp') data = rows.map((r) => Date.parse(r[c.name]));
    if (c.type === 'bigint') data = rows.map((r) => BigInt(r[c.name]));
    vecs[c.name] = arrow.vectorFromArray(data, types[c.type]);
  }
  const table = new arrow.Table(vecs);
  const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build();
  writeFileSync(file, pw.writeParquet(wasmTable, props));
}

async function hyparquet(file) {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const schema = [{ name: 'root', num_children: cols.length }];
  const columnData = cols.map((c) => {
    const rep = c.required ? 'REQUIRED' : 'OPTIONAL';
    const base = { name: c.name, repetition_type: rep };
    if (c.type === 'string') schema.push({ ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    if (c.type === 'double') schema.push({ ...base, type: 'DOUBLE' });
    if (c.type === 'int') schema.push({ ...base, type: 'INT32' });
    if (c.type === 'bigint') schema.push({ ...base, type: 'INT64' });
    if (c.type === 'timestamp') schema.push({ ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } });
    let data = rows.map((r) => r[c.name] ?? null);
    if (c.type === 'timestamp') data = rows.map((r) => BigInt(Date.parse(r[c.name])));
    if (c.type === 'bigint') data = rows.map((r) => BigInt(r[c.name]));
    return { name: c.name, data };
  });
  writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData, schema, codec: 'SNAPPY', rowGroupSize: 1_000_000 })));
}

async function duckdbAppender(file) {
  const { DuckDBInstance, DuckDBTimestampTZValue } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const sqlType = { string: 'VARCHAR', double: 'DOUBLE', int: 'INTEGER', bigint: 'BIGINT', timestamp: 'TIMESTAMPTZ', boolean: 'BOOLEAN' };
  await con.run(`CREATE TABLE t (${cols.map((c) => `"${c.name}" ${sqlType[c.type]}`).join(', ')})`);
  const app = await con.createAppender('t');
  for (const r of rows) {
    for (const c of cols) {
      const v = r[c.name];
      if (v === undefined || v === null) app.appendNull();
      else if (c.type === 'string') app.appendVarchar(v);
      else if (c.type === 'double') app.appendDouble(v);
      else if (c.type === 'int') app.appendInteger(v);
      else if (c.type === 'bigint') app.appendBigInt(BigInt(v));
      else if (c.type === 'timestamp') app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Date.parse(v)) * 1000n));
    }
    app.endRow();
  }
  app.closeSync();
  await con.run(`COPY t TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
  con.closeSync();
  inst.closeSync();
}

async function duckdbJson(file) {
  // DuckDB parses the NDJSON itself (what the sink receives from Kafka), with typed columns.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const json = join(dir, 'rows.ndjson');
  writeFileSync(json, rows.map((r) => JSON.stringify(r)).join('\n'));
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const sqlType = { string: 'VARCHAR', double: 'DOUBLE', int: 'INTEGER', bigint: 'BIGINT', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN' };
  const spec = cols.map((c) => `"${c.name}": '${c.type === 'timestamp' ? 'VARCHAR' : sqlType[c.type]}'`).join(', ');
  const sel = cols.map((c) => (c.type === 'timestamp' ? `CAST("${c.name}" AS TIMESTAMPTZ) AS "${c.name}"` : `"${c.name}"`)).join(', ');
  await con.run(`SET TimeZone='UTC'`);
  await con.run(`COPY (SELECT ${sel} FROM read_json('${json}', format='newline_delimited', columns={${spec}})) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
  con.closeSync();
  inst.closeSync();
  return performance.now() - t0;
}

async function parquetjs(file) {
  const { ParquetSchema, ParquetWriter } = await import('@dsnp/parquetjs');
  const t = { string: 'UTF8', double: 'DOUBLE', int: 'INT32', bigint: 'INT64', timestamp: 'TIMESTAMP_MILLIS', boolean: 'BOOLEAN' };
  const schema = new ParquetSchema(Object.fromEntries(cols.map((c) => [c.name, { type: t[c.type], optional: !c.required, compression: 'SNAPPY' }])));
  const w = await ParquetWriter.openFile(schema, file, { rowGroupSize: 100_000 });
  for (const r of rows) await w.appendRow({ ...r, timestamp: new Date(r.timestamp) });
  await w.close();
}

async function describe(file) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const d = (await con.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjects();
  const types = Object.fromEntries(d.map((r) => [r.column_name, r.column_type]));
  const meta = (await con.runAndReadAll(`SELECT logical_type, converted_type, (SELECT any_value(compression) FROM parquet_metadata('${file}')) AS codec FROM parquet_schema('${file}') WHERE name='timestamp'`)).getRowObjects()[0];
  const row = (await con.runAndReadAll(`SELECT count(*)::BIGINT n, min("timestamp")::VARCHAR t0, sum(latitude) lat FROM '${file}'`)).getRowObjects()[0];
  con.closeSync();
  inst.closeSync();
  return { types: `ts=${types.timestamp} seq=${types.seq} lat=${types.latitude} fixQuality=${types.fixQuality} id=${types.id}`, ts: `${meta.logical_type ?? meta.converted_type}`, codec: meta.codec, n: Number(row.n), t0: row.t0 };
}

const candidates = { 'parquet-wasm+apache-arrow': parquetWasm, 'hyparquet-writer': hyparquet, 'duckdb appender': duckdbAppender, 'duckdb read_json': duckdbJson, '@dsnp/parquetjs': parquetjs };
const only = process.argv[3];
console.log(`| writer | rows/s | file MB | timestamp type | codec | DuckDB types | rows back |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const [name, fn] of Object.entries(candidates)) {
  if (only && !name.includes(only)) continue;
  const file = join(dir, `${name.replace(/\W+/g, '_')}.parquet`);
  const t0 = performance.now();
  const inner = await fn(file);
  const ms = typeof inner === 'number' ? inner : performance.now() - t0;
  const info = await describe(file);
  console.log(`| ${name} | ${Math.round(N / (ms / 1000))} | ${(statSync(file).size / 1e6).toFixed(2)} | ${info.ts} | ${info.codec} | ${info.types} | ${info.n} (${info.t0}) |`);
}
if (process.env.KEEP) console.log(dir); else rmSync(dir, { recursive: true, force: true });
