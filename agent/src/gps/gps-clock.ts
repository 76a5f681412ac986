import type { Fix } from './fix.js';

export interface ClockReading {
  /** ISO-8601 UTC with Z. */
  time: string;
  /** 'gps': the last dated fix's GPS time plus the host time elapsed since; 'host': host clock, no GPS date yet. */
  source: 'gps' | 'host';
}

/**
 * Event time for the agent's records: GPS time once a fix with a date was received, carried forward
 * with the host's monotonic clock; until then the host clock, labelled as a fallback.
 */
export class GpsClock {
  private anchor: { gpsMs: number; monoMs: number } | undefined;

  constructor(private readonly now: () => Date = () => new Date()) {}

  observe(fix: Fix): void {
    if (fix.timeSource === 'host') return;
    this.anchor = { gpsMs: Date.parse(fix.time), monoMs: performance.now() };
  }

  read(): ClockReading {
    if (!this.anchor) return { time: this.now().toISOString(), source: 'host' };
    return { time: new Date(this.anchor.gpsMs + (performance.now() - this.anchor.monoMs)).toISOString(), source: 'gps' };
  }
}
