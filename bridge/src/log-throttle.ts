import type { Logger } from '@fleetlake/core';

/**
 * At most `perWindow` log lines per key (e.g. a refusal reason) in each `windowMs`; the rest are
 * counted and reported in one line when the next window starts. Every refusal is still counted in
 * /metrics: this only keeps a flood of bad connections from becoming a flood of log lines.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { start: number; lines: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  info(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (w && w.suppressed > 0) this.logger.info({ reason: key, suppressed: w.suppressed, windowMs: this.windowMs }, 'more refused for the same reason (not logged one by one)');
      w = { start: now, lines: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (w.lines < this.perWindow) {
      w.lines++;
      this.logger.info(fields, msg);
    } else {
      w.suppressed++;
    }
  }
}
