import { spawn } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FleetlakeError } from '@fleetlake/core';

/** Where raw pictures come from: each capture() yields one image, or undefined when there is nothing new. */
export interface ImageSource {
  readonly description: string;
  capture(): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export class CaptureError extends FleetlakeError {
  constructor(
    readonly reason: 'capture_failed' | 'capture_timeout',
    message: string,
    cause?: unknown,
  ) {
    super(reason === 'capture_timeout' ? 'CAMERA_CAPTURE_TIMEOUT' : 'CAMERA_CAPTURE_FAILED', message, { retriable: true, cause });
  }
}

export interface CommandSourceOptions {
  /** argv, no shell: e.g. ["rpicam-still", "-n", "-t", "1", "-e", "jpg", "-o", "-"]. */
  command: string[];
  timeoutMs: number;
  /** Output beyond this is an error (a command that streams video by mistake). */
  maxBytes: number;
}

/** Runs a command per capture and takes the image from its stdout (rpicam-still -o -, ffmpeg ... -f image2 -). */
export class CommandSource implements ImageSource {
  readonly description: string;
  private readonly running = new Set<ReturnType<typeof spawn>>();

  constructor(private readonly options: CommandSourceOptions) {
    if (options.command.length === 0) throw new FleetlakeError('CAMERA_CONFIG', 'camera command is empty');
    this.description = `command: ${options.command.join(' ')}`;
  }

  capture(): Promise<Buffer> {
    const [file, ...args] = this.options.command as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.running.add(child);
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: CaptureError | undefined;
      const timer = setTimeout(() => {
        failure = new CaptureError('capture_timeout', `${file} gave no image within ${this.options.timeoutMs} ms`);
        child.kill('SIGKILL');
      }, this.options.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.options.maxBytes) {
          failure ??= new CaptureError('capture_failed', `${file} wrote more than ${this.options.maxBytes} bytes`);
          child.kill('SIGKILL');
          return;
        }
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 2000) stderr += chunk.toString('utf8');
      });
      child.once('error', (err) => {
        failure ??= new CaptureError('capture_failed', `cannot run ${file}: ${err.message}`, err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.running.delete(child);
        if (failure) return reject(failure);
        if (code !== 0) return reject(new CaptureError('capture_failed', `${file} exited with ${code ?? signal}: ${stderr.trim().slice(0, 300)}`));
        if (size === 0) return reject(new CaptureError('capture_failed', `${file} wrote no image`));
        resolve(Buffer.concat(chunks, size));
      });
    });
  }

  async close(): Promise<void> {
    for (const child of this.running) child.kill('SIGKILL');
  }
}

export interface FolderSourceOptions {
  folder: string;
  /** File extensions taken as images. */
  extensions: string[];
}

/**
 * A folder another program drops pictures into (a camera daemon, motion, a phone sync). Each capture
 * takes the newest image that appeared since the previous capture, or nothing if there is none;
 * files are left where they are. fs.watch only hints; the folder is listed at capture time.
 */
export class FolderSource implements ImageSource {
  readonly description: string;
  private watcher: FSWatcher | undefined;
  private changed = true;
  private lastTaken: { name: string; mtimeMs: number } | undefined;

  constructor(private readonly options: FolderSourceOptions) {
    this.description = `folder: ${options.folder}`;
  }

  /** Starts watching (I/O, so not in the constructor). */
  async open(): Promise<void> {
    await readdir(this.options.folder); // fails early, with a clear message, when the folder is missing
    try {
      this.watcher = watch(this.options.folder, { persistent: false }, () => (this.changed = true));
      this.watcher.on('error', () => (this.changed = true));
    } catch {
      this.watcher = undefined; // listing at each capture still works
    }
  }

  async capture(): Promise<Buffer | undefined> {
    if (this.watcher && !this.changed) return undefined;
    this.changed = false;
    const exts = new Set(this.options.extensions.map((e) => e.toLowerCase()));
    let newest: { name: string; mtimeMs: number } | undefined;
    for (const name of await readdir(this.options.folder)) {
      if (!exts.has(extname(name).toLowerCase()) || name.startsWith('.')) continue;
      const s = await stat(join(this.options.folder, name)).catch(() => undefined);
      if (!s?.isFile()) continue;
      if (!newest || s.mtimeMs > newest.mtimeMs || (s.mtimeMs === newest.mtimeMs && name > newest.name)) newest = { name, mtimeMs: s.mtimeMs };
    }
    if (!newest) return undefined;
    if (this.lastTaken && newest.name === this.lastTaken.name && newest.mtimeMs === this.lastTaken.mtimeMs) return undefined;
    if (this.lastTaken && newest.mtimeMs < this.lastTaken.mtimeMs) return undefined;
    this.lastTaken = newest;
    return readFile(join(this.options.folder, newest.name));
  }

  async close(): Promise<void> {
    this.watcher?.close();
  }
}
