import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcStat, readThreadStats } from '../src/proc-stat.js';

describe('readProcStat', () => {
  it('reads this process: its parent, and CPU that grows with work done', () => {
    const before = readProcStat(`/proc/${process.pid}/stat`);
    expect(before.ppid).toBe(process.ppid);
    const until = Date.now() + 60;
    while (Date.now() < until); // 60 ms of CPU: at least a few clock ticks
    const after = readProcStat(`/proc/${process.pid}/stat`);
    expect(after.cpuMs).toBeGreaterThan(before.cpuMs);
    expect(after.cpuMs).toBe(after.userMs + after.systemMs);
  });

  it('reads names with spaces and parentheses from the last ")"', () => {
    // The kernel's own format, as a file: pid (comm) state ppid ... utime stime ...
    const fields = ['S', '42', ...Array(9).fill('0'), '150', '25'];
    const dir = mkdtempSync(join(tmpdir(), 'proc-stat-'));
    try {
      writeFileSync(join(dir, 'stat'), `7 (a (b) c) ${fields.join(' ')} 0 0\n`);
      expect(readProcStat(join(dir, 'stat'))).toEqual({ name: 'a (b) c', ppid: 42, userMs: 1500, systemMs: 250, cpuMs: 1750 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the threads of this process, the main one under the pid', () => {
    const threads = readThreadStats(process.pid);
    expect(threads.has(process.pid)).toBe(true);
    expect(threads.size).toBeGreaterThan(1); // V8 and libuv threads
  });
});
