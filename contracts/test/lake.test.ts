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
