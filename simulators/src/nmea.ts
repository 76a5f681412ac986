import type { SkyFix } from './satellites.js';
import type { TruthState } from './trip.js';

/** NMEA 0183 sentence encoding: checksums, coordinates, UTC time, and the sentences of one epoch. */

export function nmeaChecksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

/** `$body*CS\r\n` */
export function sentence(body: string): string {
  return `$${body}*${nmeaChecksum(body)}\r\n`;
}

/** ddmm.mmmmmm / dddmm.mmmmmm with the hemisphere; exact integer rounding so minutes never reach 60. */
export function formatCoordinate(value: number, isLat: boolean, decimals: number): [string, string] {
  const scale = 10 ** decimals;
  const total = Math.round(Math.abs(value) * 60 * scale);
  const perDegree = 60 * scale;
  const deg = Math.floor(total / perDegree);
  const minScaled = total - deg * perDegree;
  const minInt = Math.floor(minScaled / scale);
  const minFrac = minScaled - minInt * scale;
  const text = `${String(deg).padStart(isLat ? 2 : 3, '0')}${String(minInt).padStart(2, '0')}${decimals > 0 ? `.${String(minFrac).padStart(decimals, '0')}` : ''}`;
  const hemi = isLat ? (value < 0 ? 'S' : 'N') : value < 0 ? 'W' : 'E';
  return [text, hemi];
}

/** hhmmss.ss (centiseconds, truncated as receivers do). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}.${p2(Math.floor(d.getUTCMilliseconds() / 10))}`;
}

/** ddmmyy */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(d.getUTCDate())}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCFullYear() % 100)}`;
}

export const KNOTS_PER_MS = 3600 / 1852;

export interface EpochOptions {
  /** Talker id: GP (GPS only) by default, GN for multi-constellation receivers. */
  talker?: string;
  /** Decimal places of minutes: 6 keeps positions within ~2e-8° of the truth. */
  minuteDecimals?: number;
  /** Emit GSV this epoch (receivers at 5-10 Hz send it once a second). */
  withGsv?: boolean;
  /** Geoid separation (m); ~47 m over England. */
  geoidSepM?: number;
}

export interface Epoch {
  truth: TruthState;
  sky: SkyFix;
  /** False while the receiver has lost its fix. */
  hasFix: boolean;
}

/** GGA, RMC, VTG, GSA (+ GSV) for one epoch. */
export function epochSentences(epoch: Epoch, opts: EpochOptions = {}): string[] {
  const talker = opts.talker ?? 'GP';
  const dec = opts.minuteDecimals ?? 6;
  const { truth, sky, hasFix } = epoch;
  const time = formatTime(truth.timeMs);
  const date = formatDate(truth.timeMs);
  const [lat, ns] = hasFix ? formatCoordinate(truth.lat, true, dec) : ['', ''];
  const [lon, ew] = hasFix ? formatCoordinate(truth.lon, false, dec) : ['', ''];
  const speedKn = hasFix ? (truth.speedMs * KNOTS_PER_MS).toFixed(3) : '';
  const speedKmh = hasFix ? (truth.speedMs * 3.6).toFixed(3) : '';
  // Receivers hold the last course while stopped rather than report noise.
  const course = hasFix ? truth.courseDeg.toFixed(2) : '';
  const used = hasFix ? sky.used : [];
  const sats = String(used.length).padStart(2, '0');
  const hdop = hasFix ? sky.hdop.toFixed(2) : '99.99';
  const alt = hasFix ? truth.altitudeM.toFixed(1) : '';
  const geoid = hasFix ? (opts.geoidSepM ?? 47).toFixed(1) : '';
  const mode = hasFix ? 'A' : 'N';
  const out = [
    sentence(`${talker}GGA,${time},${lat},${ns},${lon},${ew},${hasFix ? 1 : 0},${sats},${hdop},${alt},${alt ? 'M' : ''},${geoid},${geoid ? 'M' : ''},,`),
    sentence(`${talker}RMC,${time},${hasFix ? 'A' : 'V'},${lat},${ns},${lon},${ew},${speedKn},${course},${date},,,${mode}`),
    sentence(`${talker}VTG,${course},${course ? 'T' : ''},,M,${speedKn},${speedKn ? 'N' : ''},${speedKmh},${speedKmh ? 'K' : ''},${mode}`),
  ];
  const prns = Array.from({ length: 12 }, (_, i) => (used[i] !== undefined ? String(used[i]).padStart(2, '0') : ''));
  const dops = hasFix ? [sky.pdop, sky.hdop, sky.vdop].map((d) => d.toFixed(2)) : ['99.99', '99.99', '99.99'];
  out.push(sentence(`${talker === 'GN' ? 'GN' : 'GP'}GSA,A,${hasFix ? 3 : 1},${prns.join(',')},${dops.join(',')}`));
  if (opts.withGsv ?? true) out.push(...gsvSentences(sky));
  return out;
}

/** GSV: satellites in view, four per sentence (always GP: the simulated constellation is GPS). */
export function gsvSentences(sky: SkyFix): string[] {
  const views = sky.inView;
  const total = Math.max(1, Math.ceil(views.length / 4));
  const out: string[] = [];
  for (let m = 0; m < total; m++) {
    const group = views.slice(m * 4, m * 4 + 4).map((s) =>
      [String(s.prn).padStart(2, '0'), String(s.elevationDeg).padStart(2, '0'), String(s.azimuthDeg).padStart(3, '0'), s.snrDb > 0 ? String(s.snrDb).padStart(2, '0') : ''].join(','),
    );
    out.push(sentence(`GPGSV,${total},${m + 1},${String(views.length).padStart(2, '0')}${group.length ? `,${group.join(',')}` : ''}`));
  }
  return out;
}
