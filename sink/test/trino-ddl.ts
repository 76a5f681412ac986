/**
 * Athena's DDL as Trino runs it. Trino's Hive connector has no Hive DDL (CREATE EXTERNAL TABLE ...
 * ROW FORMAT SERDE ... TBLPROPERTIES), so the tables printed by `fleetlake-sink ddl` are translated
 * here, statement by statement: column types, the SerDe as a format, LOCATION (s3:// mapped to a local
 * folder) and every `projection.*` setting as Trino's partition projection properties, refusing any
 * it does not know. Views and saved queries are run as printed: they need no translation.
 */
const HIVE_TO_TRINO: Record<string, string> = { string: 'varchar', int: 'integer', bigint: 'bigint', double: 'double', boolean: 'boolean', timestamp: 'timestamp(3)' };

export function trinoType(hive: string): string {
  const arr = /^array<struct<(.+)>>$/.exec(hive);
  if (arr) return `array(row(${arr[1]!.split(',').map((f) => { const [n, t] = f.split(':'); return `${n} ${trinoType(t!)}`; }).join(', ')}))`;
  const t = HIVE_TO_TRINO[hive];
  if (!t) throw new Error(`no Trino type for Hive type ${hive}`);
  return t;
}

const FORMATS: Record<string, string> = {
  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe': 'PARQUET',
  'org.openx.data.jsonserde.JsonSerDe': 'OPENX_JSON',
};

/** TBLPROPERTIES that only Athena/Glue read (Trino has no such setting, nothing is lost). */
const ATHENA_ONLY = new Set(['classification', 'parquet.compression']);

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The statements of a script: `;` at a line's end ends one; `--` comment lines are dropped. */
export function statements(script: string): string[] {
  return script
    .split(/;\s*$/m)
    .map((s) => s.split('\n').filter((l) => !l.trimStart().startsWith('--')).join('\n').trim())
    .filter(Boolean);
}

/**
 * One Athena CREATE EXTERNAL TABLE as Trino's CREATE TABLE. `location` maps the table's s3:// LOCATION
 * (and the projection's storage template) to where Trino reads it (`local:///...`).
 */
export function trinoCreateTable(athena: string, location: (s3: string) => string): string {
  const head = /^CREATE EXTERNAL TABLE IF NOT EXISTS (\S+) \(\n([\s\S]*?)\n\)\n/.exec(athena);
  if (!head) throw new Error(`not an Athena CREATE EXTERNAL TABLE:\n${athena}`);
  const columns = head[2]!.split(',\n').map((l) => {
    const m = /^\s*`(\w+)` (\S+)$/.exec(l);
    if (!m) throw new Error(`column line ${JSON.stringify(l)}`);
    return `"${m[1]}" ${trinoType(m[2]!)}`;
  });
  const part = /^PARTITIONED BY \(`(\w+)` string\)$/m.exec(athena);
  const serde = /^ROW FORMAT SERDE '([^']+)'$/m.exec(athena)?.[1];
  const loc = /^LOCATION '([^']+)'$/m.exec(athena)?.[1];
  const propsText = /TBLPROPERTIES \(\n([\s\S]*?)\n\)$/.exec(athena)?.[1];
  if (!part || !serde || !loc || !propsText) throw new Error(`incomplete table DDL:\n${athena}`);
  const format = FORMATS[serde];
  if (!format) throw new Error(`no Trino format for SerDe ${serde}`);
  const props = Object.fromEntries([...propsText.matchAll(/'([^']+)' = '([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
  const key = part[1]!;
  const column: string[] = [];
  const table: string[] = [`external_location = ${quote(location(loc))}`, `format = '${format}'`, `partitioned_by = ARRAY['${key}']`];
  for (const [k, v] of Object.entries(props)) {
    if (ATHENA_ONLY.has(k)) continue;
    if (k === 'projection.enabled') table.push(`partition_projection_enabled = ${v === 'true'}`);
    else if (k === 'storage.location.template') table.push(`partition_projection_location_template = ${quote(location(v))}`);
    else if (k === `projection.${key}.type`) column.push(`partition_projection_type = ${quote(v.toUpperCase())}`);
    else if (k === `projection.${key}.format`) column.push(`partition_projection_format = ${quote(v)}`);
    else if (k === `projection.${key}.range`) column.push(`partition_projection_range = ARRAY[${v.split(',').map(quote).join(', ')}]`);
    else if (k === `projection.${key}.interval`) column.push(`partition_projection_interval = ${Number(v)}`);
    else if (k === `projection.${key}.interval.unit`) column.push(`partition_projection_interval_unit = ${quote(v)}`);
    else throw new Error(`table property ${k} has no Trino translation`);
  }
  columns.push(`"${key}" varchar${column.length ? ` WITH (${column.join(', ')})` : ''}`);
  return `CREATE TABLE ${head[1]} (\n  ${columns.join(',\n  ')}\n) WITH (\n  ${table.join(',\n  ')}\n)`;
}

/**
 * The whole `fleetlake-sink ddl` output as Trino statements: the database as a schema, each table
 * translated, each view as printed. Saved queries (PREPARE) are left out: they are run with
 * EXECUTE IMMEDIATE from the same text.
 */
export function trinoScript(athenaDdl: string, location: (s3: string) => string): string[] {
  const out: string[] = [];
  for (const s of statements(athenaDdl)) {
    if (s.startsWith('CREATE DATABASE IF NOT EXISTS ')) out.push(s.replace('CREATE DATABASE', 'CREATE SCHEMA'));
    else if (s.startsWith('CREATE EXTERNAL TABLE ')) out.push(trinoCreateTable(s, location));
    else if (s.startsWith('CREATE OR REPLACE VIEW ')) out.push(s);
    else if (!s.startsWith('PREPARE ')) throw new Error(`unexpected statement in the DDL:\n${s}`);
  }
  return out;
}
