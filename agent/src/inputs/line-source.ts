import { EventEmitter } from 'node:events';
import type { Lifecycle } from '@fleetlake/core';
import { Counters } from '../records/counters.js';
import { LineSplitter } from './line-splitter.js';

export interface LineSourceEvents {
  line: [line: string];
}

/**
 * A source of JSON lines (serial device, TCP client or server, Unix socket). Emits 'line';
 * counts connections, over-long and partial lines in `counters`.
 */
export abstract class LineSource extends EventEmitter<LineSourceEvents> implements Lifecycle {
  readonly counters = new Counters();

  constructor(
    /** For logs and counters, e.g. "tcp-listen://127.0.0.1:7000". */
    readonly name: string,
    protected readonly maxLineBytes: number,
  ) {
    super();
  }

  /** A splitter for one connection or device session. */
  protected splitter(): LineSplitter {
    return new LineSplitter(
      this.maxLineBytes,
      (line) => {
        this.counters.add('lines');
        this.emit('line', line);
      },
      () => this.counters.add('overlong'),
    );
  }

  /** End of a connection: a partial last line is counted, not passed on. */
  protected ended(splitter: LineSplitter): void {
    if (splitter.discardPartial()) this.counters.add('partial');
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}
