import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fleetlake/testkit';
import { isUtcDateTime, isUuid } from '../src/formats.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** `base` with one to three characters replaced, inserted or removed, from an alphabet near the format's. */
function mutate(base: string, r: () => number): string {
  const alphabet = '0123456789abcdefABCDEFgG-:.TZz +\u0660';
  let v = base;
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    const at = Math.floor(r() * (v.length + 1));
    const c = alphabet[Math.floor(r() * alphabet.length)]!;
    const op = r();
    v = op < 0.6 ? v.slice(0, at) + c + v.slice(at + 1) : op < 0.8 ? v.slice(0, at) + c + v.slice(at) : v.slice(0, at) + v.slice(at + 1);
  }
  return v;
}

/** The reference: what the string means to a calendar (a Date's UTC fields, any year). */
function reference(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

describe('isUtcDateTime', () => {
  it('takes UTC times with Z and up to nanoseconds', () => {
    for (const v of ['2026-11-27T23:59:59Z', '2026-11-27T23:59:59.1Z', '2026-11-27T00:00:00.123456789Z', '2024-02-29T12:00:00.000Z', '2000-02-29T00:00:00Z']) expect(isUtcDateTime(v), v).toBe(true);
  });

  it('refuses offsets, missing Z, impossible dates and times', () => {
    for (const v of ['2026-11-27T23:59:59+00:00', '2026-11-27T23:59:59', '2026-11-27 23:59:59Z', '2026-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:60Z', '2026-01-01T00:00:00.Z', '2026-01-01T00:00:00.1234567890Z', ''])
      expect(isUtcDateTime(v), v).toBe(false);
  });

  it('agrees with the calendar on every day of the leap-rule edge years, and on random field values', () => {
    let checked = 0;
    for (const year of [1900, 1999, 2000, 2023, 2024, 2100, 2400]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const v = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:30:45.5Z`;
          expect(isUtcDateTime(v), v).toBe(reference(v));
          checked++;
        }
      }
    }
    for (let i = 0; i < 5000; i++) {
      const f = (max: number) => String(Math.floor(Math.random() * max)).padStart(2, '0');
      const v = `20${f(100)}-${f(14)}-${f(33)}T${f(26)}:${f(62)}:${f(62)}Z`;
      expect(isUtcDateTime(v), v).toBe(reference(v));
      checked++;
    }
    expect(checked).toBeGreaterThan(8000);
  });

  it('has the shape of its pattern exactly, on mutated times', () => {
    const r = seededRandom(5);
    const bases = ['2026-11-27T23:59:59Z', '2026-11-27T23:59:59.123Z', '2024-02-29T00:00:00.123456789Z'];
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const v = mutate(bases[i % bases.length]!, r);
      const want = DATE_TIME.test(v) && reference(v);
      expect(isUtcDateTime(v), v).toBe(want);
      if (want) accepted++;
    }
    // Some mutations must stay valid (a digit for a digit), or the comparison says little.
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('isUuid', () => {
  it('takes versions 1-8 with the RFC variant, nothing else', () => {
    expect(isUuid('01a21f02-7347-7ef1-b1c4-6f1e6ddfa666')).toBe(true);
    expect(isUuid('3b241101-e2bb-4255-8caf-4136c566a962')).toBe(true);
    expect(isUuid('3b241101-e2bb-0255-8caf-4136c566a962')).toBe(false);
    expect(isUuid('3b241101-e2bb-4255-7caf-4136c566a962')).toBe(false);
    expect(isUuid('3B241101-E2BB-4255-8CAF-4136C566A962')).toBe(true);
  });

});
