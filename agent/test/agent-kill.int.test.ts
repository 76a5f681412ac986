import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusMqttTopic, streamMqttTopic } from '@fleetlake/contracts';
import { freePort, waitFor } from '@fleetlake/testkit';
import { startAedes, type AedesBroker } from './support/aedes.js';
import { firstArrivals } from './support/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'agent/dist/cli.js');
const DEVICE = 'pi-kill-01';

interface Running {
  child: ChildProcess;
  captured: Array<{ seq: number; id: string }>;
  exited: Promise<number | null>;
  log: () => string;
}

/** Spawns the built agent; collects the records it logged as captured (logged only after fsync). */
function spawnAgent(configFile: string): Running {
  const child = spawn(process.execPath, [CLI, 'run', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const captured: Running['captured'] = [];
  let buf = '';
  let all = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    all = (all + chunk.toString()).slice(-20_000);
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const rec = JSON.parse(line) as { msg?: string; seq?: number; id?: string; stream?: string };
        if (rec.msg === 'captured' && rec.stream === 'vehicle') captured.push({ seq: rec.seq!, id: rec.id! });
      } catch {
        /* not a log line */
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, captured, exited, log: () => all };
}

/** Writes vehicle JSON lines to the agent's TCP input as fast as `perTick` every 5 ms, reconnecting when it goes away. */
function startFeeder(port: number) {
  let sock: Socket | undefined;
  let n = 0;
  const timer = setInterval(() => {
    if (!sock) {
      const s = connect({ host: '127.0.0.1', port });
      s.on('error', () => undefined);
      s.on('close', () => {
        if (sock === s) sock = undefined;
      });
      sock = s;
      return;
    }
    if (!sock.writable || sock.connecting) return;
    let text = '';
    for (let i = 0; i < 4; i++) {
      text += `${JSON.stringify({ stream: 'vehicle', speed: 50, direction: 'North', make: 'VW', model: `run-${n++}`, year: 2020, fuelType: 'Diesel', latitude: 52.1, longitude: 4.3 })}\n`;
    }
    sock.write(text);
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      sock?.destroy();
    },
  };
}

describe('the agent killed with SIGKILL repeatedly while publishing', () => {
  let broker: AedesBroker;
  let dir: string;
  const children: Running[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'agent'], { cwd: ROOT, stdio: 'pipe' });
    broker = await startAedes();
    dir = await mkdtemp(join(tmpdir(), 'agent-kill-'));
  });
  afterAll(async () => {
    for (const r of children) {
      if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
      r.child.kill('SIGKILL');
      await r.exited;
    }
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every record captured before each kill after restart (duplicates allowed, each with its original seq)', async () => {
    const inputPort = await freePort();
    const configFile = join(dir, 'agent.yaml');
    await writeFile(
      configFile,
      [
        `deviceId: ${DEVICE}`,
        `dataDir: ${join(dir, 'data')}`,
        'mqtt:',
        `  url: ${broker.url}`,
        '  protocolVersion: 4',
        '  replayRatePerSecond: 400',
        '  reconnect: { baseMs: 50, maxMs: 300 }',
        'outbox:',
        '  checkpointIntervalMs: 100',
        '  segmentBytes: 65536',
        'inputs:',
        `  sources: ["tcp-listen://127.0.0.1:${inputPort}"]`,
        'statsIntervalMs: 0',
        'log: { level: debug }',
        '',
      ].join('\n'),
    );
    const feeder = startFeeder(inputPort);
    try {
      for (let round = 0; round < 5; round++) {
        const run = spawnAgent(configFile);
        children.push(run);
        // Let it capture a varying amount, then kill it mid-stream.
        const target = 150 + round * 60;
        await waitFor(() => run.captured.length >= target || run.child.exitCode !== null, { timeoutMs: 60_000, what: `round ${round} capturing` });
        expect(run.child.exitCode, run.log()).toBeNull();
        run.child.kill('SIGKILL');
        await run.exited;
      }
    } finally {
      feeder.stop();
    }
    const last = spawnAgent(configFile);
    children.push(last);
    const captured = children.flatMap((r) => r.captured);
    const topic = streamMqttTopic(DEVICE, 'vehicle');
    const received = () => broker.received.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload.toString()) as { seq: number; id: string; model: string });
    await waitFor(
      () => {
        const got = new Set(received().map((r) => r.id));
        return captured.every((c) => got.has(c.id));
      },
      { timeoutMs: 90_000, what: 'every captured record to arrive after the restarts' },
    );
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(143); // stopped cleanly by SIGTERM (core stopOnSignals convention)

    const recs = received();
    // Each record kept its original seq: one id per seq, and the captured (id, seq) pairs match.
    const idBySeq = new Map<number, string>();
    for (const r of recs) {
      expect(idBySeq.get(r.seq) ?? r.id, `seq ${r.seq} reused`).toBe(r.id);
      idBySeq.set(r.seq, r.id);
    }
    for (const c of captured) expect(idBySeq.get(c.seq)).toBe(c.id);
    // In order: first arrivals have strictly increasing seq, across all restarts.
    const firsts = firstArrivals(recs.map((r) => r.seq));
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(captured.length).toBeGreaterThanOrEqual(5 * 150);
    const duplicates = recs.length - firsts.length;
    console.info(`agent-kill: ${captured.length} records logged as captured over 5 kills, ${firsts.length} distinct delivered, ${duplicates} duplicates`);
    const statuses = broker.received.filter((m) => m.topic === statusMqttTopic(DEVICE)).map((m) => (JSON.parse(m.payload.toString()) as { status: string }).status);
    expect(statuses.at(-1)).toBe('offline');
  });
});
