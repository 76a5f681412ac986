import { vi } from 'vitest';

/**
 * Captures what the code under test writes to stdout and stderr (a CLI's output and logs) instead
 * of printing it. restore() puts the real streams back (afterEach(vi.restoreAllMocks) does too).
 */
export function captureOutput(): { out: () => string; err: () => string; restore: () => void } {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  return {
    out: () => out,
    err: () => err,
    restore: () => {
      o.mockRestore();
      e.mockRestore();
    },
  };
}
