#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: V8 collects on the main thread only, without helper threads. The sink
// allocates a lot per record (fetched records, parsed JSON); in bench:sink pinned to one core V8's
// other threads took 1.6-1.9 ms CPU per 1000 records with helpers and 0.6 (compilers) without, the
// main thread ~0.3 more: ~1 ms per 1000 less in all. The Docker entrypoint and bench:sink pass it too.
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-sink',
  version: packageVersion(import.meta.url),
  description: 'Kafka to Parquet and JPEG in S3 or a local lake, Glue tables for Athena',
  commands,
});
