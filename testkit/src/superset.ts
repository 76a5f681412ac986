import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePythonVenv, venvStamp } from './moto.js';
import { cacheDir, runDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, run, spawnManaged } from './process.js';
import { waitFor } from './wait.js';

/**
 * Apache Superset with the DuckDB SQLAlchemy driver, in a virtualenv of its own (Superset pins many
 * packages that moto's venv must not be forced into). duckdb is pinned to the release of the Node
 * package the sink writes with, so both read the lake the same way.
 */
// Superset 6.1.0 declares loose ranges; pip's newest Flask-Caching, cachelib and flask-limiter break its
// start-up (measured), and its DuckDB driver check needs cachetools, so those are pinned to the versions of Superset's own requirements/base.txt.
export const SUPERSET_REQUIREMENTS = ['apache-superset==6.1.0', 'Flask-Caching==2.3.1', 'cachelib==0.13.0', 'flask-limiter==3.12', 'cachetools==6.2.1', 'duckdb-engine==0.17.0', 'duckdb==1.5.6'];

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

export interface SupersetServer {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

/**
 * Superset's web server on a free loopback port with a fresh metadata database (SQLite in its run
 * folder: `superset db upgrade`, an admin user with a random password, `superset init`), ready when
 * /health answers. CSRF is off: the API is driven with the login's bearer token only.
 */
export async function startSuperset(): Promise<SupersetServer> {
  const bin = await ensureSupersetVenv();
  const dir = runDir('superset');
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const password = randomBytes(12).toString('base64url');
    const config = join(dir, 'superset_config.py');
    writeFileSync(
      config,
      [`SECRET_KEY = '${randomBytes(32).toString('hex')}'`, `SQLALCHEMY_DATABASE_URI = 'sqlite:///${join(dir, 'superset.db')}'`, 'WTF_CSRF_ENABLED = False', ''].join('\n'),
    );
    const env = { ...process.env, SUPERSET_CONFIG_PATH: config, SUPERSET_HOME: dir };
    const superset = join(bin, 'superset');
    await run(superset, ['db', 'upgrade'], { env, cwd: dir });
    await run(superset, ['fab', 'create-admin', '--username', 'admin', '--password', password, '--firstname', 'Fleet', '--lastname', 'Lake', '--email', 'admin@fleetlake.invalid'], { env, cwd: dir });
    await run(superset, ['init'], { env, cwd: dir });
    const proc = spawnManaged('superset', superset, ['run', '-h', '127.0.0.1', '-p', String(port), '--with-threads'], { env, cwd: dir });
    await awaitReady(proc, waitFor(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok, { timeoutMs: 120_000, intervalMs: 250, what: `Superset on ${url}` }));
    const stop = async () => {
      await proc.stop(10_000);
      rmSync(dir, { recursive: true, force: true });
    };
    return { url, username: 'admin', password, stop };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
