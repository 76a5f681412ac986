import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fix } from '../src/gps/fix.js';

/** gpsd's own captures and outputs (see the README there); never edited. */
// shared/ sits beside the repository (here and in CI's clean clone): <repo>/../shared/testdata/gpsd.
export const GPSD_DIR = process.env.FLEETLAKE_GPSD_TESTDATA ?? fileURLToPath(new URL('../../../shared/testdata/gpsd/', import.meta.url));

export function gpsdLogs(): string[] {
  return readdirSync(GPSD_DIR)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

export interface GpsdTpv {
  time?: string;
  /** For TPVs without a time: "hh:mm:ss.sss" of the last timed sentence gpsd read before it. */
  timeOfDay?: string;
  lat: number;
  lon: number;
  mode: 2 | 3;
}

/** The TPV reports with a 2D/3D fix from a `.log.chk` file (which interleaves the input sentences). */
export function gpsdFixes(log: string): GpsdTpv[] {
  const out: GpsdTpv[] = [];
  let timeOfDay: string | undefined;
  for (const line of readFileSync(join(GPSD_DIR, `${log}.chk`), 'latin1').split('\n')) {
    const fields = line.split('*')[0]!.split(',');
    const type = fields[0]!.slice(-3);
    const raw = type === 'GLL' ? fields[5] : ['GGA', 'RMC', 'ZDA'].includes(type) ? fields[1] : undefined;
    if (line.startsWith('$') && raw) timeOfDay = `${raw.slice(0, 2)}:${raw.slice(2, 4)}:${raw.slice(4, 6)}.${(raw.split('.')[1] ?? '').padEnd(3, '0').slice(0, 3)}`;
    if (!line.startsWith('{"class":"TPV"')) continue;
    const tpv = JSON.parse(line) as { mode: number; time?: string; lat?: number; lon?: number };
    if ((tpv.mode === 2 || tpv.mode === 3) && tpv.lat !== undefined && tpv.lon !== undefined) {
      out.push({ time: tpv.time, lat: tpv.lat, lon: tpv.lon, mode: tpv.mode, ...(tpv.time ? {} : { timeOfDay }) });
    }
  }
  return out;
}

export const TOLERANCE_DEG = 1e-7;

function near(a: { lat: number; lon: number }, b: { lat: number; lon: number }): boolean {
  return Math.abs(a.lat - b.lat) <= TOLERANCE_DEG && Math.abs(a.lon - b.lon) <= TOLERANCE_DEG;
}

function timeOfDayOf(f: Fix): string {
  return f.timeSource === 'host' ? (f.gpsTimeOfDay ?? '?') : f.time.slice(11, 23);
}

/**
 * Compares our fixes with gpsd's. gpsd repeats a TPV for each sentence of an epoch, so its reports are
 * grouped by time. gpsd reports a fix without a time when it does not know the date at its report
 * point; such an epoch is identified by its UTC time of day (from the sentences before the TPV) and
 * its position. We report it either with the host clock, labelled timeSource 'host' and carrying the
 * receiver's time of day (no date was known), or with the GPS time when the epoch's own RMC brought
 * the date after gpsd's report point (we emit at the end of the epoch).
 * Returns human-readable differences (empty = same fixes).
 */
export function compareWithGpsd(ours: Fix[], theirs: GpsdTpv[]): string[] {
  const problems: string[] = [];
  const byTime = new Map<string, GpsdTpv>();
  for (const t of theirs) if (t.time) byTime.set(t.time, t);
  // Epochs gpsd reported only without a time, one entry each (gpsd repeats its TPVs).
  const undated = new Map<string, GpsdTpv>();
  for (const t of theirs) {
    if (t.time !== undefined) continue;
    const tod = t.timeOfDay ?? '?';
    if ([...byTime.keys()].some((time) => time.slice(11, 23) === tod)) continue;
    undated.set(tod, t);
  }
  const used = new Set<string>();
  const oursByTime = new Map<string, Fix>();
  for (const f of ours) {
    const t = f.timeSource === 'host' ? undefined : byTime.get(f.time);
    if (t) {
      if (oursByTime.has(f.time)) problems.push(`we report ${f.time} twice`);
      oursByTime.set(f.time, f);
      if (!near(t, f)) problems.push(`${f.time}: ours ${f.lat},${f.lon} gpsd ${t.lat},${t.lon}`);
      continue;
    }
    const tod = timeOfDayOf(f);
    const u = undated.get(tod);
    if (u && !used.has(tod) && near(u, f)) used.add(tod);
    else problems.push(`we report a fix at ${f.time} (time of day ${tod}; ${f.lat},${f.lon}) that gpsd does not`);
  }
  for (const [time, t] of byTime) {
    if (!oursByTime.has(time)) problems.push(`gpsd reports a fix at ${time} (${t.lat},${t.lon}) that we do not`);
  }
  for (const [tod, u] of undated) {
    if (!used.has(tod)) problems.push(`gpsd reports an undated fix at ${tod} (${u.lat},${u.lon}) that we do not`);
  }
  return problems;
}
