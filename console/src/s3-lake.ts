import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FleetlakeError, once, type Logger } from '@fleetlake/core';
import { parseParquetObjectKey } from '@fleetlake/contracts';
import { S3Store, tableDefs, type LakeQuery } from '@fleetlake/sink';
import { frameKeyOf, MAX_FRAME_BYTES, recentParquetDays, type LakeDays, type LakeReader } from './lake-reader.js';
import { Limiter } from './limiter.js';
import { withLakeQuery } from './local-lake.js';
import { LruFiles } from './lru-files.js';

export interface S3LakeOptions {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Parent of the cache folder (default: the system temp dir). */
  cacheDir?: string | undefined;
  cacheMaxBytes: number;
  recentDays: number;
  duckdbThreads: number;
  logger: Logger;
}

/**
 * A lake in S3, read through the sink's own S3 store (the same client, key layout and retry): for each
 * request the Parquet objects of the days it needs (its window's, or a table's most recent ones) are
 * listed, those not cached yet are fetched into a local folder of the same layout, and DuckDB reads
 * that folder under Athena's names, as for a local lake; the queries' `dt` range keeps them to those days. The folder holds at most `cacheMaxBytes` (least recently used objects go first); objects never
 * change once written (a replay writes the same bytes under the same key), so a cached one stays right.
 * Frames are fetched by key on demand and not cached. One request reads the cache at a time.
 */
export class S3Lake implements LakeReader {
  private readonly lock = new Limiter(1);
  readonly counters = { fetched: 0, fetchedBytes: 0, hits: 0, evicted: 0 };

  private constructor(
    private readonly store: S3Store,
    private readonly options: S3LakeOptions,
    private readonly dir: string,
    private readonly cache: LruFiles,
  ) {}

  static async create(options: S3LakeOptions): Promise<S3Lake> {
    const store = await S3Store.create({
      bucket: options.bucket,
      prefix: options.prefix,
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      multipartThresholdBytes: 16 << 20,
      // A page is waiting: a few quick attempts, then a clear error.
      retry: { baseMs: 100, maxMs: 1000, retries: 2 },
      logger: options.logger,
    });
    const parent = options.cacheDir ?? tmpdir();
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(join(parent, 'fleetlake-console-lake-'));
    return new S3Lake(store, options, dir, new LruFiles(options.cacheMaxBytes));
  }

  get location(): string {
    return this.store.location;
  }

  /** The days a task reads: those asked for, or the most recent ones that hold Parquet objects of the table. */
  private async resolve(days: LakeDays): Promise<readonly string[]> {
    if (!('recentOf' in days)) return days;
    return recentParquetDays(await this.store.list(`${days.recentOf}/`), days.recentOf, this.options.recentDays);
  }

  /** The Parquet keys of a table on the given days. */
  private async keysOf(table: string, days: readonly string[]): Promise<string[]> {
    return (await Promise.all(days.map((d) => this.store.list(`${table}/dt=${d}/`)))).flat().filter((k) => parseParquetObjectKey(k)?.table === table);
  }

  private async fetch(key: string): Promise<void> {
    if (this.cache.touch(key)) {
      this.counters.hits++;
      return;
    }
    const body = await this.store.get(key);
    const target = join(this.dir, ...key.split('/'));
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.part`;
    await writeFile(tmp, body);
    await rename(tmp, target);
    this.cache.add(key, body.byteLength);
    this.counters.fetched++;
    this.counters.fetchedBytes += body.byteLength;
  }

  private async sync(days: readonly string[]): Promise<void> {
    const wanted = (await Promise.all(tableDefs().map((def) => this.keysOf(def.name, days)))).flat();
    const keep = new Set(wanted);
    for (const key of wanted) {
      await this.fetch(key);
      for (const gone of this.cache.evict(keep)) {
        await rm(join(this.dir, ...gone.split('/')), { force: true });
        this.counters.evicted++;
      }
    }
    if (this.cache.bytes > this.options.cacheMaxBytes) {
      throw new FleetlakeError('LAKE_CACHE_FULL', `the ${days.length} day(s) asked for need ${this.cache.bytes} bytes of Parquet, more than lake.cacheMaxBytes (${this.options.cacheMaxBytes}): ask for a shorter window`);
    }
  }

  withLake<T>(days: LakeDays, fn: (lake: LakeQuery, days: readonly string[]) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const read = await this.resolve(days);
      await this.sync(read);
      return withLakeQuery(this.dir, this.options.duckdbThreads, read, fn);
    });
  }

  async readFrame(snapshotUri: string): Promise<Buffer> {
    const frame = frameKeyOf(snapshotUri);
    if (!frame || !snapshotUri.startsWith(`${this.store.location}/`)) throw new FleetlakeError('NOT_A_FRAME', `snapshotUri ${JSON.stringify(snapshotUri)} names no frame of the lake ${this.store.location}`);
    const body = await this.store.get(frame.key);
    if (body.byteLength > MAX_FRAME_BYTES) throw new FleetlakeError('FRAME_TOO_LARGE', `frame of ${body.byteLength} bytes is larger than ${MAX_FRAME_BYTES}`);
    return body;
  }

  readonly stop = once(async () => {
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  });
}
