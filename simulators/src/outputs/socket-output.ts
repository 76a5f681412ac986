import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from '@fleetlake/core';
import { newStats, writeTo, type LineOutput } from './output.js';

/**
 * A TCP (like gpsfake) or Unix-socket server that sends the same bytes to every connected client.
 * `waitForClient()` lets a run start only once someone listens.
 */
export class SocketServerOutput implements LineOutput {
  readonly stats = newStats();
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  private waiters: Array<() => void> = [];
  private boundPort = 0;

  constructor(private readonly address: { host: string; port: number } | { path: string }) {}

  describe(): string {
    return 'path' in this.address ? `unix:${this.address.path}` : `tcp://${this.address.host}:${this.port}`;
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return this.boundPort || ('port' in this.address ? this.address.port : 0);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    if ('path' in this.address) await rm(this.address.path, { force: true });
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.clients.delete(socket));
      // Input from clients is not expected; read and discard so their writes never block.
      socket.resume();
      this.clients.add(socket);
      for (const w of this.waiters.splice(0)) w();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const onListening = () => {
        server.off('error', reject);
        resolve();
      };
      if ('path' in this.address) server.listen(this.address.path, onListening);
      else server.listen(this.boundPort || this.address.port, this.address.host, onListening);
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.boundPort = addr.port;
  }

  waitForClient(): Promise<void> {
    if (this.clients.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async write(data: string | Buffer, opts: { wait: boolean }): Promise<boolean> {
    if (this.clients.size === 0) {
      this.stats.droppedBackpressure++;
      return false;
    }
    const results = await Promise.all([...this.clients].map((c) => writeTo(c, data, opts.wait, this.stats)));
    return results.some(Boolean);
  }

  private async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async drop(ms: number): Promise<void> {
    await this.close();
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    await this.start();
  }

  readonly stop = once(async () => {
    await this.close();
    if ('path' in this.address) await rm(this.address.path, { force: true });
  });
}
