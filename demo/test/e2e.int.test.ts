import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fleetlake/core';
import { waitFor } from '@fleetlake/testkit';
import { scrape } from '../src/endpoints.js';
import { Pipeline } from '../src/pipeline.js';
import { total } from '@fleetlake/console';
import { collectStatus, drained, type StatusSnapshot } from '../src/status.js';
import { Vehicle } from '../src/vehicle.js';
import { checkLake, readTruth } from './lake-checks.js';

/**
 * The whole chain as a user runs it: fleetlake-sim trip -> socat pty -> fleetlake-agent run ->
 * (network) -> fleetlake-bridge run -> Kafka -> fleetlake-sink run -> local lake, read back with the
 * same tables and dedup views operators use in Athena.
 */
const log = createLogger('e2e', { level: 'warn' });
const devices = [
  { deviceId: 'e2e-van-1', password: 'first-van-password' },
  { deviceId: 'e2e-van-2', password: 'second-van-password' },
];
let pipeline: Pipeline;
const vehicles: Vehicle[] = [];
const dir = mkdtempSync(join(tmpdir(), 'fleetlake-e2e-'));

beforeAll(async () => {
  pipeline = await Pipeline.start({ dir, devices, logger: log });
}, 300_000);

afterAll(async () => {
  for (const v of vehicles) await v.stop();
  await pipeline?.stop();
  await rm(dir, { recursive: true, force: true });
}, 120_000);

async function status(v: Vehicle, done = false): Promise<StatusSnapshot> {
  return collectStatus(pipeline, v, done);
}

/** Waits until everything the agent captured is acknowledged, in Kafka, consumed and stored. */
async function drain(v: Vehicle): Promise<NonNullable<StatusSnapshot['agent']>> {
  const s = await waitFor(async () => {
    const s = await status(v, true);
    return drained(s) && s.agent!.published >= s.agent!.captured ? s : undefined;
  }, { timeoutMs: 180_000, intervalMs: 500, what: 'every captured record to reach the lake' });
  return s.agent!;
}

describe('end to end: simulated trip -> virtual serial port -> agent -> bridge -> Kafka -> sink -> lake', () => {
  it('the whole London -> Birmingham trip arrives once, equals the ground truth and measures the route within 0.5%', async () => {
    const v = await Vehicle.start({ dir, ...devices[0]!, mqttUrl: pipeline.mqttUrl, trip: { tripMinutes: 1.5, seed: 11, frameEveryS: 300, incidentsPerHour: 6 }, cameraIntervalS: 3, logger: log });
    vehicles.push(v);
    await v.tripDone;
    const agent = await drain(v);
    const result = await checkLake(pipeline.lakeDir, v.deviceId, agent, readTruth(v.truthFile));
    // The trip covers the route: start to finish, so the SQL distance also matches the route's length.
    expect(Math.abs(result.sqlKm - v.info.lengthKm) / v.info.lengthKm).toBeLessThanOrEqual(0.005);
    expect(result.frames).toBeGreaterThan(5);
    expect(agent.capturedByStream.weather ?? 0).toBeGreaterThan(0);
    expect(agent.capturedByStream.vehicle ?? 0).toBeGreaterThan(0);
    console.info(`e2e trip: ${JSON.stringify({ ...result, route: v.info.lengthKm, captured: agent.captured })}`);
    await v.stop();
  }, 400_000);

  it('the network cut for a while, the bridge and the sink each killed once: still nothing lost', async () => {
    const v = await Vehicle.start({ dir, ...devices[1]!, mqttUrl: pipeline.mqttUrl, trip: { tripMinutes: 1, durationS: 3600, seed: 12, frameEveryS: 300, incidentsPerHour: 6 }, cameraIntervalS: 3, logger: log });
    vehicles.push(v);
    const simSecond = (t: number) => waitFor(() => (v.progress()?.t ?? 0) >= t, { timeoutMs: 120_000, what: `simulated second ${t}` });

    await simSecond(300);
    pipeline.network.cut();
    // The agent keeps capturing into its outbox while the link is down.
    const during = await waitFor(async () => {
      const a = (await status(v)).agent;
      return a && !a.connected && a.pending >= 300 ? a : undefined;
    }, { timeoutMs: 60_000, what: 'the agent to hold 300 records in its outbox with the network cut' });
    pipeline.network.restore();
    expect(pipeline.network.counters.dropped + pipeline.network.counters.refused).toBeGreaterThan(0);

    await simSecond(1500);
    await pipeline.crash('bridge');
    await simSecond(2400);
    await pipeline.crash('sink');

    await v.tripDone;
    const agent = await drain(v);
    expect(agent.captured).toBeGreaterThan(during.captured);
    // The faults were felt: the agent connected once, again after the cut, again after the bridge died.
    expect(total(await scrape(v.agentHttpPort), 'fleetlake_agent_mqtt_connects_total')).toBeGreaterThanOrEqual(3);
    const result = await checkLake(pipeline.lakeDir, v.deviceId, agent, readTruth(v.truthFile));
    console.info(`e2e faults: ${JSON.stringify({ ...result, heldDuringCut: during.pending, captured: agent.captured })}`);
    await v.stop();
  }, 400_000);
});
