import { abortableDelay, ConfigError } from '@fleetlake/core';

/** How fast simulated time runs: a factor of real time, or `max` (as fast as the output takes it). */
export type Speed = number | 'max';

export function parseSpeed(value: unknown): Speed {
  if (value === undefined) return 1;
  if (value === 'max') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`invalid --speed ${JSON.stringify(value)}: a positive factor (1 = real time) or "max"`);
  return n;
}

/** Maps simulated seconds to wall-clock deadlines; never drifts, because each deadline is computed from the start. */
export class Pacer {
  private wallStart: number | undefined;
  private simStart = 0;

  constructor(
    readonly speed: Speed,
    private readonly signal?: AbortSignal,
  ) {}

  /** Resolves when simulated time `t` is due (at once with `max`); rejects when the signal aborts. */
  async until(t: number): Promise<void> {
    if (this.signal?.aborted) throw this.signal.reason;
    if (this.speed === 'max') return;
    const now = performance.now();
    if (this.wallStart === undefined) {
      this.wallStart = now;
      this.simStart = t;
      return;
    }
    const due = this.wallStart + ((t - this.simStart) * 1000) / this.speed;
    if (due > now) await abortableDelay(due - now, this.signal);
  }

  /** Shifts the schedule by `ms` (after a freeze, output resumes at the current simulated time). */
  shift(ms: number): void {
    if (this.wallStart !== undefined) this.wallStart += ms;
  }
}
