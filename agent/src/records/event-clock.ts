import type { Fix } from '../gps/fix.js';

/**
 * The GPS reader (agent-gps branch) labels a fix whose date is not known yet with
 * `timeSource: 'host'` (its time is the host clock's). Read here without depending on that field.
 */
export function fixTimeSource(fix: Fix): 'gps' | 'host' {
  return (fix as Fix & { timeSource?: 'gps' | 'host' }).timeSource === 'host' ? 'host' : 'gps';
}

export interface Stamp {
  timestamp: string;
  timeSource: 'gps' | 'host';
  /** Last known position, when recent enough. */
  position?: { latitude: number; longitude: number } | undefined;
}

export interface EventClockOptions {
  /** GPS time is used while the latest fix is at most this old (then the host clock, labelled `host`). */
  maxFixAgeMs: number;
  /** The latest fix's position is used for records while at most this old. */
  maxPositionAgeMs: number;
  /** Monotonic milliseconds (performance.now by default). */
  monotonic?: () => number;
  hostNow?: () => number;
}

/**
 * Event time and position for records. GPS time is the latest fix's UTC time plus the monotonic time
 * elapsed since that fix arrived, so records between fixes get distinct, GPS-based times; when the
 * fix is older than `maxFixAgeMs` (or there never was one) the host clock is used and labelled.
 */
export class EventClock {
  private last: { timeMs: number; at: number; latitude: number; longitude: number; gpsTime: boolean } | undefined;
  private readonly monotonic: () => number;
  private readonly hostNow: () => number;

  constructor(private readonly opts: EventClockOptions) {
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.hostNow = opts.hostNow ?? Date.now;
  }

  /** Notes a fix; returns false when its time is unusable. */
  update(fix: Fix): boolean {
    const timeMs = Date.parse(fix.time);
    if (Number.isNaN(timeMs)) return false;
    this.last = { timeMs, at: this.monotonic(), latitude: fix.lat, longitude: fix.lon, gpsTime: fixTimeSource(fix) === 'gps' };
    return true;
  }

  now(): Stamp {
    const last = this.last;
    const age = last ? this.monotonic() - last.at : Infinity;
    const position = last && age <= this.opts.maxPositionAgeMs ? { latitude: last.latitude, longitude: last.longitude } : undefined;
    if (last?.gpsTime && age <= this.opts.maxFixAgeMs) {
      return { timestamp: new Date(last.timeMs + age).toISOString(), timeSource: 'gps', position };
    }
    return { timestamp: new Date(this.hostNow()).toISOString(), timeSource: 'host', position };
  }
}
