import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderFrame, type CameraOptions, type CameraShot } from './camera.js';

/**
 * Writes camera frames into a folder the agent watches: each JPEG is written under a temporary name
 * and renamed into place, so a watcher never sees a half-written file.
 */
export class FrameFolder {
  written = 0;
  skippedBusy = 0;
  private busy: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly options: CameraOptions = {},
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  static fileName(shot: CameraShot): string {
    const stamp = new Date(shot.timeMs).toISOString().replace(/[-:]/g, '').replace('.', '');
    return `${shot.vehicleId}-${stamp}.jpg`;
  }

  /** Renders and stores one frame; a frame due while the previous one is still rendering is skipped and counted. */
  shoot(shot: CameraShot): Promise<string | undefined> {
    if (this.busy) {
      this.skippedBusy++;
      return Promise.resolve(undefined);
    }
    const job = this.store(shot);
    this.busy = job.then(
      () => undefined,
      () => undefined,
    );
    void this.busy.then(() => (this.busy = undefined));
    return job;
  }

  private async store(shot: CameraShot): Promise<string> {
    const file = join(this.dir, FrameFolder.fileName(shot));
    const { jpeg } = await renderFrame(shot, this.options);
    await writeFile(`${file}.tmp`, jpeg);
    await rename(`${file}.tmp`, file);
    this.written++;
    return file;
  }

  /** Waits for a frame in progress. */
  async drain(): Promise<void> {
    await this.busy;
  }
}
