/**
 * Operator queries over the dedup views and the dead letters: one definition each, in SQL that runs
 * unchanged in Athena (Trino) and DuckDB, with `?` positional parameters. Every query reads a time
 * window and the `dt` range that covers it, so that partition projection (and DuckDB's hive
 * partitioning) read only those days. Where the two engines cannot share a spelling, the query names
 * a fragment (`{{firstIssue}}`) that `renderSavedQuery` replaces per engine; only `dead-letters` does.
 */
export type Engine = 'athena' | 'duckdb';

/** What a `?` is bound to, in order; all are derived from the device and the time window. */
export type Positional = 'device' | 'fromDt' | 'toDt' | 'fromTs' | 'toTs' | 'fromIso' | 'toIso';

/** Result column types, as both engines report them (Trino's names; DuckDB's equivalents in `ENGINE_TYPES`). */
export type ResultType = 'varchar' | 'bigint' | 'integer' | 'double' | 'timestamp';

export interface SavedQuery {
  name: string;
  description: string;
  /** Needs --device (else only the window). */
  device: boolean;
  positional: Positional[];
  columns: { name: string; type: ResultType }[];
  sql: string;
}

/** Per-engine spellings of what the two engines cannot share. */
const FRAGMENTS: Record<string, Record<Engine, string>> = {
  // Trino fails on an index past the end of an array; element_at gives NULL. DuckDB has no element_at
  // for lists, and its index gives NULL.
  firstIssue: { athena: '(element_at(issues, 1)).message', duckdb: 'issues[1].message' },
};

/** How each engine names the result types (DuckDB's TIMESTAMP holds microseconds, Trino's timestamp(3) milliseconds). */
export const ENGINE_TYPES: Record<ResultType, Record<Engine, string>> = {
  varchar: { athena: 'varchar', duckdb: 'VARCHAR' },
  bigint: { athena: 'bigint', duckdb: 'BIGINT' },
  integer: { athena: 'integer', duckdb: 'INTEGER' },
  double: { athena: 'double', duckdb: 'DOUBLE' },
  timestamp: { athena: 'timestamp(3)', duckdb: 'TIMESTAMP' },
};

const DAYS = 'dt BETWEEN ? AND ?';
const TIMES = '"timestamp" >= CAST(? AS timestamp) AND "timestamp" < CAST(? AS timestamp)';
const WINDOW: Positional[] = ['fromDt', 'toDt', 'fromTs', 'toTs'];
const DEVICE_WINDOW = `deviceid = ? AND ${DAYS} AND ${TIMES}`;
const DEVICE_WINDOW_PARAMS: Positional[] = ['device', ...WINDOW];

const c = (spec: string): SavedQuery['columns'] =>
  spec.split(',').map((s) => {
    const [name, type] = s.trim().split(' ') as [string, ResultType];
    return { name, type };
  });

const HAVERSINE_KM = `2 * 6371.0088 * asin(sqrt(power(sin(radians(latitude - plat) / 2), 2)
      + cos(radians(plat)) * cos(radians(latitude)) * power(sin(radians(longitude - plon) / 2), 2)))`;
const SPAN_MS = `CAST(date_diff('millisecond', min("timestamp"), max("timestamp")) AS double)`;

const INCIDENT_COLUMNS = c('incidentid varchar, type varchar, status varchar, deviceid varchar, timestamp timestamp, latitude double, longitude double, description varchar');

/** Each incident's reports matching `where`, numbered newest first (`rn = 1`: its latest report). */
const latestIncidents = (where: string) => `SELECT incidentid, type, status, deviceid, "timestamp", latitude, longitude, description
FROM (
  SELECT incidentid, type, status, deviceid, "timestamp", latitude, longitude, description,
    row_number() OVER (PARTITION BY incidentid ORDER BY "timestamp" DESC, seq DESC) AS rn
  FROM fleetlake.emergency_data_dedup
  WHERE ${where}
) AS e`;

const QUERIES: SavedQuery[] = [
  {
    name: 'latest-positions',
    description: 'latest position, speed and heading of every vehicle seen in the time window',
    device: false,
    positional: WINDOW,
    columns: c('deviceid varchar, timestamp timestamp, latitude double, longitude double, speed double, direction varchar, vehicletype varchar'),
    sql: `SELECT deviceid, "timestamp", latitude, longitude, speed, direction, vehicletype
FROM (
  SELECT deviceid, "timestamp", latitude, longitude, speed, direction, vehicletype,
    row_number() OVER (PARTITION BY deviceid ORDER BY "timestamp" DESC, seq DESC) AS rn
  FROM fleetlake.gps_data_dedup
  WHERE ${DAYS} AND ${TIMES}
) AS p
WHERE rn = 1
ORDER BY deviceid`,
  },
  {
    name: 'trip-summary',
    description: 'distance (haversine, km), duration and average speed of one vehicle in the time window',
    device: true,
    positional: DEVICE_WINDOW_PARAMS,
    columns: c('deviceid varchar, started timestamp, ended timestamp, points bigint, distance_km double, duration_s double, avg_speed_kmh double, avg_reported_speed_kmh double'),
    sql: `WITH p AS (
  SELECT deviceid, "timestamp", latitude, longitude, speed,
    lag(latitude) OVER (ORDER BY "timestamp", seq) AS plat,
    lag(longitude) OVER (ORDER BY "timestamp", seq) AS plon
  FROM fleetlake.gps_data_dedup
  WHERE ${DEVICE_WINDOW}
), d AS (
  SELECT deviceid, "timestamp", speed,
    CASE WHEN plat IS NULL THEN CAST(0 AS double) ELSE ${HAVERSINE_KM} END AS km
  FROM p
)
SELECT min(deviceid) AS deviceid, min("timestamp") AS started, max("timestamp") AS ended, count(*) AS points,
  round(sum(km), 3) AS distance_km,
  ${SPAN_MS} / 1000 AS duration_s,
  round(CASE WHEN max("timestamp") > min("timestamp") THEN sum(km) / (${SPAN_MS} / 3600000) END, 2) AS avg_speed_kmh,
  round(avg(speed), 2) AS avg_reported_speed_kmh
FROM d`,
  },
  {
    name: 'track',
    description: 'positions of one vehicle in the time window, in order (its track)',
    device: true,
    positional: DEVICE_WINDOW_PARAMS,
    columns: c('timestamp timestamp, seq bigint, latitude double, longitude double, speed double, direction varchar, coursedeg double'),
    sql: `SELECT "timestamp", seq, latitude, longitude, speed, direction, coursedeg
FROM fleetlake.gps_data_dedup
WHERE ${DEVICE_WINDOW}
ORDER BY "timestamp", seq`,
  },
  {
    name: 'active-incidents',
    description: 'incidents whose latest report in the time window is Active',
    device: false,
    positional: WINDOW,
    columns: INCIDENT_COLUMNS,
    sql: `${latestIncidents(`${DAYS} AND ${TIMES}`)}
WHERE rn = 1 AND status = 'Active' AND type <> 'None'
ORDER BY "timestamp" DESC, incidentid`,
  },
  {
    name: 'incidents',
    description: 'every incident at its latest report in the time window, the active ones first, then the newest',
    device: false,
    positional: WINDOW,
    columns: INCIDENT_COLUMNS,
    sql: `${latestIncidents(`${DAYS} AND ${TIMES}`)}
WHERE rn = 1 AND type <> 'None'
ORDER BY CASE WHEN status = 'Active' THEN 0 ELSE 1 END, "timestamp" DESC, incidentid`,
  },
  {
    name: 'incidents-along-trip',
    description: 'incidents one vehicle reported in the time window, each at its latest report in the window',
    device: true,
    positional: DEVICE_WINDOW_PARAMS,
    columns: INCIDENT_COLUMNS,
    sql: `${latestIncidents(DEVICE_WINDOW)}
WHERE rn = 1 AND type <> 'None'
ORDER BY "timestamp", incidentid`,
  },
  {
    name: 'weather-along-trip',
    description: 'weather reported by one vehicle along its trip in the time window',
    device: true,
    positional: DEVICE_WINDOW_PARAMS,
    columns: c('timestamp timestamp, latitude double, longitude double, temperature double, weathercondition varchar, precipitation double, windspeed double, humidity double, airqualityindex double'),
    sql: `SELECT "timestamp", latitude, longitude, temperature, weathercondition, precipitation, windspeed, humidity, airqualityindex
FROM fleetlake.weather_data_dedup
WHERE ${DEVICE_WINDOW}
ORDER BY "timestamp", seq`,
  },
  {
    name: 'frames',
    description: 'camera frames (snapshot URIs) of one vehicle in the time window',
    device: true,
    positional: DEVICE_WINDOW_PARAMS,
    columns: c('timestamp timestamp, cameraid varchar, frameid varchar, width integer, height integer, bytes integer, snapshoturi varchar'),
    sql: `SELECT "timestamp", cameraid, frameid, width, height, bytes, snapshoturi
FROM fleetlake.traffic_data_dedup
WHERE ${DEVICE_WINDOW}
ORDER BY "timestamp", seq`,
  },
  {
    name: 'dead-letters',
    description: 'records the sink refused in the time window (by Kafka record time): why, and where they came from',
    device: false,
    positional: ['fromDt', 'toDt', 'fromIso', 'toIso'],
    columns: c('receivedat varchar, reason varchar, issue varchar, source varchar, kafkatopic varchar, kafkapartition integer, kafkaoffset varchar, deviceid varchar, payloadbytes bigint, dt varchar'),
    sql: `SELECT receivedat, reason, {{firstIssue}} AS issue, source, kafkatopic, kafkapartition, kafkaoffset, deviceid, payloadbytes, dt
FROM fleetlake.dead_letter
WHERE ${DAYS} AND receivedat >= ? AND receivedat < ?
ORDER BY receivedat, kafkatopic, kafkapartition, CAST(kafkaoffset AS bigint)`,
  },
];

export const SAVED_QUERIES: Record<string, SavedQuery> = Object.fromEntries(QUERIES.map((q) => [q.name, q]));

/** The query's SQL for one engine: the shared text with its fragments (if any) spelled for that engine. */
export function renderSavedQuery(q: SavedQuery, engine: Engine): string {
  return q.sql.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const f = FRAGMENTS[name];
    if (!f) throw new Error(`saved query ${q.name}: unknown fragment {{${name}}}`);
    return f[engine];
  });
}

export interface QueryWindow {
  device?: string;
  /** ISO-8601 with a zone (`2026-11-27T08:00:00Z`), or a date (`2026-11-27`, midnight UTC); inclusive. */
  from: string;
  /** Exclusive end, same forms. */
  to: string;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

function instant(what: string, s: string): number {
  const ms = ISO_WITH_ZONE.test(s) ? Date.parse(s.replace(' ', 'T')) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${what} ${JSON.stringify(s)} is not an ISO-8601 time with a zone (2026-11-27T08:00:00Z) or a date (2026-11-27)`);
  return ms;
}

const tsText = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const dtText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The values of the query's `?`, in order, for a device and a time window: the `dt` range is the
 * window's first and last UTC date (the end is exclusive, so a window ending at midnight stops at the
 * day before). Timestamps are bound as `yyyy-MM-dd HH:mm:ss.SSS` text (UTC), which both engines cast.
 */
export function bindSavedQuery(q: SavedQuery, w: QueryWindow): string[] {
  const from = instant('--from', w.from);
  const to = instant('--to', w.to);
  if (!(from < to)) throw new RangeError(`the window is empty: --from ${w.from} is not before --to ${w.to}`);
  if (q.device && (w.device === undefined || w.device === '')) throw new RangeError(`saved query ${q.name} needs --device`);
  const values: Record<Positional, string> = {
    device: w.device ?? '',
    fromDt: dtText(from),
    toDt: dtText(to - 1),
    fromTs: tsText(from),
    toTs: tsText(to),
    fromIso: new Date(from).toISOString(),
    toIso: new Date(to).toISOString(),
  };
  return q.positional.map((p) => values[p]);
}

/** Text for the Athena console and named queries: what each `?` stands for, in order. */
export function parameterHelp(q: SavedQuery): string {
  const what: Record<Positional, string> = {
    device: "deviceId ('car-0001')",
    fromDt: "first dt ('2026-11-27')",
    toDt: "last dt ('2026-11-27')",
    fromTs: "window start, UTC ('2026-11-27 08:00:00')",
    toTs: "window end, exclusive ('2026-11-27 09:00:00')",
    fromIso: "window start ('2026-11-27T08:00:00.000Z')",
    toIso: "window end, exclusive ('2026-11-27T09:00:00.000Z')",
  };
  return q.positional.map((p, i) => `${i + 1}: ${what[p]}`).join('; ');
}
