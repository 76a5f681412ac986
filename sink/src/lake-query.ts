import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Json } from '@duckdb/node-api';
import { ConfigError } from '@fleetlake/core';
import { DATABASE, PARTITION_KEY, dedupViewSql, tableDefs, type TableDef } from './tables.js';
import { quoteIdent } from './parquet.js';

const DUCK_TYPES = { string: 'VARCHAR', double: 'DOUBLE', int: 'INTEGER', bigint: 'BIGINT', timestamp: 'TIMESTAMPTZ', boolean: 'BOOLEAN' } as const;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && d.name.startsWith(`${PARTITION_KEY}=`) && readdirSync(join(dir, d.name)).some((f) => f.endsWith('.parquet')));
}

function tableSql(def: TableDef, lakeDir: string): string {
  const dir = join(lakeDir, def.name);
  if (hasParquet(dir)) {
    return `SELECT * FROM read_parquet(${lit(`${dir}/${PARTITION_KEY}=*/*.parquet`)}, hive_partitioning = true, hive_types = {'${PARTITION_KEY}': VARCHAR}, union_by_name = true)`;
  }
  // No file yet: an empty relation with the table's columns, so that queries still bind.
  const cols = [...def.columns.map((c) => `CAST(NULL AS ${DUCK_TYPES[c.type]}) AS ${quoteIdent(c.name)}`), `CAST(NULL AS VARCHAR) AS ${PARTITION_KEY}`];
  return `SELECT ${cols.join(', ')} WHERE false`;
}

export type Row = Record<string, Json>;

/**
 * SQL over a local lake (or one synced down from S3) with DuckDB, under the names Athena uses:
 * `fleetlake.gps_data`, `fleetlake.gps_data_dedup`, ... (also without the `fleetlake.` prefix).
 */
export class LakeQuery {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  /** Throws a ConfigError when `lakeDir` is not a folder: a mistyped path must not answer 0 rows. */
  static async open(lakeDir: string): Promise<LakeQuery> {
    const stat = statSync(lakeDir, { throwIfNoEntry: false });
    if (!stat) throw new ConfigError(`lake folder ${lakeDir} does not exist`, { lakeDir });
    if (!stat.isDirectory()) throw new ConfigError(`lake ${lakeDir} is not a folder`, { lakeDir });
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run(`CREATE SCHEMA ${DATABASE}`);
    for (const def of tableDefs()) {
      await con.run(`CREATE VIEW ${DATABASE}.${def.name} AS ${tableSql(def, lakeDir)}`);
      await con.run(`CREATE VIEW ${DATABASE}.${def.view} AS ${dedupViewSql(def, `${DATABASE}.${def.name}`)}`);
      await con.run(`CREATE VIEW main.${def.name} AS SELECT * FROM ${DATABASE}.${def.name}`);
      await con.run(`CREATE VIEW main.${def.view} AS SELECT * FROM ${DATABASE}.${def.view}`);
    }
    return new LakeQuery(instance, con);
  }

  async query(sql: string, params?: Record<string, DuckDBValue>): Promise<{ columns: string[]; rows: Row[] }> {
    const reader = await this.con.runAndReadAll(sql, params);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() };
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
