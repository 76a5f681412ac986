import { parseNmeaSentence, type GGAPacket, type GSAPacket, type GSVPacket, type RMCPacket, type VTGPacket } from 'nmea-simple';
import { beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, parseFaults } from '../src/faults.js';
import { formatCoordinate } from '../src/nmea.js';
import { runNmea, type TruthRecord } from '../src/nmea-run.js';
import { createRandom } from '../src/random.js';
import { loadRoute, type Route } from '../src/route.js';
import { Trip } from '../src/trip.js';
import { independentChecksumOk, MemoryOutput } from './helpers.js';

const START = Date.UTC(2026, 10, 27, 23, 10, 0); // crosses midnight UTC during the trip
let route: Route;

beforeAll(async () => {
  route = await loadRoute('london-birmingham');
});

async function generate(rateHz: number, opts: { fromS?: number; durationS?: number; seed?: number; faults?: string; speed?: number | 'max' } = {}) {
  const seed = opts.seed ?? 3;
  const trip = Trip.create(route, { seed, startMs: START });
  const output = new MemoryOutput();
  const epochs: TruthRecord[] = [];
  const faults = opts.faults ? new FaultInjector(parseFaults(opts.faults), createRandom(seed).fork('faults')) : undefined;
  await runNmea({ trip, output, rateHz, seed, speed: opts.speed ?? 'max', durationS: opts.durationS ?? trip.durationS, fromS: opts.fromS ?? 0, faults, onEpoch: (e) => epochs.push(e) });
  return { trip, output, epochs, faults };
}

/** Checks every sentence of every epoch with nmea-simple and an independent checksum; returns the decoded fixes. */
function checkEpochs(epochs: TruthRecord[], rateHz: number) {
  let maxDeg = 0;
  let sentences = 0;
  for (const e of epochs) {
    const packets = e.sentences.map((raw) => {
      expect(raw.endsWith('\r\n')).toBe(true);
      expect(raw.length).toBeLessThanOrEqual(82);
      const line = raw.slice(0, -2);
      expect(independentChecksumOk(line), line).toBe(true);
      sentences++;
      return parseNmeaSentence(line);
    });
    const byId = (id: string) => packets.filter((p) => p.sentenceId === id);
    const gga = byId('GGA')[0] as GGAPacket;
    const rmc = byId('RMC')[0] as RMCPacket;
    const vtg = byId('VTG')[0] as VTGPacket;
    const gsa = byId('GSA')[0] as GSAPacket;
    expect(gga && rmc && vtg && gsa).toBeTruthy();
    // UTC date and time from RMC (centisecond resolution).
    expect(Math.abs(rmc.datetime.getTime() - e.timeMs)).toBeLessThan(10);
    if (e.hasFix) {
      expect(gga.fixType).toBe('fix');
      expect(rmc.status).toBe('valid');
      expect(gsa.fixMode).toBe('3D');
      expect(gga.satellitesInView).toBeGreaterThanOrEqual(4);
      expect(gga.satellitesInView).toBe(gsa.satellites.length);
      expect(gga.horizontalDilution).toBeGreaterThan(0);
      expect(gga.horizontalDilution).toBeLessThan(5);
      for (const p of [gga, rmc]) {
        const d = Math.max(Math.abs(p.latitude - e.lat), Math.abs(p.longitude - e.lon));
        maxDeg = Math.max(maxDeg, d);
        expect(d).toBeLessThanOrEqual(1e-6);
      }
      expect(Math.abs(vtg.speedKmph - e.speedMs * 3.6)).toBeLessThan(0.001);
      expect(Math.abs(rmc.speedKnots * 1.852 - e.speedMs * 3.6)).toBeLessThan(0.005);
      expect(Math.abs(gga.altitudeMeters - e.altitudeM)).toBeLessThanOrEqual(0.05);
    } else {
      expect(gga.fixType).toBe('none');
      expect(rmc.status).toBe('warning');
      expect(gsa.fixMode).toBe('none');
    }
    const gsv = byId('GSV') as GSVPacket[];
    const secondBoundary = Math.round(e.t * rateHz) % rateHz === 0;
    expect(gsv.length > 0).toBe(secondBoundary);
    if (gsv.length) {
      expect(gsv.map((g) => g.messageNumber)).toEqual(gsv.map((_, i) => i + 1));
      expect(gsv.every((g) => g.numberOfMessages === gsv.length)).toBe(true);
      expect(gsv.flatMap((g) => g.satellites).length).toBe(gsv[0]!.satellitesInView);
    }
  }
  return { maxDeg, sentences };
}

describe('NMEA generator', () => {
  it('formats coordinates with exact minutes, never 60.000000', () => {
    expect(formatCoordinate(51.5074, true, 6)).toEqual(['5130.444000', 'N']);
    expect(formatCoordinate(-0.1278, false, 6)).toEqual(['00007.668000', 'W']);
    expect(formatCoordinate(52.99999999999, true, 6)).toEqual(['5300.000000', 'N']);
    expect(formatCoordinate(-1.8904, false, 4)).toEqual(['00153.4240', 'W']);
  });

  it('the whole London → Birmingham trip at 1 Hz passes nmea-simple and matches the ground truth within 1e-6°', async () => {
    const { epochs, trip } = await generate(1);
    expect(epochs.length).toBe(Math.floor(trip.durationS) + 1);
    const { maxDeg, sentences } = checkEpochs(epochs, 1);
    expect(sentences).toBeGreaterThan(epochs.length * 4);
    expect(maxDeg).toBeLessThan(1e-7);
    // The date rolls over at midnight UTC like a receiver's.
    const dates = new Set(epochs.map((e) => e.sentences[1]!.split(',')[9]));
    expect(dates).toEqual(new Set(['271126', '281126']));
  });

  it.each([2, 5, 10])('at %i Hz every epoch is on the grid, in order and checks out', async (rate) => {
    const { epochs } = await generate(rate, { fromS: 1500, durationS: 120, seed: rate });
    expect(epochs.length).toBe(120 * rate + 1);
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]!.timeMs - epochs[i - 1]!.timeMs).toBe(1000 / rate);
    checkEpochs(epochs, rate);
  });

  it('loss of fix gives valid "no fix" sentences and the truth says so', async () => {
    const { epochs, faults } = await generate(1, { durationS: 600, faults: 'fix-loss=0.02:10' });
    expect(faults!.counts['fix-loss']).toBeGreaterThan(2);
    const lost = epochs.filter((e) => !e.hasFix);
    expect(lost.length).toBeGreaterThanOrEqual(20);
    checkEpochs(epochs, 1);
  });

  it('line faults happen at their rate and only the faulted sentences fail the independent check', async () => {
    const { output, epochs, faults } = await generate(1, { durationS: 1200, faults: 'bad-checksum=0.03,overlong=0.02,noise=0.02' });
    const total = epochs.reduce((n, e) => n + e.sentences.length, 0);
    for (const kind of ['bad-checksum', 'overlong', 'noise'] as const) {
      const expected = total * (kind === 'bad-checksum' ? 0.03 : 0.02);
      expect(faults!.counts[kind]).toBeGreaterThan(expected * 0.7);
      expect(faults!.counts[kind]).toBeLessThan(expected * 1.3);
    }
    const lines = output.text().split('\r\n').filter(Boolean);
    let badChecksums = 0;
    let overlong = 0;
    let withNoise = 0;
    for (const line of lines) {
      const start = line.lastIndexOf('$');
      if (start > 0) withNoise++;
      const sentenceText = line.slice(start);
      // Fragments of a noise burst that happen to hold '$' and CR LF are not sentences.
      if (!/^\$GP[A-Z]{3},/.test(sentenceText)) continue;
      if (sentenceText.length + 2 > 82) overlong++;
      else if (!independentChecksumOk(sentenceText)) badChecksums++;
    }
    expect(badChecksums).toBe(faults!.counts['bad-checksum']);
    expect(overlong).toBe(faults!.counts.overlong);
    // A noise burst may itself contain '$' or CR LF; most bursts are still seen in front of their sentence.
    expect(withNoise).toBeGreaterThan(faults!.counts.noise * 0.5);
  });

  it('a frozen stream goes silent for its wall-clock duration, then resumes at the current time', async () => {
    // 100 simulated seconds per wall second: a 0.3 s freeze swallows ~30 epochs.
    const { output, epochs, faults } = await generate(1, { durationS: 300, fromS: 2000, faults: 'freeze=0.02:0.3', speed: 100 });
    const freezes = faults!.counts.freeze;
    expect(freezes).toBeGreaterThanOrEqual(1);
    const silent = epochs.filter((e) => !e.delivered);
    expect(silent.length).toBeGreaterThan(freezes * 15);
    expect(silent.length).toBeLessThan(freezes * 45);
    // Every silent epoch follows a freeze start, and nothing of it reached the output.
    const firstFreeze = epochs.findIndex((e) => e.faults.includes('freeze'));
    expect(epochs.indexOf(silent[0]!)).toBe(firstFreeze);
    const text = output.text();
    for (const e of silent) expect(text).not.toContain(e.sentences[0]!);
    // Output resumes afterwards, with the epochs of the current (not the frozen) time.
    const resumed = epochs.slice(firstFreeze).find((e) => e.delivered)!;
    expect(resumed.t).toBeGreaterThan(epochs[firstFreeze]!.t + 10);
    expect(text).toContain(resumed.sentences[0]!);
  });
});
