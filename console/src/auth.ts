import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ConsoleConfig } from './config.js';

/** Compares secrets in constant time (of their hashes, so lengths do not show either). */
function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

export type AuthResult = { ok: true } | { ok: false; challenge: string | undefined };

/**
 * Checks a request against the configured credentials: HTTP basic auth (the browser asks once and
 * sends it with every request) or a bearer token (the page asks once and sends it as a header).
 * Without either configured (loopback only, enforced by the config) every request passes.
 */
export class Auth {
  constructor(private readonly config: ConsoleConfig['auth']) {}

  get required(): boolean {
    return Boolean(this.config.basic ?? this.config.token);
  }

  /** Which scheme the page should use: the browser's basic-auth dialog, or its own token prompt. */
  get scheme(): 'none' | 'basic' | 'bearer' {
    return this.config.basic ? 'basic' : this.config.token ? 'bearer' : 'none';
  }

  check(req: IncomingMessage): AuthResult {
    if (!this.required) return { ok: true };
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    const { basic, token } = this.config;
    if (basic && scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // Both compared, always: which one was wrong does not show in the timing.
      const userOk = same(decoded.slice(0, colon), basic.username);
      const passOk = same(decoded.slice(colon + 1), basic.password);
      if (colon > 0 && userOk && passOk) return { ok: true };
    }
    if (token && scheme === 'bearer' && same(value, token)) return { ok: true };
    // Basic: the browser shows its dialog. Bearer: no challenge the browser acts on; the page asks.
    return { ok: false, challenge: basic ? 'Basic realm="fleetlake console", charset="UTF-8"' : 'Bearer realm="fleetlake console"' };
  }
}
