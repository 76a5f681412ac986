import { pino, type Logger } from 'pino';
import { redact } from './redact.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Defaults to stderr so that stdout stays free for a command's data output. */
  destination?: number | string;
}

/** Structured JSON logs (pino) on stderr; level from the option, then FLEETLAKE_LOG_LEVEL, then "info". */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.FLEETLAKE_LOG_LEVEL ?? 'info';
  // Every finished line passes through redact(): no configured secret is ever written (redact.ts).
  return pino({ name, level, base: { name }, hooks: { streamWrite: redact } }, pino.destination({ dest: options.destination ?? 2, sync: false }));
}

/** A logger that drops everything, for tests and library use where the caller logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
