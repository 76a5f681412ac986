import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The sink's Prometheus metrics, on their own registry (one per Sink, so tests can run several). */
export class SinkMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({ name: 'fleetlake_sink_records_total', help: 'Kafka records consumed, by topic and outcome', labelNames: ['topic', 'kind'], registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'fleetlake_sink_dead_letters_total', help: 'Records that failed validation, by reason', labelNames: ['topic', 'reason'], registers: [this.registry] });
  readonly objects = new Counter({ name: 'fleetlake_sink_objects_written_total', help: 'Objects stored, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly bytes = new Counter({ name: 'fleetlake_sink_bytes_written_total', help: 'Bytes of objects stored', registers: [this.registry] });
  readonly flushSeconds = new Histogram({ name: 'fleetlake_sink_flush_seconds', help: 'Time to encode and store one segment', buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60], registers: [this.registry] });
  readonly commits = new Counter({ name: 'fleetlake_sink_commits_total', help: 'Offset commits', labelNames: ['result'], registers: [this.registry] });
  readonly storeRetries = new Counter({ name: 'fleetlake_sink_store_retries_total', help: 'Object store attempts that failed and were retried', registers: [this.registry] });
  readonly markers = new Counter({ name: 'fleetlake_sink_markers_sent_total', help: 'Flush markers appended to quiet partitions', labelNames: ['reason'], registers: [this.registry] });
  readonly buffered = new Gauge({ name: 'fleetlake_sink_buffered_records', help: 'Records buffered in open files', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleetlake_sink_' });
  }
}
