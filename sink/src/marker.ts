import type { Producer, RecordMetadata } from 'kafkajs';

/**
 * Flush markers: how a quiet partition's open file gets closed without breaking replay determinism.
 *
 * File boundaries must be a function of the Kafka log alone, so that a replay from a committed offset
 * cuts the same files (same object names, same content). Count, bytes and event-time span satisfy
 * that, but none of them ever fires on a partition that has gone quiet. A wall-clock flush would, but
 * a replay would not repeat it: it would then cut [S..F] where the first run cut [S..E] and [E+1..F],
 * and the records E+1..F would sit in two objects.
 *
 * So the sink writes the decision into the log: when a partition has buffered records and has seen
 * nothing new for `idleMarkerMs`, the sink appends a marker record (header `fleetlake-sink-marker`,
 * empty value) to that same partition. The marker closes the file when it is *consumed*, at its
 * offset; a replay meets the same marker at the same offset and closes the same file. Records that
 * arrived before the marker belong to the closed file, later ones to the next, whatever the timing.
 * A second marker (two instances, or a retry) closes an empty file: nothing is written, the offset is
 * committed. Other consumers of the topics skip records with this header.
 */
export const MARKER_HEADER = 'fleetlake-sink-marker';

export async function sendMarker(producer: Producer, topic: string, partition: number, reason: 'idle' | 'shutdown'): Promise<RecordMetadata[]> {
  return producer.send({
    topic,
    acks: -1,
    messages: [{ partition, key: null, value: null, headers: { [MARKER_HEADER]: reason } }],
  });
}
