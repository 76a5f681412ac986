import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from './paths.js';
import { awaitReady, spawnManaged, type ManagedProcess } from './process.js';
import { waitFor } from './wait.js';

export interface PtyPair {
  /** Stable symlinks to the two ends, e.g. /tmp/fleetlake-pty-x/a and .../b. */
  readonly a: string;
  readonly b: string;
  /** Current /dev/pts/N behind each link. */
  devices(): { a: string; b: string };
  process(): ManagedProcess;
  /** Removes the pair (like unplugging a USB receiver); the links disappear. */
  unplug(): Promise<void>;
  /** Creates the pair again at the same link paths (plugging it back in). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A virtual serial cable: two ptys joined by socat, reachable through stable symlinks. */
export async function startPtyPair(options: { dir?: string } = {}): Promise<PtyPair> {
  const dir = options.dir ?? runDir('pty');
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  let proc: ManagedProcess;
  const launch = async () => {
    proc = spawnManaged('socat', 'socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
    // socat reports "starting data transfer loop" once both ptys exist and the links are made.
    await awaitReady(proc, waitFor(() => proc.output().includes('starting data transfer loop') && existsSync(a) && existsSync(b), { timeoutMs: 10_000, intervalMs: 20, what: 'socat pty pair' }));
  };
  await launch();
  const unplug = async () => {
    await proc.stop();
    await waitFor(() => !existsSync(a) && !existsSync(b), { timeoutMs: 5000, intervalMs: 20, what: 'pty links to disappear' });
  };
  return {
    a,
    b,
    devices: () => ({ a: realpathSync(a), b: realpathSync(b) }),
    process: () => proc,
    unplug,
    async restart() {
      if (proc.isRunning()) await unplug();
      await launch();
    },
    stop: () => proc.stop(),
  };
}
