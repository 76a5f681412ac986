import { parseNmeaSentence, type GGAPacket, type GLLPacket, type GSAPacket, type GSVPacket, type RMCPacket, type VTGPacket } from 'nmea-simple';

/** Sentence types the fix assembler uses; every talker (GP, GN, GL, GA, GB, BD, GQ, ...) is accepted. */
export const USED_TYPES = ['GGA', 'RMC', 'GLL', 'VTG', 'GSA', 'GSV', 'ZDA'] as const;
export type UsedType = (typeof USED_TYPES)[number];

export interface UtcDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/**
 * What one sentence says, normalised, with missing fields left undefined. The flags follow what gpsd's
 * NMEA driver does with each sentence, because gpsd's epoch and fix decisions are the reference.
 */
export interface Observation {
  type: UsedType;
  talker: string;
  /** Milliseconds since UTC midnight of a time that marks the epoch (gpsd "registers" it). */
  epochTodMs?: number;
  /** Date (RMC with status A, or ZDA). */
  date?: UtcDate;
  /** Position the sentence writes (GGA whenever it has coordinates, RMC/GLL only with status A). */
  lat?: number;
  lon?: number;
  /** Fix mode the sentence sets, before the assembler's context rules: 1 no fix, 2, 3. */
  mode?: 1 | 2 | 3;
  /** RMC/GLL say "valid" but not 2D or 3D: the assembler decides from context. */
  validNoMode?: true;
  altMSL?: number;
  /** GGA satellites in use (field 7) or the count of PRNs in GSA. */
  satellites?: number;
  hdop?: number;
  speedKmh?: number;
  courseDeg?: number;
  fixQuality?: number;
  /** GSV/GSA with more parts of the series still to come. */
  more?: true;
  /** A receiver quirk (no-fix sentence without a time): report now, cycle end no longer reliable. */
  forceReport?: true;
}

export class FieldError extends Error {}

const KNOTS_TO_KMH = 1.852;
const TIME = /^(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?$/;
const COORD = /^\d{1,5}\.\d*$/;

/** "hhmmss(.sss)" to milliseconds since midnight. */
export function parseTimeOfDay(field: string): number {
  const m = TIME.exec(field);
  if (!m) throw new FieldError(`bad time "${field}"`);
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 60) throw new FieldError(`bad time "${field}"`);
  const ms = m[4] ? Math.round(Number(`0.${m[4]}`) * 1000) : 0;
  return ((h * 60 + min) * 60 + s) * 1000 + ms;
}

/** RMC "ddmmyy"; two-digit years below 69 are 20xx, as gpsd does. */
export function parseDdmmyy(field: string): UtcDate {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(field);
  if (!m) throw new FieldError(`bad date "${field}"`);
  const [day, month, yy] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new FieldError(`bad date "${field}"`);
  return { year: yy < 69 ? 2000 + yy : 1900 + yy, month, day };
}

function present(field: string | undefined): field is string {
  return field !== undefined && field !== '';
}

function num(field: string | undefined): number | undefined {
  if (!present(field)) return undefined;
  const v = Number(field);
  return Number.isFinite(v) ? v : undefined;
}

/** All four coordinate fields present and well formed (gpsd's do_lat_lon). */
function hasPosition(fields: string[], at: number): boolean {
  const [lat, ns, lon, ew] = fields.slice(at, at + 4);
  if (!present(lat) || !present(ns) || !present(lon) || !present(ew)) return false;
  if (!COORD.test(lat) || !COORD.test(lon)) throw new FieldError('bad coordinate');
  if ((ns !== 'N' && ns !== 'S') || (ew !== 'E' && ew !== 'W')) throw new FieldError('bad hemisphere');
  return true;
}

function timeOf(fields: string[], at: number): number | undefined {
  return present(fields[at]) ? parseTimeOfDay(fields[at]) : undefined;
}

/**
 * Decodes one checked sentence with nmea-simple and normalises it. Returns undefined for types the
 * assembler does not use; throws FieldError for malformed fields and Error when nmea-simple refuses it.
 */
export function observe(sentence: string, fields: string[]): Observation | undefined {
  const head = fields[0]!;
  const type = head.slice(-3) as UsedType;
  if (head.startsWith('P') || !(USED_TYPES as readonly string[]).includes(type)) return undefined;
  const talker = head.slice(0, -3);
  const o: Observation = { type, talker };
  const packet = parseNmeaSentence(sentence);
  switch (type) {
    case 'GGA': {
      const p = packet as GGAPacket;
      const quality = num(fields[6]);
      o.fixQuality = quality;
      if (quality === 0 && !present(fields[1])) o.forceReport = true;
      o.epochTodMs = timeOf(fields, 1);
      const sats = num(fields[7]) ?? 0;
      o.satellites = num(fields[7]);
      if (hasPosition(fields, 2)) {
        o.lat = p.latitude;
        o.lon = p.longitude;
        o.mode = 2;
        if (present(fields[9])) {
          o.altMSL = p.altitudeMeters;
          if (sats >= 4) o.mode = 3;
        }
        if (sats < 3) o.mode = 1;
      } else {
        o.mode = 1;
      }
      const hdop = num(fields[8]);
      if (hdop !== undefined && hdop < 99) o.hdop = p.horizontalDilution;
      return o;
    }
    case 'RMC': {
      const p = packet as RMCPacket;
      const status = fields[2];
      if (status !== 'A' && status !== 'D') {
        o.mode = 1;
        if (!present(fields[1]) || !present(fields[9])) o.forceReport = true;
        return o;
      }
      if (present(fields[1]) && present(fields[9])) {
        o.epochTodMs = parseTimeOfDay(fields[1]);
        o.date = parseDdmmyy(fields[9]);
      }
      if (hasPosition(fields, 3)) {
        o.lat = p.latitude;
        o.lon = p.longitude;
        o.validNoMode = true;
      } else {
        o.mode = 1;
      }
      if (present(fields[7])) o.speedKmh = p.speedKnots * KNOTS_TO_KMH;
      if (present(fields[8])) o.courseDeg = p.trackTrue;
      return o;
    }
    case 'GLL': {
      const p = packet as GLLPacket;
      o.epochTodMs = timeOf(fields, 5);
      if (fields[6] === 'A' && fields[7] !== 'N' && hasPosition(fields, 1)) {
        o.lat = p.latitude;
        o.lon = p.longitude;
        o.validNoMode = true;
      } else {
        o.mode = 1;
      }
      return o;
    }
    case 'VTG': {
      const p = packet as VTGPacket;
      if (fields[9] === 'N') return o;
      if (present(fields[1])) o.courseDeg = p.trackTrue;
      if (present(fields[7])) o.speedKmh = p.speedKmph;
      else if (present(fields[5])) o.speedKmh = p.speedKnots * KNOTS_TO_KMH;
      return o;
    }
    case 'GSA': {
      const p = packet as GSAPacket;
      const mode = num(fields[2]);
      o.satellites = p.satellites.length;
      if (mode === 1 || mode === 2 || mode === 3) o.mode = mode;
      const hdop = num(fields[16]);
      if (hdop !== undefined && hdop > 0 && hdop < 99) o.hdop = p.HDOP;
      return o;
    }
    case 'GSV': {
      const p = packet as GSVPacket;
      if (p.messageNumber < p.numberOfMessages) o.more = true;
      return o;
    }
    case 'ZDA': {
      o.epochTodMs = timeOf(fields, 1);
      const [d, m, y] = [num(fields[2]), num(fields[3]), num(fields[4])];
      if (d !== undefined && m !== undefined && y !== undefined) {
        if (!(y >= 1980 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) throw new FieldError('bad ZDA date');
        o.date = { year: y, month: m, day: d };
      }
      return o;
    }
  }
  return undefined;
}
