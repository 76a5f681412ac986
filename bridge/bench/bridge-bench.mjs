#!/usr/bin/env node
/**
 * npm run bench:bridge — throughput and PUBACK latency of the bridge's embedded broker into Kafka.
 *
 * Starts a private Kafka broker (testkit; or uses BENCH_KAFKA_BROKERS), runs the bridge as a child
 * process (`fleetlake-bridge run`, built dist/), connects BENCH_DEVICES (1000) devices at QoS 1 with
 * password authentication, then:
 *   1. sustained: every device keeps BENCH_WINDOW messages unacknowledged for BENCH_MAX_SECONDS;
 *      acknowledged messages per second (this also warms up the JIT of the bridge and of Kafka);
 *   2. fixed rate: BENCH_RATE (10,000) msg/s spread over all devices and over time (BENCH_TICK_MS, 1) for BENCH_RATE_SECONDS; PUBACK
 *      latency p50/p99 (send → PUBACK, and a PUBACK means Kafka acknowledged with acks=all).
 * The bridge's CPU (from /proc) and RSS are sampled in each phase. The load generator speaks MQTT
 * with mqtt-packet directly (no mqtt.js) so that it costs as little CPU as possible: it shares the
 * machine with the bridge and the Kafka broker, and all figures are measured under that contention.
 * Diagnostics: BENCH_LATENCY_OUT=file writes phase 2's messages as "send time (epoch ms) latency (ms)"
 * lines (to tell isolated slow messages from stalls that hold everyone up); BENCH_KAFKA_PROPS=k=v,k=v
 * adds broker properties; BENCH_KAFKA_DISK=1 keeps the broker's log on disk (default: /dev/shm);
 * BENCH_NODE_ARGS, BENCH_BRIDGE_OUT, BENCH_LINGER_MS (default: the bridge's).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mqttPacket from 'mqtt-packet';
import { startKafka, spawnManaged, freePort, waitFor, readProcStat, readThreadStats, shebangNodeArgs } from '@fleetlake/testkit';
import { createKafka, createTopics, hashPassword } from '@fleetlake/bridge';

const env = (name, def) => Number(process.env[name] ?? def);
const DEVICES = env('BENCH_DEVICES', 1000);
const RATE = env('BENCH_RATE', 10_000);
const RATE_SECONDS = env('BENCH_RATE_SECONDS', 15);
const MAX_SECONDS = env('BENCH_MAX_SECONDS', 20);
const WINDOW = env('BENCH_WINDOW', 20);
const TICK_MS = env('BENCH_TICK_MS', 1);
const WARMUP_SECONDS = 3;
const PASSWORD = 'bench-secret';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const LOOP_MONITOR_MS = 10; // prom-client's eventLoopMonitoringPrecision (default)

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** utime+stime (ms) and RSS (MB) of a process, from /proc. */
function procSample(pid) {
  const { cpuMs, systemMs } = readProcStat(`/proc/${pid}/stat`);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs, sysMs: systemMs, rssMb: rss ? Number(rss[1]) / 1024 : 0, at: performance.now() };
}

/** CPU ms of a process's threads by name (the main thread as "main"; Node names its other threads "node"). */
function threadSample(pid) {
  const out = {};
  for (const [tid, { name, cpuMs }] of readThreadStats(pid)) {
    const key = tid === pid ? 'main' : name;
    out[key] = (out[key] ?? 0) + cpuMs;
  }
  return out;
}

/** Busy and total CPU time of the whole machine (all cores), from /proc/stat, in clock ticks. */
function machineSample() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, steal: ticks[7], total };
}

/** One sample of the bridge's /metrics: the event-loop delay since the previous scrape (prom-client resets it) and the Kafka batch histograms. */
function parseMetrics(text) {
  const num = (re) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    lagP99: num(/fleetlake_bridge_nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)/),
    lagMax: num(/fleetlake_bridge_nodejs_eventloop_lag_max_seconds ([\d.e+-]+)/),
    batches: num(/fleetlake_bridge_kafka_batch_records_count (\d+)/),
    records: num(/fleetlake_bridge_kafka_batch_records_sum (\d+)/),
    sendSeconds: num(/fleetlake_bridge_kafka_batch_seconds_sum ([\d.e+-]+)/),
    sendsUpTo25ms: num(/fleetlake_bridge_kafka_batch_seconds_bucket\{le="0.025"\} (\d+)/),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A PUBLISH packet (QoS 1, MQTT 3.1.1) built by hand: one buffer, no packet object. */
function publishPacket(topicBytes, messageId, payload) {
  const payloadLen = Buffer.byteLength(payload);
  const remaining = 2 + topicBytes.length + 2 + payloadLen;
  let lenBytes = 1;
  for (let r = remaining; r >= 0x80; r >>>= 7) lenBytes++;
  const buf = Buffer.allocUnsafe(1 + lenBytes + remaining);
  let at = 0;
  buf[at++] = 0x32; // PUBLISH, QoS 1
  for (let r = remaining; ; ) {
    const b = r & 0x7f;
    r >>>= 7;
    buf[at++] = r > 0 ? b | 0x80 : b;
    if (r === 0) break;
  }
  buf.writeUInt16BE(topicBytes.length, at);
  at += 2 + topicBytes.copy(buf, at + 2);
  buf.writeUInt16BE(messageId, at);
  buf.write(payload, at + 2, 'utf8');
  return buf;
}

/**
 * A device speaking MQTT 3.1.1 over a raw socket. After CONNACK the bridge sends this device only
 * PUBACKs (4 bytes each), so those are read straight from the stream; anything else ends the bench.
 */
class Device {
  constructor(id, port) {
    this.id = id;
    this.port = port;
    this.topic = Buffer.from(`fleetlake/v1/${id}/gps`);
    this.seq = 0;
    this.nextId = 1;
    this.sent = new Map(); // messageId -> send time
    this.acked = 0;
    this.onAck = undefined;
    this.rest = Buffer.alloc(0);
  }

  connect() {
    return new Promise((resolve, reject) => {
      const sock = connect(this.port, '127.0.0.1');
      sock.setNoDelay(true);
      this.sock = sock;
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      const onConnack = (d) => parser.parse(d);
      sock.on('data', onConnack);
      sock.on('error', reject);
      sock.on('close', () => {
        this.closed = true;
      });
      parser.once('packet', (p) => {
        if (p.cmd !== 'connack' || p.returnCode !== 0) return reject(new Error(`${this.id}: ${p.cmd} ${p.returnCode}`));
        sock.off('data', onConnack);
        sock.on('data', (d) => this.onData(d));
        resolve();
      });
      sock.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: this.id, keepalive: 60, username: this.id, password: Buffer.from(PASSWORD) }));
    });
  }

  onData(chunk) {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    for (; at + 4 <= buf.length; at += 4) {
      if (buf[at] !== 0x40 || buf[at + 1] !== 2) throw new Error(`${this.id}: expected PUBACK, got byte 0x${buf[at].toString(16)}`);
      const messageId = buf.readUInt16BE(at + 2);
      const t = this.sent.get(messageId);
      this.sent.delete(messageId);
      this.acked++;
      this.onAck?.(this, t === undefined ? NaN : performance.now() - t);
    }
    this.rest = buf.subarray(at);
  }

  publish() {
    const seq = this.seq++;
    const payload = `{"id":"${randomUUID()}","deviceId":"${this.id}","seq":${seq},"timestamp":"${new Date().toISOString()}","timeSource":"gps","latitude":51.5074,"longitude":-0.1278,"speed":48.2,"direction":"North-West","vehicleType":"van","fixMode":"3d","fixQuality":1,"satellites":9,"hdop":0.9}`;
    const messageId = this.nextId;
    this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
    this.sent.set(messageId, performance.now());
    this.sock.write(publishPacket(this.topic, messageId, payload));
  }

  close() {
    this.sock?.end(mqttPacket.generate({ cmd: 'disconnect' }));
  }
}

async function fixedRate(devices, pid, scrape, kafkaPid) {
  const latencies = [];
  let measuring = false;
  const series = process.env.BENCH_LATENCY_OUT ? [] : undefined;
  for (const d of devices) {
    d.onAck = (_d, ms) => {
      if (!measuring) return;
      latencies.push(ms);
      series?.push(`${(performance.timeOrigin + performance.now() - ms).toFixed(2)} ${ms.toFixed(2)}`);
    };
  }
  // Devices send independently, so their messages arrive spread out, not in bursts: RATE * TICK_MS / 1000
  // messages every TICK_MS (10 every millisecond by default; BENCH_TICK_MS=10 sends 100 at once every 10 ms).
  const perTick = (RATE * TICK_MS) / 1000;
  let sent = 0;
  let next = 0;
  const start = performance.now();
  const total = (WARMUP_SECONDS + RATE_SECONDS) * 1000;
  let s0;
  let t0;
  let m0;
  let k0;
  let g0;
  let j0;
  let sentMeasured = 0;
  let lag = 0;
  for (let tick = 0; ; tick++) {
    const due = start + tick * TICK_MS;
    const now = performance.now();
    if (now - start >= total) break;
    if (due > now) await delay(due - now);
    // The bridge renders /metrics on its main thread (~20 ms under this load) and the generator parses
    // it, so the first scrape happens a second before the measured window, not at its start; the
    // Kafka batch and event-loop figures then include that last second of warm-up.
    if (k0 === undefined && now - start >= (WARMUP_SECONDS - 1) * 1000) k0 = scrape(); // also resets the bridge's event-loop delay histogram
    if (!measuring && now - start >= WARMUP_SECONDS * 1000) {
      measuring = true;
      s0 = procSample(pid);
      t0 = threadSample(pid);
      m0 = machineSample();
      g0 = process.cpuUsage();
      j0 = kafkaPid ? procSample(kafkaPid) : undefined;
      sentMeasured = sent;
    }
    for (let i = 0; i < perTick; i++) {
      devices[next].publish();
      next = (next + 1) % devices.length;
      sent++;
    }
    lag = Math.max(lag, performance.now() - due);
  }
  measuring = false; // before the last scrape, for the same reason
  const s1 = procSample(pid);
  const t1 = threadSample(pid);
  const m1 = machineSample();
  const g1 = process.cpuUsage(g0);
  const j1 = kafkaPid ? procSample(kafkaPid) : undefined;
  const k1 = await scrape();
  await waitFor(() => devices.every((d) => d.sent.size === 0), { what: 'last PUBACKs', timeoutMs: 60_000 });
  if (series) writeFileSync(process.env.BENCH_LATENCY_OUT, series.join('\n') + '\n');
  const before = await k0;
  const batches = k1.batches - before.batches;
  const elapsed = (s1.at - s0.at) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    offered: Math.round((sent - sentMeasured) / elapsed),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    cpuPct: ((s1.cpuMs - s0.cpuMs) / (s1.at - s0.at)) * 100,
    sysPct: ((s1.sysMs - s0.sysMs) / (s1.at - s0.at)) * 100,
    rssMb: s1.rssMb,
    generatorLagMs: lag,
    machineBusyPct: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100,
    stealPct: ((m1.steal - m0.steal) / (m1.total - m0.total)) * 100,
    generatorCpuPct: ((g1.user + g1.system) / 1000 / (s1.at - s0.at)) * 100,
    kafkaCpuPct: j1 ? ((j1.cpuMs - j0.cpuMs) / (s1.at - s0.at)) * 100 : NaN,
    // Whatever else ran meanwhile (the rest of the machine's busy time): non-zero means a noisy run.
    otherCpuPct: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100 * cpus().length - ((s1.cpuMs - s0.cpuMs) + (g1.user + g1.system) / 1000 + (j1 ? j1.cpuMs - j0.cpuMs : 0)) / (s1.at - s0.at) * 100,
    threads: Object.entries(t1).map(([name, ms]) => [name, ((ms - (t0[name] ?? 0)) / (s1.at - s0.at)) * 100]).filter(([, pct]) => pct >= 0.5).sort((a, b) => b[1] - a[1]),
    // prom-client samples the loop with a 10 ms timer and reports the whole interval: an idle loop reads 10 ms.
    loopDelayP99Ms: k1.lagP99 * 1000 - LOOP_MONITOR_MS,
    loopDelayMaxMs: k1.lagMax * 1000 - LOOP_MONITOR_MS,
    batches,
    recordsPerBatch: (k1.records - before.records) / batches,
    msPerBatch: ((k1.sendSeconds - before.sendSeconds) / batches) * 1000,
    batchesOver25ms: batches - (k1.sendsUpTo25ms - before.sendsUpTo25ms),
  };
}

async function sustained(devices, pid) {
  let acked = 0;
  const latencies = [];
  let stop = false;
  for (const d of devices) {
    d.onAck = (dev, ms) => {
      acked++;
      latencies.push(ms);
      if (!stop) dev.publish();
    };
  }
  for (const d of devices) for (let i = 0; i < WINDOW; i++) d.publish();
  await delay(WARMUP_SECONDS * 1000);
  const a0 = acked;
  latencies.length = 0;
  const s0 = procSample(pid);
  let peakRss = s0.rssMb;
  const until = performance.now() + MAX_SECONDS * 1000;
  while (performance.now() < until) {
    await delay(1000);
    peakRss = Math.max(peakRss, procSample(pid).rssMb);
  }
  const s1 = procSample(pid);
  const a1 = acked;
  stop = true;
  await waitFor(() => devices.every((d) => d.sent.size === 0), { what: 'last PUBACKs', timeoutMs: 60_000 });
  latencies.sort((a, b) => a - b);
  return {
    rate: Math.round((a1 - a0) / ((s1.at - s0.at) / 1000)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPct: ((s1.cpuMs - s0.cpuMs) / (s1.at - s0.at)) * 100,
    sysPct: ((s1.sysMs - s0.sysMs) / (s1.at - s0.at)) * 100,
    rssMb: peakRss,
  };
}

async function main() {
  let kafka;
  let bridge;
  let dir;
  const devices = [];
  try {
    let brokers = process.env.BENCH_KAFKA_BROKERS?.split(',');
    if (!brokers) {
      // Its log in memory unless BENCH_KAFKA_DISK=1: on this VM's disk a ~600 ms fsync of Kafka's
      // metadata log, about once a run, stalls appends and can alone decide p99 (bridge/README.md).
      const logInMemory = process.env.BENCH_KAFKA_DISK !== '1';
      log(`starting a private Kafka broker, its log ${logInMemory ? 'in memory (/dev/shm; BENCH_KAFKA_DISK=1 for disk)' : 'on disk'}`);
      kafka = await startKafka({ autoCreateTopics: false, heapMb: 1024, logInMemory, brokerProperties: Object.fromEntries((process.env.BENCH_KAFKA_PROPS ?? '').split(',').filter(Boolean).map((kv) => kv.split('='))) });
      brokers = kafka.brokers;
    }
    dir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
    const hash = await hashPassword(PASSWORD, { N: 1024 });
    const ids = Array.from({ length: DEVICES }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    writeFileSync(join(dir, 'devices.yaml'), `devices:\n${ids.map((id) => `  ${id}: "${hash}"`).join('\n')}\n`, { mode: 0o600 });
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const linger = process.env.BENCH_LINGER_MS ? [`  lingerMs: ${Number(process.env.BENCH_LINGER_MS)}`] : [];
    writeFileSync(join(dir, 'bridge.yaml'), [
      'mqtt:', `  tcp: { port: ${mqttPort} }`, `  credentialsFile: ${join(dir, 'devices.yaml')}`,
      `http: { port: ${httpPort} }`, 'kafka:', `  brokers: [${brokers.join(', ')}]`, ...linger, 'logLevel: warn', ''].join('\n'));
    await createTopics(createKafka({ brokers, clientId: 'bench', ssl: { enabled: false, rejectUnauthorized: true }, requestTimeoutMs: 30000, sendRetries: 5 }), { partitions: 6, replicationFactor: 1 });

    // The bin's shebang flags (as `fleetlake-bridge` and the image run it), then BENCH_NODE_ARGS.
    const nodeArgs = [...shebangNodeArgs(CLI), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
    bridge = spawnManaged('fleetlake-bridge', process.execPath, [...nodeArgs, CLI, 'run', '--config', join(dir, 'bridge.yaml')]);
    await waitFor(async () => {
      if (!bridge.isRunning()) throw new Error(`bridge exited:\n${bridge.output()}`);
      return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
    }, { what: 'bridge /healthz', timeoutMs: 30_000 });
    // BENCH_BRIDGE_OUT=file keeps the bridge's own output (e.g. with BENCH_NODE_ARGS=--trace-gc).
    if (process.env.BENCH_BRIDGE_OUT) bridge.child.stdout.on('data', (d) => appendFileSync(process.env.BENCH_BRIDGE_OUT, d));
    const pid = bridge.child.pid;
    log(`bridge pid ${pid}, MQTT port ${mqttPort}; connecting ${DEVICES} devices`);
    for (let i = 0; i < ids.length; i += 50) {
      const batch = ids.slice(i, i + 50).map((id) => new Device(id, mqttPort));
      await Promise.all(batch.map((d) => d.connect()));
      devices.push(...batch);
    }
    const idle = procSample(pid);
    log(`connected; bridge RSS ${idle.rssMb.toFixed(0)} MB`);

    log(`phase 1: sustained, ${WINDOW} unacknowledged per device, ${MAX_SECONDS} s (+${WARMUP_SECONDS} s warm-up)`);
    const max = await sustained(devices, pid);
    log(`  ${max.rate} msg/s acknowledged, PUBACK p50 ${max.p50.toFixed(1)} ms, p99 ${max.p99.toFixed(1)} ms; bridge CPU ${max.cpuPct.toFixed(0)}% (kernel ${max.sysPct.toFixed(0)}%), peak RSS ${max.rssMb.toFixed(0)} MB`);

    log(`phase 2: ${RATE} msg/s for ${RATE_SECONDS} s (+${WARMUP_SECONDS} s warm-up), ${(RATE * TICK_MS) / 1000} messages every ${TICK_MS} ms`);
    const scrape = async () => parseMetrics(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
    const fixed = await fixedRate(devices, pid, scrape, kafka?.process().child.pid);
    log(`  offered ${fixed.offered} msg/s, PUBACK p50 ${fixed.p50.toFixed(1)} ms, p99 ${fixed.p99.toFixed(1)} ms, max ${fixed.max.toFixed(1)} ms; bridge CPU ${fixed.cpuPct.toFixed(0)}% (kernel ${fixed.sysPct.toFixed(0)}%), RSS ${fixed.rssMb.toFixed(0)} MB; generator lag max ${fixed.generatorLagMs.toFixed(0)} ms`);
    log(`  machine busy ${fixed.machineBusyPct.toFixed(0)}% of both cores (of which taken by the host: ${fixed.stealPct.toFixed(0)}%; load generator ${fixed.generatorCpuPct.toFixed(0)}%, Kafka ${Number.isNaN(fixed.kafkaCpuPct) ? '?' : fixed.kafkaCpuPct.toFixed(0)}%, other processes ${fixed.otherCpuPct.toFixed(0)}% of one core); bridge event-loop delay p99 ${fixed.loopDelayP99Ms.toFixed(1)} ms, max ${fixed.loopDelayMaxMs.toFixed(1)} ms; Kafka batches ${fixed.batches}, ${fixed.recordsPerBatch.toFixed(0)} records and ${fixed.msPerBatch.toFixed(1)} ms each on average, ${fixed.batchesOver25ms} over 25 ms`);

    log(`  bridge threads (% of one core): ${fixed.threads.map(([name, pct]) => `${name} ${pct.toFixed(0)}`).join(', ')}`);
    log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared; figures are under contention)`);
    const rss = Math.max(fixed.rssMb, max.rssMb);
    // CPU time per 1000 messages is the figure to compare between runs: msg/s and latency depend on
    // how much of the shared 2 cores the load generator, Kafka and other processes took meanwhile.
    const per1000 = (cpuPct, rate) => ((cpuPct / 100) * 1000 * 1000 / rate).toFixed(1);
    process.stdout.write(`bridge: CPU ${fixed.cpuPct.toFixed(0)}% at ${fixed.offered} msg/s, ${max.cpuPct.toFixed(0)}% at ${max.rate} msg/s (100% = one core); ${per1000(fixed.cpuPct, fixed.offered)} / ${per1000(max.cpuPct, max.rate)} CPU ms per 1000 messages\n`);
    process.stdout.write(`bridge: ${max.rate} msg/s sustained, p50 ${fixed.p50.toFixed(1)} ms, p99 ${fixed.p99.toFixed(1)} ms at ${RATE} msg/s, ${rss.toFixed(0)} MB RSS\n`);
  } finally {
    for (const d of devices) d.close();
    await bridge?.stop(30_000);
    await kafka?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
