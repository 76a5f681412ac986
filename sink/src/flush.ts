import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { deadLetterObjectKey, parquetObjectKey, tableOf } from '@fleetlake/contracts';
import type { ParquetEncoder } from './parquet.js';
import type { Segment } from './segment.js';
import { SinkTopics } from './sink-topics.js';
import { CONTENT_TYPES, type ObjectStore } from './store.js';

export interface FlushResult {
  objects: { key: string; kind: 'parquet' | 'jpeg' | 'dead_letter'; records: number }[];
  bytes: number;
}

let tmpSeq = 0;

/**
 * Stores every object of a closed segment: one Parquet file per event date, one dead-letter JSONL
 * per date, one JPEG per frame. Names come from the segment's start offset, so storing the same
 * segment again overwrites the same objects. Resolves only when all of them are stored.
 */
export async function flushSegment(seg: Segment, encoder: ParquetEncoder, store: ObjectStore, topics = new SinkTopics()): Promise<FlushResult> {
  const result: FlushResult = { objects: [], bytes: 0 };
  const puts: Promise<void>[] = [];
  const stream = topics.streamOf(seg.topic);
  for (const [dt, lines] of seg.rows) {
    if (!stream) throw new Error(`rows for a topic without a stream: ${seg.topic}`);
    const key = parquetObjectKey({ table: tableOf(stream), dt, topic: seg.topic, partition: seg.partition, startOffset: seg.startOffset });
    const file = join(store.tmpDir, `seg-${process.pid}-${tmpSeq++}.parquet`);
    const ndjson = await lines.toFile(join(store.tmpDir, `seg-${process.pid}-${tmpSeq++}.ndjson`));
    try {
      // Which Kafka records the file holds: lets anyone check that offsets and objects line up.
      await encoder.encodeFile(stream, ndjson, file, {
        'fleetlake.kafka.topic': seg.topic,
        'fleetlake.kafka.partition': String(seg.partition),
        'fleetlake.kafka.startOffset': String(seg.startOffset),
        'fleetlake.kafka.endOffset': String(seg.lastOffset),
      });
    } finally {
      await rm(ndjson, { force: true });
    }
    result.bytes += (await stat(file)).size;
    puts.push(store.putFile(key, file, CONTENT_TYPES.parquet));
    result.objects.push({ key, kind: 'parquet', records: lines.length });
  }
  for (const [dt, lines] of seg.dead) {
    const key = deadLetterObjectKey(dt, seg.topic, seg.partition, seg.startOffset);
    const body = Buffer.concat(lines);
    result.bytes += body.byteLength;
    puts.push(store.putBuffer(key, body, CONTENT_TYPES.jsonl));
    result.objects.push({ key, kind: 'dead_letter', records: lines.length });
  }
  for (const f of seg.frames) {
    result.bytes += f.body.byteLength;
    puts.push(store.putBuffer(f.key, f.body, CONTENT_TYPES.jpeg));
    result.objects.push({ key: f.key, kind: 'jpeg', records: 1 });
  }
  const settled = await Promise.allSettled(puts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}
