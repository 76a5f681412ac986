import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { splitCapture } from '../src/replay.js';

const GPSD = new URL('../../../shared/testdata/gpsd/', import.meta.url);

describe('capture replay', () => {
  it('paces a 1 Hz capture one epoch per second and keeps every non-comment byte', async () => {
    const raw = await readFile(new URL('ublox-neo-m9n-nmea.log', GPSD));
    const epochs = splitCapture(raw);
    expect(epochs.length).toBeGreaterThan(30);
    epochs.slice(1).forEach((e, i) => expect(e.t - epochs[i]!.t).toBe(1));
    const kept = raw.toString('latin1').split(/(?<=\n)/).filter((l) => !l.startsWith('#')).join('');
    expect(Buffer.concat(epochs.map((e) => e.data)).toString('latin1')).toBe(kept);
  });

  it('follows a 5 Hz receiver at 0.2 s steps', async () => {
    const epochs = splitCapture(await readFile(new URL('quectel-l76k-nmea.log', GPSD)));
    const steps = new Set(epochs.slice(1).map((e, i) => +(e.t - epochs[i]!.t).toFixed(3)));
    expect([...steps].every((s) => s > 0 && s <= 1)).toBe(true);
    expect(steps.has(0.2)).toBe(true);
  });

  it('passes binary-only captures through as one block', async () => {
    const raw = await readFile(new URL('bu303-moving.log', GPSD));
    const epochs = splitCapture(raw);
    expect(epochs).toHaveLength(1);
    expect(epochs[0]!.data.length).toBeGreaterThan(1000);
  });
});
