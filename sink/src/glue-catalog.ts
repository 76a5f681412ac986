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
import { DATABASE, GLUE_TYPES, INPUT_FORMAT, OUTPUT_FORMAT, PARTITION_KEY, PRESTO_TYPES, SERDE, athenaName, dedupViewSql, projectionParameters, tableDefs, tableLocation, type TableDef } from './tables.js';

/** Glue TableInput of a stream's EXTERNAL_TABLE: Parquet SerDe, `dt` partition key, partition projection. */
export function tableInput(def: TableDef, lakeUri: string, window?: EventTimeWindow): TableInput {
  const location = tableLocation(lakeUri, def.name);
  return {
    Name: def.name,
    Description: `Fleetlake ${def.stream} records (Parquet, one file per Kafka partition segment and event date)`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { EXTERNAL: 'TRUE', classification: 'parquet', 'parquet.compression': 'ZSTD', ...projectionParameters(location, window) },
    PartitionKeys: [{ Name: PARTITION_KEY, Type: 'string', Comment: 'event date (UTC), YYYY-MM-DD' }],
    StorageDescriptor: {
      Columns: def.columns.map((c) => ({ Name: athenaName(c.name), Type: GLUE_TYPES[c.type] })),
      Location: location,
      InputFormat: INPUT_FORMAT,
      OutputFormat: OUTPUT_FORMAT,
      Compressed: true,
      SerdeInfo: { SerializationLibrary: SERDE, Parameters: { 'serialization.format': '1' } },
    },
  };
}

/** Athena view stored in Glue: the Presto view envelope Athena itself writes for CREATE VIEW. */
export function viewInput(def: TableDef): TableInput {
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
    Description: `${def.name} without duplicates on (deviceId, seq)`,
    TableType: 'VIRTUAL_VIEW',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`,
    ViewExpandedText: '/* Presto View */',
    StorageDescriptor: {
      Columns: [...def.columns.map((c) => ({ Name: athenaName(c.name), Type: GLUE_TYPES[c.type] })), { Name: PARTITION_KEY, Type: 'string' }],
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

/** Creates or updates database `fleetlake`, one table per stream and the dedup views. Idempotent. */
export async function ensureCatalog(glue: GlueClient, lakeUri: string, window?: EventTimeWindow): Promise<{ name: string; action: 'created' | 'updated' }[]> {
  try {
    await glue.send(new GetDatabaseCommand({ Name: DATABASE }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE, Description: 'Fleetlake vehicle telemetry (written by fleetlake-sink)' } }));
  }
  const out: { name: string; action: 'created' | 'updated' }[] = [];
  for (const def of tableDefs()) {
    out.push({ name: def.name, action: await upsertTable(glue, tableInput(def, lakeUri, window)) });
    out.push({ name: def.view, action: await upsertTable(glue, viewInput(def)) });
  }
  return out;
}
