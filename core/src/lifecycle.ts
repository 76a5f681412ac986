/** Every long-lived part: start() once, stop() idempotent and awaitable (stop input, drain, close). */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wraps a stop routine so that concurrent and repeated calls share one run.
 * `const stop = once(async () => {...})` — every caller awaits the same promise.
 */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

/**
 * Stops the given parts in order on SIGINT/SIGTERM (a second signal exits at once).
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(stop: () => Promise<void>, onError: (err: unknown) => void = console.error): () => void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    stop().then(
      () => {
        process.exitCode = signal === 'SIGINT' ? 130 : 143;
      },
      (err: unknown) => {
        onError(err);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
