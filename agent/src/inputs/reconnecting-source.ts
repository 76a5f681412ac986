import { abortableDelay, backoffDelay, once } from '@fleetlake/core';
import { LineSource, type SourceSettings } from './line-source.js';
import type { LineSplitter } from './line-splitter.js';

/** One open session of a device or connection: resolves `closed` when it ends. */
export interface Session {
  closed: Promise<void>;
  close(): void;
  /** The underlying stream's pause()/resume(). */
  pause(): void;
  resume(): void;
}

/**
 * A line source that opens a device or connection, reads until it closes, and opens it again after
 * a capped, jittered backoff (an unplugged USB adapter, a restarted simulator).
 */
export abstract class ReconnectingSource<Target> extends LineSource {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private session: Session | undefined;

  constructor(
    settings: SourceSettings,
    /** What to open: a device path, a host and port. */
    protected readonly target: Target,
  ) {
    super(settings);
  }

  /** Opens one session feeding `splitter`; rejects when it cannot be opened. */
  protected abstract open(splitter: LineSplitter): Promise<Session>;

  start(): Promise<void> {
    this.loop ??= this.run();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      const splitter = this.splitter();
      try {
        this.session = await this.open(splitter);
        if (this.isPaused) this.session.pause();
        this.counters.add('connections');
        attempt = 0;
        this.log.info({ source: this.name }, 'input connected');
        await this.session.closed;
        this.log.warn({ source: this.name }, 'input closed');
      } catch (err) {
        this.counters.add('open_errors');
        this.log.warn({ source: this.name, err: (err as Error).message }, 'input cannot be opened');
      }
      this.session = undefined;
      this.ended(splitter);
      if (this.abort.signal.aborted) break;
      await abortableDelay(backoffDelay(attempt++, this.settings.reconnect), this.abort.signal).catch(() => undefined);
    }
  }

  protected applyPause(paused: boolean): void {
    if (paused) this.session?.pause();
    else this.session?.resume();
  }

  readonly stop = once(async () => {
    this.abort.abort();
    this.session?.close();
    await this.loop;
  });
}
