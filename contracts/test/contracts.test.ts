import { describe, expect, it } from 'vitest';
import {
  ALL_KAFKA_TOPICS, MAX_RECORD_BYTES, STREAMS, utf8Text, checkCameraFrame, columnsOf, jsonSchemas, kafkaTopicFor, parseRecord, streamForTopic, validateRecord,
  type Stream,
} from '../src/index.js';
import { validRecords } from './fixtures.js';

const clone = <T>(v: T): T => structuredClone(v);

describe('stream records', () => {
  it.each(STREAMS)('accepts a valid %s record, from an object and from JSON bytes', (stream) => {
    expect(validateRecord(stream, validRecords[stream])).toEqual({ ok: true, value: validRecords[stream] });
    const parsed = parseRecord(stream, Buffer.from(JSON.stringify(validRecords[stream])), 'pi-van-07');
    expect(parsed.ok).toBe(true);
  });

  type Case = [name: string, mutate: (r: Record<string, unknown>) => void, path: string];
  const common: Case[] = [
    ['missing id', (r) => delete r.id, '/id'],
    ['id not a UUID', (r) => (r.id = 'not-a-uuid'), '/id'],
    ['missing deviceId', (r) => delete r.deviceId, '/deviceId'],
    ['deviceId with a slash', (r) => (r.deviceId = 'a/b'), '/deviceId'],
    ['deviceId with MQTT wildcard', (r) => (r.deviceId = 'dev+1'), '/deviceId'],
    ['deviceId too long', (r) => (r.deviceId = 'x'.repeat(65)), '/deviceId'],
    ['seq as string', (r) => (r.seq = '42'), '/seq'],
    ['seq negative', (r) => (r.seq = -1), '/seq'],
    ['seq fractional', (r) => (r.seq = 1.5), '/seq'],
    ['timestamp without Z', (r) => (r.timestamp = '2026-11-27T10:15:30+01:00'), '/timestamp'],
    ['timestamp as epoch number', (r) => (r.timestamp = 1764238530000), '/timestamp'],
    ['timestamp with month 13', (r) => (r.timestamp = '2026-13-01T00:00:00Z'), '/timestamp'],
    ['timestamp Feb 30', (r) => (r.timestamp = '2026-02-30T00:00:00Z'), '/timestamp'],
    ['timeSource unknown', (r) => (r.timeSource = 'ntp'), '/timeSource'],
    ['latitude NaN', (r) => (r.latitude = NaN), '/latitude'],
    ['latitude Infinity', (r) => (r.latitude = Infinity), '/latitude'],
    ['longitude -Infinity', (r) => (r.longitude = -Infinity), '/longitude'],
    ['latitude > 90', (r) => (r.latitude = 90.0001), '/latitude'],
    ['latitude < -90', (r) => (r.latitude = -91), '/latitude'],
    ['longitude > 180', (r) => (r.longitude = 180.5), '/longitude'],
    ['latitude as string', (r) => (r.latitude = '51.5'), '/latitude'],
    ['position as tuple', (r) => ((r.latitude = [51.5, -0.12] as unknown), delete r.longitude), '/latitude'],
    ['null latitude', (r) => (r.latitude = null), '/latitude'],
    ['unknown property', (r) => (r.location = '51.5,-0.12'), '/location'],
  ];

  describe.each(STREAMS)('%s rejects', (stream) => {
    it.each(common)('%s', (_name, mutate, path) => {
      const r = clone(validRecords[stream]) as unknown as Record<string, unknown>;
      mutate(r);
      const result = validateRecord(stream, r);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
    });
  });

  const specific: [Stream, string, (r: Record<string, unknown>) => void, string][] = [
    ['gps', 'negative speed', (r) => (r.speed = -1), '/speed'],
    ['gps', 'direction not a compass point', (r) => (r.direction = 'Up'), '/direction'],
    ['gps', 'unknown fixMode', (r) => (r.fixMode = '4d'), '/fixMode'],
    ['gps', 'satellites fractional', (r) => (r.satellites = 7.5), '/satellites'],
    ['gps', 'oversized vehicleType', (r) => (r.vehicleType = 'v'.repeat(65)), '/vehicleType'],
    ['vehicle', 'year as string', (r) => (r.year = '2024'), '/year'],
    ['vehicle', 'unknown fuelType', (r) => (r.fuelType = 'Coal'), '/fuelType'],
    ['vehicle', 'empty make', (r) => (r.make = ''), '/make'],
    ['traffic', 'base64 snapshot smuggled in', (r) => (r.snapshot = '/9j/4AAQSkZJRg=='), '/snapshot'],
    ['traffic', 'contentType png', (r) => (r.contentType = 'image/png'), '/contentType'],
    ['traffic', 'zero width', (r) => (r.width = 0), '/width'],
    ['traffic', 'frameId with a slash', (r) => (r.frameId = 'a/b'), '/frameId'],
    ['weather', 'humidity > 100', (r) => (r.humidity = 101), '/humidity'],
    ['weather', 'unknown condition', (r) => (r.weatherCondition = 'Meteor'), '/weatherCondition'],
    ['weather', 'temperature NaN', (r) => (r.temperature = NaN), '/temperature'],
    ['emergency', 'unknown type', (r) => (r.type = 'Alien'), '/type'],
    ['emergency', 'unknown status', (r) => (r.status = 'Pending'), '/status'],
    ['emergency', 'oversized description', (r) => (r.description = 'd'.repeat(2001)), '/description'],
    ['emergency', 'incidentId not a UUID', (r) => (r.incidentId = 'INC-1'), '/incidentId'],
  ];
  it.each(specific)('%s rejects %s', (stream, _name, mutate, path) => {
    const r = clone(validRecords[stream]) as unknown as Record<string, unknown>;
    mutate(r);
    const result = validateRecord(stream, r);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('rejects non-objects', () => {
    for (const v of [null, 42, 'x', [], true]) expect(validateRecord('gps', v).ok).toBe(false);
  });
});

describe('parseRecord (bytes from the wire)', () => {
  it('rejects bytes that are not JSON, with reason not_json', () => {
    const r = parseRecord('gps', Buffer.from('{"id":'));
    expect(r).toMatchObject({ ok: false, reason: 'not_json' });
  });
  it('rejects NaN written as a JSON token', () => {
    const text = JSON.stringify(validRecords.gps).replace('"latitude":51.5074', '"latitude":NaN');
    expect(parseRecord('gps', text)).toMatchObject({ ok: false, reason: 'not_json' });
  });
  it('rejects payloads that are not UTF-8, and strings that are not Unicode text, as not_json', () => {
    const json = JSON.stringify({ ...validRecords.gps, vehicleType: 'van\uFFFD' });
    // A real U+FFFD (EF BF BD) is text; a lone 0xFF byte in its place is not UTF-8.
    expect(parseRecord('gps', Buffer.from(json))).toMatchObject({ ok: true });
    const at = Buffer.from(json).indexOf(Buffer.from('\uFFFD'));
    const bad = Buffer.concat([Buffer.from(json).subarray(0, at), Buffer.from([0xff]), Buffer.from(json).subarray(at + 3)]);
    expect(parseRecord('gps', bad)).toEqual({ ok: false, reason: 'not_json', issues: [{ path: '', message: 'payload is not valid UTF-8' }] });
    expect(parseRecord('gps', new Uint8Array(bad))).toMatchObject({ ok: false, reason: 'not_json' });
    expect(utf8Text(bad)).toBeUndefined();
    expect(utf8Text(Buffer.concat([Buffer.from('[]'), bad]), 0, 2)).toBe('[]');
    // "\\ud800" is valid JSON but no Parquet string (nor UTF-8) can hold it; a pair is an emoji.
    const lone = JSON.stringify(validRecords.gps).replace('"private"', '"van\\ud800"');
    expect(parseRecord('gps', lone)).toEqual({ ok: false, reason: 'not_json', issues: [{ path: '/vehicleType', message: 'string with an unpaired UTF-16 surrogate (not Unicode text)' }] });
    expect(parseRecord('gps', Buffer.from(lone))).toMatchObject({ ok: false, reason: 'not_json' });
    const pair = JSON.stringify(validRecords.gps).replace('"private"', '"van \\ud83d\\ude90"');
    expect(parseRecord('gps', pair)).toMatchObject({ ok: true, value: { vehicleType: 'van 🚐' } });
    // An unpaired surrogate in a name is caught too (before the schema would refuse the name).
    const inName = JSON.stringify(validRecords.gps).replace('"hdop"', '"h\\udc00"');
    expect(parseRecord('gps', inName)).toMatchObject({ ok: false, reason: 'not_json', issues: [{ path: '/h\udc00' }] });
  });
  it('rejects huge payloads before parsing', () => {
    const r = parseRecord('gps', Buffer.alloc(1024 * 1024, 0x20));
    expect(r).toMatchObject({ ok: false, reason: 'payload_too_large' });
    // Strings count in UTF-8 bytes: just over the cap with 2-byte characters, just under in ASCII.
    const over = `"${'é'.repeat(MAX_RECORD_BYTES / 2)}"`;
    expect(parseRecord('gps', over)).toMatchObject({ ok: false, reason: 'payload_too_large', issues: [{ message: `${MAX_RECORD_BYTES + 2} bytes exceeds ${MAX_RECORD_BYTES}` }] });
    expect(parseRecord('gps', `"${'e'.repeat(MAX_RECORD_BYTES - 2)}"`)).toMatchObject({ ok: false, reason: 'schema' });
  });
  it('rejects a record whose deviceId differs from the publishing device', () => {
    const r = parseRecord('gps', JSON.stringify(validRecords.gps), 'someone-else');
    expect(r).toMatchObject({ ok: false, reason: 'device_mismatch' });
  });
  it('reports readable paths', () => {
    const bad = { ...validRecords.weather, humidity: 150, latitude: 'x' };
    const r = parseRecord('weather', JSON.stringify(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('schema');
      expect(r.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/humidity' }), expect.objectContaining({ path: '/latitude' })]));
    }
  });
});

describe('camera frames', () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
  it('accepts JPEG bytes within budget', () => expect(checkCameraFrame(jpeg).ok).toBe(true));
  it('rejects non-JPEG bytes', () => expect(checkCameraFrame(Buffer.from('iVBORw0KGgo='))).toMatchObject({ ok: false, reason: 'not_jpeg' }));
  it('rejects frames over the budget', () => {
    const big = Buffer.alloc(128 * 1024 + 1);
    big.set([0xff, 0xd8, 0xff]);
    expect(checkCameraFrame(big)).toMatchObject({ ok: false, reason: 'payload_too_large' });
  });
});

describe('topics and columns', () => {
  it('maps every stream to its tutorial Kafka topic and back', () => {
    expect(STREAMS.map(kafkaTopicFor)).toEqual(['vehicle_data', 'gps_data', 'traffic_data', 'weather_data', 'emergency_data']);
    for (const s of STREAMS) expect(streamForTopic(kafkaTopicFor(s))).toBe(s);
    expect(streamForTopic('camera_frames')).toBeUndefined();
    expect(ALL_KAFKA_TOPICS).toContain('dead_letter');
  });
  it('derives typed columns from the schema', () => {
    const cols = columnsOf('gps');
    expect(cols.find((c) => c.name === 'timestamp')).toEqual({ name: 'timestamp', type: 'timestamp', required: true });
    expect(cols.find((c) => c.name === 'latitude')?.type).toBe('double');
    expect(cols.find((c) => c.name === 'seq')?.type).toBe('bigint');
    expect(cols.find((c) => c.name === 'altitudeM')).toMatchObject({ type: 'double', required: false });
    for (const s of STREAMS) expect(columnsOf(s).length).toBeGreaterThan(7);
  });
  it('exports plain JSON Schema documents for every contract', () => {
    const docs = jsonSchemas();
    expect(Object.keys(docs).sort()).toEqual(['camera_frames', 'dead_letter', 'device_status', 'emergency_data', 'gps_data', 'traffic_data', 'vehicle_data', 'weather_data']);
    const gps = docs.gps_data as { type: string; required: string[]; properties: Record<string, { type?: string; maximum?: number }> };
    expect(gps.type).toBe('object');
    expect(gps.required).toContain('latitude');
    expect(gps.properties.latitude).toMatchObject({ type: 'number', maximum: 90 });
  });
});
