import { createWriteStream, type WriteStream } from 'node:fs';
import { ConfigError, createLogger, stopOnSignals, type Logger } from '@fleetlake/core';
import { loadRoute } from '../route.js';
import { Trip } from '../trip.js';

/** Option parsing shared by the simulator commands: numbers with clear messages, seed, start time, route. */
export function num(values: Record<string, unknown>, name: string, fallback: number, check: (n: number) => boolean = Number.isFinite): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!check(n)) throw new ConfigError(`invalid --${name} ${JSON.stringify(raw)}`);
  return n;
}

export const positive = (n: number) => Number.isFinite(n) && n > 0;
export const nonNegative = (n: number) => Number.isFinite(n) && n >= 0;

/** --start ISO time (default: now, to the second). */
export function startMs(values: Record<string, unknown>): number {
  const raw = values.start;
  if (raw === undefined) return Math.floor(Date.now() / 1000) * 1000;
  const ms = Date.parse(String(raw));
  if (Number.isNaN(ms)) throw new ConfigError(`invalid --start ${JSON.stringify(raw)}: expected an ISO-8601 time such as 2026-11-27T08:00:00Z`);
  return ms;
}

export const tripOptions = {
  route: { type: 'string', default: 'london-birmingham' },
  seed: { type: 'string', default: '1' },
  start: { type: 'string' },
} as const;

export const TRIP_HELP = `  --route NAME|FILE   built-in route (london-birmingham) or a GeoJSON LineString / GPX file
  --seed N            seed of every random choice (same seed, same trip)       [1]
  --start ISO         simulated start time, UTC                                 [now]`;

export async function tripFrom(values: Record<string, unknown>): Promise<Trip> {
  const route = await loadRoute(String(values.route ?? 'london-birmingham'));
  return Trip.create(route, { seed: num(values, 'seed', 1, Number.isInteger), startMs: startMs(values) });
}

/** A logger plus an AbortController fired by SIGINT/SIGTERM, for long-running commands. */
export function runtime(name: string): { log: Logger; signal: AbortSignal; dispose: () => void } {
  const log = createLogger(`fleetlake-sim ${name}`);
  const ac = new AbortController();
  const remove = stopOnSignals(async () => ac.abort(new Error('stopped by signal')));
  return { log, signal: ac.signal, dispose: remove };
}

export function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (err === signal.reason || (err as Error)?.name === 'AbortError');
}

/**
 * Runs a long-lived command body until it finishes or SIGINT/SIGTERM aborts it (exit 0 either way),
 * then always runs `cleanup` (stop outputs, close files).
 */
export async function supervise(
  name: string,
  body: (rt: { log: Logger; signal: AbortSignal }) => Promise<void>,
  cleanup: () => Promise<unknown>,
): Promise<number> {
  const { log, signal, dispose } = runtime(name);
  try {
    await body({ log, signal });
    return 0;
  } catch (err) {
    if (isAbort(err, signal)) return 0;
    throw err;
  } finally {
    dispose();
    await cleanup();
  }
}

/** JSON-lines file writer (ground truth); closed and flushed by `close()`. */
export function jsonlFile(path: string | undefined): { write(obj: unknown): void; close(): Promise<void> } {
  if (!path) return { write: () => undefined, close: async () => undefined };
  const stream: WriteStream = createWriteStream(path);
  return {
    write: (obj) => stream.write(`${JSON.stringify(obj)}\n`),
    close: () => new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
