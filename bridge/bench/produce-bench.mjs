#!/usr/bin/env node
/**
 * CPU per Kafka produce request through the bridge's kafkajs set-up (createKafka installs its encoders):
 * 2,000 sequential sendBatch calls (acks=all, idempotent producer) of 1, 40 and 200 gps_data-sized
 * records, measured with process.cpuUsage. Shows the fixed cost of a request (1 record) and the cost
 * per record. Uses BENCH_KAFKA_BROKERS or starts a private Kafka broker (testkit).
 *
 *   npx tsc -b && node bridge/bench/produce-bench.mjs [requests]
 */
import { performance } from 'node:perf_hooks';
import { startKafka } from '@fleetlake/testkit';
import { createKafka, createTopics } from '@fleetlake/bridge';
import { memoKeyPartitioner } from '../dist/key-partitioner.js';

const N = Number(process.argv[2] ?? 2000);
const HEADERS = { 'fleetlake-mqtt-topic': 'fleetlake/v1/bench-0001/gps', 'fleetlake-received-at': '2026-11-27T23:00:00.000Z', 'fleetlake-schema-version': '1' };
const value = (i, j) => Buffer.from(`{"id":"0193a5c4-1234-7000-8000-${String(i % 1e6).padStart(6, '0')}${String(j).padStart(6, '0')}","deviceId":"bench-${String(j % 1000).padStart(4, '0')}","seq":${i},"timestamp":"2026-11-27T23:00:00.000Z","timeSource":"gps","latitude":51.5074,"longitude":-0.1278,"speed":48.2,"direction":"North-West","vehicleType":"van","fixMode":"3d","fixQuality":1,"satellites":9,"hdop":0.9}`);

let kafka;
try {
  let brokers = process.env.BENCH_KAFKA_BROKERS?.split(',');
  if (!brokers) {
    kafka = await startKafka({ autoCreateTopics: false, heapMb: 1024 });
    brokers = kafka.brokers;
  }
  const client = createKafka({ brokers, clientId: 'produce-bench', ssl: { enabled: false, rejectUnauthorized: true }, requestTimeoutMs: 30000, sendRetries: 5 });
  await createTopics(client, { partitions: 6, replicationFactor: 1 });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: memoKeyPartitioner });
  await producer.connect();
  for (const records of [1, 40, 200]) {
    // Messages are built before the clock starts: only kafkajs' and the bridge's encoding are measured.
    const batches = Array.from({ length: N + 200 }, (_, i) => [{ topic: 'gps_data', messages: Array.from({ length: records }, (_, j) => ({ key: `bench-${String((i * records + j) % 1000).padStart(4, '0')}`, value: value(i, j), headers: HEADERS })) }]);
    for (let i = 0; i < 200; i++) await producer.sendBatch({ topicMessages: batches[N + i], acks: -1 }); // warm-up
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await producer.sendBatch({ topicMessages: batches[i], acks: -1 });
    const cpu = process.cpuUsage(c0);
    const ms = (performance.now() - t0) / N;
    const perRequest = (cpu.user + cpu.system) / 1000 / N;
    console.log(`produce: ${records} records per request: ${perRequest.toFixed(3)} ms CPU per request (${((perRequest * 1000) / records).toFixed(1)} µs per record), round trip ${ms.toFixed(2)} ms`);
  }
  await producer.disconnect();
} finally {
  await kafka?.stop();
}
