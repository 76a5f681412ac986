import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NdjsonChunks } from '../src/ndjson-chunks.js';
import { SpillFile } from '../src/spill-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ndjson-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lines of varying length, enough for several chunks (64 KiB doubling up to 4 MiB).
const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 300) }));
const expected = lines.map((l) => `${l}\n`).join('');

describe('NdjsonChunks', () => {
  it('holds the lines, newline-terminated and in order, in memory', async () => {
    const rows = new NdjsonChunks();
    for (const l of lines) rows.push(Buffer.from(l));
    expect(rows.length).toBe(lines.length);
    expect(Buffer.concat(rows.buffers()).toString()).toBe(expected);
    const file = await rows.toFile(join(dir, 'memory.ndjson'));
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('spilled to a file, gives the same text and keeps only the newest chunk in memory', async () => {
    const rows = new NdjsonChunks(() => new SpillFile(dir));
    for (const l of lines) rows.push(Buffer.from(l));
    expect(rows.buffers().length).toBe(1);
    const file = await rows.toFile(join(dir, 'unused.ndjson'));
    expect(file).not.toBe(join(dir, 'unused.ndjson'));
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('a discarded spill file is deleted', async () => {
    const spill = new SpillFile(dir);
    spill.append(Buffer.from('{}\n'));
    await spill.discard();
    expect(existsSync(spill.path)).toBe(false);
  });
});
