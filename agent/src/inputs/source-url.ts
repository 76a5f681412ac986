import { ConfigError, type BackoffOptions, type Logger } from '@fleetlake/core';
import { lineStreamOf, STREAM_NAMES_HELP, type LineStream } from '../records/line-ingest.js';
import type { LineSource } from './line-source.js';
import { ListenSource } from './listen-source.js';
import { SerialSource } from './serial-source.js';
import { TcpClientSource } from './tcp-client-source.js';

export const SOURCE_URL_HELP = `one of
  tcp://HOST:PORT                connect to a server that writes JSON lines (reconnects)
  tcp-listen://HOST:PORT         accept connections and read JSON lines from each
  unix:///PATH                   accept connections on a Unix socket
  serial:///dev/ttyUSB1?baudRate=9600   read a serial device (reopens it when it comes back)
each optionally with ?stream=vehicle|weather|emergency for lines without a "stream" field`;

export type SourceSpec =
  | { kind: 'tcp'; host: string; port: number; stream?: LineStream | undefined }
  | { kind: 'tcp-listen'; host: string; port: number; stream?: LineStream | undefined }
  | { kind: 'unix'; path: string; stream?: LineStream | undefined }
  | { kind: 'serial'; path: string; baudRate: number; stream?: LineStream | undefined };

function fail(url: string, why: string): never {
  throw new ConfigError(`input source ${JSON.stringify(url)}: ${why}; use ${SOURCE_URL_HELP}`);
}

export function parseSourceUrl(url: string): SourceSpec {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    fail(url, 'not a URL');
  }
  const streamParam = u.searchParams.get('stream');
  const stream = streamParam === null ? undefined : lineStreamOf(streamParam);
  if (streamParam !== null && !stream) fail(url, `unknown stream "${streamParam}" (one of ${STREAM_NAMES_HELP})`);
  const scheme = u.protocol.slice(0, -1);
  switch (scheme) {
    case 'tcp':
    case 'tcp-listen': {
      const port = Number(u.port);
      if (!u.hostname || !Number.isInteger(port) || port <= 0) fail(url, 'needs HOST:PORT');
      return { kind: scheme, host: u.hostname.replace(/^\[|\]$/g, ''), port, stream };
    }
    case 'unix':
    case 'serial': {
      const path = decodeURIComponent(u.pathname);
      if (!path.startsWith('/') || path.length < 2) fail(url, 'needs an absolute path');
      if (scheme === 'unix') return { kind: 'unix', path, stream };
      const baudRate = Number(u.searchParams.get('baudRate') ?? 9600);
      if (!Number.isInteger(baudRate) || baudRate <= 0) fail(url, `bad baudRate "${u.searchParams.get('baudRate')}"`);
      return { kind: 'serial', path, baudRate, stream };
    }
    default:
      fail(url, `unknown scheme "${scheme}:"`);
  }
}

export interface SourceOptions {
  maxLineBytes: number;
  reconnect: BackoffOptions;
  logger?: Logger;
}

export function createLineSource(url: string, spec: SourceSpec, opts: SourceOptions): LineSource {
  const settings = { ...opts, name: url };
  switch (spec.kind) {
    case 'tcp':
      return new TcpClientSource(settings, { host: spec.host, port: spec.port });
    case 'tcp-listen':
      return new ListenSource(settings, { host: spec.host, port: spec.port });
    case 'unix':
      return new ListenSource(settings, { path: spec.path });
    case 'serial':
      return new SerialSource(settings, { path: spec.path, baudRate: spec.baudRate });
  }
}
