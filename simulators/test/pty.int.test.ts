import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { ReadlineParser } from '@serialport/parser-readline';
import { waitFor } from '@fleetlake/testkit';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runData } from '../src/data-run.js';
import { FaultInjector, parseFaults } from '../src/faults.js';
import { runNmea, type TruthRecord } from '../src/nmea-run.js';
import { createRandom } from '../src/random.js';
import { PtyOutput } from '../src/outputs/pty-output.js';
import { SocketServerOutput } from '../src/outputs/socket-output.js';
import { replayCapture } from '../src/replay.js';
import { loadRoute, type Route } from '../src/route.js';
import { Trip } from '../src/trip.js';

const GPSD = new URL('../../../shared/testdata/gpsd/', import.meta.url);
let route: Route;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  route = await loadRoute('london-birmingham');
});

afterAll(async () => {
  await (await import('node:fs/promises')).rm(linkPath(''), { recursive: true, force: true });
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function linkPath(name: string): string {
  return `/tmp/fleetlake-sim-test-${process.pid}/${name}`;
}

async function startPty(link: string): Promise<PtyOutput> {
  const output = new PtyOutput(link);
  await output.start();
  cleanup.push(() => output.stop());
  return output;
}

async function openReader(path: string): Promise<{ port: SerialPort; lines: Array<{ line: string; at: number }>; bytes: Buffer[] }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const lines: Array<{ line: string; at: number }> = [];
  const bytes: Buffer[] = [];
  port.on('data', (b: Buffer) => bytes.push(b));
  port.pipe(new ReadlineParser({ delimiter: '\r\n', encoding: 'latin1' })).on('data', (line: string) => lines.push({ line, at: performance.now() }));
  cleanup.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
  return { port, lines, bytes };
}

describe('NMEA through a socat pty into serialport', () => {
  it('a 5 Hz trip arrives intact, in order, at 5 epochs per second', async () => {
    const output = await startPty(linkPath('gps-rate'));
    expect(output.devicePath).toMatch(/^\/dev\/pts\/\d+$/);
    const reader = await openReader(linkPath('gps-rate'));
    const trip = Trip.create(route, { seed: 11, startMs: Date.UTC(2026, 10, 27, 9) });
    const epochs: TruthRecord[] = [];
    const stats = await runNmea({ trip, output, rateHz: 5, durationS: 8, fromS: 2400, speed: 1, seed: 11, onEpoch: (e) => epochs.push(e) });
    const sent = epochs.flatMap((e) => e.sentences.map((s) => s.slice(0, -2)));
    await waitFor(() => reader.lines.length >= sent.length, { timeoutMs: 5000, what: 'every line at the reader' });
    // Intact: byte for byte, in order, nothing lost or added.
    expect(reader.lines.map((l) => l.line)).toEqual(sent);
    expect(stats.droppedEpochs).toBe(0);
    // At the configured rate: GGA arrivals span 8 s for 40 intervals.
    const gga = reader.lines.filter((l) => l.line.startsWith('$GPGGA'));
    expect(gga.length).toBe(41);
    const hz = (gga.length - 1) / ((gga[gga.length - 1]!.at - gga[0]!.at) / 1000);
    expect(hz).toBeGreaterThan(5 * 0.95);
    expect(hz).toBeLessThan(5 * 1.05);
  });

  it('replays a gpsd capture (binary data included) byte for byte at max speed', async () => {
    const output = await startPty(linkPath('gps-replay'));
    const reader = await openReader(linkPath('gps-replay'));
    const file = new URL('gp-320fw-2019-04-06-overflow.log', GPSD);
    const stats = await replayCapture({ file: file.pathname, output, speed: 'max' });
    const raw = await readFile(file);
    const expected = Buffer.from(
      raw.toString('latin1').split(/(?<=\n)/).filter((l) => !l.startsWith('#')).join(''),
      'latin1',
    );
    await waitFor(() => Buffer.concat(reader.bytes).length >= expected.length, { timeoutMs: 10_000, what: 'the whole capture at the reader' });
    expect(Buffer.concat(reader.bytes).equals(expected)).toBe(true);
    expect(stats.epochs).toBe(20);
  });

  it('a dropped port comes back under the same link and the stream resumes', async () => {
    const link = linkPath('gps-drop');
    const output = await startPty(link);
    const first = await openReader(link);
    const before = output.devicePath;
    await output.write('$GPTXT,01,01,02,before*00\r\n', { wait: true });
    await waitFor(() => first.lines.length === 1, { timeoutMs: 3000, what: 'the first line' });
    const closed = new Promise<void>((resolve) => first.port.once('close', () => resolve()));
    await output.drop(200);
    await closed;
    const second = await openReader(link);
    await output.write('$GPTXT,01,01,02,after*00\r\n', { wait: true });
    await waitFor(() => second.lines.length === 1, { timeoutMs: 3000, what: 'a line after the drop' });
    expect(second.lines[0]!.line).toBe('$GPTXT,01,01,02,after*00');
    expect(output.devicePath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(before).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it('serves NMEA over TCP like gpsfake', async () => {
    const output = new SocketServerOutput({ host: '127.0.0.1', port: 0 });
    await output.start();
    cleanup.push(() => output.stop());
    const received: Buffer[] = [];
    const socket = connect(output.port, '127.0.0.1');
    socket.on('data', (b) => received.push(b));
    cleanup.push(async () => void socket.destroy());
    await output.waitForClient();
    const trip = Trip.create(route, { seed: 2, startMs: Date.UTC(2026, 10, 27, 9) });
    const epochs: TruthRecord[] = [];
    await runNmea({ trip, output, rateHz: 10, durationS: 30, speed: 'max', seed: 2, onEpoch: (e) => epochs.push(e) });
    const expected = epochs.flatMap((e) => e.sentences).join('');
    await waitFor(() => Buffer.concat(received).length >= expected.length, { timeoutMs: 5000, what: 'all bytes over TCP' });
    expect(Buffer.concat(received).toString('latin1')).toBe(expected);
  });

  it('delivers data lines over a Unix socket to the agent side', async () => {
    const path = linkPath('data.sock');
    await (await import('node:fs/promises')).mkdir(linkPath(''), { recursive: true });
    const output = new SocketServerOutput({ path });
    await output.start();
    cleanup.push(() => output.stop());
    const received: Buffer[] = [];
    const socket = connect(path);
    socket.on('data', (b) => received.push(b));
    cleanup.push(async () => void socket.destroy());
    await output.waitForClient();
    const trip = Trip.create(route, { seed: 4, startMs: Date.UTC(2026, 10, 27, 9) });
    const sent: string[] = [];
    await runData({ trip, output, durationS: 600, speed: 'max', seed: 4, vehicleId: 'pi-van-07', onLine: (l) => sent.push(JSON.stringify(l)) });
    const expected = sent.map((l) => `${l}\n`).join('');
    await waitFor(() => Buffer.concat(received).length >= Buffer.byteLength(expected), { timeoutMs: 5000, what: 'all data lines' });
    expect(Buffer.concat(received).toString()).toBe(expected);
    expect(sent.length).toBeGreaterThan(120);
  });

  it('rate-controlled port drops: the port vanishes and returns at the same link while a trip runs', async () => {
    const link = linkPath('gps-faults');
    const output = await startPty(link);
    const lines: string[] = [];
    let opens = 0;
    let current: SerialPort | undefined;
    let stopped = false;
    // What an agent does: reopen the same path whenever the port goes away.
    const openLoop = async (): Promise<void> => {
      if (stopped) return;
      const port = await waitFor(
        () =>
          new Promise<SerialPort | undefined>((resolve) => {
            const p = new SerialPort({ path: link, baudRate: 115200, autoOpen: false });
            p.open((err) => resolve(err ? undefined : p));
          }),
        { timeoutMs: 10_000, intervalMs: 20, what: 'the pty to come back' },
      );
      opens++;
      current = port;
      port.pipe(new ReadlineParser({ delimiter: '\r\n', encoding: 'latin1' })).on('data', (l: string) => lines.push(l));
      port.once('close', () => void openLoop());
    };
    await openLoop();
    cleanup.push(async () => {
      stopped = true;
      if (current?.isOpen) await new Promise<void>((resolve) => current!.close(() => resolve()));
    });
    const trip = Trip.create(route, { seed: 21, startMs: Date.UTC(2026, 10, 27, 9) });
    const faults = new FaultInjector(parseFaults('port-drop=0.05:0.2'), createRandom(21).fork('faults'));
    const epochs: TruthRecord[] = [];
    await runNmea({ trip, output, rateHz: 1, durationS: 120, fromS: 3000, speed: 20, seed: 21, faults, onEpoch: (e) => epochs.push(e) });
    const drops = faults.counts['port-drop'];
    expect(drops).toBeGreaterThanOrEqual(2);
    await waitFor(() => opens === drops + 1, { timeoutMs: 10_000, what: 'the reader to reopen after every drop' });
    const delivered = epochs.filter((e) => e.delivered);
    await waitFor(() => lines.filter((l) => l.startsWith('$GPGGA')).length >= delivered.length - drops, { timeoutMs: 5000, what: 'the delivered epochs' });
    // Everything that arrived is a whole, valid sentence that was sent.
    const sent = new Set(epochs.flatMap((e) => e.sentences.map((x) => x.slice(0, -2))));
    for (const l of lines) expect(sent.has(l), l).toBe(true);
  });
});
