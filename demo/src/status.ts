import { scrape } from './endpoints.js';
import type { Pipeline } from './pipeline.js';
import { byLabel, total } from './prometheus-text.js';
import type { TruthEpoch, Vehicle } from './vehicle.js';

/** What every stage reports at one moment; `undefined` = the stage does not answer (down, restarting). */
export interface StatusSnapshot {
  atMs: number;
  trip?: { km: number; lengthKm: number; simTime: string; done: boolean } | undefined;
  agent?: {
    captured: number;
    published: number;
    pending: number;
    connected: boolean;
    capturedByStream: Record<string, number>;
    /** seq is per (device, stream), from 0: the last one assigned in this run, by stream. */
    lastSeqByStream: Record<string, number>;
  } | undefined;
  bridge?: { received: number; produced: number; buffered: number; deadLetters: number; kafkaUp: boolean; clients: number } | undefined;
  kafka?: { sinkLag: number } | undefined;
  sink?: { records: number; buffered: number; parquetFiles: number; frames: number; deadLetters: number } | undefined;
  network?: { cut: boolean } | undefined;
}

/** Reads the stages' /metrics, the sink group's lag in Kafka and the trip's ground truth. */
export async function collectStatus(pipeline: Pipeline, vehicle: Vehicle | undefined, tripDone: boolean): Promise<StatusSnapshot> {
  const [agentM, bridgeM, sinkM, lag] = await Promise.all([
    vehicle ? scrape(vehicle.agentHttpPort) : undefined,
    scrape(pipeline.ports.bridgeHttp),
    scrape(pipeline.ports.sinkHttp),
    pipeline.sinkLag().catch(() => undefined),
  ]);
  const truth: TruthEpoch | undefined = vehicle?.progress();
  const objects = byLabel(sinkM, 'fleetlake_sink_objects_written_total', 'kind');
  return {
    atMs: Date.now(),
    trip: vehicle && truth ? { km: truth.distanceM / 1000, lengthKm: vehicle.info.lengthKm, simTime: truth.time, done: tripDone } : undefined,
    agent: agentM && {
      captured: total(agentM, 'fleetlake_agent_captured_total'),
      capturedByStream: byLabel(agentM, 'fleetlake_agent_captured_total', 'stream'),
      published: total(agentM, 'fleetlake_agent_published_total'),
      pending: total(agentM, 'fleetlake_agent_outbox_pending_records'),
      lastSeqByStream: byLabel(agentM, 'fleetlake_agent_last_seq', 'stream'),
      connected: total(agentM, 'fleetlake_agent_mqtt_connected') === 1,
    },
    bridge: bridgeM && {
      received: total(bridgeM, 'fleetlake_bridge_received_total'),
      produced: total(bridgeM, 'fleetlake_bridge_produced_total'),
      buffered: total(bridgeM, 'fleetlake_bridge_buffered_records'),
      deadLetters: total(bridgeM, 'fleetlake_bridge_dead_letters_total'),
      kafkaUp: total(bridgeM, 'fleetlake_bridge_kafka_up') === 1,
      clients: total(bridgeM, 'fleetlake_bridge_connected_clients'),
    },
    kafka: lag === undefined ? undefined : { sinkLag: lag },
    sink: sinkM && {
      // Flush markers are the sink's own bookkeeping, not data.
      records: total(sinkM, 'fleetlake_sink_records_total') - total(sinkM, 'fleetlake_sink_records_total', { kind: 'marker' }),
      buffered: total(sinkM, 'fleetlake_sink_buffered_records'),
      parquetFiles: objects.parquet ?? 0,
      frames: objects.jpeg ?? 0,
      deadLetters: total(sinkM, 'fleetlake_sink_dead_letters_total'),
    },
    network: { cut: pipeline.network.cutNow },
  };
}

/**
 * Everything captured has reached the lake: the agent's outbox is empty and all it captured is
 * acknowledged, the bridge holds nothing, the sink's group has no lag and no open file.
 */
export function drained(s: StatusSnapshot): boolean {
  return Boolean(
    s.agent && s.agent.pending === 0 && s.agent.connected &&
    s.bridge && s.bridge.buffered === 0 &&
    s.kafka && s.kafka.sinkLag === 0 &&
    s.sink && s.sink.buffered === 0,
  );
}
