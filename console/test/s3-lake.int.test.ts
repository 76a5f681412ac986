import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fleetlake/core';
import { ensureBucket, Sink } from '@fleetlake/sink';
import { sharedKafka, sharedMoto } from '@fleetlake/testkit/vitest';
import { createTopics, produce, testConfig, waitCaughtUp } from '../../sink/test/harness.js';
import { fakeJpeg } from '../../sink/test/records.js';
import { loadConsoleConfig } from '../src/config.js';
import { Console } from '../src/console.js';
import { parsePrometheusText, total } from '../src/prometheus-text.js';

/**
 * A lake in S3 (moto) and the same records in a local folder, each written by a real sink from the same
 * Kafka topics: the console must answer the same from both, through the sink's S3 store for the first.
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
        lake: { root, endpoint: moto.endpoint, forcePathStyle: true, cacheDir: dir, cacheMaxBytes: 16 << 20 },
        kafka: { enabled: false },
      }, {}), silentLogger());
      cleanup.push(() => c.stop());
      await c.start();
      consoles[name] = c;
    }
    const get = async (name: string, path: string) => {
      const res = await fetch(`${consoles[name]!.url}${path.slice(1)}`);
      expect(res.status, `${name} ${path}`).toBe(200);
      return res.headers.get('content-type')?.startsWith('image/') ? Buffer.from(await res.arrayBuffer()) : ((await res.json()) as Record<string, unknown>);
    };
    const paths = ['/api/fleet', '/api/incidents', '/api/vehicles/car-0001?day=2026-11-27', '/api/vehicles/car-0002?from=2026-11-27T10:00:30Z&to=2026-11-27T10:02:00Z'];
    for (const path of paths) {
      const local = await get('local', path);
      expect(await get('s3', path), path).toEqual(local);
    }
    const fleet = (await get('local', '/api/fleet')) as { vehicles: unknown[] };
    expect(fleet.vehicles).toHaveLength(3);
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

    const metrics = parsePrometheusText(await (await fetch(`${consoles.s3!.url}metrics`)).text());
    const cache = (counter: string) => total(metrics, 'fleetlake_console_lake_cache', { counter });
    // Each Parquet object was fetched once; every later request found it in the cache.
    expect(cache('fetched')).toBeGreaterThan(0);
    expect(cache('hits')).toBeGreaterThanOrEqual(cache('fetched'));
    expect(cache('evicted')).toBe(0);
  }, 240_000);
});
