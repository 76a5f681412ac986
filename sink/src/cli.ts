#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-sink',
  version: packageVersion(import.meta.url),
  description: 'Kafka to Parquet and JPEG in S3 or a local lake, Glue tables for Athena',
  commands,
});
