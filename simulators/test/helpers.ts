import { newStats, type LineOutput } from '../src/outputs/output.js';

/** An output that keeps what it is given (the output is not what these tests are about). */
export class MemoryOutput implements LineOutput {
  readonly stats = newStats();
  readonly chunks: Buffer[] = [];
  describe(): string {
    return 'memory';
  }
  async start(): Promise<void> {}
  async write(data: string | Buffer): Promise<boolean> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.chunks.push(buf);
    this.stats.writes++;
    this.stats.bytesWritten += buf.length;
    return true;
  }
  async stop(): Promise<void> {}
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

/** Independent of the generator: XOR of the bytes between '$' and '*'. */
export function independentChecksumOk(line: string): boolean {
  const m = /^\$([^*$]+)\*([0-9A-F]{2})$/.exec(line);
  if (!m) return false;
  let x = 0;
  for (const ch of Buffer.from(m[1]!, 'latin1')) x ^= ch;
  return x === parseInt(m[2]!, 16);
}
