import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, compileValidator, formatIssues } from '@fleetlake/core';
import { parseDevice } from './connection.js';

/** Options of the GPS reader, as a TypeBox schema so that the agent's config file can embed it. */
export const GpsReaderOptionsSchema = Type.Object(
  {
    /** Serial device path (/dev/ttyUSB0, /dev/serial0, /dev/serial/by-id/..., a pty) or tcp://host:port. */
    device: Type.String({ minLength: 1 }),
    baudRate: Type.Integer({ minimum: 50, maximum: 4_000_000, default: 9600 }),
    /** Longest sentence accepted (NMEA says 82; receivers exceed it). */
    maxSentenceLength: Type.Integer({ minimum: 20, maximum: 1024, default: 120 }),
    /** Longest line kept before the readline parser; the rest is dropped until "$" (bounds memory). */
    maxLineBytes: Type.Integer({ minimum: 64, maximum: 65_536, default: 1024 }),
    /** Reopen the device when nothing arrived for this long (open but silent). */
    silenceTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    /** End the epoch in progress after this much quiet (so the last fix of a burst is not held back). */
    epochFlushMs: Type.Integer({ minimum: 10, default: 300 }),
    /** Reconnect backoff: full jitter in [0, min(maxMs, baseMs * 2^attempt)]. */
    reconnectBaseMs: Type.Integer({ minimum: 1, default: 250 }),
    reconnectMaxMs: Type.Integer({ minimum: 1, default: 10_000 }),
    /** Move receiver dates before 2017 on by 1024 weeks (GPS week-rollover bug), as gpsd does. */
    correctWeekRollover: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);
export type GpsReaderOptions = Static<typeof GpsReaderOptionsSchema>;
export type GpsReaderInput = Pick<GpsReaderOptions, 'device'> & Partial<GpsReaderOptions>;

const validator = compileValidator(GpsReaderOptionsSchema);

const DEFAULTS: Omit<GpsReaderOptions, 'device'> = {
  baudRate: 9600,
  maxSentenceLength: 120,
  maxLineBytes: 1024,
  silenceTimeoutMs: 5000,
  epochFlushMs: 300,
  reconnectBaseMs: 250,
  reconnectMaxMs: 10_000,
  correctWeekRollover: true,
};

/** Defaults filled in, validated once, frozen; throws ConfigError with every problem listed. */
export function resolveGpsReaderOptions(input: GpsReaderInput): Readonly<GpsReaderOptions> {
  const merged = { ...DEFAULTS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const result = validator.validate(merged);
  if (!result.ok) throw new ConfigError(`invalid GPS reader options: ${formatIssues(result.issues)}`, { issues: result.issues });
  const options = result.value;
  if (options.reconnectMaxMs < options.reconnectBaseMs) throw new ConfigError('GPS reader: reconnectMaxMs must be >= reconnectBaseMs');
  if (options.maxLineBytes < options.maxSentenceLength) throw new ConfigError('GPS reader: maxLineBytes must be >= maxSentenceLength');
  try {
    parseDevice(options.device);
  } catch (err) {
    throw new ConfigError(`GPS reader: ${(err as Error).message}`);
  }
  return Object.freeze(options);
}
