import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';

/**
 * How a Fleetlake process authenticates to Kafka (MSK, Confluent, self-hosted): TLS (optionally with
 * a client certificate) and SASL PLAIN / SCRAM. One definition for the bridge and the sink, so both
 * read the same `kafka.ssl` / `kafka.sasl` keys. No kafkajs here: core stays free of it (the agent
 * installs core on a Pi); the result is structurally kafkajs' `ssl` and `sasl` options.
 */
export const KafkaSslSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    rejectUnauthorized: Type.Boolean({ default: true }),
    /** PEM file paths. */
    ca: Type.Optional(Type.String({ minLength: 1 })),
    cert: Type.Optional(Type.String({ minLength: 1 })),
    key: Type.Optional(Type.String({ minLength: 1 })),
    /** Passphrase of an encrypted `key`. */
    passphrase: Type.Optional(Type.String()),
  },
  { default: {}, additionalProperties: false },
);

export const KafkaSaslSchema = Type.Object(
  {
    mechanism: Type.Union([Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512'), Type.Literal('plain')]),
    username: Type.String({ minLength: 1 }),
    password: Type.String(),
  },
  { additionalProperties: false },
);

/** The properties to put into a service's `kafka` section. */
export const kafkaSecurityProperties = { ssl: KafkaSslSchema, sasl: Type.Optional(KafkaSaslSchema) };

export interface KafkaSecurity {
  ssl: Static<typeof KafkaSslSchema>;
  sasl?: Static<typeof KafkaSaslSchema> | undefined;
}

const read = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : undefined);

/** kafkajs' `ssl` and `sasl` client options (certificate files read now, at start-up). */
export function kafkaSecurityOptions(config: KafkaSecurity): {
  ssl?: { rejectUnauthorized: boolean; ca?: string | undefined; cert?: string | undefined; key?: string | undefined; passphrase?: string | undefined };
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
} {
  return {
    ...(config.ssl.enabled ? {
          ssl: {
            rejectUnauthorized: config.ssl.rejectUnauthorized,
            ca: read(config.ssl.ca),
            cert: read(config.ssl.cert),
            key: read(config.ssl.key),
            ...(config.ssl.passphrase !== undefined ? { passphrase: config.ssl.passphrase } : {}),
          },
        } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } } : {}),
  };
}
