import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** /metrics (Prometheus text) and /healthz (200 while healthy, 503 otherwise). */
export class HttpServer {
  private constructor(private readonly server: Server) {}

  static async start(options: { host: string; port: number; registry: Registry; healthy: () => { ok: boolean; detail: Record<string, unknown> } }): Promise<HttpServer> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics') {
        options.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': options.registry.contentType });
            res.end(text);
          },
          (err: unknown) => {
            res.writeHead(500);
            res.end(String(err));
          },
        );
      } else if (req.url === '/healthz') {
        const h = options.healthy();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: h.ok, ...h.detail }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
    return new HttpServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
