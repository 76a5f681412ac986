import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { athenaDdl } from '../ddl.js';
import { PLACEHOLDER_ROLE, REDSHIFT_EXTERNAL_SCHEMA, redshiftDdl, redshiftPolicy } from '../redshift-ddl.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

const ENGINES = ['athena', 'redshift'];

export const ddlCommand: Command = {
  summary: 'print the Athena SQL (tables, dedup views, saved queries) or the Redshift Spectrum SQL',
  help: `Usage: fleetlake-sink ddl [options]
       fleetlake-sink ddl --engine redshift [--iam-role ARN] [--from DAY --to DAY] [--policy]

Athena (default): the same database, tables (partition projection), dedup views and dead-letter
table that "fleetlake-sink catalog" creates through the Glue API, as Athena SQL, then the saved
queries as prepared statements; for infrastructure managed as code.

Redshift: CREATE EXTERNAL SCHEMA ${REDSHIFT_EXTERNAL_SCHEMA} on the Glue database, the partitions of each
table for a range of days (Spectrum does not use partition projection: run it daily for the new day)
and the dedup views as late-binding views in schema fleetlake. --policy prints instead the IAM policy
the role needs (Glue read, partition registration, the lake prefix).

Options:
${CONFIG_HELP}
      --engine NAME    athena (default) or redshift
      --iam-role ARN   role Redshift assumes (default ${PLACEHOLDER_ROLE})
      --from DAY       first day whose partitions Redshift registers (default: 6 days before --to)
      --to DAY         last day (default: today, UTC)
      --policy         print the role's IAM policy (JSON) instead of SQL

Examples:
  fleetlake-sink ddl --lake s3://my-fleet-lake/raw > fleetlake.sql
  fleetlake-sink ddl --engine redshift --lake s3://my-fleet-lake/raw --region eu-west-1 --iam-role arn:aws:iam::123456789012:role/fleetlake-spectrum
`,
  options: { ...CONFIG_OPTIONS, engine: { type: 'string' }, 'iam-role': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, policy: { type: 'boolean' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 's3') throw new ConfigError('ddl needs an s3://bucket/prefix lake root (Athena and Redshift read from S3)');
    const lakeUri = `s3://${root.bucket}${root.prefix ? `/${root.prefix}` : ''}`;
    const engine = String(values.engine ?? 'athena');
    if (!ENGINES.includes(engine)) throw new ConfigError(`--engine ${JSON.stringify(engine)}: one of ${ENGINES.join(', ')}`);
    if (engine === 'athena') {
      for (const flag of ['iam-role', 'from', 'to', 'policy']) if (values[flag] !== undefined) throw new ConfigError(`--${flag} is for --engine redshift`);
      process.stdout.write(athenaDdl(lakeUri, config.eventTime));
      return 0;
    }
    const roleArn = values['iam-role'] === undefined ? undefined : String(values['iam-role']);
    if (roleArn !== undefined && !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw new ConfigError(`--iam-role ${JSON.stringify(roleArn)} is not an IAM role ARN`);
    if (values.policy) {
      process.stdout.write(`${JSON.stringify(redshiftPolicy({ lakeUri, region: config.lake.region, ...(roleArn ? { roleArn } : {}) }), null, 2)}\n`);
      return 0;
    }
    try {
      const toDt = values.to === undefined ? new Date().toISOString().slice(0, 10) : String(values.to);
      const fromDt = values.from === undefined ? new Date(Date.parse(`${toDt}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10) : String(values.from);
      process.stdout.write(redshiftDdl({ lakeUri, region: config.lake.region, fromDt, toDt, ...(roleArn ? { roleArn } : {}) }));
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    return 0;
  },
};
