import type { RejectReason } from './counters.js';

/** NMEA 0183 allows 82 characters; real receivers (RTK, NMEA 4.11 GSV) go beyond, gpsd accepts up to ~100. */
export const DEFAULT_MAX_SENTENCE_LENGTH = 120;

export type Framed =
  | { ok: true; sentence: string; /** fields without "$" and checksum, [0] = talker + type */ fields: string[]; noise: number }
  | { ok: false; reason: RejectReason; noise: number }
  | { ok: 'noise'; noise: number };

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function nmeaChecksum(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum;
}

/** "$GPGGA,...,M,,*hh" for a body without "$" and "*". */
export function withChecksum(body: string): string {
  return `$${body}*${hex(nmeaChecksum(body))}`;
}

const ADDRESS = /^\$[A-Z][A-Z0-9]{2,9},/;

/** The last "$" that opens something shaped like a sentence address ("$GPGGA,"), or -1. */
function sentenceStart(line: string): number {
  for (let at = line.lastIndexOf('$'); at >= 0; at = at === 0 ? -1 : line.lastIndexOf('$', at - 1)) {
    if (ADDRESS.test(line.slice(at, at + 12))) return at;
  }
  return -1;
}

/**
 * Finds the NMEA sentence in one line as it came off the wire (latin1, "\r\n" removed) and checks it.
 * Bytes around it (binary UBX/RTCM, line noise, a "$" inside binary data) are noise.
 */
export function frameSentence(line: string, maxLength = DEFAULT_MAX_SENTENCE_LENGTH): Framed {
  const start = sentenceStart(line);
  if (start < 0) return { ok: 'noise', noise: line.length };
  let noise = start;
  const star = line.indexOf('*', start);
  const end = star < 0 ? line.length : Math.min(line.length, star + 3);
  noise += line.length - end;
  const sentence = line.slice(start, end);
  if (sentence.length > maxLength) return { ok: false, reason: 'too_long', noise };
  for (let i = 1; i < sentence.length; i++) {
    const c = sentence.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return { ok: false, reason: 'bad_chars', noise };
  }
  if (star < 0 || end - star !== 3) return { ok: false, reason: 'no_checksum', noise };
  const body = sentence.slice(1, star - start);
  const given = Number.parseInt(sentence.slice(star - start + 1), 16);
  if (!/^[0-9A-Fa-f]{2}$/.test(sentence.slice(star - start + 1)) || given !== nmeaChecksum(body)) {
    return { ok: false, reason: 'bad_checksum', noise };
  }
  const fields = body.split(',');
  return { ok: true, sentence, fields, noise };
}
