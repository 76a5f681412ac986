import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The bridge's Prometheus metrics, in a registry of their own (one per bridge instance). */
export class BridgeMetrics {
  readonly registry = new Registry();
  /** Messages received from MQTT by kind: record, dead, status. */
  readonly received = new Counter({ name: 'fleetlake_bridge_received_total', help: 'MQTT messages received, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'fleetlake_bridge_dead_letters_total', help: 'Messages sent to dead_letter, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly refused = new Counter({
    name: 'fleetlake_bridge_refused_total',
    help: 'Connections, logins, packets, publishes, retains and subscriptions refused, by reason (see the README)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly openConnections = new Gauge({ name: 'fleetlake_bridge_open_connections', help: 'Open MQTT connections (embedded mode), with or without a CONNECT yet', registers: [this.registry] });
  readonly loginChecks = new Counter({ name: 'fleetlake_bridge_login_checks_total', help: 'Password checks (scrypt) run, by result (ok, failed)', labelNames: ['result'] as const, registers: [this.registry] });
  readonly loginWaiting = new Gauge({ name: 'fleetlake_bridge_login_checks_waiting', help: 'Password checks waiting for a free slot', registers: [this.registry] });
  readonly produced = new Counter({ name: 'fleetlake_bridge_produced_total', help: 'Records acknowledged by Kafka, by topic', labelNames: ['topic'] as const, registers: [this.registry] });
  readonly sendErrors = new Counter({ name: 'fleetlake_bridge_kafka_send_errors_total', help: 'Failed Kafka batch sends and connects (retried; size refusals are not counted here)', registers: [this.registry] });
  readonly kafkaSplitBatches = new Counter({
    name: 'fleetlake_bridge_kafka_split_batches_total',
    help: 'Batches Kafka refused for their size, sent again in halves (a topic whose max.message.bytes is below batchMaxBytes)',
    registers: [this.registry],
  });
  readonly kafkaRefused = new Counter({
    name: 'fleetlake_bridge_kafka_refused_total',
    help: 'Records Kafka refused on their own (never acknowledged to the device), by reason (message_too_large, record_list_too_large)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly acked = new Counter({ name: 'fleetlake_bridge_acked_total', help: 'Acknowledgements sent to MQTT after Kafka acked', registers: [this.registry] });
  readonly bufferedRecords = new Gauge({ name: 'fleetlake_bridge_buffered_records', help: 'Records waiting for Kafka', registers: [this.registry] });
  readonly bufferedBytes = new Gauge({ name: 'fleetlake_bridge_buffered_bytes', help: 'Bytes waiting for Kafka', registers: [this.registry] });
  readonly kafkaUp = new Gauge({ name: 'fleetlake_bridge_kafka_up', help: '1 when the last Kafka send succeeded', registers: [this.registry] });
  readonly clients = new Gauge({ name: 'fleetlake_bridge_connected_clients', help: 'Logged-in MQTT clients (embedded mode)', registers: [this.registry] });
  readonly batchSeconds = new Histogram({
    name: 'fleetlake_bridge_kafka_batch_seconds',
    help: 'Time for one Kafka batch send (acks=all)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly batchRecords = new Histogram({
    name: 'fleetlake_bridge_kafka_batch_records',
    help: 'Records per Kafka batch send',
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'fleetlake_bridge_' });
  }

  /** Current value of a counter (summed over labels, or for one label value). */
  async count(metric: Counter<string>, labels?: Record<string, string>): Promise<number> {
    const data = await metric.get();
    return data.values.filter((v) => !labels || Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
  }
}
