import { CAMERA_FRAMES_TOPIC, DEAD_LETTER_TOPIC } from './streams.js';
import { isDeviceId, isFrameId } from './topics.js';

/**
 * Lake layout (DESIGN.md):
 *   {root}/{table}/dt=YYYY-MM-DD/{topic}+{partition}+{startOffset, zero-padded}.parquet
 *   {root}/frames/dt=YYYY-MM-DD/{deviceId}/{frameId}.jpg
 * Names are deterministic, so a replay overwrites the same object.
 */
export const FRAMES_PREFIX = 'frames';
export const DEAD_LETTER_PREFIX = DEAD_LETTER_TOPIC;
/** Enough digits for any int64 offset, so names sort in offset order. */
export const OFFSET_DIGITS = 19;

const DT_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The day `eventTime` saw last, with its epoch ms: records come in runs of the same day. */
let lastDt = '';
let lastDayMs = NaN;

const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/**
 * Milliseconds into the day of `THH:MM:SS[.fraction]Z` at position 10, as Date.parse counts them
 * (the fraction truncated to ms); NaN for anything else, which Date.parse then decides.
 */
function timeOfDayMs(t: string): number {
  const n = t.length;
  if (n < 20 || t.charCodeAt(10) !== 84 /* T */ || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || t.charCodeAt(n - 1) !== 90 /* Z */) return NaN;
  const h = digit(t, 11) * 10 + digit(t, 12);
  const m = digit(t, 14) * 10 + digit(t, 15);
  const sec = digit(t, 17) * 10 + digit(t, 18);
  if (!(h <= 23 && m <= 59 && sec <= 59)) return NaN;
  let ms = 0;
  if (n > 20) {
    // ".d" to ".ddddddddd": the first three digits count, scaled (".5" is 500 ms).
    if (t.charCodeAt(19) !== 46 /* . */ || n < 22 || n > 30) return NaN;
    for (let i = 20; i < n - 1; i++) {
      const d = digit(t, i);
      if (Number.isNaN(d)) return NaN;
      if (i < 23) ms = ms * 10 + d;
    }
    for (let i = n - 1; i < 23; i++) ms *= 10;
  }
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/**
 * `dt` partition value (UTC date) and epoch milliseconds of an ISO-8601 UTC event time. One function
 * for both, so the sink parses each record's timestamp once. The usual `…THH:MM:SS.sssZ` form is
 * read by hand against the day's start, parsed once per day (Date.parse of every record was ~0.5 µs,
 * the sink's largest cost after JSON.parse and validation); anything else goes to Date.parse.
 */
export function eventTime(timestamp: string): { dt: string; ms: number } {
  const dt = timestamp.slice(0, 10);
  const inDay = timeOfDayMs(timestamp);
  if (!Number.isNaN(inDay)) {
    if (dt !== lastDt) {
      const day = DT_RE.test(dt) ? Date.parse(`${dt}T00:00:00Z`) : NaN;
      if (!Number.isNaN(day)) {
        lastDt = dt;
        lastDayMs = day;
      }
    }
    if (dt === lastDt) return { dt, ms: lastDayMs + inDay };
  }
  const ms = Date.parse(timestamp);
  if (!DT_RE.test(dt) || Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(timestamp)}`);
  return { dt, ms };
}

export function padOffset(offset: bigint | number | string): string {
  const s = BigInt(offset).toString();
  if (s.startsWith('-')) throw new RangeError(`negative offset ${s}`);
  return s.padStart(OFFSET_DIGITS, '0');
}

export interface ParquetKeyParts {
  table: string;
  dt: string;
  topic: string;
  partition: number;
  startOffset: bigint | number | string;
}

export function parquetObjectKey({ table, dt, topic, partition, startOffset }: ParquetKeyParts): string {
  if (!DT_RE.test(dt)) throw new RangeError(`bad dt ${JSON.stringify(dt)}`);
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
  return `${table}/dt=${dt}/${topic}+${partition}+${padOffset(startOffset)}.parquet`;
}

export function parseParquetObjectKey(key: string): ParquetKeyParts | undefined {
  const m = /^([a-z0-9_]+)\/dt=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9._-]+)\+(\d+)\+(\d{19})\.parquet$/.exec(key);
  if (!m) return undefined;
  return { table: m[1]!, dt: m[2]!, topic: m[3]!, partition: Number(m[4]), startOffset: BigInt(m[5]!) };
}

export function frameObjectKey(dt: string, deviceId: string, frameId: string): string {
  if (!DT_RE.test(dt)) throw new RangeError(`bad dt ${JSON.stringify(dt)}`);
  if (!isDeviceId(deviceId) || !isFrameId(frameId)) throw new RangeError(`bad frame key parts ${deviceId}/${frameId}`);
  return `${FRAMES_PREFIX}/dt=${dt}/${deviceId}/${frameId}.jpg`;
}

/** Dead-letter objects mirror the Parquet naming so that replays overwrite rather than add. */
export function deadLetterObjectKey(dt: string, topic: string, partition: number, startOffset: bigint | number | string): string {
  return `${DEAD_LETTER_PREFIX}/dt=${dt}/${topic}+${partition}+${padOffset(startOffset)}.jsonl`;
}

export type LakeRoot = { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; dir: string };

/** `s3://bucket/prefix` or a local folder. */
export function parseLakeRoot(root: string): LakeRoot {
  if (root.startsWith('s3://')) {
    const rest = root.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new RangeError(`invalid S3 bucket name in ${JSON.stringify(root)}`);
    return { kind: 's3', bucket, prefix };
  }
  if (root.includes('://')) throw new RangeError(`unsupported lake root ${JSON.stringify(root)} (use s3://bucket/prefix or a folder)`);
  if (root.trim() === '') throw new RangeError('empty lake root');
  return { kind: 'local', dir: root.replace(/\/+$/, '') || '/' };
}

/** Full location of a key under a root: an s3:// URI or a filesystem path. */
export function lakeLocation(root: LakeRoot, key: string): string {
  if (root.kind === 's3') return `s3://${root.bucket}/${root.prefix ? `${root.prefix}/` : ''}${key}`;
  return `${root.dir}/${key}`;
}

export { CAMERA_FRAMES_TOPIC };
