import { DeadLetter, columnsOf } from '@fleetlake/contracts';
import { describe, expect, it } from 'vitest';
import { athenaDdl } from '../src/ddl.js';
import { tableInput, viewInput } from '../src/glue-catalog.js';
import { deadLetterTableDef, tableDefs } from '../src/tables.js';

describe('Glue tables and Athena DDL', () => {
  const ddl = athenaDdl('s3://lake/raw');

  it('declares one external table per stream with the contract columns, dt partition and projection', () => {
    for (const def of tableDefs()) {
      const input = tableInput(def, 's3://lake/raw');
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(columnsOf(def.stream).map((c) => c.name.toLowerCase()));
      expect(input.Parameters!['storage.location.template']).toBe(`s3://lake/raw/${def.name}/dt=\${dt}`);
      expect(ddl).toContain(`CREATE EXTERNAL TABLE IF NOT EXISTS fleetlake.${def.name} (`);
      expect(ddl).toContain(`LOCATION 's3://lake/raw/${def.name}/'`);
      expect(ddl).toContain(`CREATE OR REPLACE VIEW fleetlake.${def.view} AS`);
      // The DDL lists the same columns with the same types as the Glue API input.
      const block = ddl.slice(ddl.indexOf(`fleetlake.${def.name} (`), ddl.indexOf('PARTITIONED BY', ddl.indexOf(`fleetlake.${def.name} (`)));
      const cols = [...block.matchAll(/`(\w+)` (\w+)/g)].map((m) => ({ Name: m[1], Type: m[2] }));
      expect(cols).toEqual(input.StorageDescriptor!.Columns!.map((c) => ({ Name: c.Name, Type: c.Type })));
    }
    expect(ddl.match(/'projection.enabled' = 'true'/g)!.length).toBe(6);
    expect(ddl).toContain("PARTITIONED BY (`dt` string)");
  });

  it("projects dt over the event-time window the bridge and the sink accept: from its start to a day after now, on every table", () => {
    expect(ddl.match(/'projection.dt.range' = '2020-01-01,NOW\+1DAYS'/g)!.length).toBe(6);
    const window = { earliest: '2024-03-01', maxAheadMs: 2 * 86_400_000 };
    expect(athenaDdl('s3://lake/raw', window)).toContain("'projection.dt.range' = '2024-03-01,NOW+2DAYS'");
    expect(tableInput(tableDefs()[0]!, 's3://lake/raw', window).Parameters!['projection.dt.range']).toBe('2024-03-01,NOW+2DAYS');
  });

  it('stores the dedup views in the Presto view envelope Athena reads', () => {
    const view = viewInput(tableDefs()[1]!);
    expect(view.TableType).toBe('VIRTUAL_VIEW');
    const body = JSON.parse(Buffer.from(/Presto View: (\S+) \*\//.exec(view.ViewOriginalText!)![1]!, 'base64').toString());
    expect(body.catalog).toBe('awsdatacatalog');
    expect(body.columns.at(-1)).toEqual({ name: 'dt', type: 'varchar' });
    expect(body.originalSql).toMatch(/row_number\(\) OVER \(PARTITION BY "dt", "deviceid", "seq"/);
  });

  it('declares the dead-letter table over every DeadLetter field, read as JSON Lines', () => {
    const def = deadLetterTableDef();
    expect(def.columns.map((c) => c.name).sort()).toEqual(Object.keys(DeadLetter.properties).sort());
    const input = tableInput(def, 's3://lake/raw');
    expect(input.StorageDescriptor!.SerdeInfo!.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.StorageDescriptor!.Columns!.find((c) => c.Name === 'issues')!.Type).toBe('array<struct<path:string,message:string>>');
    expect(ddl).toContain(`LOCATION 's3://lake/raw/dead_letter/'`);
    expect(ddl).not.toContain('VIEW fleetlake.dead_letter');
  });
});
