import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { LakeQuery, type Row } from '../lake-query.js';
import { SAVED_QUERIES, bindSavedQuery, renderSavedQuery } from '../saved-queries.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

const saved = Object.entries(SAVED_QUERIES)
  .map(([name, q]) => `  ${name.padEnd(20)} ${q.description}${q.device ? ' (--device)' : ''}`)
  .join('\n');

function formatTable(columns: string[], rows: Row[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + `\n(${rows.length} rows)\n`;
}

export const queryCommand: Command = {
  summary: 'run SQL over the lake with DuckDB (same table and view names as in Athena)',
  help: `Usage: fleetlake-sink query [options] "SQL"
       fleetlake-sink query [options] --saved NAME [--device ID] [--from TIME] [--to TIME]

Runs SQL with DuckDB over a local lake (or one synced down from S3, e.g. with "aws s3 sync").
Tables: fleetlake.vehicle_data, gps_data, traffic_data, weather_data, emergency_data (with a "dt"
column from the partition), the views fleetlake.<table>_dedup and fleetlake.dead_letter; the
"fleetlake." prefix is optional. Column names and types are Athena's (lower case, timestamps in UTC
without a zone), so a query answers the same in both.

Saved queries (the same SQL as the Athena named queries; each reads the days of its window only):
${saved}

Options:
${CONFIG_HELP}
      --saved NAME     run a saved query
      --device ID      deviceId for saved queries
      --from TIME      window start, inclusive: ISO-8601 with a zone or a date (default: --to minus 24 h)
      --to TIME        window end, exclusive (default: now)
      --json           one JSON object per row instead of a table

Examples:
  fleetlake-sink query --lake ./lake "SELECT dt, count(*) FROM fleetlake.gps_data GROUP BY dt ORDER BY dt"
  fleetlake-sink query --lake ./lake --saved latest-positions --from 2026-11-27 --to 2026-11-28
  fleetlake-sink query --lake ./lake --saved trip-summary --device car-0001 --from 2026-11-27T08:00:00Z --to 2026-11-27T09:00:00Z
`,
  options: { ...CONFIG_OPTIONS, saved: { type: 'string' }, device: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, positionals }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 'local') throw new ConfigError('query reads a local lake folder; sync an S3 lake down first (aws s3 sync s3://bucket/prefix ./lake)');
    let sql: string;
    let params: string[] | undefined;
    if (values.saved !== undefined) {
      const q = SAVED_QUERIES[String(values.saved)];
      if (!q) throw new ConfigError(`unknown saved query ${JSON.stringify(values.saved)}; one of: ${Object.keys(SAVED_QUERIES).join(', ')}`);
      const to = values.to === undefined ? new Date().toISOString() : String(values.to);
      if (values.from === undefined && Number.isNaN(Date.parse(to))) throw new ConfigError(`--to ${JSON.stringify(to)} is not an ISO-8601 time`);
      const from = values.from === undefined ? new Date(Date.parse(to) - 86_400_000).toISOString() : String(values.from);
      try {
        params = bindSavedQuery(q, { from, to, ...(values.device === undefined ? {} : { device: String(values.device) }) });
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      sql = renderSavedQuery(q, 'duckdb');
    } else {
      if (positionals.length !== 1) throw new ConfigError('give one SQL statement (quoted) or --saved NAME');
      sql = positionals[0]!;
    }
    const lake = await LakeQuery.open(root.dir);
    try {
      const { columns, rows } = await lake.query(sql, params);
      process.stdout.write(values.json ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '') : formatTable(columns, rows));
    } finally {
      lake.close();
    }
    return 0;
  },
};
