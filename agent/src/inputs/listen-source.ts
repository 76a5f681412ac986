import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from '@fleetlake/core';
import { LineSource, type SourceSettings } from './line-source.js';

export type ListenAddress = { host: string; port: number } | { path: string };

/** Accepts connections (TCP or a Unix socket) and reads JSON lines from each, e.g. from the simulators or an OBD script. */
export class ListenSource extends LineSource {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    settings: SourceSettings,
    private readonly address: ListenAddress,
  ) {
    super(settings);
  }

  /** The TCP port actually bound (useful with port 0). */
  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async start(): Promise<void> {
    const server = createServer((sock) => this.accept(sock));
    if ('path' in this.address) await rm(this.address.path, { force: true }); // a stale socket from a crash
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if ('path' in this.address) server.listen(this.address.path, resolve);
      else server.listen(this.address.port, this.address.host, resolve);
    });
    server.on('error', (err) => this.log.error({ err, source: this.name }, 'input server error'));
    if ('path' in this.address) await chmod(this.address.path, 0o660);
    this.server = server;
    this.log.info({ source: this.name }, 'input listening');
  }

  protected applyPause(paused: boolean): void {
    for (const s of this.sockets) {
      if (paused) s.pause();
      else s.resume();
    }
  }

  private accept(sock: Socket): void {
    this.counters.add('connections');
    this.sockets.add(sock);
    if (this.isPaused) sock.pause();
    const splitter = this.splitter();
    sock.on('data', (chunk: Buffer) => splitter.push(chunk));
    sock.on('error', (err) => this.log.debug({ err: err.message, source: this.name }, 'input connection error'));
    sock.on('close', () => {
      this.sockets.delete(sock);
      this.ended(splitter);
    });
  }

  readonly stop = once(async () => {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.end();
    for (const s of this.sockets) s.destroySoon();
    await closed;
    if ('path' in this.address) await rm(this.address.path, { force: true });
  });
}
