import { parseParquetObjectKey } from '@fleetlake/contracts';
import type { LakeQuery } from '@fleetlake/sink';

/**
 * The lake as the console reads it: the tables and dedup views of the operator's SQL (DuckDB under
 * Athena's names), and the camera frames that traffic_data rows point to.
 */
export interface LakeReader {
  /** Where the lake is, for logs and the page. */
  readonly location: string;
  /**
   * Runs `fn` against the lake on the days (YYYY-MM-DD) `days` names, which it is given: the queries
   * bind a window over them, so that their `dt` range reads those partitions only (an S3 lake fetches
   * just those).
   */
  withLake<T>(days: LakeDays, fn: (lake: LakeQuery, days: readonly string[]) => Promise<T>): Promise<T>;
  /** The JPEG a traffic_data row's snapshotUri names; refuses any URI outside the lake's frames. */
  readFrame(snapshotUri: string): Promise<Buffer>;
  /** Counters for /metrics (an S3 lake's cache: objects fetched, cache hits, evictions, bytes fetched). */
  readonly counters?: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * The days a lake task reads: these dates (UTC, YYYY-MM-DD), or `{ recentOf: table }`, the last
 * `lake.recentDays` dates that hold Parquet files of that table (none in an empty lake).
 */
export type LakeDays = readonly string[] | { recentOf: string };

/** The last `n` dates that hold a Parquet object of `table` among lake keys (`gps_data/dt=…/….parquet`), in order. */
export function recentParquetDays(keys: Iterable<string>, table: string, n: number): string[] {
  const dts = new Set<string>();
  for (const key of keys) {
    const parts = parseParquetObjectKey(key);
    if (parts?.table === table) dts.add(parts.dt);
  }
  return [...dts].sort().slice(-n);
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
