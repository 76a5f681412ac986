import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetlakeError, once, redact, silentLogger, type Logger } from '@fleetlake/core';
import type { AgentHealth, AgentStats } from '../agent.js';
import { agentMetrics } from './agent-metrics.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from './prometheus-text.js';

/** What the endpoint reports on: the running agent. */
export interface StatusProvider {
  stats(): AgentStats;
  health(): AgentHealth;
}

export interface StatusServerOptions {
  host: string;
  /** 0 = any free port (see address() once started). */
  port: number;
  provider: StatusProvider;
  logger?: Logger;
}

/**
 * The agent's local HTTP status endpoint: GET /metrics (Prometheus text), /healthz (200 while the
 * outbox is open, else 503; JSON body), /stats (JSON of Agent.stats()). Read-only; binds 127.0.0.1
 * unless configured otherwise.
 */
export class StatusServer {
  private server: Server | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: StatusServerOptions) {
    this.log = opts.logger ?? silentLogger();
  }

  /** Listens; resolves once bound (rejects, e.g. EADDRINUSE, when it cannot) and logs the address. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    const { host, port } = this.opts;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) =>
        reject(new FleetlakeError('HTTP_LISTEN_FAILED', `status endpoint cannot listen on ${host}:${port} (http.host, http.port / --http-port): ${err.message}`, { retriable: true, cause: err }));
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, 'agent http error'));
    this.server = server;
    const bound = this.address()!;
    const url = `http://${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`;
    this.log.info({ host: bound.address, port: bound.port, url }, 'agent http listening');
  }

  /** The bound address, once started. */
  address(): AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  /** Stops listening and closes open connections. Idempotent. */
  readonly stop = once(async () => {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      switch (path) {
        case '/metrics':
          return send(res, 200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(agentMetrics(this.opts.provider.stats())));
        case '/healthz': {
          const health = this.opts.provider.health();
          return send(res, health.ok ? 200 : 503, 'application/json', JSON.stringify(health));
        }
        case '/stats':
          return send(res, 200, 'application/json', JSON.stringify(this.opts.provider.stats()));
        default:
          return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz or /stats\n');
      }
    } catch (err) {
      this.log.error({ err, path }, 'agent http request failed');
      send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
    }
  }
}

/** Every answer is redacted (core's redact): /stats carries error messages and input source names. */
function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  const body = redact(text);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
