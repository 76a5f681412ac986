import { describe, expect, it } from 'vitest';
import { MARKER_HEADER } from '@fleetlake/sink';
import type { FeedRecord } from '../src/kafka-feed.js';
import { LiveState, type LiveEvent } from '../src/live-state.js';

const gps = (deviceId: string, seq: number, timestamp: string, lat = 51.5) => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`, deviceId, seq, timestamp, timeSource: 'gps', latitude: lat, longitude: -0.1,
  speed: 50, direction: 'North', vehicleType: 'van', courseDeg: 10, fixMode: '3d', fixQuality: 1,
});
const rec = (topic: string, key: string | null, value: unknown, headers: Record<string, string> = {}): FeedRecord =>
  ({ topic, key, value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), timestamp: 0, headers });

function state(maxDevices = 10) {
  const events: LiveEvent[] = [];
  return { live: new LiveState({ topicPrefix: '', statusTopic: 'device_status', maxDevices }, (e) => events.push(e)), events };
}

describe('live state from Kafka records', () => {
  it('reads the stream topics from now on and the status topic from its beginning', () => {
    const { live } = state();
    expect(live.topics()).toContainEqual({ topic: 'gps_data', fromBeginning: false });
    expect(live.topics()).toContainEqual({ topic: 'device_status', fromBeginning: true });
  });

  it('keeps each vehicle’s newest position: an older record (a replayed outbox) does not move it back', () => {
    const { live, events } = state();
    live.accept([rec('gps_data', 'v1', gps('v1', 2, '2026-11-27T10:00:02Z', 51.6)), rec('gps_data', 'v1', gps('v1', 1, '2026-11-27T10:00:01Z', 51.4))]);
    expect(live.get('v1')!.position).toMatchObject({ seq: 2, latitude: 51.6, courseDeg: 10 });
    expect(events.map((e) => e.type)).toEqual(['position']);
    expect(live.get('v1')!.lastSeen).toBe('2026-11-27T10:00:02Z');
  });

  it('status from the status topic (the will says offline), incidents as events', () => {
    const { live, events } = state();
    live.accept([
      rec('device_status', 'v1', { deviceId: 'v1', status: 'online', timestamp: '2026-11-27T10:00:00Z' }),
      rec('device_status', 'v1', { deviceId: 'v1', status: 'offline', timestamp: '2026-11-27T10:05:00Z', reason: 'connection lost' }),
      rec('emergency_data', 'v1', { ...gps('v1', 0, '2026-11-27T10:01:00Z'), speed: undefined, direction: undefined, vehicleType: undefined, courseDeg: undefined, fixMode: undefined, fixQuality: undefined, incidentId: '00000000-0000-4000-8000-000000000001', type: 'Fire', status: 'Active', description: 'smoke' }),
    ]);
    expect(live.get('v1')!.status).toEqual({ status: 'offline', timestamp: '2026-11-27T10:05:00Z', reason: 'connection lost' });
    expect(events.map((e) => e.type)).toEqual(['status', 'status', 'incident']);
  });

  it('counts and drops what it cannot read; skips the sink’s flush markers and tombstones', () => {
    const { live, events } = state(1);
    live.accept([
      rec('gps_data', 'v1', 'not json'),
      rec('gps_data', 'v1', { deviceId: 'v1' }),
      rec('gps_data', 'v2', gps('v1', 1, '2026-11-27T10:00:00Z')),
      rec('device_status', 'v1', { deviceId: 'v1', status: 'asleep', timestamp: '2026-11-27T10:00:00Z' }),
      rec('gps_data', null, null, { [MARKER_HEADER]: 'idle' }),
      rec('device_status', 'v1', null),
      rec('gps_data', 'v1', gps('v1', 1, '2026-11-27T10:00:00Z')),
      rec('gps_data', 'v2', gps('v2', 1, '2026-11-27T10:00:00Z')),
    ]);
    expect(live.rejected).toMatchObject({ not_json: 1, schema: 2, device_mismatch: 1, too_many_devices: 1 });
    expect(live.skipped).toBe(2);
    expect(live.snapshot().map((d) => d.deviceId)).toEqual(['v1']);
    expect(events).toHaveLength(1);
  });
});
