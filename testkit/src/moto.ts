import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, run, spawnManaged, startRestartable, type RestartableProcess } from './process.js';
import { waitFor } from './wait.js';

/** Python packages of the test virtualenv: moto's S3 + Glue server, and pyarrow as a second Parquet reader. */
export const PYTHON_REQUIREMENTS = ['moto[server]==5.2.5', 'pyarrow'];

/** The file that marks a virtualenv as holding exactly `requirements` (written last, after pip succeeded). */
export function venvStamp(venv: string, requirements: string[]): string {
  return join(venv, `.fleetlake-${createHash('sha256').update(requirements.join(' ')).digest('base64url').slice(0, 24)}`);
}

/**
 * Creates (once) a virtualenv at `venv` with `requirements` and returns its bin folder. The stamp is
 * written only after pip succeeded, so an interrupted install is completed by the next call.
 */
export async function ensurePythonVenv(venv: string, requirements: string[]): Promise<string> {
  const stamp = venvStamp(venv, requirements);
  if (existsSync(stamp)) return join(venv, 'bin');
  mkdirSync(cacheDir(), { recursive: true });
  if (!existsSync(join(venv, 'bin', 'python'))) await run('python3', ['-m', 'venv', venv]);
  await run(join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...requirements]);
  writeFileSync(stamp, `${requirements.join('\n')}\n`);
  return join(venv, 'bin');
}

/** Creates (once) the test virtualenv (moto, pyarrow) under cacheDir()/venv and returns its bin folder. */
export function ensureVenv(): Promise<string> {
  return ensurePythonVenv(join(cacheDir(), 'venv'), PYTHON_REQUIREMENTS);
}

/** restart() brings moto back on the same port; moto keeps state in memory, so it starts empty. */
export interface MotoServer extends RestartableProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

/** moto's server (S3, Glue and the other AWS APIs it emulates) on a free loopback port. */
export async function startMoto(): Promise<MotoServer> {
  const bin = await ensureVenv();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const service = await startRestartable(async () => {
    const proc = spawnManaged('moto_server', join(bin, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)]);
    await awaitReady(proc, waitFor(async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, { timeoutMs: 60_000, intervalMs: 100, what: `moto on ${endpoint}` }));
    return proc;
  });
  return { ...service, endpoint, port, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}
