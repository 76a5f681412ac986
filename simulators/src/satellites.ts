import type { Random } from './random.js';

/**
 * A GPS constellation as seen from the vehicle: each satellite rises, culminates and sets over a
 * ~6 h pass (GPS orbits take ~12 h), with a signal-to-noise ratio that grows with elevation.
 * DOP values are computed from the geometry of the satellites used, like a receiver does.
 */
export interface SatelliteView {
  prn: number;
  elevationDeg: number;
  azimuthDeg: number;
  snrDb: number;
}

export interface SkyFix {
  inView: SatelliteView[];
  /** PRNs used in the solution (at most 12, highest first). */
  used: number[];
  pdop: number;
  hdop: number;
  vdop: number;
}

interface Pass {
  prn: number;
  /** Seconds (relative to the trip start) at which the pass culminates. */
  peakS: number;
  maxElevationDeg: number;
  azRiseDeg: number;
  azSweepDeg: number;
  snrOffset: number;
}

const PASS_S = 6 * 3600;

export class Constellation {
  private readonly passes: Pass[];

  constructor(rand: Random, count = 31) {
    this.passes = Array.from({ length: count }, (_, i) => ({
      prn: i + 1,
      peakS: rand.uniform(-PASS_S, PASS_S),
      maxElevationDeg: rand.uniform(25, 88),
      azRiseDeg: rand.uniform(0, 360),
      azSweepDeg: rand.uniform(100, 200) * (rand.chance(0.5) ? 1 : -1),
      snrOffset: rand.uniform(-4, 4),
    }));
  }

  /** The sky at t seconds since the trip start; `obstruction` (0..1) lowers every signal, e.g. under bridges. */
  at(t: number, obstruction = 0): SkyFix {
    const inView: SatelliteView[] = [];
    for (const p of this.passes) {
      // Passes repeat every 12 h; phase in [-0.5, 0.5] of a pass around the culmination.
      const phase = ((((t - p.peakS) / PASS_S + 0.5) % 2) + 2) % 2 - 0.5;
      if (phase < -0.5 || phase > 0.5) continue;
      const elevationDeg = p.maxElevationDeg * Math.cos(Math.PI * phase) - 5;
      if (elevationDeg < 5) continue;
      const azimuthDeg = (((p.azRiseDeg + p.azSweepDeg * (phase + 0.5)) % 360) + 360) % 360;
      const snrDb = Math.round(Math.min(50, 22 + 24 * Math.sin((elevationDeg * Math.PI) / 180) + p.snrOffset) * (1 - obstruction));
      inView.push({ prn: p.prn, elevationDeg: Math.round(elevationDeg), azimuthDeg: Math.round(azimuthDeg) % 360, snrDb });
    }
    inView.sort((a, b) => b.elevationDeg - a.elevationDeg || a.prn - b.prn);
    const usedViews = inView.filter((s) => s.elevationDeg >= 10 && s.snrDb >= 25).slice(0, 12);
    const dop = dilution(usedViews);
    return { inView: inView.slice(0, 16), used: usedViews.map((s) => s.prn), ...dop };
  }
}

/** PDOP/HDOP/VDOP from the line-of-sight geometry: sqrt of the diagonal of (GᵀG)⁻¹. */
export function dilution(sats: readonly SatelliteView[]): { pdop: number; hdop: number; vdop: number } {
  const bad = { pdop: 99.99, hdop: 99.99, vdop: 99.99 };
  if (sats.length < 4) return bad;
  const m = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (const s of sats) {
    const el = (s.elevationDeg * Math.PI) / 180;
    const az = (s.azimuthDeg * Math.PI) / 180;
    const row = [Math.cos(el) * Math.sin(az), Math.cos(el) * Math.cos(az), Math.sin(el), 1];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) m[i]![j]! += row[i]! * row[j]!;
  }
  const inv = invert4(m);
  if (!inv) return bad;
  const q = (i: number) => Math.max(0, inv[i]![i]!);
  const r2 = (x: number) => Math.min(99.99, Math.round(x * 100) / 100);
  return { pdop: r2(Math.sqrt(q(0) + q(1) + q(2))), hdop: r2(Math.sqrt(q(0) + q(1))), vdop: r2(Math.sqrt(q(2))) };
}

function invert4(a: number[][]): number[][] | undefined {
  const n = 4;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return undefined;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}
