import type { GpsCounters } from './counters.js';
import { totalRejected } from './counters.js';
import type { Fix } from './fix.js';

/** The JSON line `replay` and `gps` print per fix: the issue's field list, fields the log lacks left out. */
export function fixLine(fix: Fix): string {
  const out: Record<string, unknown> = { time: fix.time, lat: fix.lat, lon: fix.lon };
  if (fix.altMSL !== undefined) out.altMSL = fix.altMSL;
  if (fix.speedKmh !== undefined) out.speedKmh = round(fix.speedKmh, 3);
  if (fix.courseDeg !== undefined) out.courseDeg = fix.courseDeg;
  out.mode = fix.mode;
  if (fix.satellites !== undefined) out.satellites = fix.satellites;
  if (fix.hdop !== undefined) out.hdop = fix.hdop;
  if (fix.timeSource === 'host') {
    out.timeSource = 'host';
    if (fix.gpsTimeOfDay) out.gpsTimeOfDay = fix.gpsTimeOfDay;
  }
  return JSON.stringify(out);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Human summary for stderr: sentences read, accepted, rejected by reason, and the rest of the counters. */
export function summaryText(c: GpsCounters): string {
  const reasons = Object.entries(c.rejected)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r}=${n}`)
    .join(' ');
  const ignored = Object.entries(c.ignoredByType)
    .map(([t, n]) => `${t}=${n}`)
    .join(' ');
  return [
    `sentences read: ${c.sentencesRead}, accepted: ${c.accepted}, rejected: ${totalRejected(c)}${reasons ? ` (${reasons})` : ''}`,
    `fixes: ${c.fixes} (host-clock time: ${c.hostTimeFixes}), epochs without fix: ${c.epochsWithoutFix}`,
    `ignored sentence types: ${ignored || 'none'}; noise bytes: ${c.noiseBytes}; comment lines: ${c.commentLines}; late sentences: ${c.lateSentences}`,
    ...(c.reconnects || c.watchdogReopens ? [`reconnects: ${c.reconnects}, watchdog reopens: ${c.watchdogReopens}`] : []),
  ].join('\n');
}
