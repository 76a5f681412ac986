import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FleetlakeError } from '@fleetlake/core';
import { LakeQuery } from '@fleetlake/sink';
import { frameKeyOf, MAX_FRAME_BYTES, type LakeReader } from './lake-reader.js';
import { Limiter } from './limiter.js';

/** Opens the lake for one task and closes it after: a new DuckDB instance sees the files stored meanwhile. */
export async function withLakeQuery<T>(dir: string, threads: number, fn: (lake: LakeQuery) => Promise<T>): Promise<T> {
  const lake = await LakeQuery.open(dir);
  try {
    await lake.query(`SET threads = ${Math.trunc(threads)}`);
    return await fn(lake);
  } finally {
    lake.close();
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
    private readonly options: { concurrency: number; duckdbThreads: number },
  ) {
    this.limiter = new Limiter(options.concurrency);
  }

  get location(): string {
    return this.dir;
  }

  withLake<T>(_days: readonly string[] | undefined, fn: (lake: LakeQuery) => Promise<T>): Promise<T> {
    return this.limiter.run(() => withLakeQuery(this.dir, this.options.duckdbThreads, fn));
  }

  async readFrame(snapshotUri: string): Promise<Buffer> {
    const frame = frameKeyOf(snapshotUri);
    if (!frame) throw new FleetlakeError('NOT_A_FRAME', `snapshotUri ${JSON.stringify(snapshotUri)} names no frame of the lake`);
    return readBounded(join(this.dir, ...frame.key.split('/')), MAX_FRAME_BYTES);
  }

  async stop(): Promise<void> {}
}
