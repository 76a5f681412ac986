import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  UpdateTableCommand,
  type GlueClient,
  type TableInput,
} from '@aws-sdk/client-glue';
import type { EventTimeWindow } from '@fleetlake/contracts';
import { tableParameters } from './ddl.js';
import { DATABASE, PARTITION_KEY, PRESTO_TYPES, athenaName, dedupViewSql, glueType, lakeTables, tableLocation, type StreamTableDef, type TableDef } from './tables.js';

/** Glue TableInput of a lake table (EXTERNAL_TABLE): its SerDe, the `dt` partition key, partition projection. */
export function tableInput(def: TableDef, lakeUri: string, window?: EventTimeWindow): TableInput {
  return {
    Name: def.name,
    Description: def.description,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { EXTERNAL: 'TRUE', ...tableParameters(def, lakeUri, window) },
    PartitionKeys: [{ Name: PARTITION_KEY, Type: 'string', Comment: 'event date (UTC), YYYY-MM-DD' }],
    StorageDescriptor: {
      Columns: def.columns.map((c) => ({ Name: athenaName(c.name), Type: glueType(c.type) })),
      Location: tableLocation(lakeUri, def.name),
      InputFormat: def.format.inputFormat,
      OutputFormat: def.format.outputFormat,
      Compressed: def.format.classification === 'parquet',
      SerdeInfo: { SerializationLibrary: def.format.serde, Parameters: { 'serialization.format': '1', ...def.format.serdeParameters } },
    },
  };
}

/** Athena view stored in Glue: the Presto view envelope Athena itself writes for CREATE VIEW. */
export function viewInput(def: StreamTableDef): TableInput {
  const columns = [...def.columns.map((c) => ({ name: athenaName(c.name), type: PRESTO_TYPES[c.type] })), { name: PARTITION_KEY, type: 'varchar' }];
  const view = {
    originalSql: dedupViewSql(def, `"${DATABASE}"."${def.name}"`),
    catalog: 'awsdatacatalog',
    schema: DATABASE,
    columns,
    owner: 'fleetlake-sink',
    runAsInvoker: false,
    properties: {},
  };
  return {
    Name: def.view,
    Description: `${def.name} without duplicates on (dt, deviceId, seq); filter on dt to read only those days`,
    TableType: 'VIRTUAL_VIEW',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`,
    ViewExpandedText: '/* Presto View */',
    StorageDescriptor: {
      Columns: [...def.columns.map((c) => ({ Name: athenaName(c.name), Type: glueType(c.type) })), { Name: PARTITION_KEY, Type: 'string' }],
      SerdeInfo: {},
    },
  };
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string }).name === 'EntityNotFoundException';
}

async function upsertTable(glue: GlueClient, input: TableInput): Promise<'created' | 'updated'> {
  try {
    await glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: input.Name }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await glue.send(new CreateTableCommand({ DatabaseName: DATABASE, TableInput: input }));
    return 'created';
  }
  await glue.send(new UpdateTableCommand({ DatabaseName: DATABASE, TableInput: input }));
  return 'updated';
}

/** Creates or updates database `fleetlake`, the lake's tables and the dedup views. Idempotent. */
export async function ensureCatalog(glue: GlueClient, lakeUri: string, window?: EventTimeWindow): Promise<{ name: string; action: 'created' | 'updated' }[]> {
  try {
    await glue.send(new GetDatabaseCommand({ Name: DATABASE }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE, Description: 'Fleetlake vehicle telemetry (written by fleetlake-sink)' } }));
  }
  const out: { name: string; action: 'created' | 'updated' }[] = [];
  for (const def of lakeTables()) {
    out.push({ name: def.name, action: await upsertTable(glue, tableInput(def, lakeUri, window)) });
    if (def.view) out.push({ name: def.view, action: await upsertTable(glue, viewInput(def as StreamTableDef)) });
  }
  return out;
}
