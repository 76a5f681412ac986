import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadVerified, mavenUrl } from './download.js';
import { cacheDir, runDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, run, spawnManaged, startRestartable, type RestartableProcess } from './process.js';
import { waitFor } from './wait.js';

/** The Trino release Athena engine v3 is compared with (Athena tracks Trino; 476 is what we test on). */
export const TRINO_VERSION = '476';
/** Trino 476 runs on Java 24 or newer; the machines have it beside the default Java 17. */
const TRINO_MIN_JAVA = 24;
/** Only the Hive connector is unpacked: fewer plugins to load makes the server start in seconds, not a minute. */
const TRINO_PLUGINS = ['hive'];

const javaMajor = (home: string): number => {
  try {
    const m = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(join(home, 'release'), 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/**
 * A JDK new enough for Trino: $FLEETLAKE_TRINO_JAVA_HOME, else the newest under /usr/lib/jvm with
 * Java >= 24. Only Trino's process gets it; everything else keeps the default Java.
 */
export function trinoJavaHome(): string {
  const forced = process.env.FLEETLAKE_TRINO_JAVA_HOME;
  if (forced) {
    if (javaMajor(forced) < TRINO_MIN_JAVA) throw new Error(`FLEETLAKE_TRINO_JAVA_HOME=${forced} is not a Java ${TRINO_MIN_JAVA}+ JDK (no release file saying so)`);
    return forced;
  }
  const root = '/usr/lib/jvm';
  const homes = existsSync(root) ? readdirSync(root).map((d) => join(root, d)).filter((h) => existsSync(join(h, 'bin', 'java'))) : [];
  const best = homes.map((h) => ({ h, v: javaMajor(h) })).filter((x) => x.v >= TRINO_MIN_JAVA).sort((a, b) => b.v - a.v)[0];
  if (!best) throw new Error(`Trino ${TRINO_VERSION} needs Java ${TRINO_MIN_JAVA}+: none under ${root}; install one (e.g. Temurin 25) or set FLEETLAKE_TRINO_JAVA_HOME`);
  return best.h;
}

/**
 * Trino's server (lib/ and the Hive plugin) from Maven Central's `io.trino:trino-server:VERSION:tar.gz`,
 * once, under cacheDir()/trino/VERSION. The archive is checked against its published SHA-1, unpacked
 * into a temporary folder and renamed into place, so a reader sees a whole server or none; the archive
 * itself (~820 MB) is deleted once unpacked.
 */
export async function ensureTrino(version: string = TRINO_VERSION): Promise<string> {
  const base = join(cacheDir(), 'trino');
  const home = join(base, `${version}-${TRINO_PLUGINS.join('+')}`);
  if (existsSync(join(home, 'lib'))) return home;
  mkdirSync(base, { recursive: true });
  const archive = join(base, `trino-server-${version}.tar.gz`);
  await downloadVerified(mavenUrl('io.trino', 'trino-server', version, 'tar.gz'), archive);
  const tmp = `${home}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    // Plugins share jars as hard links inside the archive, so it is unpacked whole and the rest removed.
    await run('tar', ['-xzf', archive, '-C', tmp, '--strip-components=1']);
    for (const p of readdirSync(join(tmp, 'plugin'))) if (!TRINO_PLUGINS.includes(p)) rmSync(join(tmp, 'plugin', p), { recursive: true, force: true });
    try {
      renameSync(tmp, home);
    } catch (err) {
      // Another process unpacked it first: theirs is as good as ours.
      if (!existsSync(join(home, 'lib'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(archive, { force: true });
  return home;
}

export interface TrinoOptions {
  version?: string;
  /** JVM heap; queries get what the heap leaves after Trino's own headroom (30%). */
  heapMb?: number;
  /** Name of the Hive catalog (a file metastore in the server's folder, the local file system as storage). */
  hiveCatalog?: string;
}

export interface TrinoServer extends RestartableProcess {
  readonly version: string;
  /** Base URL of the HTTP API (POST /v1/statement). */
  readonly url: string;
  readonly port: number;
  /** The Hive catalog: tables are created with external_location 'local:///absolute/path'. */
  readonly hiveCatalog: string;
}

/** Probe: /v1/info answers and the server has finished starting (plugins loaded, catalogs ready). */
export async function trinoAnswers(url: string): Promise<boolean> {
  const res = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return false;
  return (await res.json() as { starting?: boolean }).starting === false;
}

/**
 * A single-node Trino (coordinator that also runs the tasks) on a free loopback port, with one Hive
 * catalog whose metastore is a folder (hive.metastore=file) and whose tables read the local file
 * system, partition projection on. The heap is small by default: the machines have 2 cores and
 * 24 GiB shared with brokers and other test runs, and test lakes are a few MB.
 */
export async function startTrino(options: TrinoOptions = {}): Promise<TrinoServer> {
  const version = options.version ?? TRINO_VERSION;
  const [home, javaHome] = [await ensureTrino(version), trinoJavaHome()];
  const dir = runDir('trino');
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const hiveCatalog = options.hiveCatalog ?? 'hive';
    const etc = join(dir, 'etc');
    mkdirSync(join(etc, 'catalog'), { recursive: true });
    const props = (file: string, entries: Record<string, string | number | boolean>) =>
      writeFileSync(file, Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    props(join(etc, 'config.properties'), {
      coordinator: true,
      'node-scheduler.include-coordinator': true,
      'http-server.http.port': port,
      'discovery.uri': url,
      'node.internal-address': '127.0.0.1',
      'plugin.dir': join(home, 'plugin'),
      'catalog.config-dir': join(etc, 'catalog'),
      // Two cores: no more task threads than that, and no spilling or fault tolerance for test lakes.
      'task.concurrency': 2,
      'task.max-worker-threads': 4,
      'query.max-memory': '256MB',
      'query.max-memory-per-node': '256MB',
    });
    props(join(etc, 'catalog', `${hiveCatalog}.properties`), {
      'connector.name': 'hive',
      'hive.metastore': 'file',
      'hive.metastore.catalog.dir': `local://${join(dir, 'metastore')}`,
      'fs.native-local.enabled': true,
      'local.location': '/',
      'hive.partition-projection-enabled': true,
      // A projected day without a folder is a day without data, as in Athena (Trino would fail the query).
      'hive.ignore-absent-partitions': true,
      'hive.parquet.time-zone': 'UTC',
      'hive.timestamp-precision': 'MILLISECONDS',
    });
    props(join(etc, 'log.properties'), { 'io.trino': 'WARN', 'io.airlift': 'WARN' });
    mkdirSync(join(dir, 'metastore'));
    const jvm = [
      `-Xmx${options.heapMb ?? 1024}m`,
      '-Xms256m',
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:-OmitStackTraceInFastThrow',
      '-XX:ReservedCodeCacheSize=256M',
      '-Djdk.attach.allowAttachSelf=true',
      '-XX:+EnableDynamicAgentLoading',
      '--enable-native-access=ALL-UNNAMED',
      '-Dfile.encoding=UTF-8',
      '-Duser.timezone=UTC',
      '-Dnode.environment=fleetlake_test',
      `-Dnode.id=fleetlake-${process.pid}-${port}`,
      `-Dnode.data-dir=${join(dir, 'data')}`,
      `-Dconfig=${join(etc, 'config.properties')}`,
      `-Dlog.levels-file=${join(etc, 'log.properties')}`,
      '-cp',
      `${join(home, 'lib')}/*`,
      'io.trino.server.TrinoServer',
    ];
    const env = { ...process.env, JAVA_HOME: javaHome };
    const service = await startRestartable(async () => {
      const proc = spawnManaged(`trino ${version}`, join(javaHome, 'bin', 'java'), jvm, { cwd: dir, env });
      await awaitReady(proc, waitFor(() => trinoAnswers(url), { timeoutMs: 180_000, intervalMs: 250, what: `Trino ${version} on ${url}` }));
      return proc;
    }, 20_000);
    const stop = async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    return { ...service, stop, version, url, port, hiveCatalog };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
