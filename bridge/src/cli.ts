#!/usr/bin/env -S node --single-threaded-gc --no-allocation-site-pretenuring
// --single-threaded-gc: V8 collects on the main thread only, without helper threads. In six alternating
// pairs of bench:bridge (BENCH_MAX_SECONDS=8) it cost 64-72 instead of 73-86 CPU ms per 1000 messages
// at 10,000 msg/s (lower in all six) and p99 was lower in five of six (59-204 vs 87-421 ms); sustained
// msg/s went from 35-48k to 31-50k.
// --no-allocation-site-pretenuring: under a backlog (e.g. the saturated first phase of bench:bridge)
// V8 learns to allocate the per-message objects of the Kafka path directly in the old generation; when
// the backlog is gone they die young but, being "old", keep the young objects they point to alive
// through every scavenge, so ~1.25 MB was promoted per scavenge (6 ms each) and a 13-28 ms
// mark-compact followed every 2-3 s. Without pretenuring: 25 KB and 2 ms. Three alternating full
// runs of bench:bridge: p99 at 10,000 msg/s 12.9 / 12.1 / 11.5 ms vs 33.2 / 22.3 / 27.9 ms.
// The Docker entrypoint and bench:bridge pass the same flags.
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-bridge',
  version: packageVersion(import.meta.url),
  description: 'MQTT to Kafka bridge, acknowledged to the device only after Kafka has the record',
  commands,
});
