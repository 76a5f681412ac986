import { Type, type Static } from '@sinclair/typebox';
import { kafkaSecurityProperties, loadConfig, type PlainObject } from '@fleetlake/core';
import { DEFAULT_MQTT_PAYLOAD_BUDGET } from '@fleetlake/contracts';

/**
 * The bridge's configuration: defaults < YAML file < env FLEETLAKE_BRIDGE_* < flags. Validated once
 * at start-up and frozen.
 */
const Port = (def: number) => Type.Integer({ minimum: 0, maximum: 65535, default: def });
const Host = () => Type.String({ minLength: 1, default: '127.0.0.1' });

const TlsFiles = Type.Object({
  /** PEM file paths. */
  ca: Type.Optional(Type.String({ minLength: 1 })),
  cert: Type.Optional(Type.String({ minLength: 1 })),
  key: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

export const BridgeConfigSchema = Type.Object({
  /** embedded: aedes broker in the bridge (default); external: subscriber to Mosquitto/EMQX/AWS IoT Core. */
  mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')], { default: 'embedded' }),
  mqtt: Type.Object({
    tcp: Type.Object({
      enabled: Type.Boolean({ default: true }),
      host: Host(),
      port: Port(1883),
    }, { default: {}, additionalProperties: false }),
    tls: Type.Object({
      enabled: Type.Boolean({ default: false }),
      host: Host(),
      port: Port(8883),
      ...TlsFiles.properties,
      /** Ask devices for a client certificate (verified against `ca`); its CN is the deviceId. */
      requestClientCert: Type.Boolean({ default: true }),
    }, { default: {}, additionalProperties: false }),
    /**
     * MQTT over WebSocket (ws://HOST:PORT/PATH), for devices and dashboards behind proxies that pass
     * only HTTP. Same authentication as TCP (passwords); terminate TLS (wss://) in front of it.
     */
    ws: Type.Object({
      enabled: Type.Boolean({ default: false }),
      host: Host(),
      port: Port(8083),
      path: Type.String({ pattern: '^/', default: '/mqtt' }),
    }, { default: {}, additionalProperties: false }),
    /** YAML `devices: { <deviceId>: "scrypt$..." }`, made with `fleetlake-bridge hash-password`. */
    credentialsFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Only for local experiments: accept devices without credentials (username = deviceId, unchecked). */
    allowAnonymous: Type.Boolean({ default: false }),
    payloadBudget: Type.Integer({ minimum: 1024, default: DEFAULT_MQTT_PAYLOAD_BUDGET }),
    /** Refuse new connections beyond this many devices (bounds memory together with kafka.bufferMaxBytes). */
    maxConnections: Type.Integer({ minimum: 1, default: 20000 }),
    /** Status messages (.../status): pass through the broker only (default) or also write them to this Kafka topic. */
    statusKafkaTopic: Type.Optional(Type.String({ minLength: 1 })),
    external: Type.Object({
      url: Type.String({ default: 'mqtt://127.0.0.1:1883' }),
      clientId: Type.String({ minLength: 1, default: 'fleetlake-bridge' }),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      /** $share group; empty string = plain (non-shared) subscription. */
      shareGroup: Type.String({ default: 'fleetlake-bridge' }),
      topicFilter: Type.String({ default: 'fleetlake/v1/+/#' }),
      sessionExpirySec: Type.Integer({ minimum: 0, default: 86400 }),
      ...TlsFiles.properties,
    }, { default: {}, additionalProperties: false }),
  }, { default: {}, additionalProperties: false }),
  kafka: Type.Object({
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['127.0.0.1:9092'] }),
    clientId: Type.String({ default: 'fleetlake-bridge' }),
    /** TLS and SASL/SCRAM, as for the sink (core's kafka-security). */
    ...kafkaSecurityProperties,
    idempotent: Type.Boolean({ default: true }),
    /** Off by default: topics are created with `fleetlake-bridge create-topics`. */
    allowAutoTopicCreation: Type.Boolean({ default: false }),
    /**
     * Parallel producers (connections); a device always uses the same one, so its order holds. Each
     * produce request costs the bridge and the broker CPU however few records it holds: one lane makes
     * the fewest requests (see README, "Kafka writer").
     */
    lanes: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
    /** Wait this long for more records before sending a batch (unless it is full); Kafka 4's Java producer default. */
    lingerMs: Type.Integer({ minimum: 0, default: 5 }),
    batchMaxRecords: Type.Integer({ minimum: 1, default: 5000 }),
    /**
     * Estimated bytes per produce request. Keep it under the broker's `message.max.bytes` (1 MiB by
     * default) and the topics' `max.message.bytes`: all of a request's records may fall into one
     * partition, and a batch Kafka refuses for its size is sent again in halves (extra requests; a
     * single record still refused is not acknowledged).
     */
    batchMaxBytes: Type.Integer({ minimum: 1024, default: 1_000_000 }),
    /** Records received but not yet acknowledged by Kafka; beyond it, devices are not read (TCP back-pressure). */
    bufferMaxBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
    requestTimeoutMs: Type.Integer({ minimum: 100, default: 30000 }),
    /** Attempts kafkajs makes inside one send before the bridge's own retry loop takes over. */
    sendRetries: Type.Integer({ minimum: 0, default: 2 }),
  }, { default: {}, additionalProperties: false }),
  http: Type.Object({
    enabled: Type.Boolean({ default: true }),
    host: Host(),
    port: Port(9464),
  }, { default: {}, additionalProperties: false }),
  /** Graceful shutdown: how long to wait for in-flight records to reach Kafka. */
  drainTimeoutMs: Type.Integer({ minimum: 0, default: 30000 }),
  logLevel: Type.Optional(Type.String()),
}, { additionalProperties: false });

export type BridgeConfig = Static<typeof BridgeConfigSchema>;
export type KafkaConfig = BridgeConfig['kafka'];

export const ENV_PREFIX = 'FLEETLAKE_BRIDGE_';

export function loadBridgeConfig(file: string | undefined, flags: PlainObject = {}, env: NodeJS.ProcessEnv = process.env): Readonly<BridgeConfig> {
  return loadConfig({ schema: BridgeConfigSchema, file, envPrefix: ENV_PREFIX, env, flags });
}
