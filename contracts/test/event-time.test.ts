import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVENT_TIME_WINDOW,
  deadLetterPayload,
  deadLetterValidator,
  eventTimeBounds,
  EventTimeWindowSchema,
  parseRecord,
  PROJECTION_START,
  projectionRange,
} from '../src/index.js';
import { validRecords } from './fixtures.js';

const received = Date.parse('2026-11-27T10:00:00Z');
const bounds = eventTimeBounds();
const gpsAt = (timestamp: string) => JSON.stringify({ ...validRecords.gps, timestamp });

describe('the event-time window', () => {
  it('defaults to the projection start and one day ahead, and gives the tables their range', () => {
    expect(DEFAULT_EVENT_TIME_WINDOW).toEqual({ earliest: PROJECTION_START, maxAheadMs: 86_400_000 });
    expect(projectionRange()).toBe('2020-01-01,NOW+1DAYS');
    expect(projectionRange({ earliest: '2024-06-01', maxAheadMs: 0 })).toBe('2024-06-01,NOW');
    expect(projectionRange({ earliest: '2024-06-01', maxAheadMs: 36 * 3600_000 })).toBe('2024-06-01,NOW+2DAYS');
    expect(EventTimeWindowSchema.properties.earliest.default).toBe(PROJECTION_START);
  });

  it('refuses records dated before the projection start or more than maxAheadMs after receipt', () => {
    const at = (t: string) => parseRecord('gps', gpsAt(t), undefined, { receivedMs: received, bounds });
    expect(at('2026-11-27T09:00:00Z').ok).toBe(true);
    expect(at('2020-01-01T00:00:00Z').ok).toBe(true);
    expect(at('2026-11-28T10:00:00Z').ok).toBe(true); // exactly one day ahead
    for (const t of ['0000-01-01T00:00:00Z', '2019-12-31T23:59:59.999Z', '2026-11-28T10:00:00.001Z', '9999-12-31T23:59:59Z']) {
      const r = at(t);
      expect(r, t).toMatchObject({ ok: false, reason: 'event_time_out_of_range', issues: [{ path: '/timestamp' }] });
    }
    // Without a receive time (e.g. the agent checking its own records) the window is not applied.
    expect(parseRecord('gps', gpsAt('9999-12-31T23:59:59Z')).ok).toBe(true);
  });

  it('takes a configured window', () => {
    const b = eventTimeBounds({ earliest: '2026-01-01', maxAheadMs: 0 });
    expect(parseRecord('gps', gpsAt('2025-12-31T23:00:00Z'), undefined, { receivedMs: received, bounds: b }).ok).toBe(false);
    expect(parseRecord('gps', gpsAt('2026-11-27T10:00:00.001Z'), undefined, { receivedMs: received, bounds: b }).ok).toBe(false);
    expect(() => eventTimeBounds({ earliest: '2026-02-31x', maxAheadMs: 0 })).toThrow(/not a date/);
  });
});

describe('dead-letter payloads', () => {
  it('keep the original up to a bound, with the full size and the SHA-256 of the whole', () => {
    const payload = Buffer.alloc(300_000, 7);
    const p = deadLetterPayload(payload, 1000);
    expect(Buffer.from(p.payloadBase64, 'base64')).toEqual(payload.subarray(0, 1000));
    expect(p.payloadBytes).toBe(300_000);
    expect(p.payloadSha256).toBe(createHash('sha256').update(payload).digest('hex'));
    const small = deadLetterPayload(new Uint8Array([1, 2, 3]));
    expect(Buffer.from(small.payloadBase64, 'base64')).toEqual(Buffer.from([1, 2, 3]));
    const envelope = { reason: 'schema', issues: [], source: 'bridge', receivedAt: '2026-11-27T10:00:00.000Z', ...p };
    expect(deadLetterValidator.validate(envelope).ok).toBe(true);
  });
});
