import type { Writable } from 'node:stream';

/**
 * Where simulated bytes go: stdout, a virtual serial port (socat pty pair), a TCP or Unix socket server.
 * Two ways to write: `wait: true` (as fast as the output takes it: resolves when the bytes are accepted)
 * and `wait: false` (real-time pacing: if the reader is not keeping up the bytes are dropped, like a
 * receiver's UART that nobody reads, and counted).
 */
export interface LineOutput {
  /** Human-readable target, e.g. "pty /dev/pts/7 (link /tmp/fleetlake-sim/gps)". */
  describe(): string;
  start(): Promise<void>;
  write(data: string | Buffer, opts: { wait: boolean }): Promise<boolean>;
  /** Simulates an unplugged device (pty) or a dropped server (TCP) for `ms`, then re-creates it. */
  drop?(ms: number): Promise<void>;
  stop(): Promise<void>;
  readonly stats: OutputStats;
}

export interface OutputStats {
  bytesWritten: number;
  writes: number;
  /** Writes dropped because the reader was not keeping up (paced mode only). */
  droppedBackpressure: number;
}

export const newStats = (): OutputStats => ({ bytesWritten: 0, writes: 0, droppedBackpressure: 0 });

/** Pending bytes beyond which paced writes are dropped. */
export const BACKLOG_LIMIT = 64 * 1024;

/** Writes to one stream with the drop-or-wait policy; resolves false when the bytes were dropped. */
export async function writeTo(stream: Writable, data: string | Buffer, wait: boolean, stats: OutputStats): Promise<boolean> {
  if (stream.destroyed || !stream.writable) {
    stats.droppedBackpressure++;
    return false;
  }
  if (!wait && stream.writableLength > BACKLOG_LIMIT) {
    stats.droppedBackpressure++;
    return false;
  }
  const ok = stream.write(data);
  stats.writes++;
  stats.bytesWritten += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (!ok && wait) {
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }
  return true;
}

export class StdoutOutput implements LineOutput {
  readonly stats = newStats();
  describe(): string {
    return 'stdout';
  }
  async start(): Promise<void> {
    // `fleetlake-sim nmea | head`: the reader went away, which ends the run like any Unix filter.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  write(data: string | Buffer, opts: { wait: boolean }): Promise<boolean> {
    return writeTo(process.stdout, data, opts.wait, this.stats);
  }
  async stop(): Promise<void> {}
}
