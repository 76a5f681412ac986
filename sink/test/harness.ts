import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel, type Admin, type Message } from 'kafkajs';
import { DuckDBInstance } from '@duckdb/node-api';
import { KAFKA_HEADERS, STREAMS, streamMqttTopic, cameraMqttTopic, type Stream } from '@fleetlake/contracts';
import type { PlainObject } from '@fleetlake/core';
import { ensureVenv, waitFor } from '@fleetlake/testkit';
import { loadSinkConfig, type SinkConfig } from '../src/config.js';
import { SinkTopics } from '../src/sink-topics.js';
import { fakeJpeg, makeRecord, topicOf } from './records.js';

export const kafkaClient = (brokers: string[]) => new Kafka({ brokers, clientId: 'sink-test', logLevel: logLevel.NOTHING });

export async function createTopics(brokers: string[], prefix: string, partitions: number): Promise<string[]> {
  const topics = new SinkTopics(prefix).all;
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: false });
    // Leaders known to the broker we ask is not yet every partition served: wait until all answer.
    await waitFor(async () => (await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)))).every((o) => o.length === partitions), {
      timeoutMs: 60_000,
      what: 'new topics to be served',
    });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export interface Workload {
  /** Valid records per stream. */
  counts: Partial<Record<Stream, number>>;
  devices?: number;
  /** Invalid gps records (dead letters). */
  invalid?: number;
  /** Traffic rows also get their frame on camera_frames. */
  frames?: boolean;
  /** gps records of device late-car dated the day before, produced last. */
  late?: number;
  /** Index of the first record of each stream (to produce a workload in parts). */
  from?: number;
  /**
   * Three gps records that JSON.parse takes but DuckDB's JSON reader refuses: bytes that are not UTF-8
   * and an unpaired surrogate (dead letters, not_json), and a duplicate name (a row of device dup-car,
   * dated 2026-11-26, whose first latitude 999 is overridden by its second, `AWKWARD_LATITUDE`).
   */
  awkward?: boolean;
}

export const AWKWARD_LATITUDE = 12.5;

export async function produce(brokers: string[], prefix: string, w: Workload): Promise<void> {
  const producer = kafkaClient(brokers).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const devices = w.devices ?? 10;
  const batch: { topic: string; messages: Message[] }[] = [];
  let pending = 0;
  const flush = async () => {
    if (pending === 0) return;
    await producer.sendBatch({ topicMessages: batch.splice(0), acks: -1 });
    pending = 0;
  };
  const add = async (topic: string, m: Message) => {
    let tm = batch.find((b) => b.topic === topic);
    if (!tm) batch.push((tm = { topic, messages: [] }));
    tm.messages.push(m);
    if (++pending >= 2000) await flush();
  };
  try {
    for (const stream of STREAMS) {
      const n = w.counts[stream] ?? 0;
      for (let i = w.from ?? 0; i < (w.from ?? 0) + n; i++) {
        const r = makeRecord(stream, i, devices);
        await add(prefix + topicOf(stream), { key: r.deviceId, value: JSON.stringify(r), headers: { [KAFKA_HEADERS.mqttTopic]: streamMqttTopic(r.deviceId, stream) } });
        if (stream === 'traffic' && w.frames) {
          const t = r as ReturnType<typeof makeRecord<'traffic'>>;
          await add(`${prefix}camera_frames`, { key: t.frameId, value: fakeJpeg(i), headers: { [KAFKA_HEADERS.mqttTopic]: cameraMqttTopic(t.deviceId, t.frameId), 'fleetlake-event-time': t.timestamp } });
        }
      }
    }
    for (let i = w.from ?? 0; i < (w.from ?? 0) + (w.invalid ?? 0); i++) await add(`${prefix}gps_data`, { key: 'bad', value: JSON.stringify({ deviceId: 'bad', seq: i }) });
    if (w.awkward) {
      const day = Date.parse('2026-11-26T12:00:00.000Z');
      const text = (deviceId: string) => JSON.stringify({ ...makeRecord('gps', 0, 1, day), deviceId });
      const notUtf8 = Buffer.from(text('bad-utf8').replace('"van"', '"v\u00e9n"'));
      const at = notUtf8.indexOf(Buffer.from('\u00e9'));
      notUtf8[at + 1] = 0x28; // C3 28: a lead byte without its continuation
      await add(`${prefix}gps_data`, { key: 'bad-utf8', value: notUtf8 });
      await add(`${prefix}gps_data`, { key: 'lone', value: text('lone-surrogate').replace('"van"', '"\\ud800"') });
      const dup = text('dup-car').replace(/"latitude":[^,]*/, `"latitude":999,"latitude":${AWKWARD_LATITUDE}`);
      await add(`${prefix}gps_data`, { key: 'dup-car', value: dup });
    }
    for (let i = 0; i < (w.late ?? 0); i++) {
      const r = { ...makeRecord('gps', i, 1, Date.parse('2026-11-26T23:59:00.000Z')), deviceId: 'late-car' };
      await add(`${prefix}gps_data`, { key: r.deviceId, value: JSON.stringify(r) });
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

/** Committed offsets of the group caught up with the end of every partition (markers included). */
export async function caughtUp(admin: Admin, groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of ends) {
      const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
      if (BigInt(p.high) > 0n && BigInt(c) < BigInt(p.high)) return false;
    }
  }
  return true;
}

export async function waitCaughtUp(brokers: string[], groupId: string, topics: string[], timeoutMs = 180_000): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await waitFor(() => caughtUp(admin, groupId, topics), { timeoutMs, intervalMs: 500, what: `group ${groupId} to commit every offset` });
  } finally {
    await admin.disconnect();
  }
}

export function testConfig(flags: PlainObject): SinkConfig {
  return loadSinkConfig(undefined, { http: { port: -1 }, ...flags }, {});
}

export async function duck<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run(`SET TimeZone = 'UTC'`);
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

const run = promisify(execFile);

/** Reads Parquet files with pyarrow (the testkit's Python venv) and returns schema and row counts. */
export async function pyarrowRead(files: string[]): Promise<{ rows: number; schema: Record<string, string>; sample: Record<string, unknown> }> {
  const bin = await ensureVenv();
  const script = `
import json, sys, pyarrow.parquet as pq, pyarrow as pa
t = pa.concat_tables([pq.read_table(f) for f in sys.argv[1:]])
s = {f.name: str(f.type) for f in t.schema}
row = {k: (v.isoformat() if hasattr(v, 'isoformat') else v) for k, v in t.slice(0, 1).to_pylist()[0].items()}
print(json.dumps({"rows": t.num_rows, "schema": s, "sample": row}))
`;
  const { stdout } = await run(`${bin}/python`, ['-c', script, ...files], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** A TCP proxy to a local service that a test can take down (connections refused) and bring back. */
export async function startProxy(targetPort: number): Promise<{ port: number; down(): Promise<void>; up(): Promise<void>; stop(): Promise<void> }> {
  const net = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as import('node:net').AddressInfo).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await up();
  return { get port() { return port; }, down, up, stop: down };
}
