import { KAFKA_HEADERS, eventTimeBounds, newFrameId, parseLakeRoot } from '@fleetlake/contracts';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { decode, EVENT_TIME_HEADER, type KafkaMessage, type RecordSource } from '../src/decode.js';
import type { Item } from '../src/items.js';
import { FetchedRecord, fastRecordBatchDecoder } from '../src/kafkajs-batch-decoder.js';
import { MARKER_HEADER } from '../src/marker.js';
import { fakeJpeg, makeRecord } from './records.js';

const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: object) => Promise<{ buffer: Buffer }> };

const root = parseLakeRoot('s3://lake/raw');
const TIMESTAMP = Date.parse('2026-11-27T23:59:59.000Z');
type Headers = Record<string, string | Buffer | null>;

/** A record as kafkajs' own decoder gives it (a plain object). */
function plain(value: Buffer | null, headers: Headers, offset: string): KafkaMessage {
  return { offset, timestamp: String(TIMESTAMP), value, headers: headers as KafkaMessage['headers'] };
}

/** The same record through Kafka's wire format and the sink's decoder: a lazily decoded FetchedRecord. */
async function fetched(value: Buffer | null, headers: Headers, offset: string): Promise<KafkaMessage> {
  // kafkajs cannot encode a header without a value (other clients can): encoded as '' and, as the
  // record's last header, its value length (the batch's last byte) patched from 0 to -1 (zig-zag 1).
  const names = Object.keys(headers);
  const nullLast = names.length > 0 && headers[names.at(-1)!] === null;
  if (names.slice(0, -1).some((n) => headers[n] === null)) throw new Error('only the last header can be null here');
  const encodable = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, v ?? '']));
  const record = Record({ offsetDelta: 0, timestampDelta: 0, key: null, value, headers: encodable });
  const batch = await RecordBatch({ records: [record], firstOffset: offset, firstTimestamp: TIMESTAMP, maxTimestamp: TIMESTAMP, lastOffsetDelta: 0 });
  const buffer = Buffer.from(batch.buffer);
  if (nullLast) buffer[buffer.length - 1] = 1;
  const { records } = await fastRecordBatchDecoder({ buffer, offset: 0 });
  expect(records[0]).toBeInstanceOf(FetchedRecord);
  return records[0]!;
}

/** Row text as the segment copies it. */
const rowText = (item: Item) => (item.kind === 'row' ? item.json.toString('utf8', item.start, item.end) : '');

describe.each([
  ['a plain kafkajs record', plain],
  ['a FetchedRecord', fetched],
] as const)('decode of %s', (_, make) => {
  const rec = async (topic: string, value: Buffer | null, headers: Headers = {}, offset = '7'): Promise<[RecordSource, KafkaMessage]> => [
    { topic, partition: 2 },
    await make(value, headers, offset),
  ];

  it('a valid record becomes a row in its event date with the raw JSON line', async () => {
    const r = makeRecord('gps', 3);
    const item = decode(...(await rec('gps_data', Buffer.from(JSON.stringify(r)))), root);
    expect(item).toMatchObject({ kind: 'row', offset: 7n, dt: '2026-11-27', eventMs: Date.parse(r.timestamp) });
    expect(JSON.parse(rowText(item))).toEqual(r);
  });

  it('a traffic row gets the snapshotUri of its frame, from deviceId, frameId and event date', async () => {
    const r = makeRecord('traffic', 1);
    const item = decode(...(await rec('traffic_data', Buffer.from(JSON.stringify(r)))), root);
    const row = JSON.parse(rowText(item));
    expect(row.snapshotUri).toBe(`s3://lake/raw/frames/dt=2026-11-27/${r.deviceId}/${r.frameId}.jpg`);
  });

  it('pretty-printed JSON is re-serialised onto one line', async () => {
    const item = decode(...(await rec('gps_data', Buffer.from(JSON.stringify(makeRecord('gps', 1), null, 2)))), root);
    expect(rowText(item)).not.toContain('\n');
  });

  it('invalid records become dead letters with a reason, the original bytes and no wall-clock time', async () => {
    const bad = Buffer.from('{"nope":1}');
    const item = decode(...(await rec('gps_data', bad, { [KAFKA_HEADERS.mqttTopic]: 'fleetlake/v1/car-1/gps' })), root);
    expect(item.kind).toBe('dead');
    const env = JSON.parse((item as { line: Buffer }).line.toString());
    expect(env).toMatchObject({ reason: 'schema', source: 'sink', kafkaTopic: 'gps_data', kafkaPartition: 2, kafkaOffset: '7', receivedAt: '2026-11-27T23:59:59.000Z', mqttTopic: 'fleetlake/v1/car-1/gps' });
    expect(Buffer.from(env.payloadBase64, 'base64')).toEqual(bad);
    expect(env).toMatchObject({ payloadBytes: bad.length, payloadSha256: createHash('sha256').update(bad).digest('hex') });
    expect(decode(...(await rec('gps_data', Buffer.from('not json'))), root)).toMatchObject({ kind: 'dead', reason: 'not_json' });
    expect(decode(...(await rec('gps_data', null)), root)).toMatchObject({ kind: 'dead', reason: 'empty' });
  });

  it('a record dated outside the event-time window around its receive time is a dead letter of its own reason', async () => {
    const at = (timestamp: string) => Buffer.from(JSON.stringify({ ...makeRecord('gps', 1), timestamp }));
    for (const t of ['0000-01-01T00:00:00.000Z', '2019-12-31T23:59:59.000Z', '9999-12-31T00:00:00.000Z']) {
      const item = decode(...(await rec('gps_data', at(t))), root);
      expect(item, t).toMatchObject({ kind: 'dead', reason: 'event_time_out_of_range' });
    }
    // One day after the Kafka timestamp is still in; the bridge's receive time, when there, decides.
    expect(decode(...(await rec('gps_data', at('2026-11-28T23:59:59.000Z'))), root)).toMatchObject({ kind: 'row', dt: '2026-11-28' });
    const early = { [KAFKA_HEADERS.receivedAt]: '2026-11-20T00:00:00.000Z' };
    expect(decode(...(await rec('gps_data', at('2026-11-28T23:59:59.000Z'), early)), root)).toMatchObject({ kind: 'dead', reason: 'event_time_out_of_range' });
    const window = eventTimeBounds({ earliest: '2026-11-28', maxAheadMs: 0 });
    expect(decode(...(await rec('gps_data', at('2026-11-27T10:00:00.000Z'))), root, undefined, window)).toMatchObject({ kind: 'dead', reason: 'event_time_out_of_range' });
  });

  it('a value that is not UTF-8, or holds an unpaired surrogate, is a dead letter, not a row DuckDB would refuse', async () => {
    const json = Buffer.from(JSON.stringify(makeRecord('gps', 1)));
    const notUtf8 = Buffer.concat([json.subarray(0, 20), Buffer.from([0xc3, 0x28]), json.subarray(22)]);
    expect(decode(...(await rec('gps_data', notUtf8)), root)).toMatchObject({ kind: 'dead', reason: 'not_json' });
    const envelope = JSON.parse((decode(...(await rec('gps_data', notUtf8)), root) as { line: Buffer }).line.toString());
    expect(envelope.issues).toEqual([{ path: '', message: 'payload is not valid UTF-8' }]);
    expect(Buffer.from(envelope.payloadBase64, 'base64')).toEqual(notUtf8);
    const lone = Buffer.from(JSON.stringify(makeRecord('gps', 1)).replace(/"vehicleType":"[^"]*"/, '"vehicleType":"\\udfff"'));
    expect(decode(...(await rec('gps_data', lone)), root)).toMatchObject({ kind: 'dead', reason: 'not_json' });
    const loneEnvelope = JSON.parse((decode(...(await rec('gps_data', lone)), root) as { line: Buffer }).line.toString());
    expect(loneEnvelope.issues[0].path).toBe('/vehicleType');
  });

  it('camera frames become JPEG objects keyed by device, frame and date', async () => {
    const headers = { [KAFKA_HEADERS.mqttTopic]: 'fleetlake/v1/car-1/camera/f-9' };
    expect(decode(...(await rec('camera_frames', fakeJpeg(1), headers)), root)).toMatchObject({ kind: 'frame', key: 'frames/dt=2026-11-27/car-1/f-9.jpg' });
    const withTime = { ...headers, [EVENT_TIME_HEADER]: '2026-11-28T00:00:01Z' };
    expect(decode(...(await rec('camera_frames', fakeJpeg(1), withTime)), root)).toMatchObject({ kind: 'frame', key: 'frames/dt=2026-11-28/car-1/f-9.jpg' });
    expect(decode(...(await rec('camera_frames', Buffer.from('GIF89a'), headers)), root)).toMatchObject({ kind: 'dead', reason: 'not_jpeg' });
    expect(decode(...(await rec('camera_frames', fakeJpeg(1))), root)).toMatchObject({ kind: 'dead', reason: 'bad_topic' });
  });

  it('a frame and its traffic row land under the date the frame id carries, whenever they reach Kafka', async () => {
    // Taken on the 25th (GPS time), sent after two days offline: Kafka's timestamp says the 27th.
    const frameId = newFrameId(Date.parse('2026-11-25T22:10:00.000Z'));
    const frame = decode(...(await rec('camera_frames', fakeJpeg(1), { [KAFKA_HEADERS.mqttTopic]: `fleetlake/v1/car-1/camera/${frameId}` })), root);
    expect(frame).toMatchObject({ kind: 'frame', key: `frames/dt=2026-11-25/car-1/${frameId}.jpg`, eventMs: Date.parse('2026-11-25T22:10:00.000Z') });
    const r = { ...makeRecord('traffic', 1), deviceId: 'car-1', frameId, timestamp: '2026-11-26T00:00:00.500Z' };
    const row = JSON.parse(rowText(decode(...(await rec('traffic_data', Buffer.from(JSON.stringify(r)))), root)));
    expect(row.snapshotUri).toBe(`s3://lake/raw/${(frame as { key: string }).key}`);
  });

  it('flush markers are recognised by their header', async () => {
    expect(decode(...(await rec('gps_data', null, { [MARKER_HEADER]: 'idle' })), root)).toEqual({ kind: 'marker', offset: 7n });
    // A header without a value is still there (it used to throw out of decode).
    const withOthers = { [KAFKA_HEADERS.mqttTopic]: 'fleetlake/v1/car-1/gps', [MARKER_HEADER]: null };
    expect(decode(...(await rec('gps_data', null, withOthers, '9')), root)).toEqual({ kind: 'marker', offset: 9n });
  });

  it('an empty value is a dead letter, not a row', async () => {
    expect(decode(...(await rec('gps_data', Buffer.alloc(0))), root)).toMatchObject({ kind: 'dead', reason: 'empty' });
  });
});
