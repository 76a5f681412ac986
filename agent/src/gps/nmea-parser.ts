import { newCounters, type GpsCounters } from './counters.js';
import { EpochAssembler, type EpochResult } from './epoch.js';
import type { Fix } from './fix.js';
import { FieldError, observe } from './observation.js';
import { DEFAULT_MAX_SENTENCE_LENGTH, frameSentence } from './sentence.js';

export interface NmeaParserOptions {
  maxSentenceLength?: number;
  /** Skip lines that start with "#" (gpsd/gpsfake log comments); for replays, not for live devices. */
  skipComments?: boolean;
  /** Host clock for the labelled fallback time (tests pin it). */
  now?: () => Date;
  /**
   * Move receiver dates before 2017 on by 1024 weeks when "today" is 2017 or later, as gpsd does for
   * receivers hit by a GPS week-number rollover (default true).
   */
  correctWeekRollover?: boolean;
}

const MAX_IGNORED_TYPES = 32;
const DATE_HEADER = /^# Date: (\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?/;

/**
 * Lines in, fixes out: frames and checks each sentence, decodes it with nmea-simple, counts every
 * rejection by reason and assembles one Fix per epoch. Pure (no I/O): shared by the live reader and replay.
 */
export class NmeaParser {
  readonly counters: GpsCounters = newCounters();
  private readonly assembler: EpochAssembler;
  private readonly maxLength: number;
  private logDate: Date | undefined;

  constructor(
    private readonly onFix: (fix: Fix) => void,
    private readonly options: NmeaParserOptions = {},
  ) {
    // A log's "# Date:" header stands for "today" in the week-rollover check, as in gpsd's regressions.
    const now = options.now ?? (() => new Date());
    this.assembler = new EpochAssembler({ now, rolloverReference: options.correctWeekRollover === false ? false : () => this.logDate ?? now() });
    this.maxLength = options.maxSentenceLength ?? DEFAULT_MAX_SENTENCE_LENGTH;
  }

  /** One line without its terminator (a trailing "\r" is tolerated), decoded as latin1 so bytes stay bytes. */
  line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.options.skipComments && line.startsWith('#')) {
      this.counters.commentLines++;
      const date = DATE_HEADER.exec(line);
      if (date) this.logDate = new Date(Date.UTC(Number(date[1]), Number(date[2] ?? 1) - 1, Number(date[3] ?? 1)));
      return;
    }
    const framed = frameSentence(line, this.maxLength);
    this.counters.noiseBytes += framed.noise;
    if (framed.ok === 'noise') return;
    this.counters.sentencesRead++;
    if (framed.ok === false) {
      this.counters.rejected[framed.reason]++;
      return;
    }
    let observation;
    try {
      observation = observe(framed.sentence, framed.fields);
    } catch (err) {
      this.counters.rejected[err instanceof FieldError ? 'bad_field' : 'parse_error']++;
      return;
    }
    this.counters.accepted++;
    if (!observation) {
      const head = framed.fields[0]!;
      let type = head.startsWith('P') ? head : head.slice(-3);
      // Keys are bounded whatever arrives: past MAX_IGNORED_TYPES distinct types, the rest is "other".
      if (!(type in this.counters.ignoredByType) && Object.keys(this.counters.ignoredByType).length >= MAX_IGNORED_TYPES) type = 'other';
      this.counters.ignoredByType[type] = (this.counters.ignoredByType[type] ?? 0) + 1;
      return;
    }
    this.handle(this.assembler.push(observation));
  }

  /** A line cut by the length cap: counted as too long, never parsed. */
  overlong(): void {
    this.counters.sentencesRead++;
    this.counters.rejected.too_long++;
  }

  /** Ends the epoch in progress: at end of input, or when the device went quiet. */
  flush(): void {
    this.handle(this.assembler.flush());
  }

  private handle(result: EpochResult | undefined): void {
    if (!result) return;
    if (result.late) this.counters.lateSentences++;
    if (result.noFix) this.counters.epochsWithoutFix++;
    if (result.fix) {
      this.counters.fixes++;
      if (result.fix.timeSource === 'host') this.counters.hostTimeFixes++;
      this.onFix(result.fix);
    }
  }
}
