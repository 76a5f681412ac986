import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCode, once, type Logger } from '@fleetlake/core';
import type { Auth } from './auth.js';
import { HttpError, notFound } from './http-errors.js';
import type { StaticFile } from './static-files.js';

/** What a route returns: JSON, bytes with a type, or nothing (it answered by itself, e.g. an event stream). */
export type RouteResult = { json: unknown } | { body: Buffer; type: string } | undefined;

export interface Route {
  /** Matched against the path; groups are URL-decoded and passed on. */
  pattern: RegExp;
  /** Public routes answer without credentials (the page shell, /healthz, /metrics). */
  public?: boolean;
  handle(params: string[], query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<RouteResult>;
}

export interface ConsoleHttpOptions {
  host: string;
  port: number;
  auth: Auth;
  routes: Route[];
  /** Paths of the single-page app: all serve index.html. */
  appPaths: RegExp[];
  files: Map<string, StaticFile>;
  /** Content-Security-Policy of the page. */
  csp: string;
  logger: Logger;
  onRequest?: (route: string, status: number) => void;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain error page for paths that are not the app's (the app shows API errors itself). */
export function errorPage(status: number, title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Fleetlake console</title>
<link rel="stylesheet" href="/assets/app.css"></head><body><main class="error-page" data-status="${status}"><h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p><p><a href="/">Back to the fleet map</a></p></main></body></html>\n`;
}

/**
 * The console's HTTP server (node:http: a handful of read-only GET routes and one event stream need no
 * framework). Every API route needs the configured credentials; errors answer `{ error, code }`.
 */
export class ConsoleHttp {
  private server: Server | undefined;

  constructor(private readonly options: ConsoleHttpOptions) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  private send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console.local');
    } catch {
      return this.send(res, 400, 'text/plain', 'bad request\n');
    }
    const path = url.pathname;
    let routeName = 'static';
    const done = (status: number) => this.options.onRequest?.(routeName, status);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      done(405);
      return this.send(res, 405, 'application/json', JSON.stringify({ error: 'the console is read-only: GET only', code: 'METHOD_NOT_ALLOWED' }), { allow: 'GET, HEAD' });
    }
    const file = this.options.files.get(path) ?? (this.options.appPaths.some((p) => p.test(path)) ? this.options.files.get('/assets/index.html') : undefined);
    if (file) {
      done(200);
      return this.send(res, 200, file.type, file.body, { 'cache-control': 'no-cache', 'content-security-policy': this.options.csp, 'referrer-policy': 'no-referrer' });
    }
    const route = this.options.routes.find((r) => r.pattern.test(path));
    if (!route) {
      done(404);
      const body = path.startsWith('/api/') ? JSON.stringify({ error: `no such API: ${path}`, code: 'NOT_FOUND' }) : errorPage(404, 'Page not found', `There is no page at ${path}.`);
      return this.send(res, 404, path.startsWith('/api/') ? 'application/json' : 'text/html; charset=utf-8', body);
    }
    routeName = route.pattern.source;
    if (!route.public) {
      const auth = this.options.auth.check(req);
      if (!auth.ok) {
        done(401);
        return this.send(res, 401, 'application/json', JSON.stringify({ error: 'credentials needed', code: 'UNAUTHORIZED' }), auth.challenge ? { 'www-authenticate': auth.challenge } : {});
      }
    }
    try {
      let groups: string[];
      try {
        groups = route.pattern.exec(path)!.slice(1).map((g) => decodeURIComponent(g));
      } catch {
        throw notFound(`bad path ${path}`);
      }
      const result = await route.handle(groups, url.searchParams, req, res);
      if (result === undefined) return done(200);
      done(200);
      if ('json' in result) this.send(res, 200, 'application/json', JSON.stringify(result.json), { 'cache-control': 'no-store' });
      else this.send(res, 200, result.type, result.body, { 'cache-control': 'private, max-age=3600' });
    } catch (err) {
      const code = err instanceof HttpError ? err.code : errorCode(err);
      const status = err instanceof HttpError ? err.status : code === 'LAKE_CACHE_FULL' || code === 'FRAME_TOO_LARGE' ? 413 : code === 'NOT_A_FRAME' ? 404 : code.startsWith('S3_') ? 502 : 500;
      done(status);
      if (status === 500) this.options.logger.error({ err, path }, 'request failed');
      const message = status === 500 ? `the console could not answer: ${(err as Error).message}` : (err as Error).message;
      if (!res.headersSent) this.send(res, status, 'application/json', JSON.stringify({ error: message, code }));
      else res.destroy();
    }
  }

  readonly stop = once(async () => {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
}
