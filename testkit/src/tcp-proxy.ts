import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { once } from '@fleetlake/core';

export interface TcpProxyOptions {
  /** Where connections are forwarded to. */
  target: { host: string; port: number };
  /** Listen address (default 127.0.0.1, any free port). */
  host?: string;
  port?: number;
}

/**
 * A TCP forwarder that stands for the network between two processes (the agent and the bridge):
 * cut() drops every open connection and refuses new ones (as a dead cellular link does), restore()
 * lets connections through again. Used by the end-to-end test and the demo's --cut-network.
 */
export class TcpProxy {
  private readonly server: Server;
  /** Forwarded connections: [client side, target side]. */
  private readonly open = new Set<[Socket, Socket]>();
  private isCut = false;
  /** Connections accepted and forwarded, and connections refused while cut. */
  readonly counters = { forwarded: 0, refused: 0, dropped: 0 };

  private constructor(
    private readonly options: TcpProxyOptions,
    server: Server,
    readonly host: string,
    readonly port: number,
  ) {
    this.server = server;
  }

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('tcp proxy: no address');
    const proxy = new TcpProxy(options, server, host, address.port);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  get url(): string {
    return `${this.host}:${this.port}`;
  }

  get cutNow(): boolean {
    return this.isCut;
  }

  private accept(client: Socket): void {
    if (this.isCut) {
      this.counters.refused++;
      client.destroy();
      return;
    }
    this.counters.forwarded++;
    const upstream = createConnection(this.options.target);
    const pair: [Socket, Socket] = [client, upstream];
    this.open.add(pair);
    for (const s of pair) {
      s.on('error', () => undefined);
      // One side gone: the other goes too, as a forwarded connection would.
      s.on('close', () => {
        this.open.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every connection now and refuses new ones until restore(). */
  cut(): void {
    this.isCut = true;
    this.counters.dropped += this.open.size;
    for (const [client] of this.open) client.destroy();
  }

  restore(): void {
    this.isCut = false;
  }

  readonly stop = once(async () => {
    for (const [client] of this.open) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  });
}
