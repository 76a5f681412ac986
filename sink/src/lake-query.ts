import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Json } from '@duckdb/node-api';
import { ConfigError } from '@fleetlake/core';
import { bindSavedQuery, renderSavedQuery, type QueryWindow, type SavedQuery } from './saved-queries.js';
import { DATABASE, PARTITION_KEY, athenaName, dedupViewSql, duckType, lakeTables, type TableDef } from './tables.js';
import { quoteIdent } from './parquet.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const EXTENSIONS: Record<string, string> = { parquet: '.parquet', json: '.jsonl' };

function hasFiles(dir: string, ext: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && d.name.startsWith(`${PARTITION_KEY}=`) && readdirSync(join(dir, d.name)).some((f) => f.endsWith(ext)));
}

/**
 * The table as Athena shows it: lower-case column names, Athena's types (`timestamp` without a zone,
 * in UTC), then `dt` from the folder name.
 */
function tableSql(def: TableDef, lakeDir: string): string {
  const dir = join(lakeDir, def.name);
  const ext = EXTENSIONS[def.format.classification]!;
  const out = (c: TableDef['columns'][number]) => (c.type === 'timestamp' ? `timezone('UTC', ${quoteIdent(c.name)})` : quoteIdent(c.name));
  const cols = [...def.columns.map((c) => `${out(c)} AS ${quoteIdent(athenaName(c.name))}`), PARTITION_KEY].join(', ');
  if (!hasFiles(dir, ext)) {
    // No file yet: an empty relation with the table's columns, so that queries still bind.
    const empty = [...def.columns.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${quoteIdent(athenaName(c.name))}`), `CAST(NULL AS VARCHAR) AS ${PARTITION_KEY}`];
    return `SELECT ${empty.join(', ')} WHERE false`;
  }
  const files = lit(`${dir}/${PARTITION_KEY}=*/*${ext}`);
  const hive = `hive_partitioning = true, hive_types = {'${PARTITION_KEY}': VARCHAR}`;
  if (def.format.classification === 'parquet') return `SELECT ${cols} FROM read_parquet(${files}, ${hive}, union_by_name = true)`;
  const spec = def.columns.map((c) => `${quoteIdent(c.name)}: ${lit(duckType(c.type))}`).join(', ');
  return `SELECT ${cols} FROM read_json(${files}, format = 'newline_delimited', ${hive}, columns = {${spec}})`;
}

export type Row = Record<string, Json>;

export interface QueryResult {
  columns: string[];
  /** DuckDB's type of each column (VARCHAR, TIMESTAMP, ...). */
  types: string[];
  rows: Row[];
}

/**
 * SQL over a local lake (or one synced down from S3) with DuckDB, under the names and column types
 * Athena uses: `fleetlake.gps_data`, `fleetlake.gps_data_dedup`, ..., `fleetlake.dead_letter`
 * (also without the `fleetlake.` prefix). The dedup views are the same SQL as in Athena.
 */
export class LakeQuery {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  /**
   * `database`: a DuckDB file to keep the views in (created or replaced), for tools that open one,
   * such as BI tools through duckdb-engine; in memory by default.
   */
  static async open(lakeDir: string, database = ':memory:'): Promise<LakeQuery> {
    // A mistyped path must not answer 0 rows.
    const stat = statSync(lakeDir, { throwIfNoEntry: false });
    if (!stat) throw new ConfigError(`lake folder ${lakeDir} does not exist`, { lakeDir });
    if (!stat.isDirectory()) throw new ConfigError(`lake ${lakeDir} is not a folder`, { lakeDir });
    const instance = await DuckDBInstance.create(database);
    const con = await instance.connect();
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run(`CREATE SCHEMA IF NOT EXISTS ${DATABASE}`);
    for (const def of lakeTables()) {
      await con.run(`CREATE OR REPLACE VIEW ${DATABASE}.${def.name} AS ${tableSql(def, lakeDir)}`);
      await con.run(`CREATE OR REPLACE VIEW main.${def.name} AS SELECT * FROM ${DATABASE}.${def.name}`);
      if (!def.view) continue;
      await con.run(`CREATE OR REPLACE VIEW ${DATABASE}.${def.view} AS ${dedupViewSql(def, `${DATABASE}.${def.name}`)}`);
      await con.run(`CREATE OR REPLACE VIEW main.${def.view} AS SELECT * FROM ${DATABASE}.${def.view}`);
    }
    return new LakeQuery(instance, con);
  }

  /** Runs SQL with `$name` (an object) or `?` (an array) parameters. */
  async query(sql: string, params?: Record<string, DuckDBValue> | DuckDBValue[]): Promise<QueryResult> {
    const reader = await this.con.runAndReadAll(sql, params);
    return { columns: reader.columnNames(), types: reader.columnTypes().map(String), rows: reader.getRowObjectsJson() };
  }

  /** Runs a saved query for a device and time window. */
  saved(q: SavedQuery, window: QueryWindow): Promise<QueryResult> {
    return this.query(renderSavedQuery(q, 'duckdb'), bindSavedQuery(q, window));
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
