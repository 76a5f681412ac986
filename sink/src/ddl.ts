import type { EventTimeWindow } from '@fleetlake/contracts';
import { DATABASE, GLUE_TYPES, INPUT_FORMAT, OUTPUT_FORMAT, PARTITION_KEY, SERDE, athenaName, dedupViewSql, projectionParameters, tableDefs, tableLocation } from './tables.js';

/** Athena SQL for the database, one table per stream (partition projection) and the dedup views. */
export function athenaDdl(lakeUri: string, window?: EventTimeWindow): string {
  const out: string[] = [`CREATE DATABASE IF NOT EXISTS ${DATABASE};`, ''];
  for (const def of tableDefs()) {
    const location = tableLocation(lakeUri, def.name);
    const props = { classification: 'parquet', 'parquet.compression': 'ZSTD', ...projectionParameters(location, window) };
    out.push(
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${DATABASE}.${def.name} (`,
      def.columns.map((c) => `  \`${athenaName(c.name)}\` ${GLUE_TYPES[c.type]}`).join(',\n'),
      `)`,
      `PARTITIONED BY (\`${PARTITION_KEY}\` string)`,
      `ROW FORMAT SERDE '${SERDE}'`,
      `STORED AS INPUTFORMAT '${INPUT_FORMAT}'`,
      `OUTPUTFORMAT '${OUTPUT_FORMAT}'`,
      `LOCATION '${location}'`,
      `TBLPROPERTIES (`,
      Object.entries(props)
        .map(([k, v]) => `  '${k}' = '${v}'`)
        .join(',\n'),
      `);`,
      '',
      `CREATE OR REPLACE VIEW ${DATABASE}.${def.view} AS`,
      `${dedupViewSql(def, `${DATABASE}.${def.name}`)};`,
      '',
    );
  }
  return out.join('\n');
}
