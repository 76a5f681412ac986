/** Smallest chunk: most open files of quiet topics hold a few rows only. */
const FIRST_CHUNK_BYTES = 64 * 1024;
/** Largest chunk: big enough that a 250k-row file is a few dozen of them. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const NL = 0x0a;

/**
 * Newline-delimited JSON text built up in a few large chunks. Each pushed line is copied once, into
 * the current chunk; no Buffer per line is kept. (Holding one Buffer per row for a 250k-row file
 * kept a million small objects alive across GCs and cost one more copy to join them for DuckDB.)
 */
export class NdjsonChunks {
  private readonly sealed: Buffer[] = [];
  private chunk: Buffer | undefined;
  private used = 0;
  /** Lines pushed. */
  length = 0;

  /** Appends `json` (one line of JSON text, without a newline) and a newline. */
  push(json: Uint8Array): void {
    const need = json.byteLength + 1;
    if (!this.chunk || this.used + need > this.chunk.byteLength) this.grow(need);
    const chunk = this.chunk!;
    chunk.set(json, this.used);
    chunk[this.used + json.byteLength] = NL;
    this.used += need;
    this.length++;
  }

  /** The text so far, in order; every buffer ends at a line end. */
  buffers(): Buffer[] {
    return this.chunk && this.used > 0 ? [...this.sealed, this.chunk.subarray(0, this.used)] : [...this.sealed];
  }

  private grow(need: number): void {
    const previous = this.chunk?.byteLength ?? 0;
    if (this.chunk && this.used > 0) this.sealed.push(this.chunk.subarray(0, this.used));
    // Doubling keeps small files small; the unused tail of a sealed chunk is at most one line.
    const size = Math.max(need, Math.min(MAX_CHUNK_BYTES, previous === 0 ? FIRST_CHUNK_BYTES : previous * 2));
    this.chunk = Buffer.allocUnsafe(size);
    this.used = 0;
  }
}
