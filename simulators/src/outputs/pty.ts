import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FleetlakeError, once } from '@fleetlake/core';

/**
 * A virtual serial cable: socat joins two pseudo-terminals. The agent opens `agentLink` (a stable
 * symlink to /dev/pts/N), the simulator writes into `simLink`. `restart()` re-creates the pair under
 * the same links (a USB receiver unplugged and plugged back in).
 */
export class PtyPair {
  readonly agentLink: string;
  readonly simLink: string;
  private child: ChildProcess | undefined;
  private device = '';

  private constructor(agentLink: string, simLink: string) {
    this.agentLink = agentLink;
    this.simLink = simLink;
  }

  static async create(agentLink: string, simLink = `${agentLink}.sim`): Promise<PtyPair> {
    const pair = new PtyPair(agentLink, simLink);
    await pair.start();
    return pair;
  }

  /** The pts device behind the agent's link, e.g. /dev/pts/7. */
  get devicePath(): string {
    return this.device;
  }

  async start(): Promise<void> {
    await mkdir(dirname(this.agentLink), { recursive: true });
    await mkdir(dirname(this.simLink), { recursive: true });
    await rm(this.agentLink, { force: true });
    await rm(this.simLink, { force: true });
    const child = spawn('socat', ['-d', '-d', `pty,rawer,echo=0,link=${this.agentLink}`, `pty,rawer,echo=0,link=${this.simLink}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => fail(new Error('timed out after 5 s')), 5000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new FleetlakeError('PTY_FAILED', `socat pty pair did not start: ${err.message}; ${log.trim()}`, { retriable: true }));
      };
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`socat exited with ${code}`)));
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('starting data transfer loop')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.removeAllListeners('error');
          child.stderr!.removeAllListeners('data');
          child.stderr!.resume();
          resolve();
        }
      });
    });
    this.device = await realpath(this.agentLink);
  }

  /** Kills socat: both ends vanish (reads and writes on them fail with EIO), like an unplugged USB receiver. */
  async unplug(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  readonly stop = once(async () => {
    await this.unplug();
    await rm(this.agentLink, { force: true });
    await rm(this.simLink, { force: true });
  });
}
