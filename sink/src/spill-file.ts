import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

let seq = 0;

/**
 * A temp file that buffers are appended to in order, without waiting: the writes run one after the
 * other on libuv's thread pool while the caller goes on. A failed write is reported by `finish`.
 * Lets an open segment keep only its newest chunk of rows in memory instead of the whole file.
 */
export class SpillFile {
  readonly path: string;
  private chain: Promise<FileHandle>;

  constructor(dir: string) {
    this.path = join(dir, `rows-${process.pid}-${seq++}.ndjson`);
    this.chain = this.track(open(this.path, 'w'));
  }

  append(buf: Buffer): void {
    this.chain = this.track(
      this.chain.then(async (fh) => {
        for (let done = 0; done < buf.byteLength; ) done += (await fh.write(buf, done)).bytesWritten;
        return fh;
      }),
    );
  }

  /** Waits for every append, closes the file and returns its path; rejects if any write failed. */
  async finish(): Promise<string> {
    const fh = await this.chain;
    await fh.close();
    return this.path;
  }

  /** Closes and deletes the file (a segment given up, e.g. after a rebalance). Never rejects. */
  async discard(): Promise<void> {
    await this.chain.then((fh) => fh.close()).catch(() => undefined);
    await rm(this.path, { force: true }).catch(() => undefined);
  }

  /** Marks the promise as handled, so a failed write waits for `finish` instead of crashing the process. */
  private track<T>(p: Promise<T>): Promise<T> {
    p.catch(() => undefined);
    return p;
  }
}
