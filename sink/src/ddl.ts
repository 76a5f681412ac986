import type { EventTimeWindow } from '@fleetlake/contracts';
import { parameterHelp, renderSavedQuery, SAVED_QUERIES, type SavedQuery } from './saved-queries.js';
import { DATABASE, PARTITION_KEY, athenaName, dedupViewSql, glueType, lakeTables, projectionParameters, tableLocation, type TableDef } from './tables.js';

/** Table parameters in Glue and TBLPROPERTIES in Athena: format, compression, partition projection. */
export function tableParameters(def: TableDef, lakeUri: string, window?: EventTimeWindow): Record<string, string> {
  return { classification: def.format.classification, ...def.format.parameters, ...projectionParameters(tableLocation(lakeUri, def.name), window) };
}

/** Athena's CREATE EXTERNAL TABLE for one lake table. */
export function athenaTableDdl(def: TableDef, lakeUri: string, window?: EventTimeWindow): string {
  const kv = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `  '${k}' = '${v}'`).join(',\n');
  const serdeProps = Object.keys(def.format.serdeParameters).length ? [`WITH SERDEPROPERTIES (`, kv(def.format.serdeParameters), `)`] : [];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${DATABASE}.${def.name} (`,
    def.columns.map((c) => `  \`${athenaName(c.name)}\` ${glueType(c.type)}`).join(',\n'),
    `)`,
    `COMMENT '${def.description.replace(/'/g, "''")}'`,
    `PARTITIONED BY (\`${PARTITION_KEY}\` string)`,
    `ROW FORMAT SERDE '${def.format.serde}'`,
    ...serdeProps,
    `STORED AS INPUTFORMAT '${def.format.inputFormat}'`,
    `OUTPUTFORMAT '${def.format.outputFormat}'`,
    `LOCATION '${tableLocation(lakeUri, def.name)}'`,
    `TBLPROPERTIES (`,
    kv(tableParameters(def, lakeUri, window)),
    `);`,
  ].join('\n');
}

/** Name of a saved query as an Athena prepared statement (identifiers take no hyphen). */
export const preparedName = (q: SavedQuery): string => `fleetlake_${q.name.replace(/-/g, '_')}`;

/** A saved query as an Athena prepared statement (kept by the workgroup; `EXECUTE name USING ...`). */
export function athenaPrepareSql(q: SavedQuery): string {
  return [`-- ${q.name}: ${q.description}`, `-- parameters: ${parameterHelp(q)}`, `PREPARE ${preparedName(q)} FROM`, `${renderSavedQuery(q, 'athena')};`].join('\n');
}

/**
 * Athena SQL for the database, one table per stream and the dead-letter table (partition projection),
 * the dedup views, then the saved queries as prepared statements. Athena runs one statement per query.
 */
export function athenaDdl(lakeUri: string, window?: EventTimeWindow): string {
  const out: string[] = [`CREATE DATABASE IF NOT EXISTS ${DATABASE};`, ''];
  for (const def of lakeTables()) {
    out.push(athenaTableDdl(def, lakeUri, window), '');
    if (def.view) out.push(`CREATE OR REPLACE VIEW ${DATABASE}.${def.view} AS`, `${dedupViewSql(def, `${DATABASE}.${def.name}`)};`, '');
  }
  out.push('-- Saved queries (also Athena named queries, created by fleetlake-sink catalog). Run one with', `-- EXECUTE ${preparedName(SAVED_QUERIES['trip-summary']!)} USING 'car-0001', '2026-11-27', '2026-11-27', '2026-11-27 08:00:00', '2026-11-27 09:00:00'`, '');
  for (const q of Object.values(SAVED_QUERIES)) out.push(athenaPrepareSql(q), '');
  return out.join('\n');
}
