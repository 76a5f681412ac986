/**
 * One position fix per receiver epoch, assembled from the NMEA sentences of that epoch.
 * This is the hand-over between the GPS reader (agent/src/gps/) and the rest of the agent.
 */
export interface Fix {
  /** UTC time of the epoch, ISO-8601 with Z (date from RMC/ZDA). */
  time: string;
  lat: number;
  lon: number;
  /** 2 = 2D, 3 = 3D (fixes without a position are never emitted). */
  mode: 2 | 3;
  /** Metres above mean sea level, when the receiver reports it (GGA). */
  altMSL?: number;
  speedKmh?: number;
  courseDeg?: number;
  satellites?: number;
  hdop?: number;
  /** GGA fix quality (1 GPS, 2 DGPS, 4 RTK fixed, ...). */
  fixQuality?: number;
  /**
   * Where `time` comes from: 'gps' (receiver UTC with a date from RMC/ZDA; the default when absent) or
   * 'host' (no GPS date known yet, so the host clock at the moment the epoch ended: a labelled fallback).
   */
  timeSource?: 'gps' | 'host';
  /** With timeSource 'host': the receiver's UTC time of day of the epoch, "hh:mm:ss.sss" (no date known). */
  gpsTimeOfDay?: string;
}

/** Anything that yields fixes: the serial/TCP reader, a log replay, a test double. */
export interface FixSource {
  on(event: 'fix', listener: (fix: Fix) => void): this;
  off(event: 'fix', listener: (fix: Fix) => void): this;
}
