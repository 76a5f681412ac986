import type { LakeQuery } from '@fleetlake/sink';

/**
 * The lake as the console reads it: the tables and dedup views of the operator's SQL (DuckDB under
 * Athena's names), and the camera frames that traffic_data rows point to.
 */
export interface LakeReader {
  /** Where the lake is, for logs and the page. */
  readonly location: string;
  /**
   * Runs `fn` against the lake. `days` (YYYY-MM-DD) are the partitions the queries need: an S3 lake
   * fetches those; undefined means the recent days (S3) or everything (a local folder).
   */
  withLake<T>(days: readonly string[] | undefined, fn: (lake: LakeQuery) => Promise<T>): Promise<T>;
  /** The JPEG a traffic_data row's snapshotUri names; refuses any URI outside the lake's frames. */
  readFrame(snapshotUri: string): Promise<Buffer>;
  /** Counters for /metrics (an S3 lake's cache: objects fetched, cache hits, evictions, bytes fetched). */
  readonly counters?: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/** Largest object read for a frame (the contracts allow 64 MiB; cameras send ~100 KB). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const FRAME_KEY = /(?:^|\/)(frames\/dt=\d{4}-\d{2}-\d{2}\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\.jpg)$/;

/**
 * The lake key of a frame (`frames/dt=…/{deviceId}/{frameId}.jpg`) from a snapshotUri, which is an
 * s3:// URI or a path depending on where the sink wrote: the key is the same in both, so a lake synced
 * down from S3 reads its frames too. Undefined for anything else (no `..`: a segment starts with a letter or digit).
 */
export function frameKeyOf(snapshotUri: string): { key: string; deviceId: string; frameId: string } | undefined {
  const m = FRAME_KEY.exec(snapshotUri);
  return m ? { key: m[1]!, deviceId: m[2]!, frameId: m[3]! } : undefined;
}
