import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectStore } from './store.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files of sinks that died (kill -9) before renaming them: never objects, safe to delete. */
async function removeStaleTmp(root: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const e of entries) {
    const pid = Number(e);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) await rm(join(root, e), { recursive: true, force: true });
  }
}

/** A lake in a local folder: write to `{dir}/.tmp`, then rename into place (atomic on one filesystem). */
export class LocalStore implements ObjectStore {
  readonly tmpDir: string;

  private constructor(readonly location: string) {
    this.tmpDir = join(location, '.tmp', String(process.pid));
  }

  static async create(dir: string): Promise<LocalStore> {
    const store = new LocalStore(dir);
    await removeStaleTmp(join(dir, '.tmp'));
    await mkdir(store.tmpDir, { recursive: true });
    return store;
  }

  private path(key: string): string {
    return join(this.location, ...key.split('/'));
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
  }

  async putBuffer(key: string, body: Buffer): Promise<void> {
    const tmp = join(this.tmpDir, `put-${randomUUID()}`);
    await writeFile(tmp, body);
    try {
      await this.putFile(key, tmp);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.path(prefix);
    let entries: string[];
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: false } as { recursive: true; withFileTypes: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: string[] = [];
    for (const e of entries) {
      const key = relative(this.location, join(base, e)).split(sep).join('/');
      if (key.startsWith('.tmp/') || !/\.[a-z]+$/.test(key)) continue;
      out.push(key);
    }
    return out.sort();
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }

  async close(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}
