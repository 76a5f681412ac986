import { angleDiffDeg } from './geo.js';
import { createRandom, type Random } from './random.js';
import type { Route } from './route.js';

/**
 * A vehicle driving a route: speed limits per road, slowing for bends (lateral acceleration limit),
 * acceleration and braking limits, stops at some signalled junctions, and a driver who does not hold
 * the limit exactly. The whole trip is simulated once at `stepS` resolution (seeded, so the same seed
 * gives the same trip); `at(t)` then gives the ground truth at any simulated time.
 */
export interface TripOptions {
  seed: number;
  /** Simulated start time (ms since epoch, UTC). */
  startMs: number;
  accelMs2?: number;
  /** Braking used to plan for bends and stops. */
  decelMs2?: number;
  /** Lateral acceleration allowed in bends (m/s²). */
  lateralMs2?: number;
  /** Chance to catch a red light at each signalled junction. */
  stopProbability?: number;
  stopSeconds?: readonly [number, number];
  /** Time parked at the start before pulling away. */
  initialDwellS?: number;
  stepS?: number;
}

export interface TruthState {
  /** Simulated seconds since the start. */
  t: number;
  /** Epoch ms of this state. */
  timeMs: number;
  lat: number;
  lon: number;
  altitudeM: number;
  speedMs: number;
  courseDeg: number;
  distanceM: number;
  accelMs2: number;
  stopped: boolean;
}

const GRID_M = 5;
const BEND_WINDOW_M = 50;

export class Trip {
  readonly route: Route;
  readonly startMs: number;
  readonly stepS: number;
  /** Distance and speed at every step. */
  private readonly s: Float64Array;
  private readonly v: Float32Array;
  private readonly altPhase: [number, number];
  /** Signal stops actually made: [distance, seconds]. */
  readonly stops: Array<{ distanceM: number; seconds: number }>;

  private constructor(route: Route, opts: Required<TripOptions>) {
    this.route = route;
    this.startMs = opts.startMs;
    this.stepS = opts.stepS;
    const rand = createRandom(opts.seed);
    this.altPhase = [rand.uniform(0, 2 * Math.PI), rand.uniform(0, 2 * Math.PI)];
    const stopRand = rand.fork('stops');
    this.stops = route.signalDistances
      .filter(() => stopRand.chance(opts.stopProbability))
      .map((distanceM) => ({ distanceM, seconds: stopRand.uniform(opts.stopSeconds[0], opts.stopSeconds[1]) }));
    const { s, v } = simulate(route, opts, this.stops, rand.fork('driver'));
    this.s = s;
    this.v = v;
  }

  static create(route: Route, options: TripOptions): Trip {
    const opts: Required<TripOptions> = {
      accelMs2: 1.2,
      decelMs2: 1.8,
      lateralMs2: 1.5,
      stopProbability: 0.5,
      stopSeconds: [8, 45],
      initialDwellS: 5,
      stepS: 0.1,
      ...options,
    };
    return new Trip(route, opts);
  }

  /** Simulated duration from start to arrival, in seconds. */
  get durationS(): number {
    return (this.s.length - 1) * this.stepS;
  }

  /** Ground truth at simulated time t (seconds since start), clamped to the trip. */
  at(t: number): TruthState {
    const x = Math.min(Math.max(t, 0), this.durationS) / this.stepS;
    const i = Math.min(Math.floor(x), this.s.length - 2);
    const f = x - i;
    const distanceM = this.s[i]! + f * (this.s[i + 1]! - this.s[i]!);
    const speedMs = this.v[i]! + f * (this.v[i + 1]! - this.v[i]!);
    const accelMs2 = (this.v[i + 1]! - this.v[i]!) / this.stepS;
    const pos = this.route.positionAt(distanceM);
    return {
      t,
      timeMs: this.startMs + Math.round(t * 1000),
      lat: pos.lat,
      lon: pos.lon,
      altitudeM: this.altitudeAt(distanceM),
      speedMs: Math.max(0, speedMs),
      courseDeg: pos.courseDeg,
      distanceM,
      accelMs2,
      stopped: speedMs < 0.05,
    };
  }

  /** Synthetic but smooth terrain: rising from the Thames (~25 m) to Birmingham (~140 m), rolling hills between. */
  private altitudeAt(d: number): number {
    const frac = d / this.route.length;
    return 25 + 115 * frac + 40 * Math.sin(d / 7000 + this.altPhase[0]) * Math.sin(Math.PI * frac) + 12 * Math.sin(d / 1900 + this.altPhase[1]);
  }
}

/** Speed limit along the route on a 5 m grid, lowered where the road bends. */
function limitProfile(route: Route, lateralMs2: number): Float64Array {
  const n = Math.floor(route.length / GRID_M) + 1;
  const limit = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const s = k * GRID_M;
    const seg = route.segmentAt(s);
    const before = route.positionAt(Math.max(0, s - BEND_WINDOW_M / 2)).courseDeg;
    const after = route.positionAt(Math.min(route.length, s + BEND_WINDOW_M / 2)).courseDeg;
    const turnRad = Math.abs(angleDiffDeg(before, after)) * (Math.PI / 180);
    const bendMs = turnRad > 1e-6 ? Math.sqrt(lateralMs2 * (BEND_WINDOW_M / turnRad)) : Infinity;
    limit[k] = Math.min(route.maxSpeedKmh[seg]! / 3.6, bendMs);
  }
  return limit;
}

function simulate(route: Route, opts: Required<TripOptions>, stops: Trip['stops'], rand: Random): { s: Float64Array; v: Float32Array } {
  const limit = limitProfile(route, opts.lateralMs2);
  // Backward pass: the fastest speed from which the vehicle can still brake down to every limit ahead.
  const envelope = new Float64Array(limit.length);
  envelope[limit.length - 1] = limit[limit.length - 1]!;
  for (let k = limit.length - 2; k >= 0; k--) {
    envelope[k] = Math.min(limit[k]!, Math.sqrt(envelope[k + 1]! ** 2 + 2 * opts.decelMs2 * GRID_M));
  }
  const envAt = (s: number) => {
    const x = Math.min(s / GRID_M, limit.length - 1);
    const k = Math.floor(x);
    const a = envelope[k]!;
    const b = envelope[Math.min(k + 1, limit.length - 1)]!;
    return a + (x - k) * (b - a);
  };

  const dt = opts.stepS;
  const sOut: number[] = [];
  const vOut: number[] = [];
  const maxSteps = Math.ceil((route.length / 0.5 + 3600 * 4) / dt);
  let s = 0;
  let v = 0;
  let dwell = opts.initialDwellS;
  let nextStop = 0;
  let drive = 0.95; // the driver's share of the limit, wandering slowly
  const end = route.length;
  for (let step = 0; step < maxSteps; step++) {
    sOut.push(s);
    vOut.push(v);
    if (s >= end) break;
    if (dwell > 0) {
      dwell -= dt;
      continue;
    }
    if (step % Math.round(1 / dt) === 0) drive = Math.min(1.03, Math.max(0.82, drive + rand.normal(0, 0.012) + (0.95 - drive) * 0.02));
    // The next place to stop: a red light, or the destination.
    const stop = stops[nextStop];
    const stopAt = stop ? stop.distanceM : end;
    const toStop = stopAt - s;
    // Brake along a curve that reaches a 0.3 m/s creep 0.3 m before the stop line (never an asymptotic approach).
    const target = Math.min(envAt(s) * drive, Math.sqrt(0.09 + 2 * opts.decelMs2 * Math.max(0, toStop - 0.3)));
    const accel = opts.accelMs2 * Math.max(0.35, 1 - v / 45);
    v = v < target ? Math.min(target, v + accel * dt) : Math.max(target, v - 2 * opts.decelMs2 * dt);
    s += v * dt;
    if (s >= stopAt - 0.05) {
      s = stopAt;
      v = 0;
      if (!stop) continue;
      dwell = stop.seconds;
      nextStop++;
    }
  }
  return { s: Float64Array.from(sOut), v: Float32Array.from(vOut) };
}
