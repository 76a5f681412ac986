import type { ServerResponse } from 'node:http';
import { once } from '@fleetlake/core';

export interface LiveHubOptions {
  maxClients: number;
  /** A client whose socket holds more unsent bytes than this is dropped (it reconnects to a fresh snapshot). */
  maxBufferedBytes: number;
  heartbeatMs?: number;
}

/**
 * Server-Sent Events to the open pages: each client gets a `snapshot` first, then every live event.
 * Memory stays bounded: at most `maxClients` streams, and a slow client is disconnected instead of
 * buffering without end.
 */
export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  readonly counters = { connected: 0, refused: 0, dropped: 0 };

  constructor(private readonly options: LiveHubOptions) {
    // A comment line now and then keeps proxies from closing an idle stream.
    this.timer = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over the response as an event stream; false (and a 503) when full. */
  open(res: ServerResponse, snapshot: unknown): boolean {
    if (this.clients.size >= this.options.maxClients) {
      this.counters.refused++;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end(JSON.stringify({ error: `too many live clients (limits.maxLiveClients ${this.options.maxClients})`, code: 'TOO_MANY_CLIENTS' }));
      return false;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    this.counters.connected++;
    res.on('close', () => this.clients.delete(res));
    res.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    return true;
  }

  send(type: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.options.maxBufferedBytes) {
        this.counters.dropped++;
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }

  readonly stop = once(async () => {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  });
}
