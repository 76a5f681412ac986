import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/prometheus-text.js';
import { groupLag, rate, readBridgeStage, readSinkStage } from '../src/stages.js';
import { LruFiles } from '../src/lru-files.js';
import { frameKeyOf, recentParquetDays } from '../src/lake-reader.js';
import { isoTime, spread } from '../src/lake-api.js';
import { mergeFleet } from '../src/routes.js';

describe('pipeline stages from /metrics', () => {
  it('reads the bridge and the sink as the demo’s status view does (flush markers are not data)', () => {
    const m = parsePrometheusText('fleetlake_sink_records_total{topic="gps_data",kind="record"} 90\nfleetlake_sink_records_total{topic="gps_data",kind="marker"} 4\nfleetlake_sink_objects_written_total{kind="parquet"} 3\nfleetlake_sink_objects_written_total{kind="jpeg"} 2\n');
    expect(readSinkStage(m)).toEqual({ records: 90, buffered: 0, parquetFiles: 3, frames: 2, deadLetters: 0 });
    expect(readBridgeStage(parsePrometheusText('fleetlake_bridge_kafka_up 1\nfleetlake_bridge_produced_total{topic="gps_data"} 7\n'))).toMatchObject({ produced: 7, kafkaUp: true });
  });

  it('rates need two readings and no restart between them; lag counts nothing committed as all of it', () => {
    expect(rate(150, 100, 2)).toBe(25);
    expect(rate(10, 100, 2)).toBeUndefined();
    expect(rate(10, undefined, 2)).toBeUndefined();
    expect(groupLag([{ high: 10n, committed: 4n }, { high: 5n, committed: -1n }, { high: 3n, committed: 3n }])).toBe(11);
  });
});

describe('lake helpers', () => {
  it('an LRU byte budget evicts the oldest files the current request does not need', () => {
    const lru = new LruFiles(100);
    lru.add('a', 40);
    lru.add('b', 40);
    lru.touch('a');
    lru.add('c', 40);
    expect(lru.evict(new Set(['c']))).toEqual(['b']);
    expect(lru.bytes).toBe(80);
    lru.add('d', 90);
    expect(lru.evict(new Set(['a', 'c', 'd']))).toEqual([]);
    expect(lru.bytes).toBe(170);
  });

  it('a frame key from a path or an s3:// snapshotUri, never from anything else', () => {
    expect(frameKeyOf('/data/lake/frames/dt=2026-11-27/van-1/01a2.jpg')).toEqual({ key: 'frames/dt=2026-11-27/van-1/01a2.jpg', deviceId: 'van-1', frameId: '01a2' });
    expect(frameKeyOf('s3://b/raw/frames/dt=2026-11-27/van-1/01a2.jpg')?.key).toBe('frames/dt=2026-11-27/van-1/01a2.jpg');
    for (const uri of ['/etc/passwd', '/lake/frames/dt=2026-11-27/../x.jpg', '/lake/frames/dt=2026-11-27/van-1/../../x.jpg', 'frames/dt=2026-11-27/van-1/a.png']) expect(frameKeyOf(uri), uri).toBeUndefined();
  });

  it('lake times (no zone, UTC) to ISO, whatever the process time zone; frames spread evenly with first and last kept', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date(2026, 10, 27).getTimezoneOffset()).toBe(300);
      expect(isoTime('2026-11-27 22:54:39.12')).toBe('2026-11-27T22:54:39.120Z');
      expect(isoTime('2026-11-27 23:54:39.123456')).toBe('2026-11-27T23:54:39.123Z');
      expect(isoTime('2026-11-27 22:54:39')).toBe('2026-11-27T22:54:39.000Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    // A zone would mean the lake is not what the saved queries promise: refused, not guessed at.
    for (const v of ['2026-11-27 22:54:39+00', '2026-11-27T22:54:39Z', '1795820079123', null]) expect(() => isoTime(v), String(v)).toThrow(/not a timestamp/);
    expect(spread([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([1, 5, 9]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
  });

  it('the recent days of a table are the last dates that hold its Parquet objects', () => {
    const key = (table: string, dt: string, f = 'gps_data+0+0000000000000000000.parquet') => `${table}/dt=${dt}/${f}`;
    const keys = [key('gps_data', '2026-11-25'), key('gps_data', '2026-11-27'), key('gps_data', '2026-11-27', 'gps_data+1+0000000000000000007.parquet'),
      key('gps_data', '2026-11-28', 'notes.txt'), key('emergency_data', '2026-11-28', 'emergency_data+0+0000000000000000000.parquet'), key('gps_data', '2026-11-26')];
    expect(recentParquetDays(keys, 'gps_data', 2)).toEqual(['2026-11-26', '2026-11-27']);
    expect(recentParquetDays(keys, 'gps_data', 31)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27']);
    expect(recentParquetDays(keys, 'traffic_data', 2)).toEqual([]);
  });

  it('the fleet joins the lake with the live state: the newer position wins, status comes from live', () => {
    const lake = [{ deviceId: 'a', timestamp: '2026-11-27T10:00:00.000Z', seq: -1, latitude: 1, longitude: 1 }];
    const live = [
      { deviceId: 'a', position: { deviceId: 'a', timestamp: '2026-11-27T09:00:00.000Z', seq: 3, latitude: 2, longitude: 2 }, status: { status: 'offline' as const, timestamp: '2026-11-27T10:01:00.000Z' } },
      { deviceId: 'b', position: { deviceId: 'b', timestamp: '2026-11-27T10:00:00.000Z', seq: 9, latitude: 3, longitude: 3 } },
    ];
    const fleet = mergeFleet(lake, live);
    expect(fleet.map((v) => [v.deviceId, v.position?.latitude, v.status?.status])).toEqual([['a', 1, 'offline'], ['b', 3, undefined]]);
  });
});
