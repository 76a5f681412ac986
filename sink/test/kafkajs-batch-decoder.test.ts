import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fleetlake/testkit';
import { FetchedRecord, fastRecordBatchDecoder, installFastRecordBatchDecoder, kafkajsRecordBatchDecoder, type DecodedBatch, type KafkajsDecoder } from '../src/kafkajs-batch-decoder.js';

const require = createRequire(import.meta.url);
type RecordInput = { offsetDelta?: number; timestampDelta?: number; key?: string | Buffer | null; value?: string | Buffer | null; headers?: Record<string, string | Buffer | (string | Buffer)[]> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: RecordInput) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => KafkajsDecoder & { canReadBytes(n: number): boolean };
const GZIP = 1;

function randomString(r: () => number, max: number): string {
  const alphabet = [...'abcxyz/-_:0123456789äöü€😀'];
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function randomRecord(r: () => number, i: number): RecordInput {
  const pick = r();
  const headers: RecordInput['headers'] = {};
  for (let h = 0; h < i % 4; h++) headers[`h${h}-${randomString(r, 8)}`] = h % 2 ? Buffer.from(randomString(r, 100)) : randomString(r, 20);
  // Repeated names become arrays in kafkajs; names of Object.prototype members are looked up oddly.
  if (i % 7 === 0) headers['fleetlake-mqtt-topic'] = ['a', 'b', 'c'];
  if (i % 11 === 0) headers['toString'] = ['x', 'y'];
  return {
    offsetDelta: i,
    timestampDelta: [0, 1, 300, -5, 2 ** 20, 2 ** 35][i % 6],
    key: pick < 0.2 ? null : randomString(r, 30),
    value: pick > 0.9 ? null : pick > 0.8 ? '' : Buffer.from(randomString(r, 500)),
    headers,
  };
}

async function batch(records: RecordInput[], options: Record<string, unknown> = {}): Promise<Buffer> {
  const encoded = await RecordBatch({ records: records.map(Record), lastOffsetDelta: records.length - 1, firstTimestamp: 1_795_000_000_000, maxTimestamp: 1_795_000_000_500, ...options });
  return Buffer.from(encoded.buffer);
}

/** A batch with its lazily decoded records as the plain objects kafkajs makes (for comparing). */
function asKafkajs(batch: DecodedBatch): DecodedBatch {
  return { ...batch, records: batch.records.map((r) => (r instanceof FetchedRecord ? r.toKafkajs() : r)) };
}

/** Decodes batches one after the other as kafkajs' fetch response does, with either decoder. */
async function decodeAll(buf: Buffer, decode: (d: KafkajsDecoder) => Promise<DecodedBatch>) {
  const decoder = new Decoder(buf);
  const batches: unknown[] = [];
  while (decoder.canReadBytes(49)) {
    try {
      batches.push(asKafkajs(await decode(decoder)));
    } catch (err) {
      batches.push({ error: (err as Error).name });
      break;
    }
  }
  return { batches, offset: decoder.offset };
}

describe('fastRecordBatchDecoder', () => {
  it('gives what kafkajs gives for random uncompressed batches, through the fast path', async () => {
    const r = seededRandom(7);
    for (let b = 0; b < 40; b++) {
      const records = Array.from({ length: 1 + Math.floor(r() * 200) }, (_, i) => randomRecord(r, i));
      const firstOffset = [0, 12345, 2 ** 40][b % 3]!;
      const buf = await batch(records, { firstOffset, transactional: b % 5 === 0, producerId: b % 4, partitionLeaderEpoch: b });
      // A plain object has none of Decoder's methods: a fallback to kafkajs would throw.
      const plain = { buffer: buf, offset: 0 };
      const fast = await fastRecordBatchDecoder(plain);
      const reference = new Decoder(buf);
      const expected = await kafkajsRecordBatchDecoder(reference);
      expect(fast.records.every((rec) => rec instanceof FetchedRecord)).toBe(true);
      expect(asKafkajs(fast)).toStrictEqual(expected);
      expect(plain.offset).toBe(reference.offset);
      // What the sink reads in place: the value's bytes and single headers, as kafkajs gives them.
      fast.records.forEach((rec, i) => {
        const want = expected.records[i]!;
        const fetched = rec as FetchedRecord;
        expect(fetched.valueStart < 0 ? null : fetched.buffer.subarray(fetched.valueStart, fetched.valueEnd)).toStrictEqual(want.value);
        for (const [name, value] of Object.entries(want.headers)) {
          // kafkajs' headers object starts repeated Object.prototype names with the inherited member.
          if (name in Object.prototype) continue;
          expect(fetched.header(name)).toStrictEqual(Array.isArray(value) ? value[0] : value);
        }
        expect(fetched.header('not-there')).toBeUndefined();
        // Made once and kept, like a plain object's fields.
        expect(rec.value).toBe(rec.value);
        expect(rec.headers).toBe(rec.headers);
      });
    }
  });

  it('gives what kafkajs gives for consecutive batches with a partial one at the end', async () => {
    const r = seededRandom(11);
    const parts = await Promise.all([0, 200, 400].map((firstOffset) => batch(Array.from({ length: 200 }, (_, i) => randomRecord(r, i)), { firstOffset })));
    const whole = Buffer.concat(parts);
    for (const cut of [whole.length, whole.length - 1, whole.length - parts[2]!.length + 70]) {
      const fetched = whole.subarray(0, cut);
      expect(await decodeAll(fetched, fastRecordBatchDecoder)).toStrictEqual(await decodeAll(fetched, kafkajsRecordBatchDecoder));
    }
  });

  it('leaves compressed batches, offsets beyond 2^53 and malformed records to kafkajs', async () => {
    const r = seededRandom(3);
    const records = Array.from({ length: 50 }, (_, i) => randomRecord(r, i));
    const gzip = await batch(records, { compression: GZIP });
    const huge = await batch(records, { firstOffset: '9007199254740993' });
    const malformed = await batch(records);
    malformed.writeInt8(0x7f, 61); // first record's length: past the batch's end
    for (const buf of [gzip, huge, malformed]) {
      expect(await decodeAll(buf, fastRecordBatchDecoder)).toStrictEqual(await decodeAll(buf, kafkajsRecordBatchDecoder));
    }
    expect((await decodeAll(huge, fastRecordBatchDecoder)).batches[0]).toMatchObject({ records: expect.arrayContaining([expect.objectContaining({ offset: '9007199254741000' })]) });
  });

  it('is installed into kafkajs before its fetch response decoding loads', () => {
    expect(installFastRecordBatchDecoder()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/v0/decoder.js')).toBe(fastRecordBatchDecoder);
    expect(require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js')).toBeTypeOf('function');
  });
});
