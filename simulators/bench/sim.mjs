// npm run bench:sim — figures for the simulators (measured on a shared machine: read them as orders of magnitude).
// Needs the build (npm run build). Starts its own Mosquitto (testkit) for the fleet part and stops it.
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { startMosquitto } from '@fleetlake/testkit';
import { renderFrame } from '../dist/camera.js';
import { Fleet } from '../dist/fleet.js';
import { DEFAULT_MIX } from '../dist/fleet-records.js';
import { runNmea } from '../dist/nmea-run.js';
import { newStats, writeTo } from '../dist/outputs/output.js';
import { loadRoute } from '../dist/route.js';
import { Trip } from '../dist/trip.js';

const route = await loadRoute('london-birmingham');
const cpu = () => process.cpuUsage();
const cpuMs = (since) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

// 1. NMEA generation at --speed max, whole trip at 10 Hz, into a sink that discards.
const sink = new Writable({ write: (_c, _e, cb) => cb() });
const output = { stats: newStats(), describe: () => 'null', start: async () => {}, stop: async () => {}, write: (d, o) => writeTo(sink, d, o.wait, output.stats) };
const trip = Trip.create(route, { seed: 1, startMs: Date.UTC(2026, 10, 27, 8) });
let t0 = performance.now();
let c0 = cpu();
const nmea = await runNmea({ trip, output, rateHz: 10, durationS: trip.durationS, speed: 'max', seed: 1 });
const nmeaS = (performance.now() - t0) / 1000;
const sentencesPerS = Math.round(nmea.sentences / nmeaS);
console.log(`nmea: ${nmea.sentences} sentences (${(nmea.bytes / 1e6).toFixed(1)} MB, whole trip at 10 Hz) in ${nmeaS.toFixed(2)} s = ${sentencesPerS} sentences/s, ${(cpuMs(c0) / (nmea.sentences / 1000)).toFixed(2)} ms CPU per 1000`);

// 2. Camera frames: 1280x720, default quality and noise.
const frameTimes = [];
let bytes = 0;
for (let i = 0; i < 8; i++) {
  t0 = performance.now();
  const { jpeg } = await renderFrame({ vehicleId: 'bench', timeMs: Date.now(), lat: 52, lon: -1, speedKmh: 100, seed: i });
  frameTimes.push(performance.now() - t0);
  bytes += jpeg.length;
}
const frameMs = Math.round(frameTimes.slice(1).reduce((a, b) => a + b, 0) / (frameTimes.length - 1));
const frameKb = Math.round(bytes / frameTimes.length / 1024);
console.log(`camera: ${frameMs} ms per 1280x720 frame, ${frameKb} KiB average JPEG`);

// 3. Fleet: 1,000 devices at 1 msg/s for 20 s against Mosquitto.
const broker = await startMosquitto();
try {
  c0 = cpu();
  t0 = performance.now();
  const fleet = await Fleet.create({ brokerUrl: broker.url, devices: 1000, rateHz: 1, durationS: 20, mix: DEFAULT_MIX, route });
  const connectCpu = cpuMs(c0);
  c0 = cpu();
  const summary = await fleet.run();
  const runCpu = cpuMs(c0);
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  await fleet.stop();
  console.log(`fleet: ${JSON.stringify(summary)}`);
  console.log(`fleet: connect ${summary.connectSeconds} s (${Math.round(connectCpu)} ms CPU); publishing ${(runCpu / 1000 / summary.durationS * 100).toFixed(1)}% of one core; RSS ${rssMb} MB`);
  console.log(
    `sim: ${sentencesPerS} NMEA sentences/s, ${frameMs} ms per 720p frame (${frameKb} KiB), fleet ${summary.sentRate} msg/s of ${summary.targetRate} target, ${summary.acked}/${summary.sent} acked, ${(runCpu / 1000 / summary.durationS * 100).toFixed(0)}% CPU`,
  );
} finally {
  await broker.stop();
}
