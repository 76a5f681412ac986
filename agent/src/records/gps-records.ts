import type { GpsData } from '@fleetlake/contracts';
import type { Fix, FixSource } from '../gps/fix.js';
import type { Capture, RecordFields } from './capture.js';
import { compassPoint, type CompassPoint } from './compass.js';
import { fixTimeSource, type EventClock } from './event-clock.js';

export interface GpsRecorderOptions {
  capture: Capture;
  clock: EventClock;
  /** One gps_data record per this many milliseconds of GPS time, at most. */
  intervalMs: number;
  /** The contracts' `vehicleType` (e.g. "private", "bus"). */
  vehicleType: string;
}

/** gps_data fields from a fix; `direction` keeps the last known heading while the course is unknown. */
export function gpsFields(fix: Fix, vehicleType: string, lastDirection: CompassPoint): RecordFields<'gps'> {
  const fields: RecordFields<'gps'> = {
    speed: fix.speedKmh ?? 0,
    direction: fix.courseDeg !== undefined ? compassPoint(fix.courseDeg) : lastDirection,
    vehicleType,
    fixMode: fix.mode === 3 ? '3d' : '2d',
    fixQuality: fix.fixQuality ?? 1,
  } satisfies Partial<GpsData>;
  if (fix.courseDeg !== undefined) fields.courseDeg = fix.courseDeg;
  if (fix.altMSL !== undefined) fields.altitudeM = fix.altMSL;
  if (fix.satellites !== undefined) fields.satellites = fix.satellites;
  if (fix.hdop !== undefined) fields.hdop = fix.hdop;
  return fields;
}

/**
 * Listens to a fix source: every fix updates the event clock; gps_data records are derived at the
 * configured rate (by GPS time, so a replayed log yields the same records), stamped with the fix's
 * own time and position.
 */
export class GpsRecorder {
  private lastEmittedMs: number | undefined;
  private direction: CompassPoint = 'North';
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly source: FixSource,
    private readonly opts: GpsRecorderOptions,
  ) {}

  private readonly onFix = (fix: Fix) => {
    if (!this.opts.clock.update(fix)) {
      this.opts.capture.rejected.add('fix_bad_time');
      return;
    }
    const t = Date.parse(fix.time);
    const fields = gpsFields(fix, this.opts.vehicleType, this.direction);
    this.direction = fields.direction;
    // A jump back in time (receiver reset, log replay) restarts the rate window.
    if (this.lastEmittedMs !== undefined && t >= this.lastEmittedMs && t - this.lastEmittedMs < this.opts.intervalMs) return;
    this.lastEmittedMs = t;
    const stamp = { timestamp: new Date(t).toISOString(), timeSource: fixTimeSource(fix), position: { latitude: fix.lat, longitude: fix.lon } };
    this.pending = this.opts.capture.record('gps', fields, stamp);
  };

  start(): Promise<void> {
    this.source.on('fix', this.onFix);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.source.off('fix', this.onFix);
    await this.pending;
  }
}
