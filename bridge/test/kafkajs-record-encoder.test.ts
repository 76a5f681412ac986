import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fleetlake/testkit';
import { EncodedRecord, fastRecordEncoder, installFastRecordEncoder, kafkajsRecordEncoder } from '../src/kafkajs-record-encoder.js';

const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: { records: { buf: Buffer }[]; firstTimestamp: number; maxTimestamp: number; lastOffsetDelta: number; firstSequence: number }) => Promise<{ buffer: Buffer }>;
};

const bytes = (e: { buf: Buffer; buffer?: Buffer }) => Buffer.from(e.buffer ?? e.buf);

function randomString(r: () => number, max: number): string {
  const alphabet = 'abcxyz/-_:0123456789äöü€😀';
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += [...alphabet][Math.floor(r() * 26)];
  return s;
}

describe('fastRecordEncoder', () => {
  it('writes the same bytes as kafkajs for random records', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 2000; i++) {
      const pick = r();
      const record = {
        offsetDelta: Math.floor(r() * (i % 10 === 0 ? 2 ** 29 : 5000)),
        timestampDelta: [0, 1, 300, -5, 2 ** 20, 2 ** 29][i % 6]!,
        key: pick < 0.1 ? null : pick < 0.2 ? Buffer.from(randomString(r, 40)) : randomString(r, 40),
        value: pick > 0.9 ? null : r() < 0.5 ? Buffer.from(randomString(r, 3000)) : randomString(r, 300),
        headers: Object.fromEntries(Array.from({ length: i % 5 }, (_, h) => [`h${h}-${randomString(r, 10)}`, h % 2 ? Buffer.from(randomString(r, 200)) : randomString(r, 30)])),
      };
      const fast = fastRecordEncoder(record);
      expect(fast).toBeInstanceOf(EncodedRecord); // the fast path itself, not the fallback
      expect(bytes(fast).equals(bytes(kafkajsRecordEncoder(record)))).toBe(true);
    }
  });

  it('leaves what it does not handle to kafkajs (array headers, large deltas, missing fields)', () => {
    for (const record of [
      { key: 'k', value: 'v', headers: { a: ['1', '2'] } },
      { key: 'k', value: 'v', timestampDelta: 2 ** 40 },
      { key: undefined, value: 'v' },
      {},
    ]) {
      expect(bytes(fastRecordEncoder(record)).equals(bytes(kafkajsRecordEncoder(record)))).toBe(true);
    }
  });

  it('gives the same record batch (and CRC) as kafkajs for bridge-like records', async () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: `bench-${i % 17}`,
      value: Buffer.from(JSON.stringify({ deviceId: `bench-${i % 17}`, seq: i })),
      headers: { 'fleetlake-mqtt-topic': `fleetlake/v1/bench-${i % 17}/gps`, 'fleetlake-received-at': '2026-11-27T12:00:00.000Z', 'fleetlake-schema-version': '1' },
    }));
    const batch = async (encode: typeof fastRecordEncoder) =>
      (await RecordBatch({ records: messages.map(encode), firstTimestamp: 1, maxTimestamp: 1, lastOffsetDelta: 299, firstSequence: 7 })).buffer;
    expect((await batch(fastRecordEncoder)).equals(await batch(kafkajsRecordEncoder))).toBe(true);
  });

  it('is installed into kafkajs before its produce request loads', () => {
    expect(installFastRecordEncoder()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/record/v0/index.js')).toBe(fastRecordEncoder);
    const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as unknown;
    expect(produceV3).toBeTypeOf('function');
  });
});
