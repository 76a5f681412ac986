import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { ensureNamedQueries, ensureWorkGroup } from '../athena-queries.js';
import { ensureBucket } from '../bucket.js';
import { ensureCatalog } from '../glue-catalog.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

export const catalogCommand: Command = {
  summary: 'create or update the Glue database, tables, dedup views and the Athena saved queries',
  help: `Usage: fleetlake-sink catalog [options]

Creates or updates Glue database "fleetlake" with one EXTERNAL_TABLE per stream (Parquet SerDe,
"dt" partition key with partition projection: no crawler, no MSCK REPAIR), a <table>_dedup view
per stream that keeps one row per (dt, deviceId, seq), and table dead_letter (JSON Lines) with what
the sink refused. Then the saved queries become Athena named queries (fleetlake-<name>) in the
workgroup, which is created if missing. Needs an s3:// lake root. Idempotent.

Options:
${CONFIG_HELP}
      --create-bucket  also create the bucket (S3 Block Public Access on, default encryption on)
      --workgroup NAME Athena workgroup of the named queries (default fleetlake)
      --results URI    query results of a workgroup created here (default s3://<lake bucket>/athena-results/)

Examples:
  fleetlake-sink catalog --lake s3://my-fleet-lake/raw --region eu-central-1
  fleetlake-sink catalog --lake s3://lake/raw --endpoint http://127.0.0.1:5000 --path-style --create-bucket --workgroup analysts
`,
  options: { ...CONFIG_OPTIONS, 'create-bucket': { type: 'boolean' }, workgroup: { type: 'string' }, results: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 's3') throw new ConfigError('catalog needs an s3://bucket/prefix lake root (Athena reads from S3)');
    const workgroup = String(values.workgroup ?? 'fleetlake');
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(workgroup)) throw new ConfigError(`--workgroup ${JSON.stringify(workgroup)}: 1-128 letters, digits, '.', '_' or '-'`);
    const results = String(values.results ?? `s3://${root.bucket}/athena-results/`);
    if (!results.startsWith('s3://')) throw new ConfigError(`--results ${JSON.stringify(results)} is not an s3:// location`);
    const common = { region: config.lake.region, ...(config.lake.endpoint ? { endpoint: config.lake.endpoint } : {}) };
    if (values['create-bucket']) {
      const s3 = new S3Client({ ...common, forcePathStyle: config.lake.forcePathStyle });
      await ensureBucket(s3, root.bucket, config.lake.region, config.lake.kmsKeyId);
      s3.destroy();
      process.stdout.write(`bucket s3://${root.bucket}: ready (public access blocked, encrypted by default)\n`);
    }
    const glue = new GlueClient(common);
    const lakeUri = `s3://${root.bucket}${root.prefix ? `/${root.prefix}` : ''}`;
    try {
      for (const r of await ensureCatalog(glue, lakeUri, config.eventTime)) process.stdout.write(`fleetlake.${r.name}: ${r.action}\n`);
    } finally {
      glue.destroy();
    }
    const athena = new AthenaClient(common);
    try {
      process.stdout.write(`workgroup ${workgroup}: ${await ensureWorkGroup(athena, workgroup, results)}\n`);
      for (const r of await ensureNamedQueries(athena, workgroup)) process.stdout.write(`named query ${r.name}: ${r.action}\n`);
    } finally {
      athena.destroy();
    }
    return 0;
  },
};
