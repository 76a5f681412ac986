import { EventEmitter } from 'node:events';
import { silentLogger, type BackoffOptions, type Lifecycle, type Logger } from '@fleetlake/core';
import { Counters } from '../records/counters.js';
import { LineSplitter } from './line-splitter.js';

/** What every source is made with. */
export interface SourceSettings {
  /** For logs and counters, e.g. "tcp-listen://127.0.0.1:7000". */
  name: string;
  maxLineBytes: number;
  /** Reopening a device or reconnecting (sources that open something). */
  reconnect: BackoffOptions;
  logger?: Logger | undefined;
}

export interface LineSourceEvents {
  line: [line: string];
}

/**
 * A source of JSON lines (serial device, TCP client or server, Unix socket). Emits 'line';
 * counts connections, over-long and partial lines in `counters`.
 */
export abstract class LineSource extends EventEmitter<LineSourceEvents> implements Lifecycle {
  readonly counters = new Counters();
  readonly name: string;
  protected readonly log: Logger;

  constructor(protected readonly settings: SourceSettings) {
    super();
    this.name = settings.name;
    this.log = settings.logger ?? silentLogger();
  }

  /** A splitter for one connection or device session. */
  protected splitter(): LineSplitter {
    return new LineSplitter(
      this.settings.maxLineBytes,
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

  private paused = false;

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Back-pressure: stop reading while the agent has too many records being captured (the sender
   * waits in its socket buffer, a serial device's kernel buffer fills). Idempotent.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    this.applyPause(paused);
  }

  /** Pauses or resumes the open connections/devices. */
  protected abstract applyPause(paused: boolean): void;

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}
