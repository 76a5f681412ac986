/** Why a candidate sentence was rejected (every rejection is counted under one of these). */
export const REJECT_REASONS = [
  'too_long', // longer than maxSentenceLength (or cut by the line cap)
  'bad_chars', // control or non-ASCII bytes inside the sentence
  'no_checksum', // no "*hh" (includes a truncated last line)
  'bad_checksum', // "*hh" present but wrong
  'bad_field', // a time, date or coordinate field that does not parse
  'parse_error', // nmea-simple refused the sentence
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Live counters of one reader or replay; a plain object so that it can be logged or served as JSON. */
export interface GpsCounters {
  /** Lines or line fragments that held a "$" (candidate sentences). */
  sentencesRead: number;
  /** Sentences with a good checksum that were decoded (used or not). */
  accepted: number;
  /** Accepted sentences of a type the fix assembler does not use (GBS, TXT, PUBX, ...), by type. */
  ignoredByType: Record<string, number>;
  rejected: Record<RejectReason, number>;
  /** Bytes that were not part of any sentence (binary UBX/RTCM, line noise). */
  noiseBytes: number;
  /** `#` comment lines skipped by a log replay. */
  commentLines: number;
  /** Timed sentences of an epoch already ended by a quiet gap (epochFlushMs): not used, no duplicate fix. */
  lateSentences: number;
  fixes: number;
  /** Epochs that ended without a valid position (no fix, mode 1). */
  epochsWithoutFix: number;
  /** Fixes stamped with the host clock because no RMC/ZDA date was known yet. */
  hostTimeFixes: number;
  reconnects: number;
  watchdogReopens: number;
}

export function newCounters(): GpsCounters {
  return {
    sentencesRead: 0,
    accepted: 0,
    ignoredByType: {},
    rejected: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
    noiseBytes: 0,
    commentLines: 0,
    lateSentences: 0,
    fixes: 0,
    epochsWithoutFix: 0,
    hostTimeFixes: 0,
    reconnects: 0,
    watchdogReopens: 0,
  };
}

export function totalRejected(c: GpsCounters): number {
  return Object.values(c.rejected).reduce((a, b) => a + b, 0);
}
