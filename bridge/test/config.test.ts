import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBridgeConfig, maxPacketBytes } from '../src/config.js';
import { kafkaClientConfig } from '../src/kafka.js';

describe('bridge configuration', () => {
  it('has safe defaults: embedded mode, no topic auto-creation, idempotent producer', () => {
    const c = loadBridgeConfig(undefined, {}, {});
    expect(c.mode).toBe('embedded');
    expect(c.kafka.allowAutoTopicCreation).toBe(false);
    expect(c.kafka.idempotent).toBe(true);
    expect(c.mqtt.allowAnonymous).toBe(false);
    expect(c.mqtt.tcp.port).toBe(1883);
  });

  it('has front-door limits: packets before and after login, connections, logins, dead letters, event times', () => {
    const c = loadBridgeConfig(undefined, {}, {});
    expect(c.mqtt.maxConnectBytes).toBe(4096);
    expect(maxPacketBytes(c.mqtt)).toBe(128 * 1024 + 4096);
    expect(maxPacketBytes(loadBridgeConfig(undefined, { mqtt: { payloadBudget: 2048 } }, {}).mqtt)).toBe(2048 + 4096);
    expect(maxPacketBytes(loadBridgeConfig(undefined, { mqtt: { maxPacketBytes: 16 * 1024 * 1024 } }, {}).mqtt)).toBe(16 * 1024 * 1024);
    expect(c.mqtt.connectTimeoutMs).toBe(10_000);
    expect(c.mqtt.login).toEqual({ maxConcurrent: 2, maxWaitMs: 5000, addressFailures: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 });
    expect(c.deadLetterKeepBytes).toBe(128 * 1024);
    expect(c.eventTime).toEqual({ earliest: '2020-01-01', maxAheadMs: 86_400_000 });
    expect(() => loadBridgeConfig(undefined, { mqtt: { login: { maxConcurent: 3 } } }, {})).toThrow(/\/mqtt\/login\/maxConcurent/);
  });

  it('reads YAML < env FLEETLAKE_BRIDGE_* < flags', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bridge-cfg-')), 'bridge.yaml');
    writeFileSync(file, 'kafka:\n  brokers: [a:9092]\n  lingerMs: 7\nmqtt:\n  tcp: { port: 1999 }\n');
    const env = { FLEETLAKE_BRIDGE_KAFKA__BROKERS: '[b:9092, c:9092]', FLEETLAKE_BRIDGE_MQTT__TCP__PORT: '2000' };
    const c = loadBridgeConfig(file, { mqtt: { tcp: { port: 2001 } } }, env);
    expect(c.kafka.brokers).toEqual(['b:9092', 'c:9092']);
    expect(c.kafka.lingerMs).toBe(7);
    expect(c.mqtt.tcp.port).toBe(2001);
  });

  it('rejects unknown keys and bad values with a clear message', () => {
    expect(() => loadBridgeConfig(undefined, { kafka: { brokerz: ['x'] } }, {})).toThrow(/invalid configuration/);
    expect(() => loadBridgeConfig(undefined, { mode: 'proxy' }, {})).toThrow(/invalid configuration/);
  });

  it('maps several brokers, TLS and SASL/SCRAM to kafkajs options', () => {
    const c = loadBridgeConfig(undefined, { kafka: { brokers: ['k1:9093', 'k2:9093'], ssl: { enabled: true, rejectUnauthorized: false }, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } } }, {});
    const k = kafkaClientConfig(c.kafka);
    expect(k.brokers).toEqual(['k1:9093', 'k2:9093']);
    expect(k.ssl).toMatchObject({ rejectUnauthorized: false });
    expect(k.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });
});
