import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../src/config.js';
import { LineSplitter } from '../src/inputs/line-splitter.js';
import { parseSourceUrl } from '../src/inputs/source-url.js';

describe('LineSplitter', () => {
  it('splits across chunk boundaries, strips CR, skips over-long lines and reports partial ones', () => {
    const lines: string[] = [];
    let overlong = 0;
    const s = new LineSplitter(10, (l) => lines.push(l), () => overlong++);
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('c\r\nde\n0123456789abc'));
    s.push(Buffer.from('def\nok\n\u00e9'.replace('\u00e9', 'é')));
    s.push(Buffer.from('\n'));
    s.push(Buffer.from('tail'));
    expect(lines).toEqual(['abc', 'de', 'ok', 'é']);
    expect(overlong).toBe(1);
    expect(s.discardPartial()).toBe(true);
    expect(s.discardPartial()).toBe(false);
  });

  it('keeps memory bounded on endless data without a newline', () => {
    let overlong = 0;
    const s = new LineSplitter(1024, () => undefined, () => overlong++);
    for (let i = 0; i < 1000; i++) s.push(Buffer.alloc(4096, 0x41));
    expect(overlong).toBe(1);
    expect((s as unknown as { size: number }).size).toBe(0);
  });
});

describe('parseSourceUrl', () => {
  it('understands every source kind', () => {
    expect(parseSourceUrl('tcp://127.0.0.1:7000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7000, stream: undefined });
    expect(parseSourceUrl('tcp-listen://0.0.0.0:7001?stream=weather_data')).toEqual({ kind: 'tcp-listen', host: '0.0.0.0', port: 7001, stream: 'weather' });
    expect(parseSourceUrl('unix:///run/fleetlake-agent/records.sock')).toEqual({ kind: 'unix', path: '/run/fleetlake-agent/records.sock', stream: undefined });
    expect(parseSourceUrl('serial:///dev/serial/by-id/usb-OBD?baudRate=38400&stream=vehicle')).toEqual({ kind: 'serial', path: '/dev/serial/by-id/usb-OBD', baudRate: 38400, stream: 'vehicle' });
  });

  it('explains what is wrong', () => {
    expect(() => parseSourceUrl('ftp://x:1')).toThrow(/unknown scheme "ftp:"/);
    expect(() => parseSourceUrl('tcp://host')).toThrow(/needs HOST:PORT/);
    expect(() => parseSourceUrl('tcp://h:1?stream=gps')).toThrow(/unknown stream "gps"/);
    expect(() => parseSourceUrl('/dev/ttyUSB0')).toThrow(/not a URL/);
  });
});

describe('loadAgentConfig', () => {
  it('layers defaults < file < environment < flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-config-'));
    try {
      const file = join(dir, 'agent.yaml');
      await writeFile(file, 'deviceId: pi-van-07\nmqtt:\n  url: mqtts://broker.example:8883\n  protocolVersion: 4\noutbox:\n  maxBytes: 1048576\n');
      const cfg = loadAgentConfig({ config: file, dataDir: '/tmp/x' }, { FLEETLAKE_AGENT_MQTT__KEEPALIVE_SEC: '45', FLEETLAKE_AGENT_DEVICE_ID: 'pi-env' });
      expect(cfg).toMatchObject({ deviceId: 'pi-env', dataDir: '/tmp/x', mqtt: { url: 'mqtts://broker.example:8883', protocolVersion: 4, keepaliveSec: 45, maxInflight: 32 }, outbox: { maxBytes: 1048576, segmentBytes: 4194304 } });
      expect(Object.isFrozen(cfg.mqtt)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports every problem with its path', () => {
    expect(() => loadAgentConfig({ deviceId: 'bad id!', mqttUrl: 'http://x' }, {})).toThrow(/\/deviceId: .*\/mqtt\/url: /);
    expect(() => loadAgentConfig({ config: '/nonexistent/agent.yaml' }, {})).toThrow(/cannot read config file/);
    expect(() => loadAgentConfig({ deviceId: 'pi', mqttUrl: 'mqtt://x:1' }, { FLEETLAKE_AGENT_MQTT__TYPO: '1' })).toThrow(/\/mqtt\/typo/);
  });
});

describe('the example configuration in agent/deploy', () => {
  it('is valid and points at the systemd data folder', () => {
    const file = new URL('../deploy/agent.yaml', import.meta.url).pathname;
    const cfg = loadAgentConfig({ config: file }, {});
    expect(cfg).toMatchObject({ deviceId: 'pi-van-07', dataDir: '/var/lib/fleetlake-agent', mqtt: { protocolVersion: 5 }, inputs: { sources: ['unix:///run/fleetlake-agent/records.sock'] } });
    const unit = readFileSync(new URL('../deploy/fleetlake-agent.service', import.meta.url), 'utf8');
    expect(unit).toMatch(/^StateDirectory=fleetlake-agent$/m);
    expect(unit).toMatch(/--config \/etc\/fleetlake\/agent\.yaml/);
    expect(unit).toMatch(/^SupplementaryGroups=.*dialout/m);
  });
});
