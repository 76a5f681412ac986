import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcStat, waitFor } from '@fleetlake/testkit';
import { cliPath } from '../src/repo.js';

/** Every live descendant of a process (children, grandchildren, ...), from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), readProcStat(`/proc/${name}/stat`).ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the demo command', () => {
  it('Ctrl-C mid-trip stops every process it started (Kafka, bridge, sink, agent, simulator, socat) and exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetlake-demo-cli-'));
    const demo = spawn(process.execPath, [cliPath('demo'), 'run', '--plain', '--trip-minutes', '3', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
    demo.stderr.on('data', () => undefined);
    const exited = once(demo, 'exit');
    try {
      // Running: a status line shows records stored by the sink.
      await waitFor(() => /sink stored [1-9]/.test(out), { timeoutMs: 180_000, intervalMs: 200, what: `the demo to run (output so far:\n${out})` });
      const started = descendants(demo.pid!);
      // Kafka (java), bridge, sink, agent, simulator (node) and the simulator's socat pairs.
      expect(started.length).toBeGreaterThanOrEqual(7);
      demo.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(130);
      expect(out).toContain('stopping the console, agent, simulator, bridge, sink and Kafka');
      expect(started.filter(alive)).toEqual([]);
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
