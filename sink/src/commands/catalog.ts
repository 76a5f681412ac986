import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { ensureBucket } from '../bucket.js';
import { ensureCatalog } from '../glue-catalog.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

export const catalogCommand: Command = {
  summary: 'create or update the Glue database, tables (partition projection) and dedup views',
  help: `Usage: fleetlake-sink catalog [options]

Creates or updates Glue database "fleetlake" with one EXTERNAL_TABLE per stream (Parquet SerDe,
"dt" partition key with partition projection: no crawler, no MSCK REPAIR) and a <table>_dedup view
per stream that keeps one row per (deviceId, seq). Needs an s3:// lake root. Idempotent.

Options:
${CONFIG_HELP}
      --create-bucket  also create the bucket (S3 Block Public Access on, default encryption on)

Examples:
  fleetlake-sink catalog --lake s3://my-fleet-lake/raw --region eu-central-1
  fleetlake-sink catalog --lake s3://lake/raw --endpoint http://127.0.0.1:5000 --path-style --create-bucket
`,
  options: { ...CONFIG_OPTIONS, 'create-bucket': { type: 'boolean' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 's3') throw new ConfigError('catalog needs an s3://bucket/prefix lake root (Athena reads from S3)');
    const common = { region: config.lake.region, ...(config.lake.endpoint ? { endpoint: config.lake.endpoint } : {}) };
    if (values['create-bucket']) {
      const s3 = new S3Client({ ...common, forcePathStyle: config.lake.forcePathStyle });
      await ensureBucket(s3, root.bucket, config.lake.region, config.lake.kmsKeyId);
      s3.destroy();
      process.stdout.write(`bucket s3://${root.bucket}: ready (public access blocked, encrypted by default)\n`);
    }
    const glue = new GlueClient(common);
    const lakeUri = `s3://${root.bucket}${root.prefix ? `/${root.prefix}` : ''}`;
    for (const r of await ensureCatalog(glue, lakeUri, config.eventTime)) process.stdout.write(`fleetlake.${r.name}: ${r.action}\n`);
    glue.destroy();
    return 0;
  },
};
