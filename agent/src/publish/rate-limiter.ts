import { abortableDelay } from '@fleetlake/core';

/**
 * Token bucket: at most `perSecond` takes per second on average, bursts of up to `burst`.
 * Paces the replay of a backlog after a reconnect so a fleet coming back online does not flood the broker.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, Math.ceil(perSecond / 10)),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new RangeError(`rate must be > 0, got ${perSecond}`);
    this.tokens = this.burst;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  /** Milliseconds until a token is available (0 when one is there now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Takes one token, waiting for it if needed. */
  async take(signal?: AbortSignal): Promise<void> {
    for (let ms = this.waitMs(); ms > 0; ms = this.waitMs()) await abortableDelay(ms, signal);
    this.tokens -= 1;
  }
}
