import type { TObject, TSchema } from '@sinclair/typebox';
import { STREAM_SCHEMAS, type ColumnType } from './schemas.js';
import { KAFKA_TOPICS, STREAMS, type Stream } from './streams.js';

export interface Column {
  name: string;
  type: ColumnType;
  required: boolean;
}

/** Columns of a stream's table, in schema order, derived from the schema's `column` annotations. */
export function columnsOf(stream: Stream): Column[] {
  const schema: TObject = STREAM_SCHEMAS[stream];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, prop]: [string, TSchema]) => {
    const type = (prop as { column?: ColumnType }).column;
    if (!type) throw new Error(`schema ${stream}.${name} has no column annotation`);
    return { name, type, required: required.has(name) };
  });
}

/** Lake table of each stream: the Kafka topic name (vehicle_data, gps_data, ...). */
export function tableOf(stream: Stream): string {
  return KAFKA_TOPICS[stream];
}

export const TABLES = STREAMS.map(tableOf);
