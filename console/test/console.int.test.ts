import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fleetlake/core';
import { waitFor } from '@fleetlake/testkit';
import { LakeQuery, SAVED_QUERIES } from '@fleetlake/sink';
import { startDemoConsole, type DemoConsole } from '../../demo/src/console-service.js';
import { Pipeline } from '../../demo/src/pipeline.js';
import { collectStatus } from '../../demo/src/status.js';
import { Vehicle } from '../../demo/src/vehicle.js';
import { createKafkaFeed, type FeedRecord, type KafkaFeed } from '../src/kafka-feed.js';
import { launchBrowser, openView, screenshot, type TestBrowser } from './browser.js';

/**
 * The console in real headless Chromium against a lake and Kafka filled by the real pipeline: the
 * demo's processes (simulator -> pty -> agent -> bridge -> Kafka -> sink -> lake) with two vans, and
 * `fleetlake-console run` as a user starts it.
 */
const log = createLogger('console-test', { level: 'warn' });
const devices = [
  { deviceId: 'cons-van-1', password: 'first-van-password' },
  { deviceId: 'cons-van-2', password: 'second-van-password' },
];
const dir = mkdtempSync(join(tmpdir(), 'fleetlake-console-it-'));
/** Screenshots of each view, under the run's temp folder (removed after) unless CONSOLE_TEST_SCREENSHOTS names a folder to keep them in. */
const shots = process.env.CONSOLE_TEST_SCREENSHOTS ?? join(dir, 'screenshots');
mkdirSync(shots, { recursive: true });
let pipeline: Pipeline;
let van1: Vehicle;
let van2: Vehicle;
let consoleApp: DemoConsole;
let browser: TestBrowser;
let feed: KafkaFeed | undefined;

async function lake<T>(fn: (q: LakeQuery) => Promise<T>): Promise<T> {
  const q = await LakeQuery.open(pipeline.lakeDir);
  try {
    return await fn(q);
  } finally {
    q.close();
  }
}

/** A saved query over the days the lake holds positions on (the console's fleet map and incidents read the last lake.recentDays = 2 of them). */
async function savedOverLake(name: string) {
  return lake(async (q) => {
    const { rows } = await q.query(`SELECT min(dt) AS f, max(dt) AS t FROM fleetlake.gps_data`);
    const to = new Date(Date.parse(`${String(rows[0]!.t)}T00:00:00Z`) + 86_400_000).toISOString();
    return (await q.saved(SAVED_QUERIES[name]!, { from: `${String(rows[0]!.f)}T00:00:00Z`, to })).rows;
  });
}

beforeAll(async () => {
  pipeline = await Pipeline.start({ dir, devices, logger: log });
  // van 1: a short stretch, done early; van 2 drives on for the live part, then loses its connection.
  [van1, van2] = await Promise.all([
    Vehicle.start({ dir, ...devices[0]!, mqttUrl: pipeline.mqttUrl, trip: { tripMinutes: 0.4, durationS: 1500, seed: 21, frameEveryS: 120, incidentsPerHour: 20 }, cameraIntervalS: 2, logger: log }),
    Vehicle.start({ dir, ...devices[1]!, mqttUrl: pipeline.mqttUrl, trip: { tripMinutes: 2, durationS: 3600, seed: 22, frameEveryS: 300, incidentsPerHour: 6 }, cameraIntervalS: 3, logger: log }),
  ]);
  consoleApp = await startDemoConsole(pipeline, { agentHttpPorts: [van1.agentHttpPort, van2.agentHttpPort], tileUrl: '' });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await feed?.stop();
  await browser?.close();
  await consoleApp?.stop();
  await van1?.stop();
  await van2?.stop();
  await pipeline?.stop();
  await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('operator console in headless Chromium, on the real pipeline', () => {
  it('a new position reaches the page within 2 s of reaching Kafka', async () => {
    const { page } = browser;
    await openView(page, consoleApp.url);
    await page.waitForSelector(`.vehicle-marker[data-device="${van2.deviceId}"]`, { timeout: 60_000 });
    // Every marker the page draws for van 2, with the time it was drawn (markers are redrawn on each position).
    await page.evaluate((device) => {
      const seen: Array<{ seq: number; at: number }> = [];
      (window as unknown as { drawn: typeof seen }).drawn = seen;
      new MutationObserver((mutations) => {
        for (const m of mutations) {
          for (const n of m.addedNodes) {
            const selector = `.vehicle-marker[data-device="${device}"]`;
            const el = (n as Element).matches?.(selector) ? (n as Element) : (n as Element).querySelector?.(selector);
            if (el) seen.push({ seq: Number(el.getAttribute('data-seq')), at: Date.now() });
          }
        }
      }).observe(document.querySelector('.leaflet-marker-pane')!, { childList: true, subtree: true });
    }, van2.deviceId);
    // The same positions as Kafka has them, with the time each reached Kafka (its record timestamp,
    // stamped by the bridge's producer before the broker appended it), through the console's own adapter.
    const inKafka = new Map<number, number>();
    feed = createKafkaFeed({ brokers: pipeline.kafka.brokers, clientId: 'console-test', groupIdPrefix: 'console-test', ssl: { enabled: false, rejectUnauthorized: true }, topics: [{ topic: 'gps_data', fromBeginning: false }], logger: log });
    await feed.start((records: FeedRecord[]) => {
      for (const r of records) if (r.key === van2.deviceId && r.value) inKafka.set((JSON.parse(r.value.toString()) as { seq: number }).seq, r.timestamp);
    });
    const pairs = await waitFor(async () => {
      const drawn = await page.evaluate(() => (window as unknown as { drawn: Array<{ seq: number; at: number }> }).drawn);
      const matched = drawn.filter((d) => inKafka.has(d.seq)).map((d) => ({ seq: d.seq, latencyMs: d.at - inKafka.get(d.seq)! }));
      return matched.length >= 50 ? matched : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, what: '50 positions of van 2 seen both in Kafka and drawn on the page' });
    await feed.stop();
    const latencies = pairs.map((p) => p.latencyMs).sort((a, b) => a - b);
    console.info(`console live latency Kafka -> page (ms): n=${latencies.length} median=${latencies[latencies.length >> 1]} max=${latencies.at(-1)}`);
    expect(latencies[0]).toBeGreaterThanOrEqual(0);
    expect(latencies.at(-1)!).toBeLessThanOrEqual(2000);
  }, 180_000);

  it('a vehicle whose connection dies is shown offline (its will), the other one online', async () => {
    const { page } = browser;
    const marker = (id: string) => page.locator(`.vehicle-marker[data-device="${id}"]`);
    await waitFor(async () => (await marker(van2.deviceId).getAttribute('data-status')) === 'online', { timeoutMs: 30_000, what: 'van 2 online on the page' });
    await van2.agent.kill('SIGKILL');
    await waitFor(async () => (await marker(van2.deviceId).getAttribute('data-status')) === 'offline', { timeoutMs: 60_000, what: 'van 2 offline on the page after its will' });
    await van2.stop();
    // The side table is redrawn at most every 250 ms after the markers.
    await page.waitForSelector(`tr[data-device="${van2.deviceId}"][data-status="offline"]`, { timeout: 5000 });
    expect(await marker(van1.deviceId).getAttribute('data-status')).toBe('online');
  }, 120_000);

  it('the fleet map shows one marker per vehicle, at its last position in the lake', async () => {
    await van1.tripDone;
    // Everything van 1 captured is in the lake, and nothing is left in flight anywhere (van 2's agent is gone).
    await waitFor(async () => {
      const s = await collectStatus(pipeline, van1, true);
      return s.agent && s.agent.pending === 0 && s.bridge?.buffered === 0 && s.kafka?.sinkLag === 0 && s.sink?.buffered === 0;
    }, { timeoutMs: 180_000, intervalMs: 500, what: 'everything to reach the lake' });
    const latest = await savedOverLake('latest-positions');
    expect(latest.map((r) => r.deviceid).sort()).toEqual([van1.deviceId, van2.deviceId]);
    const { page } = browser;
    await openView(page, consoleApp.url);
    const markers = await page.$$eval('.vehicle-marker', (els) => els.map((e) => ({ device: e.getAttribute('data-device'), lat: Number(e.getAttribute('data-lat')), lon: Number(e.getAttribute('data-lon')) })));
    expect(markers.map((m) => m.device).sort()).toEqual([van1.deviceId, van2.deviceId]);
    for (const r of latest) {
      const m = markers.find((x) => x.device === r.deviceid)!;
      expect(Math.abs(m.lat - Number(r.latitude)), `${r.deviceid} latitude`).toBeLessThan(1e-9);
      expect(Math.abs(m.lon - Number(r.longitude)), `${r.deviceid} longitude`).toBeLessThan(1e-9);
    }
    const shot = await screenshot(page, join(shots, 'fleet.png'));
    expect(shot.colours).toBeGreaterThan(50);
    expect(shot.dominantShare).toBeLessThan(0.9);
  }, 240_000);

  it('a vehicle view draws as many track points as the lake has gps rows in the window; a frame opens with the lake’s bytes', async () => {
    const { page } = browser;
    const span = (await lake((q) => q.query(`SELECT epoch_ms(min("timestamp")) AS f, epoch_ms(max("timestamp")) AS t FROM fleetlake.gps_data_dedup WHERE deviceid = $d`, { d: van1.deviceId }))).rows[0]!;
    // The middle of the trip: a window that cuts the track at both ends.
    const third = (Number(span.t) - Number(span.f)) / 3;
    const from = new Date(Number(span.f) + third).toISOString();
    const to = new Date(Number(span.f) + 2 * third).toISOString();
    const rows = (await lake((q) => q.query(`SELECT count(*) AS n FROM fleetlake.gps_data_dedup WHERE deviceid = $d AND epoch_ms("timestamp") >= $f AND epoch_ms("timestamp") < $t`, { d: van1.deviceId, f: Date.parse(from), t: Date.parse(to) }))).rows[0]!;
    expect(Number(rows.n)).toBeGreaterThan(100);
    await openView(page, `${consoleApp.url}vehicles/${van1.deviceId}?from=${from}&to=${to}`);
    expect(Number(await page.getAttribute('#summary', 'data-points'))).toBe(Number(rows.n));
    expect(Number(await page.getAttribute('#map', 'data-track-points'))).toBe(Number(rows.n));

    // The whole day: every frame of the trip, each a thumbnail; clicking one shows its JPEG.
    await openView(page, `${consoleApp.url}vehicles/${van1.deviceId}`);
    const frames = (await lake((q) => q.query(`SELECT frameid, snapshoturi, width, height FROM fleetlake.traffic_data_dedup WHERE deviceid = $d ORDER BY "timestamp"`, { d: van1.deviceId }))).rows;
    expect(frames.length).toBeGreaterThan(3);
    expect(await page.locator('.frame-thumb').count()).toBe(frames.length);
    expect(await page.locator('path.camera-marker').count()).toBe(frames.length);
    const pick = frames[Math.floor(frames.length / 2)]!;
    await page.locator(`.frame-thumb[data-frame-id="${pick.frameid}"]`).click();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('#viewer img');
      return Boolean(img?.src && img.complete && img.naturalWidth > 0);
    });
    const shown = await page.evaluate(async () => {
      const img = document.querySelector<HTMLImageElement>('#viewer img')!;
      const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      return { frameId: img.dataset.frameId, width: img.naturalWidth, height: img.naturalHeight, base64: btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')) };
    });
    expect(shown.frameId).toBe(pick.frameid);
    expect(Buffer.from(shown.base64, 'base64').equals(readFileSync(String(pick.snapshoturi)))).toBe(true);
    expect({ w: shown.width, h: shown.height }).toEqual({ w: Number(pick.width), h: Number(pick.height) });
    const shot = await screenshot(page, join(shots, 'frame.png'));
    expect(shot.colours).toBeGreaterThan(50);
    await page.locator('#viewer .close').click();
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    const vehicleShot = await screenshot(page, join(shots, 'vehicle.png'));
    expect(vehicleShot.colours).toBeGreaterThan(50);
    expect(vehicleShot.dominantShare).toBeLessThan(0.9);
  }, 120_000);

  it('incidents: the active ones first, as the lake has them; pipeline health shows every stage', async () => {
    const { page } = browser;
    const incidents = await savedOverLake('incidents');
    expect(incidents.length).toBeGreaterThan(0);
    await openView(page, `${consoleApp.url}incidents`);
    const rows = await page.$$eval('tr[data-incident]', (els) => els.map((e) => ({ id: e.getAttribute('data-incident'), status: e.getAttribute('data-status') })));
    expect(rows).toEqual(incidents.map((i) => ({ id: i.incidentid, status: i.status })));
    const firstResolved = rows.findIndex((r) => r.status === 'Resolved');
    expect(rows.slice(firstResolved === -1 ? rows.length : firstResolved).every((r) => r.status === 'Resolved')).toBe(true);
    expect((await screenshot(page, join(shots, 'incidents.png'))).colours).toBeGreaterThan(20);

    await openView(page, `${consoleApp.url}health`);
    await page.waitForSelector('tr[data-stage="kafka"][data-up="yes"]');
    for (const stage of ['agent', 'bridge', 'sink']) expect(Number(await page.getAttribute(`tr[data-stage="${stage}"] td[data-total]`, 'data-total'))).toBeGreaterThan(0);
    expect((await screenshot(page, join(shots, 'health.png'))).colours).toBeGreaterThan(20);
  }, 60_000);

  it('an unknown vehicle or a bad parameter gets a clear error page', async () => {
    const { page } = browser;
    await openView(page, `${consoleApp.url}vehicles/no-such-van`);
    expect(await page.getAttribute('.error-view', 'data-code')).toBe('UNKNOWN_VEHICLE');
    expect(await page.textContent('.error-view h1')).toBe('Unknown vehicle');
    expect(await page.textContent('.error-view .message')).toContain('"no-such-van"');
    expect((await screenshot(page, join(shots, 'error.png'))).colours).toBeGreaterThan(10);

    await openView(page, `${consoleApp.url}vehicles/${van1.deviceId}?day=2026-02-30`);
    expect(await page.textContent('.error-view h1')).toBe('Bad parameter');
    expect(await page.textContent('.error-view .message')).toContain('bad parameter "day"');
    await openView(page, `${consoleApp.url}vehicles/${van1.deviceId}?from=yesterday&to=today`);
    expect(await page.textContent('.error-view .message')).toContain('bad parameter "from"');
    await openView(page, `${consoleApp.url}vehicles/${van1.deviceId}?speed=fast`);
    expect(await page.textContent('.error-view .message')).toContain('bad parameter "speed"');

    // The API answers the same with its status codes; a path that is no page gets a 404 page.
    const api = (path: string) => fetch(`${consoleApp.url}${path}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } }));
    expect(await api('api/vehicles/no-such-van')).toMatchObject({ status: 404, body: { code: 'UNKNOWN_VEHICLE' } });
    expect(await api(`api/vehicles/${van1.deviceId}?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`)).toMatchObject({ status: 400, body: { code: 'BAD_PARAMETER' } });
    expect(await api(`api/vehicles/${van1.deviceId}/frames/not-a-frame`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await api('api/vehicles/bad%20id')).toMatchObject({ status: 400, body: { code: 'BAD_PARAMETER' } });
    const page404 = await fetch(`${consoleApp.url}no/such/page`);
    expect(page404.status).toBe(404);
    expect(await page404.text()).toContain('Page not found');
    expect((await fetch(`${consoleApp.url}api/fleet`, { method: 'POST' })).status).toBe(405);

    // Nothing the page did left this machine (no tile server is configured), and no script failed.
    expect(browser.blocked).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);
});
