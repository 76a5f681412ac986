import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { daysBetween, redshiftDdl, redshiftPolicy } from '../src/redshift-ddl.js';
import { dedupViewSql, lakeTables, tableDefs } from '../src/tables.js';

describe('Redshift Spectrum DDL', () => {
  const sql = redshiftDdl({ lakeUri: 's3://lake/raw', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/spectrum', fromDt: '2026-11-27', toDt: '2026-11-28' });

  it('maps the Glue database with the role, registers each table’s days, and makes late-binding dedup views', () => {
    expect(sql).toContain(`CREATE EXTERNAL SCHEMA IF NOT EXISTS fleetlake_lake\nFROM DATA CATALOG DATABASE 'fleetlake'\nIAM_ROLE 'arn:aws:iam::123456789012:role/spectrum'\nREGION 'eu-west-1';`);
    for (const def of lakeTables()) {
      expect(sql).toContain(`ALTER TABLE fleetlake_lake.${def.name} ADD IF NOT EXISTS\nPARTITION (dt='2026-11-27') LOCATION 's3://lake/raw/${def.name}/dt=2026-11-27/'\nPARTITION (dt='2026-11-28') LOCATION 's3://lake/raw/${def.name}/dt=2026-11-28/';`);
    }
    for (const def of tableDefs()) expect(sql).toContain(`CREATE OR REPLACE VIEW fleetlake.${def.view} AS\n${dedupViewSql(def, `fleetlake_lake.${def.name}`)}\nWITH NO SCHEMA BINDING;`);
    expect(sql.match(/WITH NO SCHEMA BINDING/g)).toHaveLength(tableDefs().length);
  });

  it('limits the days to a year and refuses bad days', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(() => daysBetween('2026-11-28', '2026-11-27')).toThrow(/no day/);
    expect(() => daysBetween('2020-01-01', '2026-01-01')).toThrow(/more than 366/);
    expect(() => daysBetween('27.11.2026', '2026-11-28')).toThrow(/yyyy-MM-dd/);
  });

  it('grants the role Glue read and partition registration on the database, and read on the lake prefix only', () => {
    const p = redshiftPolicy({ lakeUri: 's3://lake/raw', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/spectrum' }) as { Statement: { Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] };
    const byAction = (a: string) => p.Statement.find((s) => ([] as string[]).concat(s.Action).includes(a))!;
    expect(byAction('glue:GetTable').Resource).toContain('arn:aws:glue:eu-west-1:123456789012:table/fleetlake/*');
    expect(byAction('glue:BatchCreatePartition').Resource).toContain('arn:aws:glue:eu-west-1:123456789012:database/fleetlake');
    expect(byAction('s3:GetObject').Resource).toBe('arn:aws:s3:::lake/raw/*');
    expect(byAction('s3:ListBucket').Condition).toEqual({ StringLike: { 's3:prefix': ['raw/*'] } });
    expect(JSON.stringify(p)).not.toMatch(/s3:Put|s3:Delete|glue:Delete|glue:Update|"\*"/);
  });

  it('ships the same policy with placeholders in sink/iam/spectrum-reader-policy.json', () => {
    const shipped = readFileSync(new URL('../iam/spectrum-reader-policy.json', import.meta.url), 'utf8');
    const made = JSON.stringify(redshiftPolicy({ lakeUri: 's3://lake-bucket/lake-prefix', region: 'REGION' })).replaceAll('lake-bucket', 'LAKE_BUCKET').replaceAll('lake-prefix', 'LAKE_PREFIX');
    expect(JSON.stringify(JSON.parse(shipped))).toBe(made);
  });
});
