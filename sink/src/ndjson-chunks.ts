import { open } from 'node:fs/promises';
import type { SpillFile } from './spill-file.js';

/** Smallest chunk: most open files of quiet topics hold a few rows only. */
const FIRST_CHUNK_BYTES = 64 * 1024;
/** Largest chunk: big enough that a 250k-row file is a few dozen of them. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const NL = 0x0a;

/**
 * Newline-delimited JSON text built up in a few large chunks. Each pushed line is copied once, into
 * the current chunk; no Buffer per line is kept. (Holding one Buffer per row for a 250k-row file
 * kept a million small objects alive across GCs and cost one more copy to join them for DuckDB.)
 * With a spill file, each full chunk is written out to it at once, so memory holds one chunk per
 * open file instead of the whole file's text.
 */
export class NdjsonChunks {
  private readonly sealed: Buffer[] = [];
  private chunk: Buffer | undefined;
  private used = 0;
  private spill: SpillFile | undefined;
  /** Lines pushed. */
  length = 0;

  constructor(private readonly newSpill?: () => SpillFile) {}

  /** Appends `json[start, end)` (one line of JSON text, without a newline) and a newline. */
  push(json: Buffer, start = 0, end = json.byteLength): void {
    const need = end - start + 1;
    if (!this.chunk || this.used + need > this.chunk.byteLength) this.grow(need);
    const chunk = this.chunk!;
    json.copy(chunk, this.used, start, end);
    chunk[this.used + need - 1] = NL;
    this.used += need;
    this.length++;
  }

  /** The text still in memory, in order; every buffer ends at a line end. (All of it unless spilled.) */
  buffers(): Buffer[] {
    return this.chunk && this.used > 0 ? [...this.sealed, this.chunk.subarray(0, this.used)] : [...this.sealed];
  }

  /**
   * The whole text as a file for DuckDB: the spill file completed with the last chunk, or (nothing
   * spilled) the chunks written to `file` with one gathered write. Returns the file's path.
   */
  async toFile(file: string): Promise<string> {
    if (this.spill) {
      const rest = this.buffers();
      for (const b of rest) this.spill.append(b);
      return this.spill.finish();
    }
    await writeBuffers(file, this.buffers());
    return file;
  }

  /** Deletes the spill file of text that will never be stored (its segment was given up). */
  discard(): void {
    if (this.spill) void this.spill.discard();
  }

  private grow(need: number): void {
    const previous = this.chunk?.byteLength ?? 0;
    if (this.chunk && this.used > 0) {
      const full = this.chunk.subarray(0, this.used);
      if (this.newSpill) (this.spill ??= this.newSpill()).append(full);
      else this.sealed.push(full);
    }
    // Doubling keeps small files small; the unused tail of a sealed chunk is at most one line.
    const size = Math.max(need, Math.min(MAX_CHUNK_BYTES, previous === 0 ? FIRST_CHUNK_BYTES : previous * 2));
    this.chunk = Buffer.allocUnsafe(size);
    this.used = 0;
  }
}

/** Writes `buffers` to `file` with one gathered write (writev): no joined copy of them. */
export async function writeBuffers(file: string, buffers: Buffer[]): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writev(buffers);
  } finally {
    await fh.close();
  }
}
