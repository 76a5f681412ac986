import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { kafkaSecurityOptions, kafkaSecurityProperties } from '../src/kafka-security.js';

const Schema = Type.Object({ kafka: Type.Object({ brokers: Type.Array(Type.String()), ...kafkaSecurityProperties }, { default: {}, additionalProperties: false }) });

describe('kafka security settings', () => {
  it('are off by default: plaintext, no SASL', () => {
    const c = loadConfig({ schema: Schema, env: {}, flags: { kafka: { brokers: ['k:9092'] } } });
    expect(kafkaSecurityOptions(c.kafka)).toEqual({});
  });

  it('read TLS files at start-up and pass SCRAM credentials, from the environment as an operator sets them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetlake-kafka-tls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    const c = loadConfig({
      schema: Schema,
      envPrefix: 'X_',
      env: {
        X_KAFKA__BROKERS: '[b-1.msk:9096,b-2.msk:9096]',
        X_KAFKA__SSL__ENABLED: 'true',
        X_KAFKA__SSL__CA: join(dir, 'ca.pem'),
        X_KAFKA__SASL__MECHANISM: 'scram-sha-512',
        X_KAFKA__SASL__USERNAME: 'sink',
        X_KAFKA__SASL__PASSWORD: 's3cret',
      },
    });
    expect(kafkaSecurityOptions(c.kafka)).toEqual({
      ssl: { rejectUnauthorized: true, ca: 'CA PEM', cert: undefined, key: undefined },
      sasl: { mechanism: 'scram-sha-512', username: 'sink', password: 's3cret' },
    });
  });

  it('refuse an unknown SASL mechanism with the path in the message', () => {
    expect(() => loadConfig({ schema: Schema, env: {}, flags: { kafka: { brokers: ['k:9092'], sasl: { mechanism: 'aws-iam', username: 'u', password: 'p' } } } })).toThrow(/kafka\/sasl\/mechanism/);
  });
});
