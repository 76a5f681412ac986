import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@fleetlake/core';
import { Camera } from '../src/camera/camera.js';
import { cameraEnabled, cameraInput, gpsReaderInput, loadAgentConfig } from '../src/config.js';
import { splitCommandLine } from '../src/config-flags.js';
import { createCameraSource, createGpsReader } from '../src/factories.js';
import { GpsReader } from '../src/gps/reader.js';
import { runCommand } from '../src/run-command.js';

const BASE = { deviceId: 'pi-cfg', mqttUrl: 'mqtt://127.0.0.1:1883' };

/** Writes a YAML config into a temp folder, runs `fn` with its path, removes it. */
async function withYaml<T>(yaml: string, fn: (file: string, dir: string) => T | Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-config-'));
  try {
    const file = join(dir, 'agent.yaml');
    await writeFile(file, yaml);
    return await fn(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('loadAgentConfig', () => {
  it('layers defaults < file < environment < flags', async () => {
    await withYaml('deviceId: pi-van-07\nmqtt:\n  url: mqtts://broker.example:8883\n  protocolVersion: 4\noutbox:\n  maxBytes: 1048576\n', (file) => {
      const cfg = loadAgentConfig({ config: file, dataDir: '/tmp/x' }, { FLEETLAKE_AGENT_MQTT__KEEPALIVE_SEC: '45', FLEETLAKE_AGENT_DEVICE_ID: 'pi-env' });
      expect(cfg).toMatchObject({ deviceId: 'pi-env', dataDir: '/tmp/x', mqtt: { url: 'mqtts://broker.example:8883', protocolVersion: 4, keepaliveSec: 45, maxInflight: 32 }, outbox: { maxBytes: 1048576, segmentBytes: 4194304 } });
      expect(Object.isFrozen(cfg.mqtt)).toBe(true);
    });
  });

  it('reports every problem with its path', () => {
    expect(() => loadAgentConfig({ deviceId: 'bad id!', mqttUrl: 'http://x' }, {})).toThrow(/\/deviceId: .*\/mqtt\/url: /);
    expect(() => loadAgentConfig({ config: '/nonexistent/agent.yaml' }, {})).toThrow(/cannot read config file/);
    expect(() => loadAgentConfig({ deviceId: 'pi', mqttUrl: 'mqtt://x:1' }, { FLEETLAKE_AGENT_MQTT__TYPO: '1' })).toThrow(/\/mqtt\/typo/);
  });

  it("embeds the GPS reader's options in `gps`: defaults filled, unknown keys and bad values rejected at their path", async () => {
    const cfg = loadAgentConfig({ ...BASE, gpsDevice: '/dev/ttyACM0' }, {});
    expect(cfg.gps).toMatchObject({ device: '/dev/ttyACM0', baudRate: 9600, silenceTimeoutMs: 5000, maxSentenceLength: 120, recordIntervalMs: 1000, maxFixAgeMs: 10_000, maxPositionAgeMs: 300_000 });
    // The agent's own keys stay with the agent; the rest is exactly what the reader takes.
    expect(gpsReaderInput(cfg.gps)).not.toHaveProperty('recordIntervalMs');
    expect(gpsReaderInput(cfg.gps)).toMatchObject({ device: '/dev/ttyACM0', silenceTimeoutMs: 5000 });
    await withYaml('gps:\n  device: /dev/serial0\n  silenceTimout: 100\n  baudRate: 12\n', (file) => {
      expect(() => loadAgentConfig({ ...BASE, config: file }, {})).toThrow(/\/gps\/silenceTimout: Unexpected property/);
      expect(() => loadAgentConfig({ ...BASE, config: file }, {})).toThrow(/\/gps\/baudRate: Expected integer to be greater or equal to 50/);
    });
    // Rules of the reader that a schema cannot state are checked at load time too, naming the section.
    expect(() => loadAgentConfig(BASE, { FLEETLAKE_AGENT_GPS__DEVICE: '/dev/ttyUSB0', FLEETLAKE_AGENT_GPS__RECONNECT_BASE_MS: '500', FLEETLAKE_AGENT_GPS__RECONNECT_MAX_MS: '100' })).toThrow(
      /gps section: .*reconnectMaxMs must be >= reconnectBaseMs/,
    );
    expect(() => loadAgentConfig({ ...BASE, gpsDevice: 'udp://x:1' }, {})).toThrow(/gps section/);
    expect(loadAgentConfig(BASE, {}).gps.device).toBeUndefined();
  });

  it("embeds the camera's options in `camera`: on when a source is set, one source only, budget within the MQTT payload budget", async () => {
    const off = loadAgentConfig(BASE, {});
    expect(cameraEnabled(off.camera)).toBe(false);
    await withYaml('camera:\n  folder: /var/lib/frames\n  intervalSeconds: 2\n', (file) => {
      const cfg = loadAgentConfig({ ...BASE, config: file }, {});
      expect(cameraEnabled(cfg.camera)).toBe(true);
      expect(cameraInput(cfg)).toMatchObject({ folder: '/var/lib/frames', intervalSeconds: 2, budgetBytes: cfg.mqtt.payloadBudgetBytes, cameraId: 'cam0' });
      expect(cameraInput(cfg)).not.toHaveProperty('enabled');
      expect(cameraEnabled(loadAgentConfig({ ...BASE, config: file }, { FLEETLAKE_AGENT_CAMERA__ENABLED: 'false' }).camera)).toBe(false);
    });
    expect(() => loadAgentConfig(BASE, { FLEETLAKE_AGENT_CAMERA__FOLDR: '/x' })).toThrow(/\/camera\/foldr: Unexpected property/);
    expect(() => loadAgentConfig(BASE, { FLEETLAKE_AGENT_CAMERA__ENABLED: 'true' })).toThrow(/camera.enabled is true but neither camera.command .* nor camera.folder/);
    expect(() => loadAgentConfig({ ...BASE, cameraFolder: '/a', cameraCommand: 'rpicam-still -o -' }, {})).toThrow(/only one of camera.command .* and camera.folder/);
    expect(() => loadAgentConfig({ ...BASE, cameraFolder: '/a' }, { FLEETLAKE_AGENT_CAMERA__BUDGET_BYTES: '200000' })).toThrow(/camera.budgetBytes \(200000\) exceeds mqtt.payloadBudgetBytes \(131072\)/);
    expect(() => loadAgentConfig({ ...BASE, cameraFolder: '/a' }, { FLEETLAKE_AGENT_CAMERA__MIN_QUALITY: '90', FLEETLAKE_AGENT_CAMERA__START_QUALITY: '80' })).toThrow(/camera section: .*minQuality/);
  });

  it('takes the Pi flags: --gps-device, --baud, --camera-folder, --camera-command, --http-port', () => {
    const cfg = loadAgentConfig({ ...BASE, gpsDevice: 'tcp://127.0.0.1:2947', baud: '38400', cameraCommand: `rpicam-still -n -t 1 --annotate "front cam" -o -`, httpPort: '9464' }, {});
    expect(cfg.gps).toMatchObject({ device: 'tcp://127.0.0.1:2947', baudRate: 38400 });
    expect(cfg.camera).toMatchObject({ enabled: true, command: ['rpicam-still', '-n', '-t', '1', '--annotate', 'front cam', '-o', '-'] });
    expect(cfg.http).toEqual({ host: '127.0.0.1', port: 9464 });
    // --camera-folder turns on a camera that the file left off.
    expect(cameraEnabled(loadAgentConfig({ ...BASE, cameraFolder: '/srv/frames' }, { FLEETLAKE_AGENT_CAMERA__ENABLED: 'false' }).camera)).toBe(true);
    expect(loadAgentConfig(BASE, {}).http).toEqual({ host: '127.0.0.1', port: -1 });
    expect(() => loadAgentConfig({ ...BASE, baud: 'fast' }, {})).toThrow(/\/gps\/baudRate: Expected integer/);
    expect(() => loadAgentConfig({ ...BASE, httpPort: '70000' }, {})).toThrow(/\/http\/port: Expected integer to be less or equal to 65535/);
    expect(() => loadAgentConfig({ ...BASE, httpPort: '-2' }, {})).toThrow(/\/http\/port/);
    for (const flag of ['gps-device', 'baud', 'camera-folder', 'camera-command', 'http-port']) {
      expect(runCommand.options).toHaveProperty(flag);
      expect(runCommand.help).toContain(`--${flag}`);
    }
  });
});

describe('splitCommandLine', () => {
  it('splits words, groups quoted words and refuses an open quote', () => {
    expect(splitCommandLine('  libcamera-jpeg  -n -o - ')).toEqual(['libcamera-jpeg', '-n', '-o', '-']);
    expect(splitCommandLine(`sh -c 'fswebcam -q --no-banner -' "a \\"b\\"" c\\ d ""`)).toEqual(['sh', '-c', 'fswebcam -q --no-banner -', 'a "b"', 'c d', '']);
    expect(() => splitCommandLine('rpicam-still "-o')).toThrow(/unterminated "/);
  });
});

describe('the input factories', () => {
  it('make the GPS reader and the camera from their config sections (none when not configured)', async () => {
    await withYaml('gps:\n  device: /dev/ttyAMA0\n  baudRate: 115200\n  silenceTimeoutMs: 2500\n', async (file, dir) => {
      const cfg = loadAgentConfig({ ...BASE, config: file, cameraFolder: dir }, {});
      const gps = await createGpsReader(cfg, silentLogger());
      expect(gps).toBeInstanceOf(GpsReader);
      expect((gps as GpsReader).options).toMatchObject({ device: '/dev/ttyAMA0', baudRate: 115200, silenceTimeoutMs: 2500 });
      const camera = await createCameraSource(cfg, silentLogger());
      try {
        expect(camera).toBeInstanceOf(Camera);
        expect((camera as Camera).options).toMatchObject({ folder: dir, budgetBytes: 131072 });
      } finally {
        await camera?.stop();
      }
    });
    const none = loadAgentConfig(BASE, {});
    expect(await createGpsReader(none, silentLogger())).toBeUndefined();
    expect(await createCameraSource(none, silentLogger())).toBeUndefined();
  });
});

describe('the example configuration in agent/deploy', () => {
  it('is valid and points at the systemd data folder', () => {
    const file = new URL('../deploy/agent.yaml', import.meta.url).pathname;
    const cfg = loadAgentConfig({ config: file }, {});
    expect(cfg).toMatchObject({ deviceId: 'pi-van-07', dataDir: '/var/lib/fleetlake-agent', mqtt: { protocolVersion: 5 }, inputs: { sources: ['unix:///run/fleetlake-agent/records.sock'] }, http: { host: '127.0.0.1' } });
    const unit = readFileSync(new URL('../deploy/fleetlake-agent.service', import.meta.url), 'utf8');
    expect(unit).toMatch(/^StateDirectory=fleetlake-agent$/m);
    expect(unit).toMatch(/--config \/etc\/fleetlake\/agent\.yaml/);
    expect(unit).toMatch(/^SupplementaryGroups=.*dialout/m);
  });
});
