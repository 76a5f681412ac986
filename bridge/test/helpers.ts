import { randomUUID } from 'node:crypto';
import { streamMqttTopic } from '@fleetlake/contracts';

/**
 * A valid gps_data record as the agent would send it, dated seq seconds after 2026-10-01 (so that the
 * large seqs some tests use stay in the past: the bridge refuses event times over a day ahead).
 */
export function gpsRecord(deviceId: string, seq: number): Record<string, unknown> {
  return {
    id: randomUUID(),
    deviceId,
    seq,
    timestamp: new Date(Date.UTC(2026, 9, 1, 10, 0, 0) + seq * 1000).toISOString(),
    timeSource: 'gps',
    latitude: 51.5 + (seq % 100) / 1000,
    longitude: -0.12,
    speed: 42.5,
    direction: 'North-East',
    vehicleType: 'van',
    fixMode: '3d',
    fixQuality: 1,
    satellites: 9,
    hdop: 0.9,
  };
}

export function gpsMessage(deviceId: string, seq: number): { topic: string; payload: Buffer } {
  return { topic: streamMqttTopic(deviceId, 'gps'), payload: Buffer.from(JSON.stringify(gpsRecord(deviceId, seq))) };
}

/** The smallest byte string that passes the JPEG check. */
export const TINY_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);
