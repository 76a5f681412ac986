import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePythonVenv, venvStamp } from './moto.js';
import { cacheDir } from './paths.js';

/**
 * Apache Superset with the DuckDB SQLAlchemy driver, in a virtualenv of its own (Superset pins many
 * packages that moto's venv must not be forced into). duckdb is pinned to the release of the Node
 * package the sink writes with, so both read the lake the same way.
 */
export const SUPERSET_REQUIREMENTS = ['apache-superset==6.1.0', 'duckdb-engine==0.17.0', 'duckdb==1.5.6'];

export function supersetVenvDir(): string {
  return join(cacheDir(), 'superset-venv');
}

/** Creates the Superset virtualenv once (several minutes: see demo/README.md for the measured time). */
export function ensureSupersetVenv(): Promise<string> {
  return ensurePythonVenv(supersetVenvDir(), SUPERSET_REQUIREMENTS);
}

/** The venv's bin folder if Superset is installed (tests that need it skip otherwise), else undefined. */
export function supersetInstalled(): string | undefined {
  return existsSync(join(supersetVenvDir(), 'bin', 'superset')) && existsSync(venvStamp(supersetVenvDir(), SUPERSET_REQUIREMENTS)) ? join(supersetVenvDir(), 'bin') : undefined;
}
