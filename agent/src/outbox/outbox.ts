import { EventEmitter } from 'node:events';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FleetlakeError, once, silentLogger, type Logger } from '@fleetlake/core';
import { encodeFrame, type EntryData } from './codec.js';
import { parseSegmentFileName, Segment } from './segment.js';
import { readStateFile, syncDir, writeStateFile } from './state-file.js';

export interface OutboxOptions {
  /** Folder holding the segment files and state.json (created if missing). */
  dir: string;
  /** Upper bound on the bytes of all segment files; the oldest segment is dropped (and counted) beyond it. */
  maxBytes: number;
  /** A segment is sealed and a new one started once it would grow past this. */
  segmentBytes: number;
  /** How often the acknowledged cursor is persisted (a crash re-sends at most this much: duplicates, not loss). */
  checkpointIntervalMs?: number;
  logger?: Logger;
}

export interface OutboxEntry extends EntryData {
  lsn: number;
}

export interface OutboxStats {
  segments: number;
  diskBytes: number;
  /** Entries captured and not yet acknowledged. */
  pending: number;
  /** Bytes on disk of those entries. */
  pendingBytes: number;
  appended: number;
  acked: number;
  /** Entries dropped because of the byte bound, over the outbox's lifetime (persisted). */
  dropped: number;
  /** Bytes of torn or corrupt frames cut off at open. */
  discardedBytes: number;
  /** Entries found damaged when read for sending, skipped. */
  corrupt: number;
  nextLsn: number;
}

interface PersistedState {
  version: 1;
  /** Every lsn below this is acknowledged or dropped. */
  cursor: number;
  nextLsn: number;
  /** Highest seq per key among entries whose segments were already removed. */
  seqFloor: Record<string, number>;
  dropped: number;
}

interface Pending {
  entry: EntryData;
  frame: Buffer;
  resolve: (lsn: number) => void;
  reject: (err: unknown) => void;
}

const STATE_FILE = 'state.json';

/**
 * Durable on-disk outbox: an append-only log of length+CRC framed entries in segment files.
 *
 * - `append()` resolves only after the entry is fdatasync'd (group commit: one sync per batch of
 *   concurrent appends); only then is it visible to `nextPending()` — "captured".
 * - `ack()` (on PUBACK) marks an entry done; whole acknowledged segments are deleted; the cursor
 *   is checkpointed atomically, so a crash re-sends at most the last checkpoint interval's entries.
 * - On open, a torn tail (kill -9 / power loss mid-write) is detected by length/CRC and cut off.
 * - Bounded in bytes: the oldest segment is dropped and its pending entries counted.
 * - The highest `seq` per key survives restarts (from the segments plus the state's floor).
 */
export class Outbox extends EventEmitter {
  private readonly segments: Segment[] = [];
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private stateChain: Promise<void> = Promise.resolve();
  private persistLock: Promise<void> = Promise.resolve();
  private seqFloor: Record<string, number> = {};
  private dropped = 0;
  private appended = 0;
  private acked = 0;
  private discardedBytes = 0;
  private corrupt = 0;
  private nextLsnAfterReclaim = 0;
  private persistedCursor = -1;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  private constructor(private readonly opts: Required<OutboxOptions>) {
    super();
    this.log = opts.logger;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const opts: Required<OutboxOptions> = { checkpointIntervalMs: 1000, logger: silentLogger(), ...options };
    if (!(opts.segmentBytes > 0) || opts.maxBytes < 2 * opts.segmentBytes) {
      throw new FleetlakeError('OUTBOX_CONFIG', `outbox maxBytes (${opts.maxBytes}) must be at least twice segmentBytes (${opts.segmentBytes})`);
    }
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const box = new Outbox(opts);
    await box.recover();
    box.timer = setInterval(() => void box.checkpoint().catch((err: unknown) => box.log.error({ err }, 'outbox checkpoint failed')), opts.checkpointIntervalMs);
    box.timer.unref();
    return box;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private async recover(): Promise<void> {
    const statePath = join(this.opts.dir, STATE_FILE);
    let state: PersistedState = { version: 1, cursor: 0, nextLsn: 0, seqFloor: {}, dropped: 0 };
    try {
      const raw = (await readStateFile(statePath)) as Partial<PersistedState> | undefined;
      if (raw) state = { ...state, ...raw };
    } catch (err) {
      // Written atomically, so this means outside damage; re-sending everything is the safe choice.
      this.log.error({ err, file: statePath }, 'outbox state unreadable; every stored entry will be re-sent');
    }
    this.seqFloor = { ...state.seqFloor };
    this.dropped = state.dropped;
    this.nextLsnAfterReclaim = state.nextLsn;
    const firstLsns = (await readdir(this.opts.dir))
      .map(parseSegmentFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    for (const [i, firstLsn] of firstLsns.entries()) {
      const { segment, report } = await Segment.load(this.opts.dir, firstLsn);
      if (report.discardedBytes > 0) {
        this.discardedBytes += report.discardedBytes;
        const last = i === firstLsns.length - 1;
        this.log[last ? 'warn' : 'error'](
          { segment: segment.path, discardedBytes: report.discardedBytes, reason: report.reason },
          last ? 'outbox: torn last write discarded' : 'outbox: corrupt segment cut short',
        );
      }
      segment.ackBelow(state.cursor);
      this.segments.push(segment);
    }
    if (this.segments.length === 0) {
      this.segments.push(await Segment.create(this.opts.dir, Math.max(state.nextLsn, state.cursor)));
      await syncDir(this.opts.dir);
    } else {
      await this.active.reopenForAppend();
    }
    this.persistedCursor = state.cursor;
    await this.reclaim();
    this.log.info({ ...this.stats(), dir: this.opts.dir }, 'outbox opened');
  }

  /** Highest seq stored under `key` (in the log or already removed from it), or undefined. */
  maxSeq(key: string): number | undefined {
    let max = this.seqFloor[key];
    for (const seg of this.segments) {
      const s = seg.maxSeq.get(key);
      if (s !== undefined && (max === undefined || s > max)) max = s;
    }
    return max;
  }

  /** Appends an entry; resolves with its lsn once it is on disk (fdatasync'd). */
  append(entry: EntryData): Promise<number> {
    if (this.closed) return Promise.reject(new FleetlakeError('OUTBOX_CLOSED', 'outbox is closed'));
    let frame: Buffer;
    try {
      frame = encodeFrame(entry);
    } catch (err) {
      return Promise.reject(new FleetlakeError('OUTBOX_ENTRY_INVALID', (err as Error).message, { cause: err }));
    }
    if (frame.length > this.opts.maxBytes / 2) {
      return Promise.reject(new FleetlakeError('OUTBOX_ENTRY_TOO_LARGE', `entry of ${frame.length} bytes exceeds half the outbox bound`));
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ entry, frame, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      let i = 0;
      try {
        while (i < batch.length) {
          const first = batch[i]!;
          if (this.active.count > 0 && this.active.bytes + first.frame.length > this.opts.segmentBytes) await this.roll();
          let bytes = first.frame.length;
          let j = i + 1;
          while (j < batch.length && this.active.bytes + bytes + batch[j]!.frame.length <= this.opts.segmentBytes) bytes += batch[j++]!.frame.length;
          const group = batch.slice(i, j);
          await this.enforceBound(bytes);
          const base = this.active.endLsn;
          await this.active.append(
            group.map((p) => p.frame),
            group.map((p) => p.entry),
          );
          this.appended += group.length;
          group.forEach((p, k) => p.resolve(base + k));
          i = j;
          this.emit('append');
        }
      } catch (err) {
        for (const p of batch.slice(i)) p.reject(new FleetlakeError('OUTBOX_WRITE', `outbox write failed: ${(err as Error).message}`, { cause: err, retriable: true }));
        this.log.error({ err }, 'outbox write failed');
      }
    }
  }

  private async roll(): Promise<void> {
    const next = await Segment.create(this.opts.dir, this.active.endLsn);
    await this.active.seal();
    this.segments.push(next);
    await syncDir(this.opts.dir);
  }

  private diskBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Drops the oldest segments (counting their pending entries) until `incoming` bytes fit. */
  private async enforceBound(incoming: number): Promise<void> {
    while (this.diskBytes() + incoming > this.opts.maxBytes) {
      if (this.segments.length === 1) {
        if (this.active.count === 0) return;
        await this.roll();
      }
      const victim = this.segments.shift()!;
      const lost = victim.pendingCount;
      this.dropped += lost;
      this.log.warn({ segment: victim.path, droppedEntries: lost, droppedTotal: this.dropped, maxBytes: this.opts.maxBytes }, 'outbox full: oldest entries dropped');
      await this.removeSegments([victim]);
      this.emit('drop', lost);
    }
  }

  /** Persists seq floors and the cursor first, then deletes the files. */
  private async removeSegments(victims: Segment[]): Promise<void> {
    for (const seg of victims) {
      for (const [key, seq] of seg.maxSeq) this.seqFloor[key] = Math.max(this.seqFloor[key] ?? -1, seq);
    }
    await this.persist();
    for (const seg of victims) {
      await seg.closeHandle();
      await unlink(seg.path).catch((err: unknown) => this.log.error({ err, segment: seg.path }, 'outbox: cannot delete segment'));
    }
    await syncDir(this.opts.dir);
  }

  /** Deletes sealed segments whose every entry is acknowledged. */
  private async reclaim(): Promise<void> {
    const victims: Segment[] = [];
    while (this.segments.length > 1 && this.segments[0]!.pendingCount === 0) victims.push(this.segments.shift()!);
    if (victims.length > 0) await this.removeSegments(victims);
  }

  /** Smallest captured, unacknowledged lsn >= from. */
  nextPending(from = 0): number | undefined {
    for (const seg of this.segments) {
      if (seg.endLsn <= from) continue;
      for (let idx = Math.max(from, seg.lowLsn) - seg.firstLsn; idx < seg.count; idx++) {
        if (!seg.isAcked(idx)) return seg.firstLsn + idx;
      }
    }
    return undefined;
  }

  private segmentOf(lsn: number): Segment | undefined {
    return this.segments.find((s) => lsn >= s.firstLsn && lsn < s.endLsn);
  }

  async read(lsn: number): Promise<OutboxEntry | undefined> {
    const seg = this.segmentOf(lsn);
    if (!seg) return undefined;
    try {
      const entry = await seg.read(lsn - seg.firstLsn);
      if (entry) return { ...entry, lsn };
      if (this.segments.includes(seg) && seg.ack(lsn - seg.firstLsn)) {
        // Damaged on disk after it was written (CRC mismatch on read): it can never be sent.
        this.corrupt++;
        this.log.error({ lsn, segment: seg.path }, 'outbox entry unreadable (CRC mismatch); skipped and counted');
      }
      return undefined;
    } catch (err) {
      // The segment may have been dropped by the byte bound while we read it.
      if (this.segments.includes(seg)) this.log.error({ err, lsn }, 'outbox read failed');
      return undefined;
    }
  }

  /** Acknowledges an entry (PUBACK received, or rejected for good by the broker). */
  ack(lsn: number): void {
    const seg = this.segmentOf(lsn);
    if (!seg?.ack(lsn - seg.firstLsn)) return;
    this.acked++;
    if (this.segments.length > 1 && this.segments[0]!.pendingCount === 0) {
      this.stateChain = this.stateChain.then(() => this.reclaim()).catch((err: unknown) => this.log.error({ err }, 'outbox reclaim failed'));
    }
  }

  private cursor(): number {
    for (const seg of this.segments) if (seg.pendingCount > 0) return seg.lowLsn;
    return this.active.endLsn;
  }

  /** State writes are serialized: they share one temp file. */
  private persist(): Promise<void> {
    const run = this.persistLock.then(() => this.writeState());
    this.persistLock = run.catch(() => undefined);
    return run;
  }

  private writeState(): Promise<void> {
    const state: PersistedState = {
      version: 1,
      cursor: this.cursor(),
      nextLsn: Math.max(this.active.endLsn, this.nextLsnAfterReclaim),
      seqFloor: this.seqFloor,
      dropped: this.dropped,
    };
    return writeStateFile(join(this.opts.dir, STATE_FILE), state).then(() => {
      this.persistedCursor = state.cursor;
    });
  }

  /** Persists the acknowledged cursor when it moved. */
  checkpoint(): Promise<void> {
    this.stateChain = this.stateChain.then(() => (this.cursor() === this.persistedCursor ? undefined : this.persist()));
    return this.stateChain;
  }

  /** False once close() began: nothing more can be captured. */
  get isOpen(): boolean {
    return !this.closed;
  }

  stats(): OutboxStats {
    return {
      segments: this.segments.length,
      diskBytes: this.diskBytes(),
      pending: this.segments.reduce((n, s) => n + s.pendingCount, 0),
      pendingBytes: this.segments.reduce((n, s) => n + s.pendingBytes, 0),
      appended: this.appended,
      acked: this.acked,
      dropped: this.dropped,
      discardedBytes: this.discardedBytes,
      corrupt: this.corrupt,
      nextLsn: this.active.endLsn,
    };
  }

  /** Stops taking entries, finishes pending writes, checkpoints and closes the files. Idempotent. */
  readonly close = once(async () => {
    this.closed = true;
    clearInterval(this.timer);
    while (this.flushing) await this.flushing;
    await this.stateChain.catch(() => undefined);
    await this.checkpoint();
    for (const seg of this.segments) await seg.closeHandle();
  });
}
