import { DEFAULT_EVENT_TIME_WINDOW, STREAMS, columnsOf, projectionRange, tableOf, type ColumnType, type EventTimeWindow, type Stream } from '@fleetlake/contracts';

/** Glue / Athena (Hive DDL) type of each contract column type. */
export const GLUE_TYPES: Record<ColumnType, string> = {
  string: 'string',
  double: 'double',
  int: 'int',
  bigint: 'bigint',
  timestamp: 'timestamp',
  boolean: 'boolean',
};

/** Presto/Trino type names, for the Athena view definitions stored in Glue. */
export const PRESTO_TYPES: Record<ColumnType, string> = {
  string: 'varchar',
  double: 'double',
  int: 'integer',
  bigint: 'bigint',
  timestamp: 'timestamp(3)',
  boolean: 'boolean',
};

export const DATABASE = 'fleetlake';
export const PARTITION_KEY = 'dt';
/** Oldest `dt` that partition projection enumerates: one definition, with the event-time window, in contracts. */
export { PROJECTION_START } from '@fleetlake/contracts';

export const SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
export const INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';

export interface TableDef {
  stream: Stream;
  name: string;
  /** The deduplicated view over the table. */
  view: string;
  columns: { name: string; type: ColumnType }[];
}

/** Athena lowercases identifiers; Parquet columns are matched by name without regard to case. */
export const athenaName = (name: string): string => name.toLowerCase();

export function tableDefs(): TableDef[] {
  return STREAMS.map((stream) => {
    const name = tableOf(stream);
    return { stream, name, view: `${name}_dedup`, columns: columnsOf(stream).map((c) => ({ name: c.name, type: c.type })) };
  });
}

/** Table location and partition projection parameters for a lake under `s3://bucket/prefix`. */
export function tableLocation(lakeUri: string, table: string): string {
  return `${lakeUri.replace(/\/+$/, '')}/${table}/`;
}

/** The `dt` range follows the event-time window the bridge and the sink accept records in (contracts' event-time.ts). */
export function projectionParameters(location: string, window: EventTimeWindow = DEFAULT_EVENT_TIME_WINDOW): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': projectionRange(window),
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'storage.location.template': `${location}dt=\${dt}`,
  };
}

/**
 * The dedup view's query: one row per (deviceId, seq) — duplicates from upstream retries share both —
 * keeping the earliest-stored copy. `qualify` is the table reference (`fleetlake.gps_data` in Athena).
 */
export function dedupViewSql(def: TableDef, tableRef: string, quote: (s: string) => string = (s) => `"${s}"`): string {
  const cols = [...def.columns.map((c) => quote(athenaName(c.name))), quote(PARTITION_KEY)].join(', ');
  return (
    `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY ${quote('deviceid')}, ${quote('seq')} ORDER BY ${quote(PARTITION_KEY)}, ${quote('timestamp')}) AS rn ` +
    `FROM ${tableRef}) WHERE rn = 1`
  );
}
