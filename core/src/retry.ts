import { isRetriable } from './errors.js';

export interface BackoffOptions {
  /** First delay in ms (before jitter). */
  baseMs: number;
  /** Cap on any single delay in ms. */
  maxMs: number;
}

/**
 * Capped exponential backoff with "full jitter": a uniform delay in [0, min(max, base * 2^attempt)].
 * Spreads reconnecting devices out instead of having a whole fleet retry in lock-step.
 */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts after the first; Infinity retries until the signal aborts. */
  retries: number;
  /** Decides whether an error is worth another attempt (default: the error's `retriable` flag). */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
}

export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The one retry helper: retries `fn` on retriable errors with capped, jittered backoff. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetriable;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.retries || !shouldRetry(err) || options.signal?.aborted) throw err;
      const delayMs = backoffDelay(attempt, options, options.random);
      options.onRetry?.(err, attempt + 1, delayMs);
      await abortableDelay(delayMs, options.signal);
    }
  }
}
