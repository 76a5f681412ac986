import type { Options, PlainObject } from '@fleetlake/core';
import { loadSinkConfig, type SinkConfig } from '../config.js';

/** Flags every command that reads the sink configuration accepts. */
export const CONFIG_OPTIONS: Options = {
  config: { type: 'string', short: 'c' },
  lake: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'path-style': { type: 'boolean' },
};

export const CONFIG_HELP = `  -c, --config FILE   YAML configuration (see sink/README.md); env FLEETLAKE_SINK_* overrides it
      --lake ROOT      lake root: a folder or s3://bucket/prefix (lake.root, default ./lake)
      --endpoint URL   S3/Glue-compatible endpoint (lake.endpoint)
      --region NAME    AWS region (lake.region)
      --path-style     path-style S3 addressing (lake.forcePathStyle)`;

export function configFromFlags(values: Record<string, unknown>, extra: PlainObject = {}): SinkConfig {
  const lake: PlainObject = {};
  if (values.lake !== undefined) lake.root = values.lake;
  if (values.endpoint !== undefined) lake.endpoint = values.endpoint;
  if (values.region !== undefined) lake.region = values.region;
  if (values['path-style'] !== undefined) lake.forcePathStyle = values['path-style'];
  return loadSinkConfig(values.config as string | undefined, { lake, ...extra });
}
