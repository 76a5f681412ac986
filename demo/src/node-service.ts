import { createWriteStream } from 'node:fs';
import { awaitReady, shebangNodeArgs, spawnManaged, startRestartable, waitFor, type RestartableProcess } from '@fleetlake/testkit';
import { cliPath, type Workspace } from './repo.js';

export interface NodeServiceOptions {
  /** Shown in errors and the status view: "bridge", "sink", "agent". */
  name: string;
  workspace: Workspace;
  args: string[];
  /** stdout and stderr (structured logs) are appended here. */
  logFile: string;
  /** Probed until true after every (re)start: the process is ready. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs one of Fleetlake's own CLIs as a child process (as a user would run it), logs to a file,
 * and waits for its readiness probe. kill() / restart() bring it down hard and back on the same
 * configuration (the same ports), stop() sends SIGTERM and waits for the graceful exit.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<RestartableProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  try {
    // With the node flags of the bin's shebang, as `fleetlake-bridge` / `fleetlake-sink` and the image run them.
    const cli = cliPath(options.workspace);
    const argv = [...shebangNodeArgs(cli), cli, ...options.args];
    const service = await startRestartable(async () => {
      const proc = spawnManaged(options.name, process.execPath, argv, {
        env: { ...process.env, ...options.env },
      });
      proc.child.stdout?.pipe(log, { end: false });
      proc.child.stderr?.pipe(log, { end: false });
      await awaitReady(proc, waitFor(options.ready, { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 100, what: `${options.name} to be ready (log: ${options.logFile})` }));
      return proc;
    }, 30_000);
    // stop() is final: the log file is closed after the process's last words.
    const stop = async () => {
      await service.stop();
      log.end();
    };
    return { ...service, stop };
  } catch (err) {
    log.end();
    throw err;
  }
}
