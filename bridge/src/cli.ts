#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: V8 collects on the main thread only, without helper threads. In six alternating
// pairs of bench:bridge (BENCH_MAX_SECONDS=8) it cost 64-72 instead of 73-86 CPU ms per 1000 messages
// at 10,000 msg/s (lower in all six) and p99 was lower in five of six (59-204 vs 87-421 ms); sustained
// msg/s went from 35-48k to 31-50k. The Docker entrypoint and bench:bridge pass it too.
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-bridge',
  version: packageVersion(import.meta.url),
  description: 'MQTT to Kafka bridge, acknowledged to the device only after Kafka has the record',
  commands,
});
