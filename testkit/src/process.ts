import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';


/** Processes started through this module, killed if the parent exits without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Last lines of stdout+stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** Sends a signal (e.g. SIGKILL to simulate a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const MAX_OUTPUT = 64 * 1024;

export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  let out = '';
  const collect = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      collect(Buffer.from(`\n[spawn error] ${err.message}\n`));
      running = false;
      live.delete(child);
      resolve({ code: -1, signal: null });
    });
  });
  let stopping: Promise<void> | undefined;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (running) child.kill(signal);
    await exited;
  };
  return {
    name,
    child,
    exited,
    output: () => out,
    isRunning: () => running,
    kill,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (!running) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Runs a command to completion, rejecting with its output if it fails. */
export async function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const p = spawnManaged(command, command, args, options);
  const [{ code, signal }] = await Promise.all([p.exited]);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${p.output().slice(-4000)}`);
  return p.output();
}

/**
 * Waits for a started process to become ready. Fails fast if it dies meanwhile, and stops it if
 * readiness never comes, so that a failed start leaves no process behind.
 */
export async function awaitReady<T>(proc: ManagedProcess, ready: Promise<T>): Promise<T> {
  const died = proc.exited.then(({ code, signal }) => {
    throw new Error(`${proc.name} exited (${signal ?? `code ${code}`}) before it was ready:\n${proc.output().slice(-4000)}`);
  });
  try {
    return await Promise.race([ready, died]);
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
}


/** A service process that tests may crash, restart (same ports, same data) and stop. */
export interface RestartableProcess {
  process(): ManagedProcess;
  /** Simulates a crash (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again the same way (after a kill or a stop). */
  restart(): Promise<void>;
  /** Graceful stop; idempotent. */
  stop(): Promise<void>;
}

/** Runs `launch` (which starts the process and resolves once it is ready) and wraps it for kill/restart/stop. */
export async function startRestartable(launch: () => Promise<ManagedProcess>, stopGraceMs = 10_000): Promise<RestartableProcess> {
  let proc = await launch();
  return {
    process: () => proc,
    kill: (signal = 'SIGKILL') => proc.kill(signal),
    async restart() {
      if (proc.isRunning()) await proc.stop(stopGraceMs);
      proc = await launch();
    },
    stop: () => proc.stop(stopGraceMs),
  };
}
