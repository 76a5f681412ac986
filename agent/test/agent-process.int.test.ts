import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMqttTopic, parseRecord, type Stream } from '@fleetlake/contracts';
import { awaitReady, spawnManaged, waitFor, type ManagedProcess } from '@fleetlake/testkit';
import { sharedMosquitto } from '@fleetlake/testkit/vitest';
import type { AgentStats } from '../src/agent.js';
import { startAedes, type AedesBroker } from './support/aedes.js';
import { seriesValue } from './support/prometheus.js';
import { subscribe, type Subscriber } from './support/subscriber.js';

/**
 * The requirement "fixes published match the NMEA fed in", as real processes: the simulator
 * (`fleetlake-sim trip`) feeds NMEA and data lines through socat ptys and JPEGs through a folder to
 * the built agent (`fleetlake-agent run`), which publishes to a real broker; a subscriber checks
 * every record against the simulator's ground truth and the contracts.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENT = join(ROOT, 'agent/dist/cli.js');
const SIM = join(ROOT, 'simulators/dist/cli.js');
const START = '2026-11-27T10:00:00.000Z';
const SIM_SECONDS = 60;
const BUDGET = 131_072;
const DEG = 1e-7;

interface Truth {
  time: string;
  lat: number;
  lon: number;
  hasFix: boolean;
  delivered: boolean;
}

/** JSON log lines (pino) in a process's output. */
function logLines(proc: ManagedProcess): Array<Record<string, unknown> & { msg?: string }> {
  return proc
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

const nearTruth = (truth: Truth[], lat: number, lon: number) => truth.some((t) => Math.abs(t.lat - lat) <= DEG && Math.abs(t.lon - lon) <= DEG);

async function runTrip(brokerUrl: string, protocolVersion: 4 | 5, deviceId: string, dir: string, procs: ManagedProcess[]) {
  const gpsLink = join(dir, 'gps');
  const dataLink = join(dir, 'data');
  const frames = join(dir, 'frames');
  const truthFile = join(dir, 'truth.jsonl');
  await mkdir(frames);
  const sub: Subscriber = await subscribe(brokerUrl, `fleetlake/v1/+/#`, `e2e-${deviceId}-${process.pid}`, protocolVersion);
  try {
    const configFile = join(dir, 'agent.yaml');
    await writeFile(
      configFile,
      [
        `deviceId: ${deviceId}`,
        `dataDir: ${join(dir, 'data-dir')}`,
        'mqtt:',
        `  url: ${brokerUrl}`,
        `  protocolVersion: ${protocolVersion}`,
        '  reconnect: { baseMs: 100, maxMs: 500 }',
        'gps:',
        `  device: ${gpsLink}`,
        '  reconnectBaseMs: 20',
        '  reconnectMaxMs: 50',
        'camera:',
        `  folder: ${frames}`,
        '  intervalSeconds: 0.3',
        'inputs:',
        `  sources: ["serial://${dataLink}"]`,
        '  reconnect: { baseMs: 20, maxMs: 50 }',
        'http: { port: 0 }',
        'statsIntervalMs: 1000',
        '',
      ].join('\n'),
    );
    const agent = spawnManaged('fleetlake-agent', process.execPath, [AGENT, 'run', '--config', configFile], { cwd: ROOT });
    procs.push(agent);
    const listening = await awaitReady(
      agent,
      waitFor(() => logLines(agent).find((l) => l.msg === 'agent http listening'), { timeoutMs: 20_000, intervalMs: 50, what: '"agent http listening" in the agent log' }),
    );
    const base = `http://127.0.0.1:${listening.port as number}`;
    expect(listening).toMatchObject({ host: '127.0.0.1', url: base });

    // The agent is up and polls for its devices every 50 ms: the simulator's ptys appear, it opens them.
    // 60 simulated seconds at 10x: 60 NMEA epochs, a frame every 10 s, weather every 10 s, vehicle every 5 s.
    const sim = spawnManaged('fleetlake-sim', process.execPath, [
      SIM, 'trip', '--gps-out', `pty:${gpsLink}`, '--data-out', `pty:${dataLink}`, '--frames-dir', frames, '--truth', truthFile,
      '--seed', '7', '--start', START, '--duration', String(SIM_SECONDS), '--speed', '10',
      '--frame-every', '10', '--weather-every', '10', '--vehicle-every', '5', '--incidents-per-hour', '120', '--width', '640', '--height', '360',
    ], { cwd: ROOT });
    procs.push(sim);
    await awaitReady(sim, waitFor(() => existsSync(gpsLink) && existsSync(dataLink), { timeoutMs: 20_000, intervalMs: 20, what: 'the simulator ptys' }));

    const simExit = await sim.exited;
    expect(simExit, sim.output().slice(-3000)).toEqual({ code: 0, signal: null });
    const simDone = logLines(sim).find((l) => l.msg === 'trip finished') as { data: { lines: Record<string, number>; frames: number } } | undefined;
    expect(simDone, sim.output().slice(-2000)).toBeDefined();

    // The trip is over: let the camera look at its folder twice more (it takes the newest picture on
    // each tick), then wait until the agent has nothing left to send and the subscriber has it all.
    const ticks = async () => ((await (await fetch(`${base}/stats`)).json()) as AgentStats).camera?.captures ?? 0;
    const ticksAtEnd = await ticks();
    await waitFor(async () => (await ticks()) >= ticksAtEnd + 2, { timeoutMs: 10_000, what: 'two more camera ticks' });
    const delivered = () => sub.received.filter((m) => !m.topic.endsWith('/status')).length;
    let last: AgentStats | undefined;
    const metrics = await waitFor(
      async () => {
        const stats = (last = (await (await fetch(`${base}/stats`)).json()) as AgentStats);
        const text = await (await fetch(`${base}/metrics`)).text();
        return stats.outbox.pending === 0 && stats.mqtt.inflight === 0 && delivered() >= stats.outbox.appended && stats.outbox.appended > 0 ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the agent outbox to be empty and every entry delivered' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; delivered ${delivered()}, last /stats ${JSON.stringify(last)}\n${agent.output().slice(-3000)}`);
    });
    expect(seriesValue(metrics, 'fleetlake_agent_gps_sentences_accepted_total')).toBeGreaterThan(0);
    expect(seriesValue(metrics, 'fleetlake_agent_mqtt_connected')).toBe(1);

    await agent.stop();
    expect((await agent.exited).code, agent.output().slice(-3000)).toBe(143);
    const stopped = logLines(agent).find((l) => l.msg === 'agent stopped') as unknown as AgentStats | undefined;
    expect(stopped, agent.output().slice(-3000)).toBeDefined();
    const truth = (await readFile(truthFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Truth);
    return { received: sub.received, stopped: stopped!, truth, simDone: simDone!, agentLog: () => agent.output().slice(-4000) };
  } finally {
    await sub.close();
  }
}

describe.each([
  { broker: 'Mosquitto', protocolVersion: 5 as const, start: async () => ({ url: (await sharedMosquitto()).url, stop: async () => undefined }) },
  {
    broker: 'aedes',
    protocolVersion: 4 as const, // aedes speaks MQTT 3.1.1
    start: async () => {
      const b: AedesBroker = await startAedes();
      return { url: b.url, stop: () => b.stop() };
    },
  },
])('the agent process fed by the simulator, publishing to $broker', ({ broker, protocolVersion, start }) => {
  const procs: ManagedProcess[] = [];
  let dir: string;
  let stopBroker: () => Promise<void> = async () => undefined;
  let url: string;

  beforeAll(async () => {
    // Tests run the built CLIs (as `npm test`, which builds first, and as a user would).
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'agent', 'simulators'], { cwd: ROOT, stdio: 'pipe' });
    dir = await mkdtemp(join(tmpdir(), 'agent-process-'));
    ({ url, stop: stopBroker } = await start());
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) await p.stop(5000);
    await stopBroker();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes gps_data equal to the NMEA fed in, every seq once, contract-valid data records stamped with GPS time and position, and camera frames with their traffic_data', async () => {
    const deviceId = `pi-e2e-${broker.toLowerCase()}`;
    const { received, stopped, truth, simDone, agentLog } = await runTrip(url, protocolVersion, deviceId, dir, procs);
    const mine = received.filter((m) => m.topic.startsWith(`fleetlake/v1/${deviceId}/`));
    const byStream = new Map<Stream, Array<{ payload: Buffer }>>();
    const jpegs = new Map<string, Buffer>();
    for (const m of mine) {
      const parsed = parseMqttTopic(m.topic);
      expect(parsed.ok, m.topic).toBe(true);
      if (!parsed.ok) continue;
      if (parsed.topic.kind === 'stream') byStream.set(parsed.topic.stream, [...(byStream.get(parsed.topic.stream) ?? []), m]);
      if (parsed.topic.kind === 'camera') jpegs.set(parsed.topic.frameId, m.payload);
    }
    const records = <S extends Stream>(stream: S) =>
      (byStream.get(stream) ?? []).map((m) => {
        const r = parseRecord(stream, m.payload, deviceId);
        if (!r.ok) throw new Error(`${stream} record refused by the contracts: ${JSON.stringify(r)}`);
        return r.value;
      });

    // Every stream's seqs are exactly 0..lastSeq (seq is per device and stream, from 0 on a fresh
    // dataDir), each delivered (re-sends may repeat one, never with other content), and the counts
    // in the agent's final log line match.
    for (const stream of ['gps', 'vehicle', 'weather', 'emergency', 'traffic'] as const) {
      const recs = records(stream);
      const distinct = [...new Set(recs.map((r) => r.seq))].sort((a, b) => a - b);
      expect(stopped.lastSeq[stream], `${stream}: lastSeq in "agent stopped" ${agentLog()}`).toBeGreaterThanOrEqual(0);
      expect(distinct, stream).toEqual(Array.from({ length: stopped.lastSeq[stream]! + 1 }, (_, i) => i));
      expect(stopped.captured[stream], stream).toBe(distinct.length);
    }
    expect(stopped.outbox.pending).toBe(0);

    // gps_data: one per NMEA epoch (1 s of GPS time), equal to the truth at that GPS time.
    const truthAt = new Map(truth.map((t) => [t.time, t]));
    const gps = records('gps');
    for (const g of gps) {
      const t = truthAt.get(g.timestamp);
      expect(t, `truth epoch for ${g.timestamp}`).toBeDefined();
      expect(Math.abs(g.latitude - t!.lat), g.timestamp).toBeLessThanOrEqual(DEG);
      expect(Math.abs(g.longitude - t!.lon), g.timestamp).toBeLessThanOrEqual(DEG);
      expect(g.timeSource).toBe('gps');
    }
    // Every epoch from the first one the agent saw (it opens the pty a moment after the simulator
    // starts writing) to the last: none skipped, none twice.
    const epochs = truth.filter((t) => t.hasFix).map((t) => t.time);
    const got = gps.map((g) => g.timestamp).sort();
    const from = epochs.indexOf(got[0]!);
    expect(from, `first gps_data ${got[0]}`).toBeGreaterThanOrEqual(0);
    expect(from, 'epochs missed before the agent opened the pty').toBeLessThanOrEqual(5);
    expect(got).toEqual(epochs.slice(from));
    expect(new Set(gps.map((g) => g.timestamp)).size).toBe(new Set(gps.map((g) => g.seq)).size);

    // Data lines: validated by the contracts, stamped with GPS time (within the trip) and a fix position.
    const first = Date.parse(truth[0]!.time);
    const last = Date.parse(truth.at(-1)!.time);
    const dataRecords = [...records('vehicle'), ...records('weather'), ...records('emergency')];
    for (const r of dataRecords) {
      expect(r.timeSource, JSON.stringify(r)).toBe('gps');
      expect(Date.parse(r.timestamp)).toBeGreaterThanOrEqual(first);
      expect(Date.parse(r.timestamp)).toBeLessThanOrEqual(last + 10_000);
      expect(nearTruth(truth, r.latitude, r.longitude), JSON.stringify(r)).toBe(true);
    }
    for (const stream of ['vehicle', 'weather', 'emergency'] as const) expect(records(stream).length, stream).toBeGreaterThan(0);
    // Exact accounting of the lines: each line read was captured or refused and counted; the only refusals
    // are lines that came before the first fix ended (the simulator writes its first data lines together
    // with the first NMEA epoch). The simulator writes its t=0 lines as soon as it made the pty; when the
    // agent opens it a moment later, serialport flushes the input queue on open, so those may never be read.
    const linesWritten = Object.values(simDone.data.lines).reduce((a, b) => a + b, 0);
    const linesRead = Object.values(stopped.inputs).reduce((n, c) => n + (c.lines ?? 0), 0);
    const linesCaptured = (['vehicle', 'weather', 'emergency'] as const).reduce((n, s) => n + (stopped.captured[s] ?? 0), 0);
    expect(Object.keys(stopped.rejected).filter((r) => r !== 'no_position'), 'only lines before the first fix may be refused').toEqual([]);
    // no_position also counts camera frames taken before the first fix (a loaded machine delays it), so
    // the lines refused are what was read and not captured, and no more than no_position counted.
    const linesRefused = linesRead - linesCaptured;
    expect(linesRefused).toBeGreaterThanOrEqual(0);
    expect(linesRefused).toBeLessThanOrEqual(Math.min(3, stopped.rejected.no_position ?? 0));
    expect(linesRead).toBeLessThanOrEqual(linesWritten);
    expect(linesRead, 'lines lost other than the t=0 ones (a vehicle and a weather line)').toBeGreaterThanOrEqual(linesWritten - 2);

    // Camera: raw JPEGs within the payload budget, each described by a traffic_data record.
    const traffic = records('traffic');
    expect(jpegs.size).toBeGreaterThan(0);
    // Every frame the camera made has its traffic_data record, except those refused for want of a fix.
    const framesRefused = (stopped.rejected.no_position ?? 0) - linesRefused;
    expect(framesRefused).toBeGreaterThanOrEqual(0);
    expect(traffic.length + framesRefused).toBe(stopped.camera!.frames);
    expect(new Set(traffic.map((t) => t.frameId))).toEqual(new Set(jpegs.keys()));
    for (const t of traffic) {
      const jpeg = jpegs.get(t.frameId)!;
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
      expect(jpeg.length).toBeLessThanOrEqual(BUDGET);
      expect(t.bytes).toBe(jpeg.length);
      expect(t.timeSource).toBe('gps');
      expect(nearTruth(truth, t.latitude, t.longitude)).toBe(true);
    }
    console.info(
      `agent-process (${broker}): ${gps.length}/${truth.length} epochs as gps_data (first ${from} missed), ${dataRecords.length} data records of ${linesWritten} lines, ${traffic.length} frames of ${simDone.data.frames} (${[...jpegs.values()].map((j) => j.length).join(', ')} bytes), rejected ${JSON.stringify(stopped.rejected)}, inputs ${JSON.stringify(stopped.inputs)}`,
    );
  }, 90_000);
});
