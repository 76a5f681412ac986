import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { athenaDdl } from '../ddl.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

export const ddlCommand: Command = {
  summary: 'print the Athena SQL (database, tables with partition projection, dedup views)',
  help: `Usage: fleetlake-sink ddl [options]

Prints the same database, tables and views that "fleetlake-sink catalog" creates through the Glue
API, as Athena SQL, for infrastructure managed as code.

Options:
${CONFIG_HELP}

Examples:
  fleetlake-sink ddl --lake s3://my-fleet-lake/raw > fleetlake.sql
`,
  options: CONFIG_OPTIONS,
  async run({ values }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 's3') throw new ConfigError('ddl needs an s3://bucket/prefix lake root (Athena reads from S3)');
    process.stdout.write(athenaDdl(`s3://${root.bucket}${root.prefix ? `/${root.prefix}` : ''}`, config.eventTime));
    return 0;
  },
};
