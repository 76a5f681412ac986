import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFastCrc32c } from '../src/kafkajs-crc32c.js';
import { EncodedRecord, installFastRecordEncoder } from '../src/kafkajs-record-encoder.js';
import { encodeProduceBody, fastProduceRequest, installFastProduceRequest, kafkajsProduceRequest, type ProduceRequestArgs } from '../src/kafkajs-produce-request.js';

const require = createRequire(import.meta.url);

// As createKafka does, before anything loads kafkajs' produce request.
installFastRecordEncoder();
installFastCrc32c();
const installed = installFastProduceRequest();

const NOW = 1_795_000_000_123;
const bytes = async (request: { encode: () => Promise<{ buffer: Buffer }> }) => Buffer.from((await request.encode()).buffer);

function gps(device: string, seq: number) {
  return {
    key: device,
    value: Buffer.from(JSON.stringify({ deviceId: device, seq, latitude: 51.5 + seq / 1e4, note: 'äöü€😀' })),
    headers: { 'fleetlake-mqtt-topic': `fleetlake/v1/${device}/gps`, 'fleetlake-received-at': '2026-11-27T12:00:00.000Z', 'fleetlake-schema-version': '1' },
  };
}

function args(overrides: Partial<ProduceRequestArgs> = {}): ProduceRequestArgs {
  return {
    acks: -1,
    timeout: 30000,
    producerId: 4711,
    producerEpoch: 3,
    topicData: [
      { topic: 'gps_data', partitions: [
        { partition: 0, firstSequence: 12, messages: Array.from({ length: 40 }, (_, i) => gps(`car-${i % 7}`, i)) },
        { partition: 5, firstSequence: 2 ** 31 - 5, messages: [gps('car-9', 1)] },
      ] },
      { topic: 'dead_letter', partitions: [{ partition: 2, firstSequence: 0, messages: [{ key: null, value: Buffer.from('{"reason":"schema"}'), headers: {} }] }] },
      { topic: 'trafic_ñ', partitions: [{ partition: 1, messages: [{ key: 'k', value: 'plain string value' }] }] },
    ],
    ...overrides,
  };
}

describe('fast produce request', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is installed into kafkajs, so produce v3..v7 requests take it', () => {
    expect(installed).toBe(true);
    expect(require('kafkajs/src/protocol/requests/produce/v3/request.js')).toBe(fastProduceRequest);
  });

  it('writes the bytes kafkajs writes: several topics, partitions, sequences, keys, headers and producer ids', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const kafkajs = kafkajsProduceRequest();
    for (const a of [args(), args({ producerId: undefined, producerEpoch: undefined }), args({ acks: 1, timeout: 5, producerId: -1, producerEpoch: 0 })]) {
      const fast = fastProduceRequest(a);
      const encoded = await fast.encode();
      expect(encoded).toBeInstanceOf(EncodedRecord); // the fast path, not the fallback
      expect(Buffer.from(encoded.buffer).equals(await bytes(kafkajs(a)))).toBe(true);
      expect(encodeProduceBody(a, NOW).equals(encoded.buffer)).toBe(true);
    }
  });

  it('gives the whole request, as produce v7 sends it, the same bytes as kafkajs', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const { protocol } = require('kafkajs/src/protocol/requests/produce/index.js') as {
      protocol: (v: { version: number }) => (a: ProduceRequestArgs & { compression: number }) => { request: { apiVersion: number; encode: () => Promise<{ buffer: Buffer }> } };
    };
    const { request } = protocol({ version: 7 })({ ...args(), compression: 0 });
    expect(request.apiVersion).toBe(7);
    expect(await request.encode()).toBeInstanceOf(EncodedRecord);
    expect((await bytes(request)).equals(await bytes(kafkajsProduceRequest()(args())))).toBe(true);
  });

  it('leaves compression, transactions and messages with their own timestamps to kafkajs', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const kafkajs = kafkajsProduceRequest();
    const withTimestamp = args();
    withTimestamp.topicData[0]!.partitions[0]!.messages[3] = { ...gps('car-3', 3), timestamp: String(NOW - 5000) } as never;
    for (const a of [args({ compression: 1 }), args({ transactionalId: 'tx-1' }), withTimestamp]) {
      const encoded = await fastProduceRequest(a).encode();
      expect(encoded).not.toBeInstanceOf(EncodedRecord);
      expect(Buffer.from(encoded.buffer).equals(await bytes(kafkajs(a)))).toBe(true);
    }
  });
});
