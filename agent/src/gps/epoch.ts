import type { Fix } from './fix.js';
import type { Observation, UsedType, UtcDate } from './observation.js';

const DAY_MS = 86_400_000;
/** Epoch times closer than this are the same epoch (gpsd: 10 ms). */
const SAME_EPOCH_MS = 10;
/** GPS week-number rollover: 1024 weeks. */
const ROLLOVER_MS = 1024 * 7 * DAY_MS;
/** Leap second 18 took effect here; gpsd treats earlier receiver dates as a week-rollover bug after it. */
const LEAP_18 = Date.UTC(2017, 0, 1);

type Mode = 0 | 1 | 2 | 3;

const EXTRAS = ['altMSL', 'speedKmh', 'courseDeg', 'satellites', 'hdop', 'fixQuality'] as const;

/** The fix in the making: the Fix's optional fields, plus what the assembler tracks. */
interface Epoch extends Partial<Pick<Fix, (typeof EXTRAS)[number]>> {
  todMs: number;
  lat?: number;
  lon?: number;
  mode: Mode;
  /** Position and mode at the last report point where the epoch held a 2D/3D fix. */
  reported?: { lat: number; lon: number; mode: 2 | 3 };
}

export interface EpochResult {
  fix?: Fix;
  /** The epoch ended without a 2D/3D fix at any report point. */
  noFix?: true;
  /** A sentence of an epoch that was already flushed (it came after a quiet gap): not used. */
  late?: true;
}

export interface EpochOptions {
  /** Host clock, for the labelled fallback time. */
  now?: () => Date;
  /**
   * "Today" for the GPS week-rollover check (a log's "# Date:" header in replays; the host clock live),
   * or false to report receiver dates as they are.
   */
  rolloverReference?: (() => Date) | false;
}

/**
 * Groups observations into epochs and turns each epoch into at most one Fix, following gpsd's NMEA
 * driver so that the fixes are the ones gpsd reports:
 * - an epoch starts when a sentence carries a new time (GGA, GLL, ZDA, and RMC with status A and a date);
 * - gpsd learns the "cycle ender" (the last timed sentence type before the time changes) and reports
 *   on it, and on an untimed sentence right after it; before it has learned one, every sentence that
 *   changes position or mode is a report point;
 * - an epoch is a fix when, at one of its report points, it holds a position with mode 2D or 3D;
 * - modes: GSA states them; GGA gives 2D, 3D with altitude and 4+ satellites, no fix under 3
 *   satellites or when it repeats the previous GGA time; RMC/GLL status A give 2D or 3D from context;
 * - the date comes from RMC (status A) or ZDA and carries over, moving on at midnight.
 */
export class EpochAssembler {
  private current: Epoch | undefined;
  private date: UtcDate | undefined;
  private lastLatchTod: number | undefined;
  private readonly enders = new Set<UsedType>();
  private lastTag: UsedType | undefined;
  private reliable = false;
  private satellitesUsed = 0;
  private previousType: UsedType | undefined;
  private lastGga: { talker: string; todMs: number | undefined } | undefined;
  private prevMode: Mode = 0;
  private altitudeHistory: [boolean, boolean] = [false, false];
  private readonly now: () => Date;
  private readonly rolloverReference: (() => Date) | false;

  constructor(options: EpochOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.rolloverReference = options.rolloverReference ?? this.now;
  }

  /** Feeds one observation; returns the epoch it closed, if it started a new one. */
  push(o: Observation): EpochResult | undefined {
    let closed: EpochResult | undefined;
    const latch = o.epochTodMs !== undefined;
    let started = false;
    if (latch) {
      const tod = o.epochTodMs!;
      if (!this.current && this.lastLatchTod !== undefined && Math.abs(tod - this.lastLatchTod) <= SAME_EPOCH_MS) return { late: true };
      if (this.lastLatchTod === undefined || Math.abs(tod - this.lastLatchTod) > SAME_EPOCH_MS) {
        closed = this.close();
        if (this.lastTag !== undefined && !this.enders.has(this.lastTag)) {
          this.enders.add(this.lastTag);
          this.reliable = true;
        }
        if (this.date && this.lastLatchTod !== undefined && this.lastLatchTod - tod > DAY_MS / 2) this.date = nextDay(this.date);
        this.current = { todMs: tod, mode: 0 };
        started = true;
      }
      this.lastLatchTod = tod;
    }
    if (o.date) this.date = o.date;
    if (o.type === 'GSA') {
      this.satellitesUsed = (this.previousType === 'GSA' ? this.satellitesUsed : 0) + (o.satellites ?? 0);
    }
    const e = this.current;
    if (e) this.merge(e, o, started);
    this.previousType = o.type;

    // Report points, as gpsd decides them.
    let report = false;
    if (!o.more) {
      if (!latch && this.lastTag !== undefined && this.enders.has(this.lastTag)) report = true;
      if (latch && this.enders.has(o.type)) report = true;
    }
    if (o.forceReport) {
      report = true;
      this.reliable = false;
    }
    if (!this.reliable && (o.lat !== undefined || o.mode !== undefined || o.validNoMode)) report = true;
    if (latch) this.lastTag = o.type;
    if (report && e && e.lat !== undefined && e.lon !== undefined && e.mode >= 2) {
      e.reported = { lat: e.lat, lon: e.lon, mode: e.mode as 2 | 3 };
    }
    return closed;
  }

  /** Ends the epoch in progress (end of input, or the device went quiet). */
  flush(): EpochResult | undefined {
    return this.close();
  }

  private merge(e: Epoch, o: Observation, started: boolean): void {
    if (o.lat !== undefined && o.lon !== undefined) {
      e.lat = o.lat;
      e.lon = o.lon;
    }
    if (o.altMSL !== undefined) e.altMSL = o.altMSL;
    let mode: Mode | undefined = o.mode;
    if (o.type === 'GGA') {
      const repeated = this.lastGga?.talker === o.talker && this.lastGga.todMs === o.epochTodMs;
      this.lastGga = { talker: o.talker, todMs: o.epochTodMs };
      if (repeated) mode = 1;
    }
    const hadAltitude = this.altitudeHistory[0] || this.altitudeHistory[1];
    if (o.validNoMode) {
      if (o.type === 'RMC') {
        mode = this.prevMode === 3 ? 3 : 2;
        if (this.satellitesUsed > 3 || e.altMSL !== undefined) mode = 3;
      } else if (e.altMSL !== undefined || this.satellitesUsed > 3) {
        mode = 3;
      } else if (e.mode < 2 || !hadAltitude) {
        mode = 2;
      }
    }
    if (mode === undefined) {
      this.copyExtras(e, o);
      return;
    }
    // gpsd does not downgrade a 3D fix to 2D while it holds an earlier altitude.
    const currentMode = started ? this.prevMode : e.mode;
    if (currentMode === 3 && mode !== 1 && hadAltitude) mode = 3;
    e.mode = mode;
    this.copyExtras(e, o);
  }

  private copyExtras(e: Epoch, o: Observation): void {
    if (o.speedKmh !== undefined) e.speedKmh = o.speedKmh;
    if (o.courseDeg !== undefined) e.courseDeg = o.courseDeg;
    if (o.type === 'GGA' && o.satellites !== undefined) e.satellites = o.satellites;
    if (o.type === 'GSA' && e.satellites === undefined) e.satellites = this.satellitesUsed;
    // GGA's HDOP is the one for the fix; GSA's only fills in when there is no GGA.
    if (o.hdop !== undefined && (o.type === 'GGA' || e.hdop === undefined)) e.hdop = o.hdop;
    if (o.fixQuality !== undefined) e.fixQuality = o.fixQuality;
  }

  private close(): EpochResult | undefined {
    const e = this.current;
    if (!e) return undefined;
    this.current = undefined;
    this.prevMode = e.mode;
    this.altitudeHistory = [e.altMSL !== undefined, this.altitudeHistory[0]];
    if (!e.reported) return { noFix: true };
    return { fix: this.toFix(e, e.reported) };
  }

  private toFix(e: Epoch, at: { lat: number; lon: number; mode: 2 | 3 }): Fix {
    const fix: Fix = { time: '', lat: at.lat, lon: at.lon, mode: e.mode === 3 ? 3 : at.mode };
    if (this.date) {
      let ms = Date.UTC(this.date.year, this.date.month - 1, this.date.day) + e.todMs;
      if (ms < LEAP_18 && this.rolloverReference && this.rolloverReference().getTime() >= LEAP_18) ms += ROLLOVER_MS;
      fix.time = new Date(ms).toISOString();
      fix.timeSource = 'gps';
    } else {
      fix.time = this.now().toISOString();
      fix.timeSource = 'host';
      fix.gpsTimeOfDay = new Date(e.todMs).toISOString().slice(11, 23);
    }
    for (const key of EXTRAS) if (e[key] !== undefined) fix[key] = e[key];
    return fix;
  }
}

function nextDay(d: UtcDate): UtcDate {
  const next = new Date(Date.UTC(d.year, d.month - 1, d.day) + DAY_MS);
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}
