import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/http-errors.js';
import { daysWindow, deviceIdParam, frameIdParam, queryParams, windowDays, windowParams } from '../src/params.js';

const bad = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return { status: (err as HttpError).status, code: (err as HttpError).code, message: (err as Error).message };
  }
  throw new Error('expected a bad parameter');
};

describe('request parameters', () => {
  it('a day is that UTC day; from/to are a window with to exclusive; neither is the fallback day', () => {
    expect(windowParams({ day: '2026-11-27' }, 7, undefined)).toMatchObject({ from: '2026-11-27T00:00:00.000Z', to: '2026-11-28T00:00:00.000Z' });
    expect(windowParams({ from: '2026-11-27T08:00:00Z', to: '2026-11-27T09:30:00+01:00' }, 7, undefined)).toMatchObject({ from: '2026-11-27T08:00:00.000Z', to: '2026-11-27T08:30:00.000Z' });
    expect(windowParams({}, 7, '2026-11-28')).toMatchObject({ from: '2026-11-28T00:00:00.000Z' });
  });

  it('refuses what is not a date, a time, a window, or too long, saying which parameter', () => {
    expect(bad(() => windowParams({ day: '2026-02-30' }, 7, undefined))).toMatchObject({ status: 400, code: 'BAD_PARAMETER', message: expect.stringContaining('"day"') });
    expect(bad(() => windowParams({ from: 'yesterday', to: '2026-11-27T09:00:00Z' }, 7, undefined)).message).toContain('bad parameter "from"');
    expect(bad(() => windowParams({ from: '2026-11-27T09:00:00Z' }, 7, undefined)).message).toContain('"to"');
    expect(bad(() => windowParams({ from: '2026-11-27T09:00:00Z', to: '2026-11-27T09:00:00Z' }, 7, undefined)).message).toContain('after from');
    expect(bad(() => windowParams({ day: '2026-11-27', from: '2026-11-27T09:00:00Z', to: '2026-11-27T10:00:00Z' }, 7, undefined)).message).toContain('not both');
    expect(bad(() => windowParams({ from: '2026-11-01T00:00:00Z', to: '2026-11-09T00:00:00Z' }, 7, undefined)).message).toContain('longer than 7 day(s)');
  });

  it('only known query parameters, once each; ids in the contracts’ form', () => {
    expect(queryParams(new URLSearchParams('day=2026-11-27'), ['day'])).toEqual({ day: '2026-11-27' });
    expect(bad(() => queryParams(new URLSearchParams('speed=fast'), ['day'])).message).toContain('"speed"');
    expect(bad(() => queryParams(new URLSearchParams('day=a&day=b'), ['day'])).message).toContain('given twice');
    expect(deviceIdParam('van-1')).toBe('van-1');
    expect(bad(() => deviceIdParam('../etc')).message).toContain('deviceId');
    expect(bad(() => frameIdParam('a/b')).message).toContain('frameId');
  });

  it('the dt partitions a window touches', () => {
    const w = windowParams({ from: '2026-11-27T22:00:00Z', to: '2026-11-29T00:00:00Z' }, 7, undefined);
    expect(windowDays(w)).toEqual(['2026-11-27', '2026-11-28']);
    expect(windowDays(windowParams({ day: '2026-12-31' }, 7, undefined))).toEqual(['2026-12-31']);
  });

  it('the window over a run of dt partitions, back to those days', () => {
    const w = daysWindow(['2026-11-30', '2026-12-01'])!;
    expect([w.from, w.to]).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-02T00:00:00.000Z']);
    expect(windowDays(w)).toEqual(['2026-11-30', '2026-12-01']);
    expect(daysWindow([])).toBeUndefined();
  });
});
