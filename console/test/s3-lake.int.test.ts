import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KAFKA_HEADERS, streamMqttTopic } from '@fleetlake/contracts';
import { silentLogger } from '@fleetlake/core';
import { ensureBucket, Sink } from '@fleetlake/sink';
import { sharedKafka, sharedMoto } from '@fleetlake/testkit/vitest';
import { createTopics, kafkaClient, produce, testConfig, waitCaughtUp } from '../../sink/test/harness.js';
import { fakeJpeg, makeRecord } from '../../sink/test/records.js';
import { loadConsoleConfig } from '../src/config.js';
import { Console } from '../src/console.js';
import { parsePrometheusText, total } from '../src/prometheus-text.js';

/**
 * A lake in S3 (moto) and the same records in a local folder, each written by a real sink from the same
 * Kafka topics: the console must answer the same from both, through the sink's S3 store for the first.
 * An old van drove two days before the others only: the fleet map (the last day with positions) leaves
 * it out, and an S3 lake fetches nothing of that day until its vehicle view asks for it.
 */
describe('the console on a lake in S3 answers as on the same lake in a folder', () => {
  const tag = `cons${Date.now()}`;
  const prefix = `${tag}.`;
  const bucket = `fleetlake-console-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'console-s3-'));
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fleet, vehicle view, incidents and frame bytes are the same; S3 objects are fetched once into the bounded cache', async () => {
    const moto = await sharedMoto();
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    const s3 = new S3Client({ endpoint: moto.endpoint, region: moto.region, forcePathStyle: true });
    cleanup.push(async () => s3.destroy());
    await ensureBucket(s3, bucket, moto.region);

    const { brokers } = await sharedKafka();
    const topics = await createTopics(brokers, prefix, 2);
    await produce(brokers, prefix, { counts: { gps: 600, traffic: 30, weather: 60, emergency: 30 }, devices: 3, frames: true });
    const producer = kafkaClient(brokers).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const old = Array.from({ length: 20 }, (_, i) => ({ ...makeRecord('gps', i, 1, Date.parse('2026-11-25T08:00:00Z')), deviceId: 'old-van' }));
    await producer.send({ topic: `${prefix}gps_data`, acks: -1, messages: old.map((r) => ({ key: r.deviceId, value: JSON.stringify(r), headers: { [KAFKA_HEADERS.mqttTopic]: streamMqttTopic(r.deviceId, 'gps') } })) });
    await producer.disconnect();
    const lakes = { local: join(dir, 'lake'), s3: `s3://${bucket}/raw` };
    for (const [name, root] of Object.entries(lakes)) {
      const sink = await Sink.create(testConfig({
        kafka: { brokers, groupId: `${prefix}${name}`, topicPrefix: prefix, sessionTimeoutMs: 6000 },
        lake: { root, endpoint: moto.endpoint, forcePathStyle: true },
        roll: { maxRecords: 100, idleMarkerMs: 300 },
      }));
      cleanup.push(() => sink.stop());
      await sink.start();
      await waitCaughtUp(brokers, `${prefix}${name}`, topics, 120_000);
    }

    const consoles: Record<string, Console> = {};
    for (const [name, root] of Object.entries(lakes)) {
      const c = await Console.create(loadConsoleConfig(undefined, {
        http: { port: 0 },
        lake: { root, endpoint: moto.endpoint, forcePathStyle: true, cacheDir: dir, cacheMaxBytes: 16 << 20, recentDays: 1 },
        kafka: { enabled: false },
      }, {}), silentLogger());
      cleanup.push(() => c.stop());
      await c.start();
      consoles[name] = c;
    }
    const get = async (name: string, path: string, status = 200) => {
      const res = await fetch(`${consoles[name]!.url}${path.slice(1)}`);
      expect(res.status, `${name} ${path}`).toBe(status);
      return res.headers.get('content-type')?.startsWith('image/') ? Buffer.from(await res.arrayBuffer()) : ((await res.json()) as Record<string, unknown>);
    };
    const paths = ['/api/fleet', '/api/incidents', '/api/vehicles/car-0001?day=2026-11-27', '/api/vehicles/car-0002?from=2026-11-27T10:00:30Z&to=2026-11-27T10:02:00Z'];
    for (const path of paths) {
      const local = await get('local', path);
      expect(await get('s3', path), path).toEqual(local);
    }
    const fleet = (await get('local', '/api/fleet')) as { vehicles: Array<{ deviceId: string }> };
    expect(fleet.vehicles.map((v) => v.deviceId)).toEqual(['car-0000', 'car-0001', 'car-0002']);
    // The S3 cache holds the objects of 2026-11-27 only: every query's dt range named that day.
    const cached = () => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.startsWith('fleetlake-console-lake-') && f.endsWith('.parquet'));
    expect(cached().length).toBeGreaterThan(0);
    expect(cached().filter((f) => !f.includes('/dt=2026-11-27/'))).toEqual([]);
    const view = (await get('s3', '/api/vehicles/car-0001?day=2026-11-27')) as { summary: { points: number }; track: unknown[]; frames: { shown: Array<{ frameId: string }> } };
    expect(view.summary.points).toBe(200);
    expect(view.track).toHaveLength(200);
    expect(view.frames.shown).toHaveLength(10);

    // Frames: the traffic row's snapshotUri, from S3 and from the folder, the bytes the camera sent.
    const frame = view.frames.shown[3]!;
    const framePath = `/api/vehicles/car-0001/frames/${frame.frameId}?day=2026-11-27`;
    const fromS3 = await get('s3', framePath);
    expect(fromS3).toEqual(await get('local', framePath));
    // records.ts: traffic record i is frame f-{device}-{seq} with i = seq * devices + device index.
    expect(fromS3).toEqual(fakeJpeg(3 * 3 + 1));

    // The old van: unknown to the map, and without a window a 404; its own day answers, from S3 as from the folder.
    for (const name of ['local', 's3']) expect(await get(name, '/api/vehicles/old-van', 404)).toMatchObject({ code: 'UNKNOWN_VEHICLE' });
    const oldDay = '/api/vehicles/old-van?day=2026-11-25';
    const oldView = (await get('s3', oldDay)) as { summary: { points: number }; live: { deviceId: string } };
    expect(oldView).toEqual(await get('local', oldDay));
    expect(oldView.summary.points).toBe(20);
    expect(oldView.live).toEqual({ deviceId: 'old-van' });
    expect(cached().filter((f) => f.includes('/dt=2026-11-25/')).length).toBeGreaterThan(0);
    expect(await get('s3', '/api/vehicles/old-van?day=2026-11-26', 404)).toMatchObject({ code: 'UNKNOWN_VEHICLE' });

    const metrics = parsePrometheusText(await (await fetch(`${consoles.s3!.url}metrics`)).text());
    const cache = (counter: string) => total(metrics, 'fleetlake_console_lake_cache', { counter });
    // Each Parquet object was fetched once; every later request found it in the cache.
    expect(cache('fetched')).toBeGreaterThan(0);
    expect(cache('hits')).toBeGreaterThanOrEqual(cache('fetched'));
    expect(cache('evicted')).toBe(0);
  }, 240_000);
});
