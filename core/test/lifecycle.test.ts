import { describe, expect, it } from 'vitest';
import { once } from '../src/index.js';

describe('once', () => {
  it('runs a stop routine once, however often and concurrently it is called', async () => {
    let runs = 0;
    const stop = once(async () => {
      runs++;
      await new Promise((r) => setImmediate(r));
    });
    await Promise.all([stop(), stop(), stop()]);
    await stop();
    expect(runs).toBe(1);
  });
});
