import { DATABASE } from './tables.js';

/**
 * Superset over the lake, through its REST API: a database (a SQLAlchemy URI: duckdb-engine over the
 * file `fleetlake-sink views` writes, or PyAthena for Athena), a dataset on the gps dedup view and a
 * line chart of one vehicle's speed per minute over a window, with `dt` filters so that Athena reads
 * only those days. The chart keeps its query context, so Superset serves its data (and the test reads it).
 */
export interface SupersetTarget {
  url: string;
  username: string;
  password: string;
}

export interface TripChartOptions {
  /** e.g. duckdb:////abs/lake.duckdb, or awsathena+rest://@athena.eu-west-1.amazonaws.com/fleetlake?work_group=fleetlake */
  sqlalchemyUri: string;
  databaseName?: string;
  device: string;
  /** First and last dt of the window (yyyy-MM-dd). */
  fromDt: string;
  toDt: string;
}

export interface TripChart {
  databaseId: number;
  datasetId: number;
  chartId: number;
  /** The chart's data as Superset queried it: [minute (epoch ms), average speed]. */
  rows: { timestamp: number; avg_speed: number }[];
}

async function api(base: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Superset ${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The id of the first item named `value` in a list endpoint, if any. */
async function findId(base: string, token: string, path: string, col: string, value: string): Promise<number | undefined> {
  const q = `(filters:!((col:${col},opr:eq,value:'${value.replace(/'/g, "!'")}')))`;
  const r = await api(base, token, 'GET', `${path}?q=${encodeURIComponent(q)}`);
  return (r.result as { id: number }[])[0]?.id;
}

export async function publishTripChart(target: SupersetTarget, o: TripChartOptions): Promise<TripChart> {
  const base = target.url.replace(/\/+$/, '');
  const login = await api(base, undefined, 'POST', '/api/v1/security/login', { username: target.username, password: target.password, provider: 'db', refresh: false });
  const token = String(login.access_token);
  const databaseName = o.databaseName ?? 'fleetlake';
  const databaseId =
    (await findId(base, token, '/api/v1/database/', 'database_name', databaseName)) ??
    ((await api(base, token, 'POST', '/api/v1/database/', { database_name: databaseName, sqlalchemy_uri: o.sqlalchemyUri, expose_in_sqllab: true })).id as number);
  const view = 'gps_data_dedup';
  const datasetId =
    (await findId(base, token, '/api/v1/dataset/', 'table_name', view)) ??
    ((await api(base, token, 'POST', '/api/v1/dataset/', { database: databaseId, schema: DATABASE, table_name: view })).id as number);

  const metric = { expressionType: 'SIMPLE', column: { column_name: 'speed' }, aggregate: 'AVG', label: 'avg_speed' };
  const filters = [
    { col: 'deviceid', op: '==', val: o.device },
    { col: 'dt', op: '>=', val: o.fromDt },
    { col: 'dt', op: '<=', val: o.toDt },
  ];
  const adhoc = filters.map((f) => ({ expressionType: 'SIMPLE', clause: 'WHERE', subject: f.col, operator: f.op, comparator: f.val }));
  const params = { viz_type: 'echarts_timeseries_line', datasource: `${datasetId}__table`, x_axis: 'timestamp', time_grain_sqla: 'PT1M', metrics: [metric], groupby: [], adhoc_filters: adhoc, row_limit: 10000 };
  const queryContext = {
    datasource: { id: datasetId, type: 'table' },
    force: false,
    queries: [{ columns: [{ columnType: 'BASE_AXIS', sqlExpression: 'timestamp', label: 'timestamp', expressionType: 'SQL', timeGrain: 'PT1M' }], metrics: [metric], filters, orderby: [], row_limit: 10000 }],
    form_data: params,
    result_format: 'json',
    result_type: 'full',
  };
  const chart = await api(base, token, 'POST', '/api/v1/chart/', {
    slice_name: `Trip of ${o.device}: speed per minute (${o.fromDt} to ${o.toDt})`,
    viz_type: 'echarts_timeseries_line',
    datasource_id: datasetId,
    datasource_type: 'table',
    params: JSON.stringify(params),
    query_context: JSON.stringify(queryContext),
  });
  const chartId = chart.id as number;
  const data = await api(base, token, 'GET', `/api/v1/chart/${chartId}/data/`);
  const first = (data.result as { data: { timestamp: number; avg_speed: number }[] }[])[0]!;
  return { databaseId, datasetId, chartId, rows: first.data.map((r) => ({ timestamp: Number(r.timestamp), avg_speed: Number(r.avg_speed) })) };
}
