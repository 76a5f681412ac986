import { DEAD_LETTER_PREFIX, DEFAULT_EVENT_TIME_WINDOW, STREAMS, columnsOf, projectionRange, tableOf, type ColumnType, type EventTimeWindow, type Stream } from '@fleetlake/contracts';

/** A column's type: a contract column type, or an array of structs of them (a dead letter's issues). */
export type LakeType = ColumnType | { arrayOf: Record<string, ColumnType> };

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

/**
 * DuckDB types of the local lake's tables: the Athena types, so that a query answers with the same
 * column types in both (`timestamp` without a zone, holding UTC, as Athena reads the files).
 */
export const DUCK_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  double: 'DOUBLE',
  int: 'INTEGER',
  bigint: 'BIGINT',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

const structOf = (t: Exclude<LakeType, ColumnType>, field: (name: string, type: ColumnType) => string, wrap: (fields: string) => string) =>
  wrap(Object.entries(t.arrayOf).map(([n, ct]) => field(n, ct)).join(', '));

export const glueType = (t: LakeType): string => (typeof t === 'string' ? GLUE_TYPES[t] : structOf(t, (n, ct) => `${n}:${GLUE_TYPES[ct]}`, (f) => `array<struct<${f.replace(/, /g, ',')}>>`));
export const prestoType = (t: LakeType): string => (typeof t === 'string' ? PRESTO_TYPES[t] : structOf(t, (n, ct) => `${n} ${PRESTO_TYPES[ct]}`, (f) => `array(row(${f}))`));
export const duckType = (t: LakeType): string => (typeof t === 'string' ? DUCK_TYPES[t] : structOf(t, (n, ct) => `${n} ${DUCK_TYPES[ct]}`, (f) => `STRUCT(${f})[]`));

export const DATABASE = 'fleetlake';
export const PARTITION_KEY = 'dt';
/** Oldest `dt` that partition projection enumerates: one definition, with the event-time window, in contracts. */
export { PROJECTION_START } from '@fleetlake/contracts';

/** How the objects under a table's prefix are stored, as Glue and Athena name it. */
export interface StorageFormat {
  classification: string;
  serde: string;
  serdeParameters: Record<string, string>;
  inputFormat: string;
  outputFormat: string;
  /** Extra table parameters. */
  parameters: Record<string, string>;
}

export const PARQUET_FORMAT: StorageFormat = {
  classification: 'parquet',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  serdeParameters: {},
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  parameters: { 'parquet.compression': 'ZSTD' },
};

/** JSON Lines read by the OpenX SerDe, which matches keys (`kafkaTopic`) to columns (`kafkatopic`) without regard to case. */
export const JSONL_FORMAT: StorageFormat = {
  classification: 'json',
  serde: 'org.openx.data.jsonserde.JsonSerDe',
  serdeParameters: { 'case.insensitive': 'TRUE' },
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  parameters: {},
};

export interface TableDef {
  name: string;
  /** The stream whose records the table holds; the dead-letter table has none. */
  stream?: Stream;
  /** The deduplicated view over the table (stream tables only). */
  view?: string;
  /** Columns as the objects name them (camelCase); Athena lower-cases them. */
  columns: { name: string; type: LakeType }[];
  format: StorageFormat;
  description: string;
}

/** A stream table: it always has a stream and a dedup view. */
export type StreamTableDef = Omit<TableDef, 'stream' | 'view' | 'columns'> & { stream: Stream; view: string; columns: { name: string; type: ColumnType }[] };

/** Athena lowercases identifiers; Parquet columns are matched by name without regard to case. */
export const athenaName = (name: string): string => name.toLowerCase();

/** One table per stream, each with its dedup view. */
export function tableDefs(): StreamTableDef[] {
  return STREAMS.map((stream) => {
    const name = tableOf(stream);
    return {
      stream,
      name,
      view: `${name}_dedup`,
      columns: columnsOf(stream).map((c) => ({ name: c.name, type: c.type })),
      format: PARQUET_FORMAT,
      description: `Fleetlake ${stream} records (Parquet, one file per Kafka partition segment and event date)`,
    };
  });
}

/**
 * What the sink refused (DeadLetter envelopes, one JSON line each, under `dead_letter/dt=…/`): the
 * reason, the validation issues, where the record came from and its original bytes (base64).
 * `receivedat` is the Kafka record's time as ISO-8601 text (`2026-11-27T10:00:00.000Z`), which sorts
 * as time; `dt` is its date.
 */
export function deadLetterTableDef(): TableDef {
  return {
    name: DEAD_LETTER_PREFIX,
    columns: [
      { name: 'reason', type: 'string' },
      { name: 'issues', type: { arrayOf: { path: 'string', message: 'string' } } },
      { name: 'source', type: 'string' },
      { name: 'mqttTopic', type: 'string' },
      { name: 'kafkaTopic', type: 'string' },
      { name: 'kafkaPartition', type: 'int' },
      { name: 'kafkaOffset', type: 'string' },
      { name: 'deviceId', type: 'string' },
      { name: 'receivedAt', type: 'string' },
      { name: 'payloadBase64', type: 'string' },
      { name: 'payloadBytes', type: 'bigint' },
      { name: 'payloadSha256', type: 'string' },
    ],
    format: JSONL_FORMAT,
    description: 'Records the sink refused, with the reason and the original bytes (JSON Lines)',
  };
}

/** Every table in the lake: the stream tables, then the dead letters. */
export function lakeTables(): TableDef[] {
  return [...tableDefs(), deadLetterTableDef()];
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
 * The dedup view's query: one row per (dt, deviceId, seq). Duplicates come from upstream retries
 * (an agent re-sending after a crash, a bridge retrying a batch) and are copies of one record, with
 * the same event timestamp and so the same `dt`; the earliest timestamp (then id) is kept.
 *
 * `dt` is a window partition key so that a filter on `dt` applies below the window, to the scan:
 * partition projection (Athena, Trino) and hive partitioning (DuckDB) then read only those days.
 * What that means at midnight: copies of a record cannot straddle it (their `dt` is their shared
 * timestamp's date), so every duplicate is still removed; two *different* records with the same
 * (deviceId, seq) on two days (a device whose state was wiped, starting seq again) both stay.
 *
 * `tableRef` is the table reference (`fleetlake.gps_data`); `cols` selects the output columns.
 */
export function dedupViewSql(def: TableDef, tableRef: string, quote: (s: string) => string = (s) => `"${s}"`): string {
  const cols = [...def.columns.map((c) => quote(athenaName(c.name))), quote(PARTITION_KEY)].join(', ');
  const over = `PARTITION BY ${quote(PARTITION_KEY)}, ${quote('deviceid')}, ${quote('seq')} ORDER BY ${quote('timestamp')}, ${quote('id')}`;
  return `SELECT ${cols} FROM (SELECT *, row_number() OVER (${over}) AS rn FROM ${tableRef}) AS d WHERE rn = 1`;
}
