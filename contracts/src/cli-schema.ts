import type { Command } from '@fleetlake/core';
import { jsonSchemas } from './jsonschema.js';

/** `schema [name]`: prints the JSON Schema of the contracts (all, or one by name). Shared by the CLIs. */
export const schemaCommand: Command = {
  summary: 'print the JSON Schema of the message contracts',
  help: `Usage: schema [NAME]

Prints the JSON Schema of every contract, or of one: gps_data, vehicle_data, traffic_data,
weather_data, emergency_data, camera_frames, device_status, dead_letter.

Example:
  schema gps_data > gps_data.schema.json`,
  async run({ positionals }) {
    const docs = jsonSchemas();
    const name = positionals[0];
    if (name !== undefined && !(name in docs)) throw new Error(`unknown contract "${name}" (one of ${Object.keys(docs).join(', ')})`);
    process.stdout.write(`${JSON.stringify(name ? docs[name] : docs, null, 2)}\n`);
    return 0;
  },
};
