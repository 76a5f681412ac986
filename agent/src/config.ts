import { Type, type Static } from '@sinclair/typebox';
import { loadConfig, type PlainObject } from '@fleetlake/core';
import { DEFAULT_MQTT_PAYLOAD_BUDGET, DEVICE_ID_PATTERN, MAX_RECORD_BYTES } from '@fleetlake/contracts';

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
        device: Type.Optional(Type.String({ minLength: 1, description: 'serial device (/dev/serial0, /dev/ttyUSB0, /dev/serial/by-id/...) or tcp://host:port; none = no GPS' })),
        baudRate: Type.Integer({ minimum: 1, default: 9600 }),
        recordIntervalMs: Type.Integer({ minimum: 0, default: 1000, description: 'one gps_data record per this much GPS time at most' }),
        maxFixAgeMs: Type.Integer({ minimum: 0, default: 10_000, description: 'GPS time is used while the last fix is this recent; then the host clock (timeSource: host)' }),
        maxPositionAgeMs: Type.Integer({ minimum: 0, default: 300_000, description: 'records take the last fix position while it is this recent' }),
      },
      // Other keys are the GPS reader's own options (silenceTimeoutMs, ...), checked by the reader.
      { default: {}, additionalProperties: true },
    ),
    camera: Type.Object(
      { enabled: Type.Boolean({ default: false }) },
      { default: {}, additionalProperties: true, description: "the camera's options (cameraId, command or folder, intervalSeconds, budgetBytes, ...), checked by the camera" },
    ),
    inputs: Type.Object(
      {
        sources: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'JSON-lines sources: tcp://, tcp-listen://, unix://, serial://' }),
        maxLineBytes: Type.Integer({ minimum: 256, default: MAX_RECORD_BYTES }),
        reconnect: Backoff(500, 30_000),
      },
      { default: {}, additionalProperties: false },
    ),
    statsIntervalMs: Type.Integer({ minimum: 0, default: 60_000, description: 'how often counters are logged (0 = never)' }),
    log: Type.Object({ level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }) }, { default: {}, additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type AgentConfig = Static<typeof AgentConfig>;

export interface ConfigFlags {
  config?: string | undefined;
  deviceId?: string | undefined;
  mqttUrl?: string | undefined;
  dataDir?: string | undefined;
  input?: string[] | undefined;
  logLevel?: string | undefined;
}

/** Defaults < YAML file < FLEETLAKE_AGENT_* environment < flags; validated once, frozen. */
export function loadAgentConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Readonly<AgentConfig> {
  const nested: PlainObject = {
    deviceId: flags.deviceId,
    dataDir: flags.dataDir,
    ...(flags.mqttUrl ? { mqtt: { url: flags.mqttUrl } } : {}),
    ...(flags.input?.length ? { inputs: { sources: flags.input } } : {}),
    ...(flags.logLevel ? { log: { level: flags.logLevel } } : {}),
  };
  const file = flags.config ?? env.FLEETLAKE_AGENT_CONFIG;
  const { FLEETLAKE_AGENT_CONFIG: _ignored, ...rest } = env;
  return loadConfig({ schema: AgentConfig, file, envPrefix: ENV_PREFIX, env: rest, flags: nested });
}
