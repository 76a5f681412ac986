import type { Logger } from '@fleetlake/core';
import { Constellation } from './satellites.js';
import { epochSentences, type EpochOptions } from './nmea.js';
import type { FaultInjector, LineFault } from './faults.js';
import type { LineOutput } from './outputs/output.js';
import { Pacer, type Speed } from './pacer.js';
import { createRandom } from './random.js';
import type { Trip, TruthState } from './trip.js';

/** What was emitted at one epoch: the truth, whether the receiver had a fix, and any faults applied. */
export interface TruthRecord extends TruthState {
  hasFix: boolean;
  /** The sentences as sent (before line faults), for tests and ground-truth files. */
  sentences: string[];
  faults: Array<LineFault | 'fix-loss' | 'freeze' | 'port-drop'>;
  /** False when the epoch never reached the output (frozen stream, dropped port, reader not keeping up). */
  delivered: boolean;
}

export interface NmeaRunOptions {
  trip: Trip;
  output: LineOutput;
  rateHz: number;
  /** Simulated seconds to emit (capped at the end of the trip). */
  durationS: number;
  /** Simulated second to begin at. */
  fromS?: number;
  speed: Speed;
  seed: number;
  faults?: FaultInjector;
  epoch?: EpochOptions;
  onEpoch?: (record: TruthRecord) => void;
  signal?: AbortSignal;
  log?: Logger;
}

export interface NmeaRunStats {
  epochs: number;
  sentences: number;
  bytes: number;
  droppedEpochs: number;
  simSeconds: number;
  wallSeconds: number;
}

/** Drives the trip at `rateHz` epochs per simulated second into the output, paced by `speed`. */
export async function runNmea(opts: NmeaRunOptions): Promise<NmeaRunStats> {
  if (!(opts.rateHz >= 1 && opts.rateHz <= 10)) throw new RangeError(`rate must be 1..10 Hz, got ${opts.rateHz}`);
  const sky = new Constellation(createRandom(opts.seed).fork('sky'));
  const pacer = new Pacer(opts.speed, opts.signal);
  const wait = opts.speed === 'max';
  const from = opts.fromS ?? 0;
  const end = Math.min(from + opts.durationS, opts.trip.durationS);
  const period = 1 / opts.rateHz;
  const stats: NmeaRunStats = { epochs: 0, sentences: 0, bytes: 0, droppedEpochs: 0, simSeconds: 0, wallSeconds: 0 };
  const wallStart = performance.now();
  let fixLostUntil = -Infinity;
  let frozenUntilWall = -Infinity;

  for (let k = 0; ; k++) {
    // Integer epoch counting keeps timestamps on exact multiples of the period (no float drift).
    const t = from + k * period;
    if (t > end + 1e-9) break;
    await pacer.until(t);
    const truth = opts.trip.at(t);
    const faults: TruthRecord['faults'] = [];
    let delivered = true;

    if (opts.faults && k > 0 && k % opts.rateHz === 0) {
      const started = opts.faults.episodes(1);
      if (started['fix-loss'] !== undefined) {
        fixLostUntil = t + started['fix-loss'];
        faults.push('fix-loss');
      }
      if (started.freeze !== undefined) {
        frozenUntilWall = performance.now() + started.freeze * 1000;
        faults.push('freeze');
      }
      if (started['port-drop'] !== undefined && opts.output.drop) {
        faults.push('port-drop');
        opts.log?.info({ t, seconds: started['port-drop'] }, 'fault: dropping the port');
        const before = performance.now();
        await opts.output.drop(started['port-drop'] * 1000);
        pacer.shift(performance.now() - before);
      }
    }
    const hasFix = t >= fixLostUntil;
    const lines = epochSentences({ truth, sky: sky.at(t), hasFix }, { ...opts.epoch, withGsv: k % opts.rateHz === 0 });
    if (performance.now() < frozenUntilWall) {
      delivered = false;
    } else {
      const chunks: Buffer[] = [];
      for (const line of lines) {
        if (opts.faults) {
          const { bytes, fault } = opts.faults.corrupt(line);
          if (fault) faults.push(fault);
          chunks.push(bytes);
        } else chunks.push(Buffer.from(line, 'latin1'));
      }
      const data = Buffer.concat(chunks);
      delivered = await opts.output.write(data, { wait });
      if (delivered) {
        stats.sentences += lines.length;
        stats.bytes += data.length;
      }
    }
    stats.epochs++;
    if (!delivered) stats.droppedEpochs++;
    stats.simSeconds = t - from;
    opts.onEpoch?.({ ...truth, hasFix, sentences: lines, faults, delivered });
  }
  stats.wallSeconds = (performance.now() - wallStart) / 1000;
  return stats;
}
