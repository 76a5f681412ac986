import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LakeReader } from './lake-reader.js';
import type { LiveHub } from './live-hub.js';
import type { LiveState } from './live-state.js';

/** The console's own Prometheus metrics (/metrics), in a registry of their own. */
export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'fleetlake_console_http_requests_total', help: 'HTTP requests answered, by route and status', labelNames: ['route', 'status'] as const, registers: [this.registry] });

  constructor(live: LiveState | undefined, hub: LiveHub, lake: LakeReader) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleetlake_console_' });
    new Gauge({
      name: 'fleetlake_console_live_records_total', help: 'Kafka records read by the live feed', registers: [this.registry],
      collect() { this.set(live?.records ?? 0); },
    });
    new Gauge({
      name: 'fleetlake_console_live_rejected_total', help: 'Kafka records the live feed could not read (dropped), by reason', labelNames: ['reason'] as const, registers: [this.registry],
      collect() { for (const [reason, n] of Object.entries(live?.rejected ?? {})) this.set({ reason }, n); },
    });
    new Gauge({
      name: 'fleetlake_console_live_skipped_total', help: 'Kafka records that are no data (the sink\'s flush markers, tombstones), skipped', registers: [this.registry],
      collect() { this.set(live?.skipped ?? 0); },
    });
    new Gauge({
      name: 'fleetlake_console_lake_cache', help: 'S3 lakes: Parquet objects fetched into the local cache, cache hits, evictions, bytes fetched', labelNames: ['counter'] as const, registers: [this.registry],
      collect() { for (const [counter, n] of Object.entries(lake.counters ?? {})) this.set({ counter }, n); },
    });
    new Gauge({
      name: 'fleetlake_console_live_devices', help: 'Devices the live view tracks', registers: [this.registry],
      collect() { this.set(live?.snapshot().length ?? 0); },
    });
    new Gauge({
      name: 'fleetlake_console_live_clients', help: 'Open live streams (Server-Sent Events)', registers: [this.registry],
      collect() { this.set(hub.size); },
    });
    new Gauge({
      name: 'fleetlake_console_live_clients_dropped_total', help: 'Live streams refused (too many) or dropped (too slow)', labelNames: ['why'] as const, registers: [this.registry],
      collect() { this.set({ why: 'refused' }, hub.counters.refused); this.set({ why: 'slow' }, hub.counters.dropped); },
    });
  }
}
