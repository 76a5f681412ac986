import { EventEmitter } from 'node:events';
import { abortableDelay, backoffDelay, once, silentLogger, type Logger } from '@fleetlake/core';
import { openConnection, parseDevice, type Connection, type DeviceSpec } from './connection.js';
import type { GpsCounters } from './counters.js';
import type { Fix, FixSource } from './fix.js';
import { GpsClock, type ClockReading } from './gps-clock.js';
import { NmeaParser } from './nmea-parser.js';
import { feedLines } from './pipeline.js';
import { resolveGpsReaderOptions, type GpsReaderInput, type GpsReaderOptions } from './reader-options.js';

export interface GpsReaderDeps {
  logger?: Logger;
  /** Host clock (tests pin it). */
  now?: () => Date;
  random?: () => number;
}

export interface GpsReaderStatus {
  connected: boolean;
  device: string;
  /** Host time of the last byte received, ISO-8601. */
  lastDataAt?: string;
  lastFix?: Fix;
}

/**
 * Reads NMEA 0183 from a serial device or tcp://host:port and emits one 'fix' per receiver epoch.
 * Keeps going through anything: a missing or vanishing device is reopened with capped, jittered
 * backoff; a device that stays open but silent is reopened by a watchdog; bad input is counted.
 */
export class GpsReader extends EventEmitter implements FixSource {
  readonly options: Readonly<GpsReaderOptions>;
  readonly clock: GpsClock;
  private readonly parser: NmeaParser;
  private readonly spec: DeviceSpec;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private connection: Connection | undefined;
  private loop: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastDataAt: number | undefined;
  private lastFix: Fix | undefined;
  private silent = false;

  private constructor(options: Readonly<GpsReaderOptions>, deps: GpsReaderDeps) {
    super();
    this.options = options;
    this.spec = parseDevice(options.device);
    this.log = deps.logger ?? silentLogger();
    this.random = deps.random ?? Math.random;
    this.clock = new GpsClock(deps.now);
    this.parser = new NmeaParser((fix) => this.onFix(fix), {
      maxSentenceLength: options.maxSentenceLength,
      correctWeekRollover: options.correctWeekRollover,
      now: deps.now,
    });
  }

  /** Validates the options (no I/O); throws ConfigError with a clear message. */
  static async create(input: GpsReaderInput, deps: GpsReaderDeps = {}): Promise<GpsReader> {
    return new GpsReader(resolveGpsReaderOptions(input), deps);
  }

  /** Counters by reason; a live object (read it, do not modify it). */
  get counters(): Readonly<GpsCounters> {
    return this.parser.counters;
  }

  status(): GpsReaderStatus {
    return {
      connected: this.connection !== undefined,
      device: this.options.device,
      ...(this.lastDataAt !== undefined ? { lastDataAt: new Date(this.lastDataAt).toISOString() } : {}),
      ...(this.lastFix ? { lastFix: this.lastFix } : {}),
    };
  }

  /** Current time: GPS time once a dated fix was received, else the host clock labelled as such. */
  now(): ClockReading {
    return this.clock.read();
  }

  /** Starts reading in the background; resolves at once (the device may appear later). */
  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Stops reading, ends the epoch in progress, closes the device. Idempotent. */
  readonly stop = once(async () => {
    this.abort.abort();
    await this.connection?.close();
    await this.loop;
    this.clearTimers();
  });

  private async run(): Promise<void> {
    let attempt = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let gotData = false;
      try {
        this.connection = await openConnection(this.spec, this.options.baudRate);
        if (signal.aborted) break;
        this.log.info({ device: this.connection.description }, 'gps device open');
        this.emit('connected', this.connection.description);
        gotData = await this.pump(this.connection);
      } catch (err) {
        this.log.warn({ err, device: this.options.device, attempt }, 'gps device unavailable');
      } finally {
        const conn = this.connection;
        this.connection = undefined;
        await conn?.close();
        this.parser.flush();
      }
      if (signal.aborted) break;
      if (gotData && !this.silent) attempt = 0;
      this.silent = false;
      const delayMs = backoffDelay(attempt++, { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs }, this.random);
      this.parser.counters.reconnects++;
      this.emit('disconnected', delayMs);
      this.log.info({ device: this.options.device, delayMs }, 'gps device closed; reopening');
      await abortableDelay(delayMs, signal).catch(() => undefined);
    }
  }

  /** Feeds the connection until it ends, fails or goes silent; tells whether any data arrived. */
  private async pump(conn: Connection): Promise<boolean> {
    let gotData = false;
    const feed = feedLines(conn.stream, this.parser, this.options.maxLineBytes, () => {
      gotData = true;
      this.lastDataAt = Date.now();
      this.armWatchdog(conn);
      this.armFlush();
    });
    this.armWatchdog(conn);
    const err = await feed.done;
    this.clearTimers();
    if (err) this.log.warn({ err: err.message, device: conn.description }, 'gps device error');
    return gotData;
  }

  private armWatchdog(conn: Connection): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.parser.counters.watchdogReopens++;
      this.silent = true;
      this.log.warn({ device: conn.description, silenceMs: this.options.silenceTimeoutMs }, 'gps device silent; reopening');
      this.emit('silent');
      void conn.close();
    }, this.options.silenceTimeoutMs);
    this.watchdog.unref();
  }

  private armFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.parser.flush(), this.options.epochFlushMs);
    this.flushTimer.unref();
  }

  private clearTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.watchdog = this.flushTimer = undefined;
  }

  private onFix(fix: Fix): void {
    this.lastFix = fix;
    this.clock.observe(fix);
    this.emit('fix', fix);
  }
}
