import { createReadStream } from 'node:fs';
import type { GpsCounters } from './counters.js';
import type { Fix } from './fix.js';
import { NmeaParser, type NmeaParserOptions } from './nmea-parser.js';
import { feedLines } from './pipeline.js';

export interface ReplayResult {
  fixes: number;
  counters: GpsCounters;
}

/** Reads an NMEA log (gpsd/gpsfake format: "#" comments allowed) through the reader's own pipeline. */
export async function replayLog(file: string, onFix: (fix: Fix) => void, options: NmeaParserOptions & { maxLineBytes?: number } = {}): Promise<ReplayResult> {
  const parser = new NmeaParser(onFix, { skipComments: true, ...options });
  const feed = feedLines(createReadStream(file), parser, options.maxLineBytes);
  const err = await feed.done;
  if (err) throw err;
  parser.flush();
  return { fixes: parser.counters.fixes, counters: parser.counters };
}
