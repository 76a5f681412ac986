// Benchmark: N gps_data records from Kafka to stored Parquet in a local lake, through the real
// `fleetlake-sink run` process. Prints records/s, MB/s (Kafka record bytes in) and the sink's peak RSS.
// Also prints the sink's CPU time per 1000 records (user + system, all its threads, DuckDB included):
// on a shared machine wall-clock figures swing with the other work, CPU time much less.
// Usage: npm run bench:sink [-- records partitions]     (builds first)
//        SINK_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:sink   (profile the sink)
//        BENCH_SINK_CPUS=0 npm run bench:sink   (the sink process alone on CPU 0, `taskset -c 0`: the
//        one-core figure; Kafka and this script stay unpinned)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { readProcStat, readThreadStats, shebangNodeArgs, startKafka, waitFor } from '@fleetlake/testkit';
import { gpsRecord } from './gen.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const PARTITIONS = Number(process.argv[3] ?? 2);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const lake = mkdtempSync(join(tmpdir(), 'sink-bench-lake-'));
const kafkaBroker = await startKafka({ heapMb: 1024 });
const brokers = kafkaBroker.brokers;
const kafka = new Kafka({ brokers, clientId: 'sink-bench', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
let child;
try {
  await admin.connect();
  // Every topic the sink subscribes to exists (as in a deployment); only gps_data gets records.
  const topics = ['gps_data', 'vehicle_data', 'traffic_data', 'weather_data', 'emergency_data', 'camera_frames'];
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let inBytes = 0;
  const tp0 = performance.now();
  for (let i = 0; i < N; i += 2500) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 2500); j++) {
      const r = gpsRecord(j);
      const value = JSON.stringify(r);
      inBytes += Buffer.byteLength(value);
      messages.push({ key: r.deviceId, value });
    }
    await producer.send({ topic: 'gps_data', messages, acks: -1 });
  }
  await producer.disconnect();
  console.log(`produced ${N} gps_data records (${(inBytes / 1e6).toFixed(1)} MB) into ${PARTITIONS} partitions in ${((performance.now() - tp0) / 1000).toFixed(1)} s`);

  const t0 = performance.now();
  // The node flags of the bin's shebang (`#!/usr/bin/env -S node --single-threaded-gc`): the sink runs
  // as `fleetlake-sink` and the image starts it; then SINK_BENCH_NODE_ARGS.
  const nodeArgs = [...shebangNodeArgs(cli), ...(process.env.SINK_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const cpus = process.env.BENCH_SINK_CPUS;
  // taskset execs node in place, so child.pid is the sink's pid either way.
  const [cmd, ...pin] = cpus ? ['taskset', '-c', cpus, process.execPath] : [process.execPath];
  child = spawn(cmd, [...pin, ...nodeArgs, cli, 'run', '--brokers', brokers.join(','), '--lake', lake, '--group', 'bench', '--http-port=-1'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FLEETLAKE_LOG_LEVEL: 'warn', FLEETLAKE_SINK_ROLL__MAX_RECORDS: '250000', FLEETLAKE_SINK_ROLL__IDLE_MARKER_MS: '250' },
  });
  const early = new AbortController();
  child.once('exit', (code, signal) => early.abort(new Error(`sink exited early (${code ?? signal})`)));
  let tFirst;
  let tJoined; // the sink's consumer joined its group: consuming starts
  let peakKb = 0;
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  // utime + stime of the whole process and of each of its threads (by thread id).
  const cpuMs = () => readProcStat(`/proc/${child.pid}/stat`).cpuMs;
  const threadCpuMs = () => new Map([...readThreadStats(child.pid)].map(([tid, t]) => [tid, t.cpuMs]));
  let joinCpu; // process and per-thread CPU when the group was joined
  await waitFor(
    async () => {
      peakKb = Number(/VmHWM:\s+(\d+)/.exec(status())?.[1] ?? peakKb);
      if (tJoined === undefined) {
        const [group] = (await admin.describeGroups(['bench'])).groups;
        if (group?.state === 'Stable' && group.members.length > 0) {
          tJoined = performance.now();
          joinCpu = { total: cpuMs(), threads: threadCpuMs() };
        }
      }
      const [c] = await admin.fetchOffsets({ groupId: 'bench', topics: ['gps_data'] });
      const ends = await admin.fetchTopicOffsets('gps_data');
      const committed = c.partitions.reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
      if (committed > 0 && tFirst === undefined) tFirst = performance.now();
      return ends.every((e) => Number(c.partitions.find((p) => p.partition === e.partition)?.offset ?? -1) >= Number(e.high));
    },
    { timeoutMs: 900_000, intervalMs: 100, what: 'the sink to commit every offset', signal: early.signal },
  );
  const tLast = performance.now();
  const secs = (tLast - t0) / 1000;
  const consumingSecs = (tLast - tJoined) / 1000;
  const sinkCpuMs = cpuMs();
  const threadsEnd = threadCpuMs();
  const files = await import('@duckdb/node-api').then(async ({ DuckDBInstance }) => {
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const r = (await con.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT filename)::INT AS f FROM read_parquet('${lake}/gps_data/*/*.parquet', filename = true)`)).getRowObjectsJson()[0];
    con.closeSync();
    inst.closeSync();
    return r;
  });
  if (Number(files.n) !== N) throw new Error(`lake holds ${files.n} rows, expected ${N}`);
  const exit = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exit;
  child = undefined;
  console.log(`lake: ${files.n} rows in ${files.f} Parquet files; first commit after ${((tFirst - t0) / 1000).toFixed(1)} s (process start, group join, first segment)`);
  console.log(`wall time from process start to last commit: ${secs.toFixed(1)} s on a 2-core machine shared with other work (${Math.round(N / secs)} records/s)`);
  console.log(`from group join to last commit: ${consumingSecs.toFixed(1)} s (process start, DuckDB load, Kafka connect and join took ${((tJoined - t0) / 1000).toFixed(1)} s)`);
  const per1000 = (ms) => ((ms / N) * 1000).toFixed(1);
  console.log(`sink CPU (user + system, process start to last commit): ${(sinkCpuMs / 1000).toFixed(1)} s, ${per1000(sinkCpuMs)} ms per 1000 records`);
  // The measured window (group join to last commit), split by thread. Node 20 names every thread
  // "node"; they are told apart by creation order: the main thread, then V8's platform threads (one
  // delayed-task thread and --v8-pool-size workers, 4 by default: GC helpers, concurrent marking,
  // compilers), then libuv's pool (DuckDB's queries run there, as do file writes) and any later ones.
  const windowCpuMs = sinkCpuMs - joinCpu.total;
  const tids = [...threadsEnd.keys()].sort((a, b) => a - b);
  const poolSize = Number(/--v8-pool-size=(\d+)/.exec(nodeArgs.join(' '))?.[1] ?? 4);
  const groups = { main: 0, v8: 0, later: 0 };
  tids.forEach((tid, i) => {
    const ms = threadsEnd.get(tid) - (joinCpu.threads.get(tid) ?? 0);
    groups[i === 0 ? 'main' : i <= poolSize + 1 ? 'v8' : 'later'] += ms;
  });
  // The process's total and the sum of its threads' ticks are read apart: a few ticks either way are not a thread.
  const ended = windowCpuMs - groups.main - groups.v8 - groups.later;
  const endedText = ended > 0 && per1000(ended) !== '0.0' ? `, threads that ended ${per1000(ended)}` : '';
  console.log(
    `sink CPU from group join to last commit: ${per1000(windowCpuMs)} ms per 1000 records, ${(windowCpuMs / 1000 / consumingSecs).toFixed(2)} cores${cpus ? ` (pinned: taskset -c ${cpus})` : ''}`,
  );
  console.log(
    `  main thread ${per1000(groups.main)}, V8 platform threads (GC helpers, concurrent marking, compilers) ${per1000(groups.v8)}, ` +
      `libuv pool and later threads (DuckDB, file writes) ${per1000(groups.later)}${endedText} ms per 1000`,
  );
  // Throughput from Kafka to stored Parquet: consuming, Parquet, storing and committing all of it, not
  // the one-time start of the process (the line above gives the figure with it).
  console.log(`sink: ${Math.round(N / consumingSecs)} records/s, ${(inBytes / 1e6 / consumingSecs).toFixed(1)} MB/s, ${Math.round(peakKb / 1024)} MB peak RSS`);
} finally {
  child?.kill('SIGKILL');
  await admin.disconnect().catch(() => undefined);
  await kafkaBroker.stop();
  rmSync(lake, { recursive: true, force: true });
}
