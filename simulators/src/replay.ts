import { readFile } from 'node:fs/promises';
import type { LineOutput } from './outputs/output.js';
import { Pacer, type Speed } from './pacer.js';

/**
 * Replays a captured NMEA log at its own pace: sentences are grouped into epochs by the UTC time in
 * their time field (GGA, RMC, GLL, ZDA, GNS, GBS, GST), and each epoch is sent when its time is due.
 * Everything else in the capture (binary UBX/SiRF data, broken sentences) is sent as it was, in place;
 * only `#` comment lines (gpsd's test-log headers) are skipped.
 */
export interface ReplayEpoch {
  /** Seconds since the first timed sentence. */
  t: number;
  data: Buffer;
}

const TIMED = /^\$[A-Z]{2}(GGA|RMC|GLL|ZDA|GNS|GBS|GST),(\d{2})(\d{2})(\d{2}(?:\.\d+)?),/;
/** Longest pause honoured between two epochs of a capture; longer gaps (receiver restarts) are shortened to it. */
const MAX_GAP_S = 5;

export function splitCapture(buf: Buffer): ReplayEpoch[] {
  const epochs: ReplayEpoch[] = [];
  let current: Buffer[] = [];
  let t = 0;
  let lastTime: number | undefined;
  let start = 0;
  const flush = () => {
    if (current.length > 0) epochs.push({ t, data: Buffer.concat(current) });
    current = [];
  };
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    end = end === -1 ? buf.length : end + 1;
    const line = buf.subarray(start, end);
    start = end;
    if (line[0] === 0x23 /* # */) continue;
    const m = TIMED.exec(line.toString('latin1', 0, Math.min(line.length, 40)));
    if (m) {
      const secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
      if (lastTime !== undefined && secs !== lastTime) {
        let gap = secs - lastTime;
        if (gap < -43200) gap += 86400; // midnight
        flush();
        t = Math.round((t + Math.min(MAX_GAP_S, Math.max(0, gap))) * 1000) / 1000;
      }
      lastTime = secs;
    }
    current.push(line);
  }
  flush();
  return epochs;
}

export interface ReplayOptions {
  file: string;
  output: LineOutput;
  speed: Speed;
  loops?: number;
  signal?: AbortSignal;
}

export async function replayCapture(opts: ReplayOptions): Promise<{ epochs: number; bytes: number; droppedEpochs: number }> {
  const epochs = splitCapture(await readFile(opts.file));
  const pacer = new Pacer(opts.speed, opts.signal);
  const wait = opts.speed === 'max';
  const span = (epochs[epochs.length - 1]?.t ?? 0) + 1;
  const stats = { epochs: 0, bytes: 0, droppedEpochs: 0 };
  for (let loop = 0; loop < (opts.loops ?? 1); loop++) {
    for (const e of epochs) {
      await pacer.until(loop * span + e.t);
      if (await opts.output.write(e.data, { wait })) stats.bytes += e.data.length;
      else stats.droppedEpochs++;
      stats.epochs++;
    }
  }
  return stats;
}
