import { Transform, type TransformCallback } from 'node:stream';

const NL = 0x0a;
const DOLLAR = 0x24;

/**
 * Caps line length ahead of the readline parser, whose buffer would otherwise grow without bound on a
 * stream without newlines (binary data, a wrong baud rate). A line that reaches `maxLineBytes` is cut
 * with a newline; what follows is dropped until the next "$" or newline, where NMEA can resume.
 */
export class LineCap extends Transform {
  private lineLength = 0;
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onDropped: (bytes: number) => void = () => {},
  ) {
    super();
    if (!(maxLineBytes >= 16)) throw new RangeError(`maxLineBytes must be at least 16, got ${maxLineBytes}`);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    let from = 0;
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i]!;
      if (this.discarding) {
        if (byte === NL || byte === DOLLAR) {
          this.onDropped(i - from);
          this.discarding = false;
          this.lineLength = 0;
          from = i;
          continue; // reprocess this byte as the start of a new line (the cut already ended the old one)
        }
        i++;
        continue;
      }
      if (byte === NL) {
        this.lineLength = 0;
      } else if (++this.lineLength >= this.maxLineBytes) {
        out.push(chunk.subarray(from, i), Buffer.from('\n'));
        this.discarding = true;
        from = i;
      }
      i++;
    }
    if (this.discarding) this.onDropped(chunk.length - from);
    else out.push(chunk.subarray(from));
    done(null, out.length === 1 ? out[0] : Buffer.concat(out));
  }
}
