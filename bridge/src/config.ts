import { Type, type Static } from '@sinclair/typebox';
import { kafkaSecurityProperties, loadConfig, type PlainObject } from '@fleetlake/core';
import { DEFAULT_DEAD_LETTER_KEEP_BYTES, DEFAULT_MQTT_PAYLOAD_BUDGET, EventTimeWindowSchema } from '@fleetlake/contracts';

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
  /** Passphrase of an encrypted `key`. */
  passphrase: Type.Optional(Type.String()),
}, { additionalProperties: false });

/** Bytes a packet may have beyond its payload after login: fixed header, topic, packet id. */
export const PACKET_HEADROOM_BYTES = 4096;

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
    /**
     * Open connections at most, with or without a CONNECT yet (beyond: closed at once). Bounds memory
     * with maxPacketBytes and kafka.bufferMaxBytes.
     */
    maxConnections: Type.Integer({ minimum: 1, default: 20000 }),
    /** A connection must have sent its whole CONNECT within this time. */
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
    /**
     * Largest packet before login (the CONNECT: client id, username, password, will). Checked from the
     * packet's length field, before its bytes are buffered.
     */
    maxConnectBytes: Type.Integer({ minimum: 128, maximum: 65536, default: 4096 }),
    /** Largest packet after login; default payloadBudget + 4096 (topic and header). Larger: connection closed. */
    maxPacketBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 256 * 1024 * 1024 })),
    /** Password checks (scrypt): how many at once, how many waiting, back-off after failures. See login-gate.ts. */
    login: Type.Object({
      /** Checks running at once (each holds a thread-pool thread for tens of ms). */
      maxConcurrent: Type.Integer({ minimum: 1, default: 2 }),
      /** A login waiting longer for a free slot is refused (CONNACK 3, server unavailable). */
      maxWaitMs: Type.Integer({ minimum: 0, default: 5000 }),
      /** Failures in a row from one address before it gets the back-off. */
      addressFailures: Type.Integer({ minimum: 1, default: 5 }),
      backoffBaseMs: Type.Integer({ minimum: 0, default: 1000 }),
      backoffMaxMs: Type.Integer({ minimum: 0, default: 60_000 }),
    }, { default: {}, additionalProperties: false }),
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
  /**
   * Original bytes a dead letter keeps (then its full size and SHA-256): a dead letter must fit Kafka
   * whatever was sent. The default holds a whole payload within the default payload budget.
   */
  deadLetterKeepBytes: Type.Integer({ minimum: 0, maximum: 512 * 1024, default: DEFAULT_DEAD_LETTER_KEEP_BYTES }),
  /** Records dated before eventTime.earliest or more than maxAheadMs after receipt become dead letters (the sink's tables would not show them). */
  eventTime: EventTimeWindowSchema,
  logLevel: Type.Optional(Type.String()),
}, { additionalProperties: false });

export type BridgeConfig = Static<typeof BridgeConfigSchema>;
export type KafkaConfig = BridgeConfig['kafka'];

export const ENV_PREFIX = 'FLEETLAKE_BRIDGE_';

/** The largest packet a logged-in device may send. */
export function maxPacketBytes(mqtt: BridgeConfig['mqtt']): number {
  return mqtt.maxPacketBytes ?? mqtt.payloadBudget + PACKET_HEADROOM_BYTES;
}

export function loadBridgeConfig(file: string | undefined, flags: PlainObject = {}, env: NodeJS.ProcessEnv = process.env): Readonly<BridgeConfig> {
  return loadConfig({ schema: BridgeConfigSchema, file, envPrefix: ENV_PREFIX, env, flags });
}
