import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { once } from '@fleetlake/core';
import { newStats, writeTo, type LineOutput } from './output.js';
import { PtyPair } from './pty.js';

/**
 * Writes into a socat pty pair; the agent opens `link` (printed with the /dev/pts device).
 * The simulator also holds the agent's end open without reading from it, so that the agent can close
 * and reopen the port (as on a real USB receiver) without socat seeing the last reader vanish and exiting.
 */
export class PtyOutput implements LineOutput {
  readonly stats = newStats();
  private pair: PtyPair | undefined;
  private writer: WriteStream | undefined;
  private holder: FileHandle | undefined;

  constructor(private readonly link: string) {}

  describe(): string {
    return `pty ${this.pair?.devicePath ?? '?'} (stable link ${this.link})`;
  }

  get devicePath(): string | undefined {
    return this.pair?.devicePath;
  }

  async start(): Promise<void> {
    this.pair = await PtyPair.create(this.link);
    await this.openEnds();
  }

  private async openEnds(): Promise<void> {
    const pair = this.pair!;
    this.holder = await open(pair.agentLink, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    const handle = await open(pair.simLink, constants.O_WRONLY | constants.O_NOCTTY);
    this.writer = handle.createWriteStream();
    // A write racing a dropped port fails with EIO: that is the fault being simulated, not a crash.
    this.writer.on('error', () => undefined);
  }

  private async closeEnds(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer && !writer.destroyed) await new Promise<void>((resolve) => writer.destroy() && writer.once('close', () => resolve()));
    await this.holder?.close().catch(() => undefined);
    this.holder = undefined;
  }

  async write(data: string | Buffer, opts: { wait: boolean }): Promise<boolean> {
    if (!this.writer) {
      this.stats.droppedBackpressure++;
      return false;
    }
    return writeTo(this.writer, data, opts.wait, this.stats);
  }

  // socat goes first: a write blocked on a full pty (nobody reading) only returns once the pty is gone.
  async drop(ms: number): Promise<void> {
    await this.pair!.unplug();
    await this.closeEnds();
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    await this.pair!.start();
    await this.openEnds();
  }

  readonly stop = once(async () => {
    await this.pair?.unplug();
    await this.closeEnds();
    await this.pair?.stop();
  });
}
