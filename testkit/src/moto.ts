import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, run, spawnManaged, startRestartable, type RestartableProcess } from './process.js';
import { waitFor } from './wait.js';

/** Python packages of the test virtualenv: moto's S3 + Glue server, and pyarrow as a second Parquet reader. */
export const PYTHON_REQUIREMENTS = ['moto[server]==5.2.5', 'pyarrow'];

/** Creates (once) the virtualenv under cacheDir()/venv and returns its bin folder. */
export async function ensureVenv(): Promise<string> {
  const venv = join(cacheDir(), 'venv');
  const stamp = join(venv, `.fleetlake-${Buffer.from(PYTHON_REQUIREMENTS.join(' ')).toString('base64url').slice(0, 40)}`);
  if (existsSync(stamp)) return join(venv, 'bin');
  mkdirSync(cacheDir(), { recursive: true });
  if (!existsSync(join(venv, 'bin', 'python'))) await run('python3', ['-m', 'venv', venv]);
  await run(join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...PYTHON_REQUIREMENTS]);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return join(venv, 'bin');
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
