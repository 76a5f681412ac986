import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@fleetlake/testkit';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { LakeQuery } from '../src/lake-query.js';
import { caughtUp, createTopics, duck, kafkaClient, produce, waitCaughtUp } from './harness.js';

/** The built CLI, as operators run it (the test suite builds before it runs). */
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const KILLS = Number(process.env.SINK_KILLS ?? 20);
const PARTS = 4;
const PER_PART = { gps: 6000, vehicle: 2000, traffic: 200 };
const INVALID_PER_PART = 5;

describe(`sink killed with SIGKILL ${KILLS} times while consuming`, () => {
  const prefix = `kill${Date.now()}.`;
  const group = `${prefix}sink`;
  const lake = mkdtempSync(join(tmpdir(), 'sink-kill-'));
  let child: ChildProcess | undefined;

  let stderr = '';
  const spawnSink = (brokers: string[], httpPort = -1) => {
    stderr = '';
    const proc = spawn(process.execPath, [CLI, 'run', '--brokers', brokers.join(','), '--lake', lake, '--group', group, `--http-port=${httpPort}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        FLEETLAKE_LOG_LEVEL: 'warn',
        FLEETLAKE_SINK_KAFKA__TOPIC_PREFIX: prefix,
        FLEETLAKE_SINK_KAFKA__SESSION_TIMEOUT_MS: '6000',
        FLEETLAKE_SINK_ROLL__MAX_RECORDS: '700',
        FLEETLAKE_SINK_ROLL__IDLE_MARKER_MS: '300',
      },
    });
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    return proc;
  };

  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(lake, { recursive: true, force: true });
  });

  it('ends with every record in the lake exactly once and no stray objects', async () => {
    const { brokers } = await sharedKafka();
    const topics = await createTopics(brokers, prefix, 2);
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    const committedTotal = async () => {
      let n = 0n;
      for (const t of topics) for (const p of (await admin.fetchOffsets({ groupId: group, topics: [t] }))[0]!.partitions) if (BigInt(p.offset) > 0n) n += BigInt(p.offset);
      return n;
    };
    try {
      for (let k = 0; k < KILLS; k++) {
        if (k % (KILLS / PARTS) === 0) {
          const part = k / (KILLS / PARTS);
          await produce(brokers, prefix, { counts: PER_PART, devices: 7, frames: true, invalid: INVALID_PER_PART, from: part * 100_000 });
        }
        // The group coordinator may still be loading on a fresh broker: retry until it answers.
        const { v: before } = await waitFor(async () => ({ v: await committedTotal() }), { timeoutMs: 60_000, what: 'committed offsets' });
        const proc = spawnSink(brokers);
        child = proc;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        // Kill at a random point after the sink made progress (or once it is idle with nothing left).
        await waitFor(async () => (await committedTotal()) > before || (await caughtUp(admin, group, topics)), { timeoutMs: 90_000, intervalMs: 50, what: 'sink progress' });
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 800)));
        proc.kill('SIGKILL');
        await exited;
        child = undefined;
      }
      // A last run to the end, stopped gracefully.
      const port = await freePort();
      const last = spawnSink(brokers, port);
      child = last;
      // Running (signal handlers installed, consumer started) before it is asked to stop.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, { timeoutMs: 60_000, what: 'the last sink to be healthy' });
      await waitCaughtUp(brokers, group, topics, 180_000);
      const done = new Promise((r) => last.once('exit', (code, signal) => r(code ?? signal)));
      last.kill('SIGTERM');
      const code = await done;
      if (code !== 0 && code !== 143) console.error(stderr);
      expect([0, 143]).toContain(code);
      child = undefined;
    } finally {
      await admin.disconnect();
    }

    const q = await LakeQuery.open(lake);
    try {
      const total = (t: string) => q.query(`SELECT count(*)::INT AS n, count(DISTINCT (deviceId, seq))::INT AS d FROM ${t}`).then((r) => r.rows[0]);
      expect(await total('gps_data')).toEqual({ n: PER_PART.gps * PARTS, d: PER_PART.gps * PARTS });
      expect(await total('vehicle_data')).toEqual({ n: PER_PART.vehicle * PARTS, d: PER_PART.vehicle * PARTS });
      expect(await total('traffic_data')).toEqual({ n: PER_PART.traffic * PARTS, d: PER_PART.traffic * PARTS });
    } finally {
      q.close();
    }
    const dead = await duck<{ n: number }>(`SELECT count(*)::INT AS n FROM read_json('${lake}/dead_letter/*/*.jsonl')`);
    expect(dead[0]!.n).toBe(INVALID_PER_PART * PARTS);
    const frames = readdirSync(join(lake, 'frames'), { recursive: true }).filter((f) => String(f).endsWith('.jpg'));
    expect(frames.length).toBe(PER_PART.traffic * PARTS);
    // No stray objects: every Parquet file's offset range is disjoint from every other file's of the
    // same partition (a stray would be an older, overlapping cut of the same records).
    const kv = await duck<{ f: string; k: string; v: string }>(
      `SELECT file_name AS f, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${lake}/*/dt=*/*.parquet') WHERE decode(key) IN ('fleetlake.kafka.topic','fleetlake.kafka.partition','fleetlake.kafka.startOffset','fleetlake.kafka.endOffset')`,
    );
    const files = new Map<string, Record<string, string>>();
    for (const r of kv) files.set(r.f, { ...files.get(r.f), [r.k]: r.v });
    const ranges = new Map<string, [bigint, bigint][]>();
    for (const m of files.values()) {
      const key = `${m['fleetlake.kafka.topic']}:${m['fleetlake.kafka.partition']}`;
      const list = ranges.get(key) ?? [];
      const range: [bigint, bigint] = [BigInt(m['fleetlake.kafka.startOffset']!), BigInt(m['fleetlake.kafka.endOffset']!)];
      if (!list.some(([a, b]) => a === range[0] && b === range[1])) list.push(range);
      ranges.set(key, list);
    }
    for (const list of ranges.values()) {
      list.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (let i = 1; i < list.length; i++) expect(list[i]![0]).toBeGreaterThan(list[i - 1]![1]);
    }
    // No temp files left behind by the killed processes once a sink has started again and stopped.
    expect(readdirSync(join(lake, '.tmp'))).toEqual([]);
  });
});

