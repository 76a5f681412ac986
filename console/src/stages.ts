import { byLabel, parsePrometheusText, total, type Metrics } from './prometheus-text.js';

/**
 * What each stage of the pipeline reports on its /metrics, read the same way by the console's health
 * view and the demo's status view: totals and backlogs. Rates come from two readings (`rate`).
 */
export interface AgentStage {
  captured: number;
  published: number;
  pending: number;
  connected: boolean;
  capturedByStream: Record<string, number>;
  /** seq is per (device, stream), from 0: the last one assigned in this run, by stream. */
  lastSeqByStream: Record<string, number>;
}

export interface BridgeStage {
  received: number;
  produced: number;
  buffered: number;
  deadLetters: number;
  kafkaUp: boolean;
  clients: number;
}

export interface SinkStage {
  records: number;
  buffered: number;
  parquetFiles: number;
  frames: number;
  deadLetters: number;
}

export function readAgentStage(m: Metrics): AgentStage {
  return {
    captured: total(m, 'fleetlake_agent_captured_total'),
    capturedByStream: byLabel(m, 'fleetlake_agent_captured_total', 'stream'),
    published: total(m, 'fleetlake_agent_published_total'),
    pending: total(m, 'fleetlake_agent_outbox_pending_records'),
    lastSeqByStream: byLabel(m, 'fleetlake_agent_last_seq', 'stream'),
    connected: total(m, 'fleetlake_agent_mqtt_connected') === 1,
  };
}

export function readBridgeStage(m: Metrics): BridgeStage {
  return {
    received: total(m, 'fleetlake_bridge_received_total'),
    produced: total(m, 'fleetlake_bridge_produced_total'),
    buffered: total(m, 'fleetlake_bridge_buffered_records'),
    deadLetters: total(m, 'fleetlake_bridge_dead_letters_total'),
    kafkaUp: total(m, 'fleetlake_bridge_kafka_up') === 1,
    clients: total(m, 'fleetlake_bridge_connected_clients'),
  };
}

export function readSinkStage(m: Metrics): SinkStage {
  const objects = byLabel(m, 'fleetlake_sink_objects_written_total', 'kind');
  return {
    // Flush markers are the sink's own bookkeeping, not data.
    records: total(m, 'fleetlake_sink_records_total') - total(m, 'fleetlake_sink_records_total', { kind: 'marker' }),
    buffered: total(m, 'fleetlake_sink_buffered_records'),
    parquetFiles: objects.parquet ?? 0,
    frames: objects.jpeg ?? 0,
    deadLetters: total(m, 'fleetlake_sink_dead_letters_total'),
  };
}

/** A process's metrics, or undefined while it does not answer (stopped, restarting). */
export async function scrapeMetrics(url: string, timeoutMs = 1000): Promise<Metrics | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return res.ok ? parsePrometheusText(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Per second between two readings of a counter; undefined when unknown or when the counter restarted. */
export function rate(now: number | undefined, before: number | undefined, seconds: number): number | undefined {
  if (now === undefined || before === undefined || seconds <= 0 || now < before) return undefined;
  return (now - before) / seconds;
}

/** Records between a group's committed offsets and the ends of the partitions (nothing committed: all of it). */
export function groupLag(partitions: ReadonlyArray<{ high: bigint; committed: bigint }>): number {
  let sum = 0n;
  for (const p of partitions) {
    const done = p.committed < 0n ? 0n : p.committed;
    sum += p.high > done ? p.high - done : 0n;
  }
  return Number(sum);
}
