import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, loadConfig } from '@fleetlake/core';
import { DEFAULT_MQTT_PAYLOAD_BUDGET, DEVICE_ID_PATTERN, MAX_RECORD_BYTES } from '@fleetlake/contracts';
import { CameraOptionsSchema, resolveCameraOptions, type CameraInput } from './camera/camera.js';
import { flagsToConfig, type ConfigFlags } from './config-flags.js';
export type { ConfigFlags } from './config-flags.js';
import { GpsReaderOptionsSchema, resolveGpsReaderOptions, type GpsReaderInput, type GpsReaderOptions } from './gps/reader-options.js';

export const DEFAULT_CONFIG_FILE = '/etc/fleetlake/agent.yaml';
export const ENV_PREFIX = 'FLEETLAKE_AGENT_';

const Backoff = (baseMs: number, maxMs: number) =>
  Type.Object(
    {
      baseMs: Type.Integer({ minimum: 1, default: baseMs, description: 'first retry delay (before jitter)' }),
      maxMs: Type.Integer({ minimum: 1, default: maxMs, description: 'cap on any retry delay' }),
    },
    { default: {}, additionalProperties: false },
  );

/** The agent's configuration: one YAML file, then FLEETLAKE_AGENT_* environment variables, then flags. */
export const AgentConfig = Type.Object(
  {
    deviceId: Type.String({ pattern: DEVICE_ID_PATTERN, description: 'this vehicle/device, e.g. pi-van-07 (letters, digits, _ . -)' }),
    dataDir: Type.String({ minLength: 1, default: '/var/lib/fleetlake-agent', description: 'holds the outbox' }),
    vehicleType: Type.String({ minLength: 1, maxLength: 64, default: 'private', description: 'gps_data.vehicleType' }),
    mqtt: Type.Object(
      {
        url: Type.String({ pattern: '^(mqtts?|wss?)://[^\\s]+$', description: 'mqtts://xxxx-ats.iot.eu-west-1.amazonaws.com:8883, mqtt://127.0.0.1:1883' }),
        protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 5, description: '4 = MQTT 3.1.1, 5 = MQTT 5' }),
        clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'defaults to deviceId (AWS IoT: the thing name)' })),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        keepaliveSec: Type.Integer({ minimum: 5, maximum: 1200, default: 30 }),
        connectTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
        maxInflight: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'unacknowledged QoS 1 messages at most' }),
        replayRatePerSecond: Type.Number({ exclusiveMinimum: 0, default: 50, description: 'messages per second at most, e.g. while replaying a backlog after a reconnect' }),
        payloadBudgetBytes: Type.Integer({ minimum: 1024, default: DEFAULT_MQTT_PAYLOAD_BUDGET, description: 'largest camera frame sent' }),
        reconnect: Backoff(1000, 60_000),
        tls: Type.Optional(
          Type.Object(
            {
              ca: Type.Optional(Type.String({ description: 'CA bundle (PEM) for the broker, e.g. AmazonRootCA1.pem' })),
              cert: Type.Optional(Type.String({ description: 'client certificate (PEM)' })),
              key: Type.Optional(Type.String({ description: 'client private key (PEM)' })),
              rejectUnauthorized: Type.Boolean({ default: true }),
              alpnProtocols: Type.Optional(Type.Array(Type.String(), { description: 'e.g. [x-amzn-mqtt-ca] for AWS IoT Core on port 443' })),
              servername: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    outbox: Type.Object(
      {
        maxBytes: Type.Integer({ minimum: 64 * 1024, default: 256 * 1024 * 1024, description: 'bound on the outbox on disk; the oldest records are dropped (and counted) beyond it' }),
        segmentBytes: Type.Integer({ minimum: 4096, default: 4 * 1024 * 1024 }),
        checkpointIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    gps: Type.Object(
      {
        // The GPS reader's own options (reader-options.ts), checked here with the rest of the file.
        ...GpsReaderOptionsSchema.properties,
        device: Type.Optional(Type.String({ minLength: 1, description: 'serial device (/dev/serial0, /dev/ttyUSB0, /dev/serial/by-id/...) or tcp://host:port; unset = no GPS' })),
        recordIntervalMs: Type.Integer({ minimum: 0, default: 1000, description: 'one gps_data record per this much GPS time at most' }),
        maxFixAgeMs: Type.Integer({ minimum: 0, default: 10_000, description: 'GPS time is used while the last fix is this recent; then the host clock (timeSource: host)' }),
        maxPositionAgeMs: Type.Integer({ minimum: 0, default: 300_000, description: 'records take the last fix position while it is this recent' }),
      },
      { default: {}, additionalProperties: false },
    ),
    camera: Type.Object(
      {
        // The camera's own options (camera.ts), checked here with the rest of the file.
        ...CameraOptionsSchema.properties,
        enabled: Type.Optional(Type.Boolean({ description: 'default: on when command or folder is set' })),
        budgetBytes: Type.Optional(Type.Integer({ minimum: 4096, description: 'largest JPEG sent; defaults to mqtt.payloadBudgetBytes and may not exceed it' })),
      },
      { default: {}, additionalProperties: false },
    ),
    inputs: Type.Object(
      {
        sources: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'JSON-lines sources: tcp://, tcp-listen://, unix://, serial://' }),
        maxLineBytes: Type.Integer({ minimum: 256, default: MAX_RECORD_BYTES }),
        reconnect: Backoff(500, 30_000),
      },
      { default: {}, additionalProperties: false },
    ),
    http: Type.Object(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address of the status endpoint (/metrics, /healthz, /stats); 0.0.0.0 for every interface' }),
        port: Type.Integer({ minimum: -1, maximum: 65_535, default: -1, description: '-1 = off, 0 = any free port (logged as "agent http listening")' }),
      },
      { default: {}, additionalProperties: false },
    ),
    statsIntervalMs: Type.Integer({ minimum: 0, default: 60_000, description: 'how often counters are logged (0 = never)' }),
    log: Type.Object({ level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }) }, { default: {}, additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type AgentConfig = Static<typeof AgentConfig>;

/** Defaults < YAML file < FLEETLAKE_AGENT_* environment < flags; validated once (with the GPS reader's and camera's own rules), frozen. */
export function loadAgentConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Readonly<AgentConfig> {
  const file = flags.config ?? env.FLEETLAKE_AGENT_CONFIG;
  const { FLEETLAKE_AGENT_CONFIG: _ignored, ...rest } = env;
  const config = loadConfig({ schema: AgentConfig, file, envPrefix: ENV_PREFIX, env: rest, flags: flagsToConfig(flags) });
  checkAgentConfig(config);
  return config;
}

/** The rules a schema cannot say; throws ConfigError naming the keys. */
function checkAgentConfig(config: Readonly<AgentConfig>): void {
  if (config.gps.device !== undefined) within('gps', () => resolveGpsReaderOptions(gpsReaderInput(config.gps)));
  const camera = config.camera;
  if (camera.enabled === true && camera.command === undefined && camera.folder === undefined) {
    throw new ConfigError('invalid configuration: camera.enabled is true but neither camera.command (--camera-command) nor camera.folder (--camera-folder) is set');
  }
  if (camera.command !== undefined && camera.folder !== undefined) {
    throw new ConfigError('invalid configuration: set only one of camera.command (--camera-command) and camera.folder (--camera-folder)');
  }
  if (camera.budgetBytes !== undefined && camera.budgetBytes > config.mqtt.payloadBudgetBytes) {
    throw new ConfigError(`invalid configuration: camera.budgetBytes (${camera.budgetBytes}) exceeds mqtt.payloadBudgetBytes (${config.mqtt.payloadBudgetBytes}); such frames could never be sent`);
  }
  if (cameraEnabled(camera)) within('camera', () => resolveCameraOptions(cameraInput(config)));
}

/** Runs a part's own option check, naming the config section in its error. */
function within(section: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`invalid configuration: ${section} section: ${err.message}`, { section });
    throw err;
  }
}

/** The agent's own gps settings; every other key of the `gps` section is the GPS reader's. */
const AGENT_GPS_KEYS: ReadonlySet<string> = new Set(['recordIntervalMs', 'maxFixAgeMs', 'maxPositionAgeMs']);

/** The GPS reader's options from the `gps` section (which must name a device). */
export function gpsReaderInput(gps: AgentConfig['gps']): GpsReaderInput {
  const options = Object.fromEntries(Object.entries(gps).filter(([k]) => !AGENT_GPS_KEYS.has(k))) as Partial<GpsReaderOptions>;
  return { ...options, device: gps.device ?? '' };
}

/** The camera runs when `enabled` says so, or (unset) when a command or folder is configured. */
export function cameraEnabled(camera: AgentConfig['camera']): boolean {
  return camera.enabled ?? (camera.command !== undefined || camera.folder !== undefined);
}

/** The camera's options from the `camera` section; frames fit the MQTT payload budget unless it says less. */
export function cameraInput(config: Readonly<AgentConfig>): CameraInput {
  const { enabled: _enabled, ...options } = config.camera;
  return { ...options, budgetBytes: options.budgetBytes ?? config.mqtt.payloadBudgetBytes };
}
