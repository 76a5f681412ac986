import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, kafkaSecurityProperties, loadConfig, type PlainObject } from '@fleetlake/core';
import { DEVICE_STATUS_TOPIC, parseLakeRoot } from '@fleetlake/contracts';

/** OpenStreetMap's standard tiles; their usage policy asks for the attribution below. */
export const OSM_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
export const OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const Urls = () => Type.Array(Type.String({ pattern: '^https?://' }), { default: [], maxItems: 64 });

/** The console's configuration: defaults < YAML file < FLEETLAKE_CONSOLE_* environment < flags. */
export const ConsoleConfigSchema = Type.Object({
  http: Type.Object({
    /** Loopback by default; any other address needs `auth`. */
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    /** 0 picks a free port. */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  }, { default: {}, additionalProperties: false }),
  /** Basic auth (browsers ask for it) or a bearer token (the page asks for it once); required off loopback. */
  auth: Type.Object({
    basic: Type.Optional(Type.Object({
      username: Type.String({ minLength: 1, maxLength: 128 }),
      password: Type.String({ minLength: 8, maxLength: 1024 }),
    }, { additionalProperties: false })),
    token: Type.Optional(Type.String({ minLength: 16, maxLength: 1024, pattern: '^[\\x21-\\x7e]+$' })),
  }, { default: {}, additionalProperties: false }),
  lake: Type.Object({
    /** A local lake folder (read with DuckDB) or `s3://bucket/prefix` (objects fetched through the sink's S3 store). */
    root: Type.String({ minLength: 1, default: './lake' }),
    endpoint: Type.Optional(Type.String({ minLength: 1 })),
    region: Type.String({ default: 'us-east-1' }),
    forcePathStyle: Type.Boolean({ default: false }),
    /** S3 lakes: the Parquet objects of the requested days are kept here (default: a folder under the system temp dir). */
    cacheDir: Type.Optional(Type.String({ minLength: 1 })),
    cacheMaxBytes: Type.Integer({ minimum: 1 << 20, default: 1 << 30 }),
    /** The fleet map reads the last this many days that hold positions, the incident list those that hold incidents. */
    recentDays: Type.Integer({ minimum: 1, maximum: 31, default: 2 }),
    /** Longest window a vehicle view may ask for. */
    maxWindowDays: Type.Integer({ minimum: 1, maximum: 92, default: 7 }),
    /** A window with more positions than this is refused (narrow it) rather than thinned out. */
    maxTrackPoints: Type.Integer({ minimum: 1000, default: 250_000 }),
    /** Camera frames listed per vehicle view (evenly spread over the window when there are more). */
    maxFrames: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
    /** Lake queries running at once (each holds a DuckDB instance). */
    concurrency: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
    duckdbThreads: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  }, { default: {}, additionalProperties: false }),
  kafka: Type.Object({
    /** Off: the map shows the lake only, without live updates or the sink's lag. */
    enabled: Type.Boolean({ default: true }),
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['127.0.0.1:9092'] }),
    clientId: Type.String({ minLength: 1, default: 'fleetlake-console' }),
    /** Each console process joins a group of its own named `{groupId}-{random}`, so every console sees every record. */
    groupId: Type.String({ minLength: 1, maxLength: 200, default: 'fleetlake-console' }),
    topicPrefix: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]*$' }),
    /** Where the bridge writes device status (its `mqtt.statusKafkaTopic`); read from the beginning (keyed by deviceId). */
    statusTopic: Type.String({ minLength: 1, default: DEVICE_STATUS_TOPIC }),
    ...kafkaSecurityProperties,
  }, { default: {}, additionalProperties: false }),
  map: Type.Object({
    /** Leaflet URL template; empty: no tiles, tracks and markers on a plain background. */
    tileUrl: Type.String({ default: OSM_TILES }),
    attribution: Type.String({ default: OSM_ATTRIBUTION }),
    maxZoom: Type.Integer({ minimum: 1, maximum: 24, default: 19 }),
  }, { default: {}, additionalProperties: false }),
  health: Type.Object({
    /** /metrics URLs of each stage (several instances are summed). */
    agent: Urls(),
    bridge: Urls(),
    sink: Urls(),
    /** The sink's consumer group, for its lag. */
    sinkGroup: Type.String({ minLength: 1, default: 'fleetlake-sink' }),
    intervalMs: Type.Integer({ minimum: 250, default: 2000 }),
  }, { default: {}, additionalProperties: false }),
  limits: Type.Object({
    /** Devices the live view tracks; records of further devices are counted and dropped. */
    maxDevices: Type.Integer({ minimum: 1, default: 10_000 }),
    /** Open live streams (Server-Sent Events); further pages are refused with 503. */
    maxLiveClients: Type.Integer({ minimum: 1, default: 100 }),
    /** A live client whose unsent backlog passes this many bytes is disconnected (it reconnects to a fresh snapshot). */
    liveClientBufferBytes: Type.Integer({ minimum: 64 * 1024, default: 4 << 20 }),
  }, { default: {}, additionalProperties: false }),
  logLevel: Type.String({ default: 'info' }),
}, { additionalProperties: false });

export type ConsoleConfig = Static<typeof ConsoleConfigSchema>;

export const ENV_PREFIX = 'FLEETLAKE_CONSOLE_';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Rules that span keys, checked once with the schema. */
function checkConsoleConfig(config: ConsoleConfig): ConsoleConfig {
  const { basic, token } = config.auth;
  if (!isLoopback(config.http.host) && !basic && !token) {
    throw new ConfigError(`http.host ${config.http.host} is not loopback: set auth.basic (username, password) or auth.token`);
  }
  try {
    parseLakeRoot(config.lake.root);
  } catch (err) {
    throw new ConfigError(`lake.root: ${(err as Error).message}`);
  }
  if (config.map.tileUrl !== '' && !/^https?:\/\/.*\{z\}.*\{x\}.*\{y\}/.test(config.map.tileUrl)) {
    throw new ConfigError(`map.tileUrl must be an http(s) URL template with {z}, {x} and {y} (or empty for no tiles), got ${JSON.stringify(config.map.tileUrl)}`);
  }
  return config;
}

export function loadConsoleConfig(file: string | undefined, flags: PlainObject = {}, env: NodeJS.ProcessEnv = process.env): Readonly<ConsoleConfig> {
  return checkConsoleConfig(loadConfig({ schema: ConsoleConfigSchema, file, envPrefix: ENV_PREFIX, env, flags }));
}
