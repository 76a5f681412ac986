import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Fix } from '../src/gps/fix.js';
import { replayLog } from '../src/gps/replay.js';
import { compareWithGpsd, GPSD_DIR, gpsdFixes, gpsdLogs } from './gpsd-fixtures.js';

/**
 * bu303-moving.log holds no NMEA at all: it is a SiRF binary capture (0xA0 0xA2 ... 0xB0 0xB3 frames).
 * The NMEA lines in its .chk are gpsd's own pseudo-NMEA, generated from the decoded binary, so an NMEA
 * reader cannot report gpsd's 12 fixes from it. The test below proves the premise and that we report
 * no fix from it.
 */
const NOT_NMEA: Record<string, string> = {
  'bu303-moving.log':
    'SiRF binary capture, no NMEA sentence in the log: gpsd decoded its 12 fixes from SiRF binary messages; the NMEA in the .chk is gpsd output',
};

async function replay(log: string): Promise<{ fixes: Fix[]; counters: Awaited<ReturnType<typeof replayLog>>['counters'] }> {
  const fixes: Fix[] = [];
  const { counters } = await replayLog(join(GPSD_DIR, log), (f) => fixes.push(f), { now: () => new Date('2030-01-01T00:00:00Z') });
  return { fixes, counters };
}

describe('replay matches gpsd on its own regression logs', () => {
  test('all twelve logs are there', () => {
    expect(gpsdLogs()).toHaveLength(12);
  });

  for (const log of gpsdLogs()) {
    const reason = NOT_NMEA[log];
    test.skipIf(reason !== undefined)(`${log}: same fixes, same time and position (|Δ| ≤ 1e-7°)${reason ? ` — skipped: ${reason}` : ''}`, async () => {
      const theirs = gpsdFixes(log);
      const { fixes, counters } = await replay(log);
      expect(theirs.length).toBeGreaterThan(0);
      expect(compareWithGpsd(fixes, theirs)).toEqual([]);
      expect(counters.fixes).toBe(fixes.length);
    });
  }

  test('bu303-moving.log is SiRF binary without NMEA, and we report no fix from it (why it is skipped above)', async () => {
    const bytes = readFileSync(join(GPSD_DIR, 'bu303-moving.log'));
    const sirfFrames = bytes.toString('latin1').split('\xa0\xa2').length - 1;
    expect(sirfFrames).toBeGreaterThan(50);
    expect(bytes.toString('latin1')).not.toMatch(/\$G[PNL](GGA|RMC|GLL)/);
    expect(gpsdFixes('bu303-moving.log')).toHaveLength(12);
    const { fixes, counters } = await replay('bu303-moving.log');
    expect(fixes).toEqual([]);
    expect(counters.accepted).toBe(0);
  });

  test('the comparison can fail: a shifted position or an extra fix is reported', async () => {
    const log = 'nmea-fuzzy-cases.log';
    const { fixes } = await replay(log);
    const theirs = gpsdFixes(log);
    const moved = fixes.map((f, i) => (i === 3 ? { ...f, lat: f.lat + 2e-7 } : f));
    expect(compareWithGpsd(moved, theirs)).toHaveLength(1);
    const extra = [...fixes, { ...fixes[0]!, time: '2020-03-18T13:40:00.000Z' }];
    expect(compareWithGpsd(extra, theirs)[0]).toMatch(/gpsd does not/);
    expect(compareWithGpsd(fixes.slice(1), theirs)[0]).toMatch(/that we do not/);
  });

  test('the other fields agree with gpsd where the log has them (altitude, speed, course)', async () => {
    const log = 'nmea-fuzzy-cases.log';
    const { fixes } = await replay(log);
    const chk = readFileSync(join(GPSD_DIR, `${log}.chk`), 'latin1')
      .split('\n')
      .filter((l) => l.startsWith('{"class":"TPV"') && l.includes('"time"'))
      .map((l) => JSON.parse(l) as { time: string; altMSL: number; speed: number; track: number });
    for (const f of fixes) {
      const t = chk.find((c) => c.time === f.time)!;
      expect(f.altMSL).toBeCloseTo(t.altMSL, 3);
      expect(f.speedKmh! / 3.6).toBeCloseTo(t.speed, 2);
      expect(f.courseDeg).toBeCloseTo(t.track, 3);
    }
  });
});
