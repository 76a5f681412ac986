import { describe, expect, it } from 'vitest';
import { eventTime, frameObjectKey, lakeLocation, parseLakeRoot, parseParquetObjectKey, parquetObjectKey } from '../src/index.js';

describe('lake layout', () => {
  it('names Parquet objects deterministically from topic, partition and start offset', () => {
    const key = parquetObjectKey({ table: 'gps_data', dt: '2026-11-27', topic: 'gps_data', partition: 3, startOffset: 1234n });
    expect(key).toBe('gps_data/dt=2026-11-27/gps_data+3+0000000000000001234.parquet');
    expect(parseParquetObjectKey(key)).toEqual({ table: 'gps_data', dt: '2026-11-27', topic: 'gps_data', partition: 3, startOffset: 1234n });
  });
  it('zero-pads offsets so names sort in offset order, up to int64 max', () => {
    const a = parquetObjectKey({ table: 't', dt: '2026-01-01', topic: 't', partition: 0, startOffset: 9 });
    const b = parquetObjectKey({ table: 't', dt: '2026-01-01', topic: 't', partition: 0, startOffset: 10 });
    expect([b, a].sort()).toEqual([a, b]);
    expect(parquetObjectKey({ table: 't', dt: '2026-01-01', topic: 't', partition: 0, startOffset: '9223372036854775807' })).toContain('+9223372036854775807.parquet');
  });
  it('takes dt from event time in UTC', () => {
    expect(eventTime('2026-11-27T23:59:59.999Z')).toEqual({ dt: '2026-11-27', ms: Date.UTC(2026, 10, 27, 23, 59, 59, 999) });
    expect(() => eventTime('yesterday')).toThrow();
  });
  it('gives the epoch ms Date.parse gives, for the usual form and every other', () => {
    const times = [
      '2026-11-27T23:59:59.999Z', '2026-11-27T00:00:00Z', '2026-11-27T12:34:56.5Z', '2026-11-27T12:34:56.12Z',
      '2026-11-27T12:34:56.1239Z', '2026-11-27T12:34:56.123456789Z', '2024-02-29T06:00:00.001Z', '2026-12-31T23:59:59.999Z',
      // Date.parse rolls these over or reads them its own way: so must eventTime.
      '2026-02-30T00:00:00Z', '2026-11-27T24:00:00Z', '2026-11-27T10:00:00+02:00', '2026-11-27T10:00:00.000',
      '1969-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z',
    ];
    // Twice, in an order that switches days, so that the remembered day is both hit and replaced.
    for (const t of [...times, ...times.reverse()]) {
      expect(eventTime(t), t).toEqual({ dt: t.slice(0, 10), ms: Date.parse(t) });
    }
    for (const bad of ['2026-11-27T23:60:00Z', '2026-11-27T23:59:60Z', '2026-11-27T00:00:00.Z', '2026-11-27T0a:00:00Z', '2026-13-01T00:00:00Z', '2026-1-01T00:00:00Z']) {
      expect(() => eventTime(bad), bad).toThrow(RangeError);
    }
  });
  it('names frames by date, device and frame', () => {
    expect(frameObjectKey('2026-11-27', 'pi-1', 'f-1')).toBe('frames/dt=2026-11-27/pi-1/f-1.jpg');
    expect(() => frameObjectKey('2026-11-27', '../etc', 'f')).toThrow();
  });
  it('parses s3 and local roots', () => {
    const s3 = parseLakeRoot('s3://my-lake/fleet/raw/');
    expect(s3).toEqual({ kind: 's3', bucket: 'my-lake', prefix: 'fleet/raw' });
    expect(lakeLocation(s3, 'a/b.parquet')).toBe('s3://my-lake/fleet/raw/a/b.parquet');
    expect(lakeLocation(parseLakeRoot('s3://my-lake'), 'k')).toBe('s3://my-lake/k');
    expect(parseLakeRoot('./lake/')).toEqual({ kind: 'local', dir: './lake' });
    expect(() => parseLakeRoot('gs://x/y')).toThrow(/unsupported/);
    expect(() => parseLakeRoot('s3://UPPER/x')).toThrow(/bucket/);
  });
});
