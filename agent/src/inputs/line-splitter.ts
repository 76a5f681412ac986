/**
 * Splits a byte stream into lines (LF or CRLF) with a bound on line length, so memory stays flat
 * whatever a device sends. An over-long line is skipped up to its newline and reported once.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverlong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl));
      if (!this.skipping) {
        const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        this.onLine(line.toString('utf8').replace(/\r$/, ''));
      }
      this.reset();
      start = nl + 1;
    }
    this.take(chunk.subarray(start));
  }

  /** Drops a partial last line (the connection closed mid-line); returns whether there was one. */
  discardPartial(): boolean {
    const had = this.size > 0 && !this.skipping;
    this.reset();
    return had;
  }

  private take(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.size + piece.length > this.maxLineBytes) {
      this.skipping = true;
      this.parts = [];
      this.size = 0;
      this.onOverlong();
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.skipping = false;
  }
}
