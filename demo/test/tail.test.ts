import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLastJsonLine } from '../src/tail.js';

describe('readLastJsonLine', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'fleetlake-tail-')), 'truth.jsonl');

  it('is undefined for a missing or empty file', () => {
    expect(readLastJsonLine(file)).toBeUndefined();
    writeFileSync(file, '');
    expect(readLastJsonLine(file)).toBeUndefined();
  });

  it('returns the last complete line, ignoring one still being written', () => {
    writeFileSync(file, '{"t":1}\n{"t":2}\n');
    expect(readLastJsonLine(file)).toEqual({ t: 2 });
    appendFileSync(file, '{"t":3,"lat":51.');
    expect(readLastJsonLine(file)).toEqual({ t: 2 });
  });

  it('finds the last line when the window starts mid-line', () => {
    writeFileSync(file, Array.from({ length: 200 }, (_, t) => JSON.stringify({ t, pad: 'x'.repeat(50) })).join('\n') + '\n');
    expect(readLastJsonLine<{ t: number }>(file, 100)?.t).toBe(199);
  });
});
