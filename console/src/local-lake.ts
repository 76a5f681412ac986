import { open, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { FleetlakeError } from '@fleetlake/core';
import { LakeQuery } from '@fleetlake/sink';
import { frameKeyOf, MAX_FRAME_BYTES, recentParquetDays, type LakeDays, type LakeReader } from './lake-reader.js';
import { Limiter } from './limiter.js';

/** Opens the lake for one task and closes it after: a new DuckDB instance sees the files stored meanwhile. */
export async function withLakeQuery<T>(dir: string, threads: number, days: readonly string[], fn: (lake: LakeQuery, days: readonly string[]) => Promise<T>): Promise<T> {
  const lake = await LakeQuery.open(dir);
  try {
    await lake.query(`SET threads = ${Math.trunc(threads)}`);
    return await fn(lake, days);
  } finally {
    lake.close();
  }
}

/** The lake keys (`gps_data/dt=…/….parquet`) of the files under a table's folder; none when it does not exist yet. */
async function tableKeys(dir: string, table: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, table), { recursive: true })).map((f) => `${table}/${f.split(sep).join('/')}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** A file's bytes, at most `max` of them (a larger file is refused). */
export async function readBounded(path: string, max: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > max) throw new FleetlakeError('FRAME_TOO_LARGE', `frame of ${size} bytes is larger than ${max}`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** A lake in a local folder, read in place (the console never writes into it). */
export class LocalLake implements LakeReader {
  private readonly limiter: Limiter;

  constructor(
    private readonly dir: string,
    private readonly options: { concurrency: number; duckdbThreads: number; recentDays: number },
  ) {
    this.limiter = new Limiter(options.concurrency);
  }

  get location(): string {
    return this.dir;
  }

  withLake<T>(days: LakeDays, fn: (lake: LakeQuery, days: readonly string[]) => Promise<T>): Promise<T> {
    return this.limiter.run(async () => {
      const read = 'recentOf' in days ? recentParquetDays(await tableKeys(this.dir, days.recentOf), days.recentOf, this.options.recentDays) : days;
      return withLakeQuery(this.dir, this.options.duckdbThreads, read, fn);
    });
  }

  async readFrame(snapshotUri: string): Promise<Buffer> {
    const frame = frameKeyOf(snapshotUri);
    if (!frame) throw new FleetlakeError('NOT_A_FRAME', `snapshotUri ${JSON.stringify(snapshotUri)} names no frame of the lake`);
    return readBounded(join(this.dir, ...frame.key.split('/')), MAX_FRAME_BYTES);
  }

  async stop(): Promise<void> {}
}
