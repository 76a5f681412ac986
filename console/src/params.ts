import { isDeviceId, isFrameId } from '@fleetlake/contracts';
import { badParameter } from './http-errors.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** ISO-8601 with a date and a time of day, Z or an offset: what the page sends and people type. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A time window [from, to) as ISO strings and epoch ms. */
export interface Window {
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

/** Only these query parameters, each at most once: anything else is a mistake worth saying. */
export function queryParams(search: URLSearchParams, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of search) {
    if (!allowed.includes(name)) throw badParameter(name, `not a parameter here (${allowed.length ? `use ${allowed.join(', ')}` : 'none are taken'})`);
    if (name in out) throw badParameter(name, 'given twice');
    out[name] = value;
  }
  return out;
}

export function deviceIdParam(value: string): string {
  if (!isDeviceId(value)) throw badParameter('deviceId', `${JSON.stringify(value.slice(0, 80))} is not a device id (letters, digits, "_", ".", "-", at most 64)`);
  return value;
}

export function frameIdParam(value: string): string {
  if (!isFrameId(value)) throw badParameter('frameId', `${JSON.stringify(value.slice(0, 80))} is not a frame id`);
  return value;
}

function dayStart(name: string, value: string): number {
  const ms = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw badParameter(name, `${JSON.stringify(value.slice(0, 40))} is not a date (YYYY-MM-DD)`);
  return ms;
}

function instant(name: string, value: string): number {
  const ms = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw badParameter(name, `${JSON.stringify(value.slice(0, 40))} is not a time (ISO-8601 such as 2026-11-27T08:00:00Z)`);
  return ms;
}

const windowOf = (fromMs: number, toMs: number): Window => ({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), fromMs, toMs });

/**
 * The window a vehicle view asks for: `day=YYYY-MM-DD` (that UTC day), or `from` and `to` (ISO-8601, to
 * exclusive), or neither (then `fallbackDay`, the day of the vehicle's last position). At most `maxDays` long.
 */
export function windowParams(p: Record<string, string>, maxDays: number, fallbackDay: string | undefined): Window {
  const { day, from, to } = p;
  if (day !== undefined && (from !== undefined || to !== undefined)) throw badParameter('day', 'give either day or from and to, not both');
  if ((from === undefined) !== (to === undefined)) throw badParameter(from === undefined ? 'from' : 'to', 'from and to go together');
  let w: Window;
  if (from !== undefined && to !== undefined) {
    w = windowOf(instant('from', from), instant('to', to));
    if (w.toMs <= w.fromMs) throw badParameter('to', 'must be after from');
  } else {
    const start = dayStart('day', day ?? fallbackDay ?? new Date().toISOString().slice(0, 10));
    w = windowOf(start, start + DAY_MS);
  }
  if (w.toMs - w.fromMs > maxDays * DAY_MS) throw badParameter('to', `the window is longer than ${maxDays} day(s) (lake.maxWindowDays)`);
  return w;
}

/** The `dt` partitions (UTC days) a window touches. */
export function windowDays(w: Pick<Window, 'fromMs' | 'toMs'>): string[] {
  const out: string[] = [];
  for (let t = Math.floor(w.fromMs / DAY_MS) * DAY_MS; t < w.toMs; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The window [first day's midnight, the midnight after the last day) over `dt` partitions (UTC days, in order); undefined for none. */
export function daysWindow(days: readonly string[]): Window | undefined {
  if (days.length === 0) return undefined;
  return windowOf(dayStart('day', days[0]!), dayStart('day', days[days.length - 1]!) + DAY_MS);
}
