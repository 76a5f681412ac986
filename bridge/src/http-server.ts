import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once, type Logger } from '@fleetlake/core';
import type { BridgeMetrics } from './metrics.js';

export interface Health {
  ok: boolean;
  [k: string]: unknown;
}

/** `/metrics` (Prometheus text) and `/healthz` (200 when healthy, 503 otherwise; JSON body). */
export class HttpServer {
  private server: Server | undefined;

  private constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly metrics: BridgeMetrics,
    private readonly health: () => Health,
    private readonly logger: Logger,
  ) {}

  static async create(host: string, port: number, metrics: BridgeMetrics, health: () => Health, logger: Logger): Promise<HttpServer> {
    return new HttpServer(host, port, metrics, health, logger);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        this.metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
            res.end(text);
          },
          (err: unknown) => {
            res.writeHead(500);
            res.end(String(err));
          },
        );
        return;
      }
      if (req.method === 'GET' && path === '/healthz') {
        const h = this.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(h)}\n`);
        return;
      }
      res.writeHead(404);
      res.end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    this.logger.info({ host: this.host, port: this.address() }, 'HTTP listening (/metrics, /healthz)');
  }

  address(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  readonly stop = once(async () => {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
}
