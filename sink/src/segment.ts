import { itemBytes, type Item } from './items.js';
import { NdjsonChunks } from './ndjson-chunks.js';
import { SpillFile } from './spill-file.js';

/** Roll limits of one file; all of them depend on the records only, never on the wall clock. */
export interface RollLimits {
  maxRecords: number;
  maxBytes: number;
  /** Event-time span: a record more than this after the segment's first record starts a new segment. */
  maxSpanMs: number;
}

/**
 * A contiguous offset range of one Kafka partition and what its records become: Parquet rows grouped
 * by event date, dead letters grouped by date, and frames. Every object it produces is named after
 * `startOffset`, so a replay from `startOffset` produces the same names.
 */
export class Segment {
  /** Parquet rows by event date, as the NDJSON text DuckDB reads. */
  readonly rows = new Map<string, NdjsonChunks>();
  readonly dead = new Map<string, Buffer[]>();
  readonly frames: { key: string; body: Buffer }[] = [];
  lastOffset: bigint;
  records = 0;
  bytes = 0;
  firstEventMs: number | undefined;

  /**
   * `spillDir`: where the rows' text goes as it grows (temp files), instead of staying in memory;
   * without it (unit tests) everything stays in memory.
   */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly startOffset: bigint,
    private readonly spillDir?: string,
  ) {
    this.lastOffset = startOffset - 1n;
  }

  /** Offset to commit once every object of this segment is stored. */
  get nextOffset(): bigint {
    return this.lastOffset + 1n;
  }

  get isEmpty(): boolean {
    return this.records === 0;
  }

  add(item: Item): void {
    this.lastOffset = item.offset;
    if (item.kind === 'marker') return;
    this.records++;
    this.bytes += itemBytes(item);
    if (item.kind === 'row') {
      this.firstEventMs ??= item.eventMs;
      let rows = this.rows.get(item.dt);
      if (!rows) {
        const dir = this.spillDir;
        rows = new NdjsonChunks(dir === undefined ? undefined : () => new SpillFile(dir));
        this.rows.set(item.dt, rows);
      }
      rows.push(item.json, item.start, item.end);
    } else if (item.kind === 'dead') {
      push(this.dead, item.dt, item.line);
    } else {
      this.firstEventMs ??= item.eventMs;
      this.frames.push({ key: item.key, body: item.body });
    }
  }

  /** Gives the segment up (never stored): deletes its spill files. */
  discard(): void {
    for (const rows of this.rows.values()) rows.discard();
  }

  /** Whether `item` must start a new segment instead of joining this one. */
  wouldOverflow(item: Item, limits: RollLimits): boolean {
    if (this.isEmpty || item.kind === 'marker') return false;
    if (this.records + 1 > limits.maxRecords) return true;
    if (this.bytes + itemBytes(item) > limits.maxBytes) return true;
    if ((item.kind === 'row' || item.kind === 'frame') && this.firstEventMs !== undefined && item.eventMs - this.firstEventMs > limits.maxSpanMs) return true;
    return false;
  }
}

function push(map: Map<string, Buffer[]>, key: string, value: Buffer): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The open segment of one (topic, partition). `add` returns the segments that closed, in offset
 * order. Segment boundaries are a function of the record sequence alone (count, bytes, event-time
 * span, markers), so a replay from any committed offset — always a boundary — cuts the same files.
 */
export class PartitionBuffer {
  private open: Segment | undefined;
  /** Offset after the last record seen: a record below it means the consumer rewound. */
  private expected: bigint | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly limits: RollLimits,
    /** Temp folder for the open segment's rows (see Segment); in memory without it. */
    private readonly spillDir?: string,
  ) {}

  get openSegment(): Segment | undefined {
    return this.open;
  }

  /** Buffered records not yet in a closed segment. */
  get pendingRecords(): number {
    return this.open?.records ?? 0;
  }

  add(item: Item): Segment[] {
    const closed: Segment[] = [];
    if (this.expected !== undefined && item.offset < this.expected) {
      // Fetching restarted from the committed offset (a rebalance or a seek): start over from there.
      this.open?.discard();
      this.open = undefined;
    }
    this.expected = item.offset + 1n;
    if (this.open && this.open.wouldOverflow(item, this.limits)) {
      closed.push(this.open);
      this.open = undefined;
    }
    this.open ??= new Segment(this.topic, this.partition, item.offset, this.spillDir);
    this.open.add(item);
    if (item.kind === 'marker') {
      closed.push(this.open);
      this.open = undefined;
    }
    return closed;
  }

  /** Closes the open segment early (graceful shutdown); see DESIGN notes in marker.ts. */
  takeOpen(): Segment | undefined {
    const seg = this.open;
    this.open = undefined;
    return seg;
  }

  /** Forget everything (partition revoked): the next owner replays from the committed offset. */
  reset(): void {
    this.open?.discard();
    this.open = undefined;
    this.expected = undefined;
  }
}
