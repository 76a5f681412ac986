import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cameraMqttTopic, deadLetterValidator, eventTimeBounds, KAFKA_HEADERS, MAX_RECORD_BYTES, statusMqttTopic } from '@fleetlake/contracts';
import { routeMessage, withoutPayload } from '../src/route.js';
import { gpsMessage, TINY_JPEG } from './helpers.js';

const at = '2026-11-27T12:00:00.000Z';
const opts = { payloadBudget: 128 * 1024 };

function envelope(value: Buffer) {
  const parsed: unknown = JSON.parse(value.toString('utf8'));
  const check = deadLetterValidator.validate(parsed);
  expect(check.ok).toBe(true);
  return parsed as { reason: string; payloadBase64: string; mqttTopic: string; issues: { path: string }[]; deviceId?: string };
}

describe('routeMessage', () => {
  it('maps a valid record to its Kafka topic with key = deviceId and the contract headers, bytes unchanged', () => {
    const { topic, payload } = gpsMessage('van-1', 7);
    const r = routeMessage(topic, payload, at, opts);
    expect(r.kind).toBe('record');
    if (r.kind !== 'record') return;
    expect(r.record.topic).toBe('gps_data');
    expect(r.record.key).toBe('van-1');
    expect(r.record.value.equals(payload)).toBe(true);
    expect(r.record.headers).toEqual({ [KAFKA_HEADERS.mqttTopic]: topic, [KAFKA_HEADERS.receivedAt]: at, [KAFKA_HEADERS.schemaVersion]: '1' });
  });

  it('sends malformed JSON to dead_letter with the reason and the original bytes', () => {
    const payload = Buffer.from('{"deviceId": "van-1", broken');
    const r = routeMessage('fleetlake/v1/van-1/gps', payload, at, opts);
    expect(r.kind).toBe('dead');
    if (r.kind !== 'dead') return;
    expect(r.reason).toBe('not_json');
    expect(r.record.topic).toBe('dead_letter');
    expect(r.record.key).toBe('van-1');
    const env = envelope(r.record.value);
    expect(env.reason).toBe('not_json');
    expect(env.mqttTopic).toBe('fleetlake/v1/van-1/gps');
    expect(Buffer.from(env.payloadBase64, 'base64').equals(payload)).toBe(true);
  });

  it('rejects schema violations and a record that claims another device', () => {
    const bad = JSON.parse(gpsMessage('van-1', 1).payload.toString()) as Record<string, unknown>;
    bad.latitude = 123;
    const r1 = routeMessage('fleetlake/v1/van-1/gps', Buffer.from(JSON.stringify(bad)), at, opts);
    expect(r1.kind === 'dead' && r1.reason).toBe('schema');
    if (r1.kind === 'dead') expect(envelope(r1.record.value).issues.map((i) => i.path)).toContain('/latitude');
    const other = gpsMessage('van-2', 1).payload;
    const r2 = routeMessage('fleetlake/v1/van-1/gps', other, at, opts);
    expect(r2.kind === 'dead' && r2.reason).toBe('device_mismatch');
  });

  it('passes JPEG bytes to camera_frames and dead-letters non-JPEG and oversized frames', () => {
    const topic = cameraMqttTopic('van-1', 'f-1');
    const ok = routeMessage(topic, TINY_JPEG, at, opts);
    expect(ok.kind === 'record' && ok.record.topic).toBe('camera_frames');
    if (ok.kind === 'record') expect(ok.record.value.equals(TINY_JPEG)).toBe(true);
    const png = routeMessage(topic, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), at, opts);
    expect(png.kind === 'dead' && png.reason).toBe('not_jpeg');
    const big = Buffer.concat([TINY_JPEG, Buffer.alloc(2048)]);
    const r = routeMessage(topic, big, at, { payloadBudget: 1024 });
    expect(r.kind === 'dead' && r.reason).toBe('payload_too_large');
  });

  it('recognises status messages and dead-letters unknown topics under the device', () => {
    expect(routeMessage(statusMqttTopic('van-1'), Buffer.from('{}'), at, opts)).toEqual({ kind: 'status', deviceId: 'van-1' });
    const r = routeMessage('fleetlake/v1/van-1/radar', Buffer.from('x'), at, opts);
    expect(r.kind === 'dead' && r.reason).toBe('bad_topic');
    if (r.kind === 'dead') expect(envelope(r.record.value).deviceId).toBeUndefined();
  });

  it('keeps a dead letter small enough for Kafka: the first bytes, the full size and the SHA-256 of the whole', () => {
    const huge = Buffer.alloc(10 * 1024 * 1024, 0x41);
    const r = routeMessage(cameraMqttTopic('van-1', 'f-9'), huge, at, { ...opts, deadLetterKeepBytes: 1000 });
    expect(r.kind === 'dead' && r.reason).toBe('payload_too_large');
    if (r.kind !== 'dead') return;
    expect(r.record.value.length).toBeLessThan(4000);
    const env = envelope(r.record.value) as ReturnType<typeof envelope> & { payloadBytes: number; payloadSha256: string };
    expect(Buffer.from(env.payloadBase64, 'base64')).toEqual(huge.subarray(0, 1000));
    expect(env.payloadBytes).toBe(huge.length);
    expect(env.payloadSha256).toBe(createHash('sha256').update(huge).digest('hex'));
  });

  it('makes a dead letter without the original bytes (size and SHA-256 kept) for when Kafka refuses the dead letter itself', () => {
    const r = routeMessage('fleetlake/v1/van-1/gps', Buffer.from('not json'), at, opts);
    if (r.kind !== 'dead') throw new Error('expected a dead letter');
    const bare = withoutPayload(r.record, { path: '', message: 'refused' });
    const env = envelope(bare.value) as ReturnType<typeof envelope> & { payloadBytes: number; payloadSha256: string };
    expect(env).toMatchObject({ reason: 'too_large_for_kafka', payloadBase64: '', payloadBytes: 8, payloadSha256: createHash('sha256').update('not json').digest('hex') });
    expect(env.issues[0]).toEqual({ path: '', message: 'refused' });
    expect(bare.topic).toBe('dead_letter');
  });

  it('dead-letters a status message larger than a record may be (it would be retained)', () => {
    const r = routeMessage(statusMqttTopic('van-1'), Buffer.alloc(MAX_RECORD_BYTES + 1, 0x20), at, opts);
    expect(r.kind === 'dead' && r.reason).toBe('payload_too_large');
  });

  it('dead-letters records dated outside the event-time window around the receive time', () => {
    const record = JSON.parse(gpsMessage('van-1', 1).payload.toString()) as Record<string, unknown>;
    const dated = (timestamp: string) => Buffer.from(JSON.stringify({ ...record, timestamp }));
    for (const t of ['0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '2026-11-28T12:00:00.001Z']) {
      const r = routeMessage('fleetlake/v1/van-1/gps', dated(t), at, opts);
      expect(r.kind === 'dead' && r.reason, t).toBe('event_time_out_of_range');
    }
    expect(routeMessage('fleetlake/v1/van-1/gps', dated('2026-11-28T12:00:00Z'), at, opts).kind).toBe('record');
    const strict = { ...opts, eventTime: eventTimeBounds({ earliest: '2026-11-27', maxAheadMs: 0 }) };
    expect(routeMessage('fleetlake/v1/van-1/gps', dated('2026-11-26T23:00:00Z'), at, strict).kind).toBe('dead');
  });
});
