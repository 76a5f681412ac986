import { ConfigError } from '@fleetlake/core';
import { nmeaChecksum } from './nmea.js';
import type { Random } from './random.js';

/**
 * Fault injection for an NMEA stream, each kind switchable and rate-controlled:
 *   line faults (probability per sentence): bad-checksum, truncate, overlong, noise (binary burst);
 *   episodes (probability per simulated second, duration in seconds): fix-loss (simulated seconds),
 *   freeze (the stream goes silent, wall seconds), port-drop (the port vanishes and comes back, wall seconds).
 * Spec: "bad-checksum=0.01,truncate=0.005,noise=0.01,fix-loss=0.002:20,freeze=0.001:5,port-drop=0.001:3".
 */
export const LINE_FAULTS = ['bad-checksum', 'truncate', 'overlong', 'noise'] as const;
export const EPISODE_FAULTS = ['fix-loss', 'freeze', 'port-drop'] as const;
export type LineFault = (typeof LINE_FAULTS)[number];
export type EpisodeFault = (typeof EPISODE_FAULTS)[number];
export type FaultKind = LineFault | EpisodeFault;

export interface Episode {
  perSecond: number;
  seconds: number;
}

export interface FaultConfig {
  line: Record<LineFault, number>;
  episode: Record<EpisodeFault, Episode>;
}

const DEFAULT_EPISODE_SECONDS: Record<EpisodeFault, number> = { 'fix-loss': 15, freeze: 5, 'port-drop': 3 };

export function noFaults(): FaultConfig {
  return {
    line: { 'bad-checksum': 0, truncate: 0, overlong: 0, noise: 0 },
    episode: { 'fix-loss': { perSecond: 0, seconds: 15 }, freeze: { perSecond: 0, seconds: 5 }, 'port-drop': { perSecond: 0, seconds: 3 } },
  };
}

export function parseFaults(spec: string | undefined): FaultConfig {
  const config = noFaults();
  if (!spec) return config;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=([0-9.]+)(?::([0-9.]+))?$/.exec(part);
    const name = m?.[1] ?? '';
    const rate = Number(m?.[2]);
    if (!m || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new ConfigError(`invalid fault ${JSON.stringify(part)}: expected NAME=PROBABILITY[:SECONDS] with a probability in [0, 1]`);
    }
    if ((LINE_FAULTS as readonly string[]).includes(name)) {
      if (m[3] !== undefined) throw new ConfigError(`fault ${name} takes no duration`);
      config.line[name as LineFault] = rate;
    } else if ((EPISODE_FAULTS as readonly string[]).includes(name)) {
      const seconds = m[3] === undefined ? DEFAULT_EPISODE_SECONDS[name as EpisodeFault] : Number(m[3]);
      if (!(seconds > 0)) throw new ConfigError(`fault ${name} needs a positive duration`);
      config.episode[name as EpisodeFault] = { perSecond: rate, seconds };
    } else {
      throw new ConfigError(`unknown fault ${JSON.stringify(name)} (one of ${[...LINE_FAULTS, ...EPISODE_FAULTS].join(', ')})`);
    }
  }
  return config;
}

export class FaultInjector {
  readonly counts: Record<FaultKind, number> = { 'bad-checksum': 0, truncate: 0, overlong: 0, noise: 0, 'fix-loss': 0, freeze: 0, 'port-drop': 0 };

  constructor(
    private readonly config: FaultConfig,
    private readonly rand: Random,
  ) {}

  get enabled(): boolean {
    return Object.values(this.config.line).some((p) => p > 0) || Object.values(this.config.episode).some((e) => e.perSecond > 0);
  }

  /** Maybe corrupts one sentence (`$...*CS\r\n`). At most one line fault per sentence. */
  corrupt(line: string): { bytes: Buffer; fault?: LineFault } {
    const r = this.rand.next();
    let acc = 0;
    for (const fault of LINE_FAULTS) {
      acc += this.config.line[fault];
      if (r < acc) {
        this.counts[fault]++;
        return { bytes: this.apply(fault, line), fault };
      }
    }
    return { bytes: Buffer.from(line, 'latin1') };
  }

  private apply(fault: LineFault, line: string): Buffer {
    const star = line.lastIndexOf('*');
    switch (fault) {
      case 'bad-checksum': {
        const good = line.slice(star + 1, star + 3);
        const bad = ((parseInt(good, 16) + this.rand.int(1, 255)) & 0xff).toString(16).toUpperCase().padStart(2, '0');
        return Buffer.from(`${line.slice(0, star + 1)}${bad}${line.slice(star + 3)}`, 'latin1');
      }
      case 'truncate': {
        // Cut somewhere inside the sentence; half the time the line ending survives, half the time the next sentence runs on.
        const cut = this.rand.int(1, Math.max(1, star - 1));
        return Buffer.from(`${line.slice(0, cut)}${this.rand.chance(0.5) ? '\r\n' : ''}`, 'latin1');
      }
      case 'overlong': {
        // A well-formed sentence (valid checksum) far beyond NMEA's 82 characters.
        const body = `${line.slice(1, star)},${'9'.repeat(this.rand.int(80, 400))}`;
        return Buffer.from(`$${body}*${nmeaChecksum(body)}\r\n`, 'latin1');
      }
      case 'noise': {
        const noise = Buffer.alloc(this.rand.int(8, 200));
        for (let i = 0; i < noise.length; i++) noise[i] = this.rand.int(0, 255);
        return Buffer.concat([noise, Buffer.from(line, 'latin1')]);
      }
    }
  }

  /** Episodes starting during `dtS` simulated seconds: the durations of those that start now. */
  episodes(dtS: number): Partial<Record<EpisodeFault, number>> {
    const out: Partial<Record<EpisodeFault, number>> = {};
    for (const fault of EPISODE_FAULTS) {
      const { perSecond, seconds } = this.config.episode[fault];
      if (perSecond > 0 && this.rand.chance(1 - (1 - perSecond) ** dtS)) {
        this.counts[fault]++;
        out[fault] = seconds;
      }
    }
    return out;
  }
}
