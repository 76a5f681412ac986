import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Downloads (Kafka jars, Python virtualenv) are cached here across runs: $FLEETLAKE_CACHE or ~/.cache/fleetlake. */
export function cacheDir(): string {
  return process.env.FLEETLAKE_CACHE ?? join(homedir(), '.cache', 'fleetlake');
}

const freshDir = (base: string, name: string): string => mkdtempSync(join(base, `fleetlake-${name}-`));

/** A fresh folder for one service instance's data and config. */
export function runDir(name: string): string {
  return freshDir(tmpdir(), name);
}

/** A fresh folder in memory (/dev/shm, tmpfs), for data whose disk writes a benchmark must not wait for. */
export function memoryDir(name: string): string {
  if (!existsSync('/dev/shm')) throw new Error(`no /dev/shm on this machine for ${name}: run without the in-memory option`);
  return freshDir('/dev/shm', name);
}
