import { isAbsolute, resolve } from 'node:path';
import { parseLakeRoot } from '@fleetlake/contracts';
import { ConfigError, type Command } from '@fleetlake/core';
import { LakeQuery } from '../lake-query.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

export const viewsCommand: Command = {
  summary: 'write the lake\'s tables and dedup views into a DuckDB file (for BI tools through duckdb-engine)',
  help: `Usage: fleetlake-sink views --lake DIR --out FILE

Creates (or replaces) in the DuckDB database FILE the schema "fleetlake" with the same tables,
dedup views and dead_letter table as "fleetlake-sink query" uses, as views over the lake's files
(absolute paths): a tool that opens FILE (Superset with duckdb-engine: duckdb:////abs/path/FILE)
sees new files as they arrive. A table without any file yet is empty until this runs again.

Options:
${CONFIG_HELP}
      --out FILE       the DuckDB database file

Example:
  fleetlake-sink views --lake ./lake --out ./lake.duckdb
`,
  options: { ...CONFIG_OPTIONS, out: { type: 'string' } },
  async run({ values }) {
    const config = configFromFlags(values);
    const root = parseLakeRoot(config.lake.root);
    if (root.kind !== 'local') throw new ConfigError('views reads a local lake folder; sync an S3 lake down first (aws s3 sync s3://bucket/prefix ./lake)');
    if (typeof values.out !== 'string' || values.out === '') throw new ConfigError('give the DuckDB file: --out FILE');
    const lakeDir = isAbsolute(root.dir) ? root.dir : resolve(root.dir);
    const lake = await LakeQuery.open(lakeDir, resolve(values.out));
    lake.close();
    process.stdout.write(`${resolve(values.out)}: schema fleetlake over ${lakeDir}\n`);
    return 0;
  },
};
