import { readFileSync } from 'node:fs';

/**
 * The node flags in a bin's shebang (`#!/usr/bin/env -S node --single-threaded-gc` → that flag), so
 * that a benchmark spawning `node <bin>` runs it as the installed command and the image run it.
 */
export function shebangNodeArgs(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return [];
  return first.split(/\s+/).filter((a) => a.startsWith('--'));
}
