import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last complete JSON line of a file that another process is appending to (undefined if none yet). */
export function readLastJsonLine<T>(file: string, window = 4096): T | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, window);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    // The last element is '' after a complete line, or a line still being written.
    for (let i = lines.length - 2; i >= 0; i--) {
      try {
        return JSON.parse(lines[i]!) as T;
      } catch {
        // a line cut by the window: try the one before
      }
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
