import { ConfigError } from '@fleetlake/core';
import { StdoutOutput, type LineOutput } from './output.js';
import { PtyOutput } from './pty-output.js';
import { SocketServerOutput } from './socket-output.js';

/**
 * `stdout` | `pty` | `pty:LINK` | `tcp://HOST:PORT` | `unix:PATH`. A bare `pty` uses `defaultLink`.
 */
export function parseOutput(spec: string, defaultLink: string): LineOutput {
  if (spec === 'stdout' || spec === '-') return new StdoutOutput();
  if (spec === 'pty') return new PtyOutput(defaultLink);
  if (spec.startsWith('pty:')) return new PtyOutput(spec.slice(4));
  if (spec.startsWith('unix:')) return new SocketServerOutput({ path: spec.slice(5) });
  if (spec.startsWith('tcp://')) {
    const m = /^tcp:\/\/([^:/]+|\[[^\]]+\]):(\d{1,5})\/?$/.exec(spec);
    const port = Number(m?.[2]);
    if (!m || port > 65535) throw new ConfigError(`invalid output ${JSON.stringify(spec)}: expected tcp://HOST:PORT`);
    return new SocketServerOutput({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  throw new ConfigError(`invalid output ${JSON.stringify(spec)}: use stdout, pty, pty:LINK, tcp://HOST:PORT or unix:PATH`);
}
