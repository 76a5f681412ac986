// npm run bench:agent — GPS sentences through a real socat pty into the reader, 1080p frame encoding,
// and the resident memory of this process (which runs the reader and the encoder, as the agent does).
// The NMEA writer runs in a child process so that the CPU figure is the reader's alone.
// Figures are measured on a shared machine: read them as orders of magnitude.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { startPtyPair, waitFor } from '../../testkit/dist/index.js';
import { GpsReader } from '../dist/gps/reader.js';
import { withChecksum } from '../dist/gps/sentence.js';
import { encodeFrame } from '../dist/camera/encoder.js';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 12_000);
const FRAMES = Number(process.env.BENCH_FRAMES ?? 15);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

/** A u-blox-like 1 Hz epoch: RMC, VTG, GGA, GSA, 3 x GSV, GLL (8 sentences). */
function nmeaLog(epochs) {
  const out = [];
  for (let i = 0; i < epochs; i++) {
    const t = new Date(Date.UTC(2026, 10, 27, 0, 0, 0) + i * 1000);
    const hhmmss = t.toISOString().slice(11, 19).replaceAll(':', '') + '.00';
    const ddmmyy = `${t.toISOString().slice(8, 10)}${t.toISOString().slice(5, 7)}${t.toISOString().slice(2, 4)}`;
    const lat = (4807.038 + (i % 1000) * 0.0001).toFixed(5);
    out.push(
      withChecksum(`GNRMC,${hhmmss},A,${lat},N,01131.00000,E,22.4,84.4,${ddmmyy},,,A,V`),
      withChecksum('GNVTG,84.4,T,,M,22.4,N,41.5,K,A'),
      withChecksum(`GNGGA,${hhmmss},${lat},N,01131.00000,E,1,12,0.80,545.4,M,46.9,M,,`),
      withChecksum('GNGSA,A,3,04,05,09,12,24,25,29,31,,,,,1.40,0.80,1.10,1'),
      withChecksum('GPGSV,3,1,11,04,40,083,46,05,17,308,41,09,30,052,42,12,07,344,39,1'),
      withChecksum('GPGSV,3,2,11,24,40,083,46,25,17,308,41,29,30,052,42,31,07,344,39,1'),
      withChecksum('GPGSV,3,3,11,32,40,083,46,33,17,308,41,36,30,052,42,1'),
      withChecksum(`GNGLL,${lat},N,01131.00000,E,${hhmmss},A,A`),
    );
  }
  return `${out.join('\r\n')}\r\n`;
}

async function benchGps() {
  const dir = mkdtempSync(join(tmpdir(), 'fleetlake-bench-'));
  const file = join(dir, 'bench.nmea');
  const text = nmeaLog(EPOCHS);
  writeFileSync(file, text, 'latin1');
  const total = EPOCHS * 8;
  const pty = await startPtyPair();
  const reader = await GpsReader.create({ device: pty.b, baudRate: 115200, silenceTimeoutMs: 60_000 });
  let fixes = 0;
  reader.on('fix', () => fixes++);
  try {
    await reader.start();
    await waitFor(() => reader.status().connected, { timeoutMs: 10_000, what: 'reader to open the pty' });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const writer = spawn(process.execPath, ['-e', `require('fs').createReadStream(${JSON.stringify(file)}).pipe(require('fs').createWriteStream(${JSON.stringify(pty.a)}))`], { stdio: 'inherit' });
    await waitFor(() => reader.counters.sentencesRead >= total, { timeoutMs: 300_000, intervalMs: 5, what: `${total} sentences through the pty` });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => (writer.exitCode === null ? writer.once('exit', r) : r()));
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const c = reader.counters;
    console.log(`gps: ${total} sentences (${text.length} bytes) in ${seconds.toFixed(2)} s through ${pty.devices().b}; accepted ${c.accepted}, rejected ${total - c.accepted}, fixes ${fixes}`);
    return { rate: total / seconds, cpuPer1000: cpuMs / (total / 1000) };
  } finally {
    await reader.stop();
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchFrames() {
  // A 1080p source with photo-like detail: a gradient with moderate noise, as a camera JPEG.
  const raw = Buffer.alloc(1920 * 1080 * 3);
  for (let y = 0; y < 1080; y++) {
    for (let x = 0; x < 1920; x++) {
      const n = (Math.sin(x * 12.9898 + y * 78.233) * 43758.5453) % 1;
      raw.set([(x / 1920) * 255, (y / 1080) * 255, 128 + n * 60], (y * 1920 + x) * 3);
    }
  }
  const source = await sharp(raw, { raw: { width: 1920, height: 1080, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const times = [];
  let last;
  for (let i = 0; i < FRAMES; i++) {
    const t0 = performance.now();
    last = await encodeFrame(source);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`camera: 1920x1080 JPEG source (${source.length} bytes) -> ${last.width}x${last.height} q${last.quality} ${last.jpeg.length} bytes; median of ${FRAMES}: ${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)})`);
  return median;
}

const gps = await benchGps();
console.log(`rss after the GPS run: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB (peak so far ${Math.round(peakRss / 1024 / 1024)} MB)`);
const frameMs = await benchFrames();
console.log(`rss after encoding: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB; peak ${Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1024 / 1024)} MB (reported below)`);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(`machine: 2 cores shared with other work; figures measured under contention`);
console.log(
  `agent: ${Math.round(gps.rate)} sentences/s, ${gps.cpuPer1000.toFixed(1)} ms CPU per 1000 sentences, ${Math.round(peakRss / 1024 / 1024)} MB RSS, ${Math.round(frameMs)} ms per 1080p frame`,
);
