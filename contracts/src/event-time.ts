import { Type, type Static } from '@sinclair/typebox';
import type { ValidationIssue } from '@fleetlake/core';

/**
 * Which event times the lake can show. The Glue tables enumerate `dt` partitions from the projection
 * start to a little after now (partition projection, see the sink's tables.ts); a record dated outside
 * that range would be stored where no Athena query looks. So the bridge and the sink refuse such
 * records as dead letters (reason `event_time_out_of_range`), by one window around the receive time:
 * not before `earliest` (the projection start) and at most `maxAheadMs` after the receive time. The
 * tables' projection range is derived from the same window, so the two cannot disagree.
 */
export const PROJECTION_START = '2020-01-01';
export const DEFAULT_MAX_AHEAD_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The `eventTime` section of the bridge's and the sink's configuration. */
export const EventTimeWindowSchema = Type.Object(
  {
    /** Oldest event date accepted, and the first `dt` partition the tables enumerate (YYYY-MM-DD, UTC). */
    earliest: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', default: PROJECTION_START }),
    /** How far an event time may lie ahead of the receive time (clock skew of a device). */
    maxAheadMs: Type.Integer({ minimum: 0, maximum: 366 * DAY_MS, default: DEFAULT_MAX_AHEAD_MS }),
  },
  { default: {}, additionalProperties: false },
);
export type EventTimeWindow = Static<typeof EventTimeWindowSchema>;

export const DEFAULT_EVENT_TIME_WINDOW: EventTimeWindow = Object.freeze({ earliest: PROJECTION_START, maxAheadMs: DEFAULT_MAX_AHEAD_MS });

/** The window with its start as epoch milliseconds, for checking many records. */
export interface EventTimeBounds {
  readonly window: EventTimeWindow;
  readonly earliestMs: number;
}

export function eventTimeBounds(window: EventTimeWindow = DEFAULT_EVENT_TIME_WINDOW): EventTimeBounds {
  const earliestMs = Date.parse(`${window.earliest}T00:00:00Z`);
  if (Number.isNaN(earliestMs)) throw new RangeError(`eventTime.earliest ${JSON.stringify(window.earliest)} is not a date`);
  return { window, earliestMs };
}

/** Athena partition projection range for `dt`: the window's start to now plus the days it allows ahead. */
export function projectionRange(window: EventTimeWindow = DEFAULT_EVENT_TIME_WINDOW): string {
  const days = Math.ceil(window.maxAheadMs / DAY_MS);
  return `${window.earliest},${days > 0 ? `NOW+${days}DAYS` : 'NOW'}`;
}

/**
 * Why an event time falls outside the window around `receivedMs`, or undefined when it is inside.
 * The reason of the dead letter is `event_time_out_of_range`.
 */
export function eventTimeIssue(eventMs: number, receivedMs: number, bounds: EventTimeBounds): ValidationIssue | undefined {
  if (eventMs < bounds.earliestMs) {
    return { path: '/timestamp', message: `event time ${new Date(eventMs).toISOString()} is before ${bounds.window.earliest} (eventTime.earliest, where the tables start)` };
  }
  if (eventMs > receivedMs + bounds.window.maxAheadMs) {
    return {
      path: '/timestamp',
      message: `event time ${new Date(eventMs).toISOString()} is more than ${bounds.window.maxAheadMs} ms after the receive time ${new Date(receivedMs).toISOString()} (eventTime.maxAheadMs)`,
    };
  }
  return undefined;
}
