import { parseLakeRoot } from '@fleetlake/contracts';
import { DATABASE, PARTITION_KEY, dedupViewSql, lakeTables, tableDefs, tableLocation } from './tables.js';

/**
 * Amazon Redshift over the same lake, through Redshift Spectrum: an external schema on the Glue
 * database, the dedup views as late-binding views in a local schema named like the Glue database
 * (so `fleetlake.gps_data_dedup` means the same in Athena and Redshift), and the role's policy.
 *
 * Spectrum does not use Athena's partition projection: it reads the partitions registered in Glue.
 * The script therefore registers each table's `dt` partitions for a range of days (ALTER TABLE ...
 * ADD IF NOT EXISTS PARTITION); run it daily (a Redshift scheduled query) for the new day.
 */
export const REDSHIFT_EXTERNAL_SCHEMA = `${DATABASE}_lake`;
export const PLACEHOLDER_ROLE = 'arn:aws:iam::ACCOUNT_ID:role/fleetlake-spectrum';

export interface RedshiftOptions {
  /** s3://bucket/prefix of the lake. */
  lakeUri: string;
  region: string;
  /** IAM role Redshift assumes to read Glue and S3 (the one `redshiftPolicy` is for). */
  roleArn?: string;
  /** Days whose partitions are registered, inclusive (yyyy-MM-dd). */
  fromDt: string;
  toDt: string;
}

const DT = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

/** The days from `from` to `to`, inclusive (at most a year: run it again for more). */
export function daysBetween(from: string, to: string): string[] {
  if (!DT.test(from) || !DT.test(to)) throw new RangeError(`partition days are yyyy-MM-dd: got ${JSON.stringify(from)} and ${JSON.stringify(to)}`);
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
    if (days.length > MAX_DAYS) throw new RangeError(`more than ${MAX_DAYS} days from ${from} to ${to}`);
  }
  if (days.length === 0) throw new RangeError(`no day from ${from} to ${to}`);
  return days;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL to run in Redshift (as a superuser or the schema's owner). */
export function redshiftDdl(o: RedshiftOptions): string {
  const role = o.roleArn ?? PLACEHOLDER_ROLE;
  const days = daysBetween(o.fromDt, o.toDt);
  const out = [
    `-- Redshift Spectrum over the Fleetlake lake (Glue database ${DATABASE}). The role needs the policy`,
    `-- printed by: fleetlake-sink ddl --engine redshift --policy`,
    `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${REDSHIFT_EXTERNAL_SCHEMA}`,
    `FROM DATA CATALOG DATABASE ${lit(DATABASE)}`,
    `IAM_ROLE ${lit(role)}`,
    `REGION ${lit(o.region)};`,
    '',
    `CREATE SCHEMA IF NOT EXISTS ${DATABASE};`,
    '',
    `-- Spectrum reads registered partitions only (no partition projection): ${days[0]} to ${days.at(-1)}.`,
  ];
  for (const def of lakeTables()) {
    const location = tableLocation(o.lakeUri, def.name);
    out.push(
      `ALTER TABLE ${REDSHIFT_EXTERNAL_SCHEMA}.${def.name} ADD IF NOT EXISTS`,
      days.map((d) => `PARTITION (${PARTITION_KEY}=${lit(d)}) LOCATION ${lit(`${location}${PARTITION_KEY}=${d}/`)}`).join('\n') + ';',
    );
  }
  out.push('', '-- Late-binding views: they bind to the external tables when queried, as Redshift requires for Spectrum.');
  for (const def of tableDefs()) {
    out.push(`CREATE OR REPLACE VIEW ${DATABASE}.${def.view} AS`, `${dedupViewSql(def, `${REDSHIFT_EXTERNAL_SCHEMA}.${def.name}`)}`, 'WITH NO SCHEMA BINDING;', '');
  }
  return out.join('\n');
}

/**
 * The role's permissions: read the Glue database and its tables, register partitions (the ALTER
 * TABLE above), list and read the lake's prefix. Add kms:Decrypt on the key if the lake uses SSE-KMS.
 */
export function redshiftPolicy(o: { lakeUri: string; region: string; roleArn?: string }): object {
  const root = parseLakeRoot(o.lakeUri);
  if (root.kind !== 's3') throw new RangeError('the Redshift policy is for an s3:// lake');
  const account = /^arn:aws:iam::(\d{12}):role\//.exec(o.roleArn ?? '')?.[1] ?? 'ACCOUNT_ID';
  const glue = [`arn:aws:glue:${o.region}:${account}:catalog`, `arn:aws:glue:${o.region}:${account}:database/${DATABASE}`, `arn:aws:glue:${o.region}:${account}:table/${DATABASE}/*`];
  const prefix = root.prefix ? `${root.prefix}/` : '';
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadFleetlakeCatalog', Effect: 'Allow', Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'], Resource: glue },
      { Sid: 'RegisterFleetlakePartitions', Effect: 'Allow', Action: ['glue:CreatePartition', 'glue:BatchCreatePartition'], Resource: glue },
      { Sid: 'ListLakePrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${root.bucket}`, Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
      { Sid: 'LocateLakeBucket', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: `arn:aws:s3:::${root.bucket}` },
      { Sid: 'ReadLakeObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${root.bucket}/${prefix}*` },
    ],
  };
}
