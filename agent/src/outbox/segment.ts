import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrame, type EntryData } from './codec.js';

const LSN_DIGITS = 16;
export const SEGMENT_SUFFIX = '.seg';

export function segmentFileName(firstLsn: number): string {
  return `${String(firstLsn).padStart(LSN_DIGITS, '0')}${SEGMENT_SUFFIX}`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = /^(\d{16})\.seg$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export interface LoadReport {
  /** Bytes cut off the end because the last frame was torn or corrupt. */
  discardedBytes: number;
  reason?: string | undefined;
}

/**
 * One append-only segment file of the outbox. Entry `i` has log sequence number `firstLsn + i`.
 * Tracks which of its entries are acknowledged, in memory; the outbox persists a cursor.
 */
export class Segment {
  readonly offsets: number[] = [];
  bytes = 0;
  /** Highest seq per key held in this segment (to recover seq counters after a restart). */
  readonly maxSeq = new Map<string, number>();
  /** Index of the first entry not yet acknowledged or dropped. */
  private low = 0;
  private readonly ackedAbove = new Set<number>();
  private handle: FileHandle | undefined;
  private writable = false;

  private constructor(
    readonly path: string,
    readonly firstLsn: number,
  ) {}

  get count(): number {
    return this.offsets.length;
  }

  get endLsn(): number {
    return this.firstLsn + this.offsets.length;
  }

  get pendingCount(): number {
    return this.offsets.length - this.low - this.ackedAbove.size;
  }

  /** Bytes on disk (frames included) of the entries not yet acknowledged or dropped. */
  get pendingBytes(): number {
    if (this.low >= this.offsets.length) return 0;
    let n = this.bytes - this.offsets[this.low]!;
    for (const index of this.ackedAbove) n -= this.frameBytes(index);
    return n;
  }

  private frameBytes(index: number): number {
    const end = index + 1 < this.offsets.length ? this.offsets[index + 1]! : this.bytes;
    return end - this.offsets[index]!;
  }

  /** Lowest unacknowledged lsn in this segment, or endLsn when all are acknowledged. */
  get lowLsn(): number {
    return this.firstLsn + this.low;
  }

  static async create(dir: string, firstLsn: number): Promise<Segment> {
    const seg = new Segment(join(dir, segmentFileName(firstLsn)), firstLsn);
    seg.handle = await open(seg.path, 'wx+', 0o600);
    seg.writable = true;
    return seg;
  }

  /** Scans a segment, keeps every whole frame and cuts a torn or corrupt tail off the file. */
  static async load(dir: string, firstLsn: number): Promise<{ segment: Segment; report: LoadReport }> {
    const seg = new Segment(join(dir, segmentFileName(firstLsn)), firstLsn);
    const buf = await readFile(seg.path);
    let offset = 0;
    let reason: string | undefined;
    while (offset < buf.length) {
      const r = decodeFrame(buf, offset, false);
      if (!r.ok) {
        reason = r.reason;
        break;
      }
      seg.offsets.push(offset);
      seg.noteSeq(r.entry);
      offset += r.frameBytes;
    }
    seg.bytes = offset;
    const discardedBytes = buf.length - offset;
    if (discardedBytes > 0) {
      const fh = await open(seg.path, 'r+');
      try {
        await fh.truncate(offset);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    return { segment: seg, report: { discardedBytes, reason } };
  }

  /** Makes a loaded segment the active one again (appends continue at its end). */
  async reopenForAppend(): Promise<void> {
    await this.closeHandle();
    this.handle = await open(this.path, 'r+');
    this.writable = true;
  }

  private noteSeq(entry: EntryData): void {
    if (entry.key === undefined || entry.seq === undefined) return;
    const prev = this.maxSeq.get(entry.key);
    if (prev === undefined || entry.seq > prev) this.maxSeq.set(entry.key, entry.seq);
  }

  /** Appends whole frames and makes them durable (fdatasync) before they are indexed. */
  async append(frames: readonly Buffer[], entries: readonly EntryData[]): Promise<void> {
    if (!this.writable || !this.handle) throw new Error(`segment ${this.path} is not writable`);
    const start = this.bytes;
    try {
      let written = 0;
      const total = frames.reduce((n, f) => n + f.length, 0);
      while (written < total) {
        const { bytesWritten } = await this.handle.writev(remaining(frames, written), start + written);
        written += bytesWritten;
      }
      await this.handle.datasync();
    } catch (err) {
      // Leave no half-written frame behind for the next append to follow.
      await this.handle.truncate(start).catch(() => undefined);
      throw err;
    }
    let offset = start;
    frames.forEach((f, i) => {
      this.offsets.push(offset);
      this.noteSeq(entries[i]!);
      offset += f.length;
    });
    this.bytes = offset;
  }

  async read(index: number): Promise<EntryData | undefined> {
    if (index < 0 || index >= this.offsets.length) return undefined;
    const start = this.offsets[index]!;
    const end = start + this.frameBytes(index);
    this.handle ??= await open(this.path, 'r');
    const buf = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await this.handle.read(buf, 0, buf.length, start);
    const r = decodeFrame(buf.subarray(0, bytesRead));
    return r.ok ? r.entry : undefined;
  }

  isAcked(index: number): boolean {
    return index < this.low || this.ackedAbove.has(index);
  }

  /** Marks an entry acknowledged; returns false when it already was. */
  ack(index: number): boolean {
    if (index < 0 || index >= this.offsets.length || this.isAcked(index)) return false;
    this.ackedAbove.add(index);
    while (this.ackedAbove.delete(this.low)) this.low++;
    return true;
  }

  /** Marks every entry below `lsn` acknowledged (the persisted cursor on recovery). */
  ackBelow(lsn: number): void {
    const upTo = Math.min(this.offsets.length, lsn - this.firstLsn);
    for (let i = this.low; i < upTo; i++) this.ackedAbove.add(i);
    while (this.ackedAbove.delete(this.low)) this.low++;
  }

  /** Seals the segment: no more appends; the write handle is closed. */
  async seal(): Promise<void> {
    this.writable = false;
    await this.closeHandle();
  }

  async closeHandle(): Promise<void> {
    const fh = this.handle;
    this.handle = undefined;
    await fh?.close();
  }
}

function remaining(frames: readonly Buffer[], skip: number): Buffer[] {
  if (skip === 0) return [...frames];
  const out: Buffer[] = [];
  for (const f of frames) {
    if (skip >= f.length) {
      skip -= f.length;
      continue;
    }
    out.push(skip > 0 ? f.subarray(skip) : f);
    skip = 0;
  }
  return out;
}
