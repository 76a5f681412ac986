/**
 * Every error Fleetlake raises on purpose carries a stable `code` (for metrics, logs and tests)
 * and a `retriable` flag (for the one retry helper in retry.ts).
 */
export interface FleetlakeErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class FleetlakeError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: FleetlakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FleetlakeError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

/** Configuration problems: never retriable, reported once at start-up. */
export class ConfigError extends FleetlakeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFIG_INVALID', message, { retriable: false, details });
    this.name = 'ConfigError';
  }
}

export function isRetriable(err: unknown): boolean {
  if (err instanceof FleetlakeError) return err.retriable;
  if (err && typeof err === 'object' && 'retriable' in err) return Boolean((err as { retriable: unknown }).retriable);
  return false;
}

export function errorCode(err: unknown): string {
  if (err instanceof FleetlakeError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'UNKNOWN';
}
