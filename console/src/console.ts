import { parseLakeRoot } from '@fleetlake/contracts';
import { once, retry, type Logger } from '@fleetlake/core';
import { Auth } from './auth.js';
import type { ConsoleConfig } from './config.js';
import { HealthMonitor } from './health.js';
import { ConsoleHttp } from './http-server.js';
import { createKafkaFeed, type KafkaFeed } from './kafka-feed.js';
import { LakeApi } from './lake-api.js';
import type { LakeReader } from './lake-reader.js';
import { LiveHub } from './live-hub.js';
import { LiveState } from './live-state.js';
import { LocalLake } from './local-lake.js';
import { ConsoleMetrics } from './metrics.js';
import { apiRoutes, APP_PATHS } from './routes.js';
import { S3Lake } from './s3-lake.js';
import { loadStaticFiles } from './static-files.js';

/** img-src for the tiles: the tile server's origin ({s} subdomains as a wildcard). */
export function contentSecurityPolicy(tileUrl: string): string {
  const tiles = /^(https?:\/\/[^/]+)/.exec(tileUrl.replace('{s}', '*'))?.[1];
  return [
    "default-src 'self'",
    `img-src 'self' blob: data:${tiles ? ` ${tiles}` : ''}`,
    // Leaflet positions its panes and markers with style attributes.
    "style-src 'self' 'unsafe-inline'",
    // blob: lets the page read back an image it shows (frames are fetched with the token, shown as blob URLs).
    "connect-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

async function openLake(config: ConsoleConfig, logger: Logger): Promise<LakeReader> {
  const root = parseLakeRoot(config.lake.root);
  const l = config.lake;
  if (root.kind === 'local') return new LocalLake(root.dir, { concurrency: l.concurrency, duckdbThreads: l.duckdbThreads, recentDays: l.recentDays });
  return S3Lake.create({
    bucket: root.bucket, prefix: root.prefix, region: l.region, endpoint: l.endpoint, forcePathStyle: l.forcePathStyle,
    cacheDir: l.cacheDir, cacheMaxBytes: l.cacheMaxBytes, recentDays: l.recentDays, duckdbThreads: l.duckdbThreads, logger,
  });
}

/**
 * The operator console: the lake (local or S3) through the saved queries, a live feed from Kafka pushed
 * to the pages over Server-Sent Events, the pipeline's health from the stages' /metrics, and the
 * single-page app, on one HTTP port.
 */
export class Console {
  private constructor(
    private readonly config: ConsoleConfig,
    private readonly logger: Logger,
    private readonly lake: LakeReader,
    private readonly feed: KafkaFeed | undefined,
    private readonly live: LiveState | undefined,
    private readonly hub: LiveHub,
    private readonly health: HealthMonitor,
    private readonly http: ConsoleHttp,
  ) {}

  private readonly stopping = new AbortController();

  static async create(config: ConsoleConfig, logger: Logger): Promise<Console> {
    const hub = new LiveHub({ maxClients: config.limits.maxLiveClients, maxBufferedBytes: config.limits.liveClientBufferBytes });
    const k = config.kafka;
    const live = k.enabled
      ? new LiveState({ topicPrefix: k.topicPrefix, statusTopic: k.statusTopic, maxDevices: config.limits.maxDevices }, (e) => hub.send(e.type, e))
      : undefined;
    const feed = live
      ? createKafkaFeed({ brokers: k.brokers, clientId: k.clientId, groupIdPrefix: k.groupId, ssl: k.ssl, sasl: k.sasl, topics: live.topics(), logger })
      : undefined;
    const lake = await openLake(config, logger);
    const health = new HealthMonitor({ ...config.health, topicPrefix: k.topicPrefix, logger }, feed);
    const metrics = new ConsoleMetrics(live, hub, lake);
    const auth = new Auth(config.auth);
    const api = new LakeApi(lake, { maxTrackPoints: config.lake.maxTrackPoints, maxFrames: config.lake.maxFrames });
    const http = new ConsoleHttp({
      host: config.http.host,
      port: config.http.port,
      auth,
      routes: apiRoutes({ config, auth, api, lake, live, feed, hub, health, metrics }),
      appPaths: APP_PATHS,
      files: loadStaticFiles(),
      csp: contentSecurityPolicy(config.map.tileUrl),
      logger,
      onRequest: (route, status) => metrics.requests.inc({ route, status: String(status) }),
    });
    return new Console(config, logger, lake, feed, live, hub, health, http);
  }

  get port(): number {
    return this.http.port;
  }

  get url(): string {
    const host = this.config.http.host.includes(':') ? `[${this.config.http.host}]` : this.config.http.host;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${this.port}/`;
  }

  async start(): Promise<void> {
    await this.http.start();
    await this.health.start();
    if (this.feed && this.live) {
      const live = this.live;
      const feed = this.feed;
      // Kafka may come later than the console: the page shows the lake meanwhile, and the feed keeps trying.
      void retry(() => feed.start((records) => live.accept(records)), {
        retries: Infinity, baseMs: 1000, maxMs: 30_000, shouldRetry: () => true, signal: this.stopping.signal,
        onRetry: (err, attempt, delayMs) => this.logger.warn({ err: (err as Error).message, attempt, delayMs }, 'live feed cannot reach Kafka; the map shows the lake meanwhile'),
      }).catch(() => undefined);
    }
    this.logger.info({ url: this.url, lake: this.lake.location, kafka: this.config.kafka.enabled ? this.config.kafka.brokers : false, auth: new Auth(this.config.auth).scheme }, 'console listening');
  }

  readonly stop = once(async () => {
    this.stopping.abort();
    await this.http.stop();
    await this.hub.stop();
    await this.health.stop();
    await this.feed?.stop();
    await this.lake.stop();
  });
}
