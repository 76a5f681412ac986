/**
 * Who may have a password checked, and when. A password check (scrypt) costs tens of milliseconds of
 * a thread-pool thread and ~16 MiB, so a flood of wrong passwords must neither queue up work without
 * end nor delay the logins of other devices:
 *
 * - at most `maxConcurrent` checks run at once. The others wait, served in turn address by address
 *   (round robin), so a flood from one address delays another address's login by at most one check
 *   per busy address. A login that waited `maxWaitMs` is refused (`login_busy`, CONNACK 3: the
 *   device tries again later), and one whose connection closed meanwhile is dropped unchecked;
 * - one device id has at most one check at a time, and after a failed check it waits a back-off
 *   (doubling from `backoffBaseMs` to `backoffMaxMs`) before the next (`login_limited_device`);
 * - one address that failed `addressFailures` times in a row (no success between) waits the same
 *   back-off (`login_limited_address`). Counted in a row, not in total, so one misconfigured device
 *   behind a NAT that many vehicles share does not lock the others out: their logins reset it.
 *
 * The caller skips the gate for a password it has already verified (a cheap comparison), so a device
 * that logged in before is never locked out by someone guessing its password or sharing its address.
 */
export interface LoginGateOptions {
  maxConcurrent: number;
  maxWaitMs: number;
  addressFailures: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Back-off entries kept at most (per device id and per address each); the oldest are forgotten. */
  maxTracked?: number;
  /** Told the result of every check that ran (for the metrics). */
  onChecked?: (ok: boolean) => void;
}

export type GateRefusal = 'login_busy' | 'login_limited_device' | 'login_limited_address';
export type GateOutcome = { checked: true; ok: boolean } | { checked: false; refusal: GateRefusal | 'closed' };

interface Backoff {
  failures: number;
  until: number;
}

/** Consecutive failures and the back-off they earned, per key, bounded in size. */
class BackoffTable {
  private readonly entries = new Map<string, Backoff>();

  constructor(
    private readonly options: LoginGateOptions,
    /** Failures in a row before the back-off starts. */
    private readonly free: number,
    private readonly maxTracked: number,
  ) {}

  blocked(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (now >= e.until + this.options.backoffMaxMs) {
      // Quiet for a whole back-off period after the last one: start again.
      this.entries.delete(key);
      return false;
    }
    return now < e.until;
  }

  failed(key: string, now: number): void {
    const e = this.entries.get(key);
    const failures = (e && now < e.until + this.options.backoffMaxMs ? e.failures : 0) + 1;
    const over = failures - this.free;
    const until = over > 0 ? now + Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.min(over - 1, 30)) : now;
    this.entries.delete(key); // re-inserted last: Map order is the eviction order
    this.entries.set(key, { failures, until });
    if (this.entries.size > this.maxTracked) this.entries.delete(this.entries.keys().next().value!);
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }
}

interface Waiter {
  address: string;
  closed: () => boolean;
  start: (turn: 'run' | 'closed' | 'limited') => void;
  timer: NodeJS.Timeout;
}

export class LoginGate {
  private running = 0;
  /** Waiting logins per address; the Map's order is the round-robin order. */
  private readonly waiting = new Map<string, Waiter[]>();
  private waitingCount = 0;
  private readonly deviceBusy = new Set<string>();
  private readonly devices: BackoffTable;
  private readonly addresses: BackoffTable;

  constructor(
    private readonly options: LoginGateOptions,
    private readonly now: () => number = Date.now,
  ) {
    const maxTracked = options.maxTracked ?? 100_000;
    this.devices = new BackoffTable(options, 0, maxTracked);
    this.addresses = new BackoffTable(options, Math.max(0, options.addressFailures - 1), maxTracked);
  }

  /** Checks running and waiting, for the metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waitingCount };
  }

  /**
   * Runs `check` (the password check of `deviceId` from `address`) when the limits allow it, and
   * records its outcome for the back-off. Refused checks do not run at all; `closed()` tells whether
   * the connection went away while waiting.
   */
  async run(deviceId: string, address: string, check: () => Promise<boolean>, closed: () => boolean = () => false): Promise<GateOutcome> {
    const now = this.now();
    if (this.deviceBusy.has(deviceId) || this.devices.blocked(deviceId, now)) return { checked: false, refusal: 'login_limited_device' };
    if (this.addresses.blocked(address, now)) return { checked: false, refusal: 'login_limited_address' };
    this.deviceBusy.add(deviceId);
    try {
      if (this.running < this.options.maxConcurrent) this.running++;
      else {
        // Waits for a slot; a finished check hands its slot over, so `running` never exceeds the bound.
        const slot = await this.wait(address, closed);
        if (slot !== 'run') return { checked: false, refusal: slot === 'timeout' ? 'login_busy' : slot === 'limited' ? 'login_limited_address' : 'closed' };
      }
      let ok = false;
      try {
        ok = await check();
      } finally {
        this.release();
      }
      this.options.onChecked?.(ok);
      const at = this.now();
      if (ok) {
        this.devices.succeeded(deviceId);
        this.addresses.succeeded(address);
      } else {
        this.devices.failed(deviceId, at);
        this.addresses.failed(address, at);
      }
      return { checked: true, ok };
    } finally {
      this.deviceBusy.delete(deviceId);
    }
  }

  private wait(address: string, closed: () => boolean): Promise<'run' | 'timeout' | 'closed' | 'limited'> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        address,
        closed,
        start: resolve,
        timer: setTimeout(() => {
          this.remove(waiter);
          resolve('timeout');
        }, this.options.maxWaitMs),
      };
      let queue = this.waiting.get(address);
      if (!queue) this.waiting.set(address, (queue = []));
      queue.push(waiter);
      this.waitingCount++;
    });
  }

  private remove(waiter: Waiter): void {
    const queue = this.waiting.get(waiter.address);
    const i = queue?.indexOf(waiter) ?? -1;
    if (i < 0) return;
    queue!.splice(i, 1);
    this.waitingCount--;
    if (queue!.length === 0) this.waiting.delete(waiter.address);
  }

  /**
   * A check finished: its slot goes to the next waiter of the next address in turn, else back to the
   * pool. A waiter whose connection closed, or whose address earned a back-off while it waited, is
   * answered without a check and the slot passes on.
   */
  private release(): void {
    const now = this.now();
    for (const [address, queue] of this.waiting) {
      const waiter = queue.shift()!;
      this.waitingCount--;
      this.waiting.delete(address);
      // The address goes to the end of the turn order (if it still waits for more).
      if (queue.length > 0) this.waiting.set(address, queue);
      clearTimeout(waiter.timer);
      if (waiter.closed()) waiter.start('closed');
      else if (this.addresses.blocked(address, now)) waiter.start('limited');
      else {
        waiter.start('run');
        return;
      }
    }
    this.running--;
  }
}
