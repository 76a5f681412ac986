import { describe, expect, it } from 'vitest';
import { frameDate, frameIdTime, newFrameId } from '../src/frame-id.js';
import { isFrameId } from '../src/topics.js';

describe('frame ids (UUIDv7)', () => {
  it('carry the event time to the millisecond and are valid frame ids and UUIDs', () => {
    for (const iso of ['2026-11-27T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2099-12-31T12:00:00.123Z']) {
      const id = newFrameId(Date.parse(iso));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isFrameId(id)).toBe(true);
      expect(new Date(frameIdTime(id)!).toISOString()).toBe(iso);
      expect(frameDate(id, '2000-01-01')).toBe(iso.slice(0, 10));
    }
  });

  it('are unique for the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newFrameId(1_795_000_000_000)));
    expect(ids.size).toBe(1000);
  });

  it('other ids carry no time and fall back', () => {
    expect(frameIdTime('f-9')).toBeUndefined();
    expect(frameIdTime('3b241101-e2bb-4255-8caf-4136c566a962')).toBeUndefined(); // version 4
    expect(frameDate('f-9', '2026-11-27')).toBe('2026-11-27');
  });
});
