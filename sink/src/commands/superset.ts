import { ConfigError, type Command } from '@fleetlake/core';
import { publishTripChart } from '../superset-publish.js';

export const supersetCommand: Command = {
  summary: 'create a Superset database, a dataset on gps_data_dedup and a chart of one trip (Superset REST API)',
  help: `Usage: fleetlake-sink superset --url URL --user NAME --uri SQLALCHEMY_URI --device ID --from DAY --to DAY

Logs in to Superset (password in FLEETLAKE_SUPERSET_PASSWORD), adds the database (unless one named
"fleetlake" exists), a dataset on fleetlake.gps_data_dedup and a line chart of the device's average
speed per minute with dt filters for the days, then prints the chart's id and how many points it has.

  --uri duckdb:////abs/path/lake.duckdb      the file "fleetlake-sink views" writes (duckdb-engine)
  --uri "awsathena+rest://@athena.eu-west-1.amazonaws.com:443/fleetlake?s3_staging_dir=s3%3A%2F%2Fbucket%2Fathena-results%2F&work_group=fleetlake"
                                              Athena through PyAthena

Example:
  FLEETLAKE_SUPERSET_PASSWORD=... fleetlake-sink superset --url http://127.0.0.1:8088 --user admin --uri duckdb:////srv/lake.duckdb --device demo-van-1 --from 2026-11-27 --to 2026-11-28
`,
  options: { url: { type: 'string' }, user: { type: 'string' }, uri: { type: 'string' }, device: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run({ values }) {
    for (const f of ['url', 'user', 'uri', 'device', 'from', 'to']) if (typeof values[f] !== 'string' || values[f] === '') throw new ConfigError(`--${f} is needed`);
    const password = process.env.FLEETLAKE_SUPERSET_PASSWORD;
    if (!password) throw new ConfigError('set FLEETLAKE_SUPERSET_PASSWORD (the password never goes on the command line)');
    for (const f of ['from', 'to']) if (!/^\d{4}-\d{2}-\d{2}$/.test(String(values[f]))) throw new ConfigError(`--${f} is a day, yyyy-MM-dd`);
    const chart = await publishTripChart(
      { url: String(values.url), username: String(values.user), password },
      { sqlalchemyUri: String(values.uri), device: String(values.device), fromDt: String(values.from), toDt: String(values.to) },
    );
    process.stdout.write(`chart ${chart.chartId} (dataset ${chart.datasetId}, database ${chart.databaseId}): ${chart.rows.length} points\n`);
    return 0;
  },
};
