import { runCli } from '@fleetlake/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '@fleetlake/testkit/vitest';
import { commands } from '../src/commands.js';
import { parseFaults } from '../src/faults.js';
import { parseMix } from '../src/fleet-records.js';
import { parseOutput } from '../src/outputs/parse.js';
import { parseSpeed } from '../src/pacer.js';

const spec = { name: 'fleetlake-sim', version: '0.0.0', description: 'test', commands };

afterEach(() => {
  vi.restoreAllMocks();
});


describe('fleetlake-sim CLI', () => {
  it.each(['trip', 'nmea', 'replay', 'data', 'camera', 'fleet', 'route'])('%s --help has usage and examples', async (name) => {
    const io = captureOutput();
    expect(await runCli(spec, [name, '--help'])).toBe(0);
    expect(io.out()).toMatch(/^Usage: fleetlake-sim /);
    expect(io.out()).toMatch(/Examples?:\n\s+fleetlake-sim /);
  });

  it('rejects bad options with a clear message and exit code', async () => {
    const io = captureOutput();
    expect(await runCli(spec, ['nmea', '--rate', '20'])).toBe(1);
    expect(io.err()).toContain('invalid --rate "20"');
    expect(await runCli(spec, ['nmea', '--out', 'serial:/dev/x'])).toBe(1);
    expect(io.err()).toContain('use stdout, pty, pty:LINK, tcp://HOST:PORT or unix:PATH');
  });

  it('route info reports the built-in route', async () => {
    const io = captureOutput();
    expect(await runCli(spec, ['route', 'info'])).toBe(0);
    const info = JSON.parse(io.out()) as { lengthKm: number; vertices: number };
    expect(info.vertices).toBeGreaterThan(5000);
    expect(info.lengthKm).toBeGreaterThan(175);
  });
});

describe('option parsers', () => {
  it('faults: every kind, rates and durations, and clear errors', () => {
    const f = parseFaults('bad-checksum=0.01,truncate=0.02,overlong=0.03,noise=0.04,fix-loss=0.005:20,freeze=0.001,port-drop=0.002:3');
    expect(f.line).toEqual({ 'bad-checksum': 0.01, truncate: 0.02, overlong: 0.03, noise: 0.04 });
    expect(f.episode['fix-loss']).toEqual({ perSecond: 0.005, seconds: 20 });
    expect(f.episode.freeze).toEqual({ perSecond: 0.001, seconds: 5 });
    expect(() => parseFaults('gremlins=0.1')).toThrow(/unknown fault/);
    expect(() => parseFaults('noise=2')).toThrow(/probability in \[0, 1\]/);
    expect(() => parseFaults('noise=0.1:3')).toThrow(/no duration/);
  });

  it('mix, speed and outputs', () => {
    expect(parseMix('gps=1')).toEqual({ gps: 1, vehicle: 0, weather: 0, emergency: 0, traffic: 0 });
    expect(() => parseMix('camera=1')).toThrow(/STREAM=WEIGHT/);
    expect(() => parseMix('gps=0')).toThrow(/positive/);
    expect(parseSpeed('max')).toBe('max');
    expect(parseSpeed('60')).toBe(60);
    expect(() => parseSpeed('0')).toThrow(/positive factor/);
    expect(parseOutput('tcp://127.0.0.1:2947', '/x').describe()).toBe('tcp://127.0.0.1:2947');
    expect(parseOutput('unix:/tmp/s.sock', '/x').describe()).toBe('unix:/tmp/s.sock');
    expect(() => parseOutput('tcp://127.0.0.1', '/x')).toThrow(/tcp:\/\/HOST:PORT/);
  });
});
