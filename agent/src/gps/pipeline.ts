import type { Readable } from 'node:stream';
import { ReadlineParser } from '@serialport/parser-readline';
import { LineCap } from './line-cap.js';
import type { NmeaParser } from './nmea-parser.js';

export const DEFAULT_MAX_LINE_BYTES = 1024;

export interface LineFeed {
  /** Resolves once the source ended or failed and every line was parsed (the error, if any, is returned). */
  done: Promise<Error | undefined>;
  /** Detaches from the source; the partial last line, if any, still reaches the parser. */
  detach(): void;
}

/**
 * Source bytes -> LineCap -> ReadlineParser (latin1, so bytes stay bytes) -> NmeaParser.line().
 * `onData` is called for every chunk (for the watchdog and the epoch-flush timer).
 */
export function feedLines(source: Readable, parser: NmeaParser, maxLineBytes = DEFAULT_MAX_LINE_BYTES, onData: () => void = () => {}): LineFeed {
  const cap = new LineCap(maxLineBytes, (n) => (parser.counters.noiseBytes += n));
  const lines = new ReadlineParser({ delimiter: '\n', encoding: 'latin1' });
  lines.on('data', (line: string) => parser.line(line));
  source.on('data', onData);
  source.pipe(cap).pipe(lines);
  let detached = false;
  let failure: Error | undefined;
  const done = new Promise<Error | undefined>((resolve) => lines.once('end', () => resolve(failure)));
  source.once('error', (err: Error) => {
    failure = err;
    detach();
  });
  source.once('close', detach);
  function detach(): void {
    if (detached) return;
    detached = true;
    source.off('data', onData);
    source.unpipe(cap);
    if (!cap.writableEnded) cap.end();
  }
  return { done, detach };
}
