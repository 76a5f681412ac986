import { describe, expect, it } from 'vitest';
import { FleetlakeError, backoffDelay, retry } from '../src/index.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const opts = { baseMs: 100, maxMs: 5000 };
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800, 5000]);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
  });
});

describe('retry', () => {
  const fast = { baseMs: 1, maxMs: 2, random: () => 0 };

  it('retries retriable errors and returns the first success', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new FleetlakeError('BROKER_DOWN', 'not yet', { retriable: true });
        return 'ok';
      },
      { ...fast, retries: 5, onRetry: (_e, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('does not retry errors that are not retriable', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new FleetlakeError('BAD_INPUT', 'no');
      }, { ...fast, retries: 5 }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(calls).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new FleetlakeError('X', `fail ${calls}`, { retriable: true });
      }, { ...fast, retries: 2 }),
    ).rejects.toThrow('fail 3');
  });

  it('stops waiting when aborted', async () => {
    const ac = new AbortController();
    const p = retry(async () => {
      throw new FleetlakeError('X', 'down', { retriable: true });
    }, { baseMs: 60_000, maxMs: 60_000, retries: Infinity, random: () => 1, signal: ac.signal, onRetry: () => ac.abort(new Error('stopped')) });
    await expect(p).rejects.toThrow('stopped');
  });
});
