import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  /** The command name (`comm`); Node names its own threads "node". */
  name: string;
  ppid: number;
  userMs: number;
  systemMs: number;
  /** userMs + systemMs. */
  cpuMs: number;
}

/**
 * One process (`/proc/<pid>/stat`) or thread (`/proc/<pid>/task/<tid>/stat`), for benchmarks and tests
 * that measure CPU or walk process trees. `comm` may contain spaces and parentheses, so the fields are
 * read after the last ')'. Throws when the process or thread is gone.
 */
export function readProcStat(path: string): ProcStat {
  const stat = readFileSync(path, 'utf8');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' '); // fields[0] is the state, field 3 of the file
  const userMs = (Number(fields[11]) * 1000) / TICKS_PER_SECOND;
  const systemMs = (Number(fields[12]) * 1000) / TICKS_PER_SECOND;
  return { name: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), userMs, systemMs, cpuMs: userMs + systemMs };
}

/** Every live thread of a process by thread id (the main thread's id is the pid); threads that end meanwhile are left out. */
export function readThreadStats(pid: number): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      out.set(tid, readProcStat(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
