import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, loadConfig } from '../src/index.js';

const Schema = Type.Object(
  {
    deviceId: Type.String({ minLength: 1 }),
    mqtt: Type.Object({ url: Type.String({ default: 'mqtt://localhost:1883' }), keepalive: Type.Integer({ minimum: 1, default: 30 }) }, { default: {} }),
    gps: Type.Object({ baudRate: Type.Integer({ default: 9600 }) }, { default: {} }),
  },
  { additionalProperties: false },
);

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'agent.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags and freezes the result', () => {
    const file = yamlFile('deviceId: from-file\nmqtt:\n  url: mqtt://file:1883\ngps:\n  baudRate: 4800\n');
    const cfg = loadConfig({
      schema: Schema,
      file,
      envPrefix: 'FLEETLAKE_AGENT_',
      env: { FLEETLAKE_AGENT_MQTT__URL: 'mqtts://env:8883', FLEETLAKE_AGENT_MQTT__KEEPALIVE: '60', OTHER: 'x' },
      flags: { deviceId: 'from-flag' },
    });
    expect(cfg).toEqual({ deviceId: 'from-flag', mqtt: { url: 'mqtts://env:8883', keepalive: 60 }, gps: { baudRate: 4800 } });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.mqtt)).toBe(true);
  });

  it('never freezes what the caller passed in', () => {
    const S = Type.Object({ brokers: Type.Array(Type.String()) });
    const flags = { brokers: ['a:9092'] };
    loadConfig({ schema: S, flags });
    expect(Object.isFrozen(flags.brokers)).toBe(false);
    expect(loadConfig({ schema: S, flags }).brokers).toEqual(['a:9092']);
  });

  it('fills defaults', () => {
    expect(loadConfig({ schema: Schema, flags: { deviceId: 'd' } })).toEqual({ deviceId: 'd', mqtt: { url: 'mqtt://localhost:1883', keepalive: 30 }, gps: { baudRate: 9600 } });
  });

  it('reports every problem with its path', () => {
    const file = yamlFile('mqtt:\n  keepalive: zero\nunknownKey: 1\n');
    let err: unknown;
    try {
      loadConfig({ schema: Schema, file });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/\/deviceId/);
    expect(msg).toMatch(/\/mqtt\/keepalive/);
    expect(msg).toMatch(/unknownKey|additional/i);
  });

  it('names the file when it is missing or not YAML', () => {
    expect(() => loadConfig({ schema: Schema, file: '/nonexistent/agent.yaml' })).toThrow(/cannot read config file \/nonexistent\/agent.yaml/);
    expect(() => loadConfig({ schema: Schema, file: yamlFile('a: [unclosed\n') })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ schema: Schema, file: yamlFile('- a list\n') })).toThrow(/mapping/);
  });

  it('maps environment names to nested camelCase keys', () => {
    expect(configFromEnv('P_', { P_GPS__BAUD_RATE: '115200', P_DEVICE_ID: 'pi-1', P_FLAG: 'true' })).toEqual({ gps: { baudRate: 115200 }, deviceId: 'pi-1', flag: true });
  });
});
