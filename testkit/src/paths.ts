import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Downloads (Kafka jars, Python virtualenv) are cached here across runs: $FLEETLAKE_CACHE or ~/.cache/fleetlake. */
export function cacheDir(): string {
  return process.env.FLEETLAKE_CACHE ?? join(homedir(), '.cache', 'fleetlake');
}

/** A fresh folder for one service instance's data and config. */
export function runDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `fleetlake-${name}-`));
}
