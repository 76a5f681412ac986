import { readAgentStage, readBridgeStage, readSinkStage, type AgentStage, type BridgeStage, type SinkStage } from '@fleetlake/console';
import { scrape } from './endpoints.js';
import type { Pipeline } from './pipeline.js';
import type { TruthEpoch, Vehicle } from './vehicle.js';

/** What every stage reports at one moment; `undefined` = the stage does not answer (down, restarting). */
export interface StatusSnapshot {
  atMs: number;
  trip?: { km: number; lengthKm: number; simTime: string; done: boolean } | undefined;
  agent?: AgentStage | undefined;
  bridge?: BridgeStage | undefined;
  kafka?: { sinkLag: number } | undefined;
  sink?: SinkStage | undefined;
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
  return {
    atMs: Date.now(),
    trip: vehicle && truth ? { km: truth.distanceM / 1000, lengthKm: vehicle.info.lengthKm, simTime: truth.time, done: tripDone } : undefined,
    agent: agentM && readAgentStage(agentM),
    bridge: bridgeM && readBridgeStage(bridgeM),
    kafka: lag === undefined ? undefined : { sinkLag: lag },
    sink: sinkM && readSinkStage(sinkM),
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
