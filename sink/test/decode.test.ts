import { KAFKA_HEADERS, newFrameId, parseLakeRoot } from '@fleetlake/contracts';
import { describe, expect, it } from 'vitest';
import { decode, EVENT_TIME_HEADER, type KafkaRecord } from '../src/decode.js';
import { MARKER_HEADER } from '../src/marker.js';
import { fakeJpeg, makeRecord } from './records.js';

const root = parseLakeRoot('s3://lake/raw');
const rec = (topic: string, value: Buffer | null, headers: KafkaRecord['headers'] = {}, offset = '7'): KafkaRecord => ({
  topic,
  partition: 2,
  offset,
  timestamp: String(Date.parse('2026-11-27T23:59:59.000Z')),
  value,
  headers,
});

describe('decode', () => {
  it('a valid record becomes a row in its event date with the raw JSON line', () => {
    const r = makeRecord('gps', 3);
    const item = decode(rec('gps_data', Buffer.from(JSON.stringify(r))), root);
    expect(item).toMatchObject({ kind: 'row', offset: 7n, dt: '2026-11-27', eventMs: Date.parse(r.timestamp) });
    expect(JSON.parse((item as { json: Buffer }).json.toString())).toEqual(r);
  });

  it('a traffic row gets the snapshotUri of its frame, from deviceId, frameId and event date', () => {
    const r = makeRecord('traffic', 1);
    const item = decode(rec('traffic_data', Buffer.from(JSON.stringify(r))), root);
    const row = JSON.parse((item as { json: Buffer }).json.toString());
    expect(row.snapshotUri).toBe(`s3://lake/raw/frames/dt=2026-11-27/${r.deviceId}/${r.frameId}.jpg`);
  });

  it('pretty-printed JSON is re-serialised onto one line', () => {
    const item = decode(rec('gps_data', Buffer.from(JSON.stringify(makeRecord('gps', 1), null, 2))), root);
    expect((item as { json: Buffer }).json.toString()).not.toContain('\n');
  });

  it('invalid records become dead letters with a reason, the original bytes and no wall-clock time', () => {
    const bad = Buffer.from('{"nope":1}');
    const item = decode(rec('gps_data', bad, { [KAFKA_HEADERS.mqttTopic]: 'fleetlake/v1/car-1/gps' }), root);
    expect(item.kind).toBe('dead');
    const env = JSON.parse((item as { line: Buffer }).line.toString());
    expect(env).toMatchObject({ reason: 'schema', source: 'sink', kafkaTopic: 'gps_data', kafkaPartition: 2, kafkaOffset: '7', receivedAt: '2026-11-27T23:59:59.000Z', mqttTopic: 'fleetlake/v1/car-1/gps' });
    expect(Buffer.from(env.payloadBase64, 'base64')).toEqual(bad);
    expect(decode(rec('gps_data', Buffer.from('not json')), root)).toMatchObject({ kind: 'dead', reason: 'not_json' });
    expect(decode(rec('gps_data', null), root)).toMatchObject({ kind: 'dead', reason: 'empty' });
  });

  it('camera frames become JPEG objects keyed by device, frame and date', () => {
    const headers = { [KAFKA_HEADERS.mqttTopic]: 'fleetlake/v1/car-1/camera/f-9' };
    expect(decode(rec('camera_frames', fakeJpeg(1), headers), root)).toMatchObject({ kind: 'frame', key: 'frames/dt=2026-11-27/car-1/f-9.jpg' });
    const withTime = { ...headers, [EVENT_TIME_HEADER]: '2026-11-28T00:00:01Z' };
    expect(decode(rec('camera_frames', fakeJpeg(1), withTime), root)).toMatchObject({ kind: 'frame', key: 'frames/dt=2026-11-28/car-1/f-9.jpg' });
    expect(decode(rec('camera_frames', Buffer.from('GIF89a'), headers), root)).toMatchObject({ kind: 'dead', reason: 'not_jpeg' });
    expect(decode(rec('camera_frames', fakeJpeg(1)), root)).toMatchObject({ kind: 'dead', reason: 'bad_topic' });
  });

  it('a frame and its traffic row land under the date the frame id carries, whenever they reach Kafka', () => {
    // Taken on the 25th (GPS time), sent after two days offline: Kafka's timestamp says the 27th.
    const frameId = newFrameId(Date.parse('2026-11-25T22:10:00.000Z'));
    const frame = decode(rec('camera_frames', fakeJpeg(1), { [KAFKA_HEADERS.mqttTopic]: `fleetlake/v1/car-1/camera/${frameId}` }), root);
    expect(frame).toMatchObject({ kind: 'frame', key: `frames/dt=2026-11-25/car-1/${frameId}.jpg`, eventMs: Date.parse('2026-11-25T22:10:00.000Z') });
    const r = { ...makeRecord('traffic', 1), deviceId: 'car-1', frameId, timestamp: '2026-11-26T00:00:00.500Z' };
    const row = JSON.parse((decode(rec('traffic_data', Buffer.from(JSON.stringify(r))), root) as { json: Buffer }).json.toString());
    expect(row.snapshotUri).toBe(`s3://lake/raw/${(frame as { key: string }).key}`);
  });

  it('flush markers are recognised by their header', () => {
    expect(decode(rec('gps_data', null, { [MARKER_HEADER]: 'idle' }), root)).toEqual({ kind: 'marker', offset: 7n });
  });
});
