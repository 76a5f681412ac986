import { Type, type Static } from '@sinclair/typebox';
import { EventTimeWindowSchema } from '@fleetlake/contracts';
import { kafkaSecurityProperties, loadConfig, type PlainObject } from '@fleetlake/core';

/**
 * Sink configuration: defaults < YAML file < FLEETLAKE_SINK_* environment < flags. Validated once at
 * start-up: unknown keys and bad values are refused with their path, as the agent's and the bridge's.
 */
export const SinkConfigSchema = Type.Object({
  kafka: Type.Object(
    {
      brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['127.0.0.1:9092'] }),
      clientId: Type.String({ default: 'fleetlake-sink' }),
      groupId: Type.String({ default: 'fleetlake-sink' }),
      /** Where a group with no committed offsets starts. */
      fromBeginning: Type.Boolean({ default: true }),
      sessionTimeoutMs: Type.Integer({ minimum: 6000, default: 30_000 }),
      /** Prefix of the topic names (`staging.` → staging.gps_data, ...); tables keep their names. */
      topicPrefix: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]*$' }),
      /** TLS and SASL/SCRAM (MSK, Confluent), the same keys as the bridge's. */
      ...kafkaSecurityProperties,
    },
    { default: {}, additionalProperties: false },
  ),
  lake: Type.Object(
    {
      /** `s3://bucket/prefix` or a local folder. */
      root: Type.String({ minLength: 1, default: './lake' }),
      /** S3-compatible endpoint (MinIO, moto, ...): an http(s) URL. */
      endpoint: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s]*)?$' })),
      region: Type.String({ default: 'us-east-1' }),
      forcePathStyle: Type.Boolean({ default: false }),
      /** Server-side encryption: AES256 (SSE-S3) or aws:kms. */
      sse: Type.Optional(Type.Union([Type.Literal('AES256'), Type.Literal('aws:kms')])),
      kmsKeyId: Type.Optional(Type.String({ minLength: 1 })),
      /** Objects above this many bytes go up as a multipart upload. */
      multipartThresholdBytes: Type.Integer({ minimum: 5 * 1024 * 1024, default: 16 * 1024 * 1024 }),
    },
    { default: {}, additionalProperties: false },
  ),
  roll: Type.Object(
    {
      maxRecords: Type.Integer({ minimum: 1, default: 250_000 }),
      maxBytes: Type.Integer({ minimum: 1024, default: 128 * 1024 * 1024 }),
      /** Event-time span of one file (first record to the newest), never wall clock. */
      maxSpanMs: Type.Integer({ minimum: 1000, default: 3_600_000 }),
      /**
       * A partition with buffered records and no new ones for this long (wall clock) gets a flush
       * marker appended to its Kafka partition; the marker, not the clock, closes the file.
       */
      idleMarkerMs: Type.Integer({ minimum: 100, default: 60_000 }),
    },
    { default: {}, additionalProperties: false },
  ),
  retry: Type.Object(
    {
      baseMs: Type.Integer({ minimum: 1, default: 200 }),
      maxMs: Type.Integer({ minimum: 1, default: 10_000 }),
    },
    { default: {}, additionalProperties: false },
  ),
  http: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      /** 0 picks a free port; -1 disables the server. */
      port: Type.Integer({ minimum: -1, maximum: 65535, default: 9464 }),
    },
    { default: {}, additionalProperties: false },
  ),
  /** Which event times are stored (older or further ahead: dead letters); also the tables' `dt` projection range. */
  eventTime: EventTimeWindowSchema,
  /** Graceful stop: how long to wait for the open files to be stored and committed, whatever Kafka does. */
  drainTimeoutMs: Type.Integer({ minimum: 0, default: 30_000 }),
  duckdbThreads: Type.Integer({ minimum: 1, default: 1 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
}, { additionalProperties: false });

export type SinkConfig = Static<typeof SinkConfigSchema>;

export const ENV_PREFIX = 'FLEETLAKE_SINK_';

export function loadSinkConfig(file: string | undefined, flags: PlainObject = {}, env: NodeJS.ProcessEnv = process.env): SinkConfig {
  return loadConfig({ schema: SinkConfigSchema, file, envPrefix: ENV_PREFIX, env, flags });
}
