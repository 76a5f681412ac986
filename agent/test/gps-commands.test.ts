import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { captureOutput } from '@fleetlake/testkit/vitest';
import { runCli } from '@fleetlake/core';
import { commands } from '../src/commands.js';
import { GpsClock } from '../src/gps/gps-clock.js';
import { resolveGpsReaderOptions } from '../src/gps/reader-options.js';
import { GPSD_DIR, gpsdFixes } from './gpsd-fixtures.js';

const spec = { name: 'fleetlake-agent', version: '0.0.0', description: 'test', commands };


afterEach(() => vi.restoreAllMocks());

describe('fleetlake-agent replay', () => {
  test('prints one JSON line per fix with the issue fields, and the summary on stderr', async () => {
    const io = captureOutput();
    const code = await runCli(spec, ['replay', join(GPSD_DIR, 'mt3339.log')]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const dated = gpsdFixes('mt3339.log').filter((t) => t.time);
    expect(lines.filter((l) => l.timeSource === undefined).map((l) => l.time)).toEqual([...new Set(dated.map((t) => t.time))]);
    expect(Object.keys(lines[1]!)).toEqual(['time', 'lat', 'lon', 'altMSL', 'speedKmh', 'courseDeg', 'mode', 'satellites', 'hdop']);
    expect(io.err()).toMatch(/^sentences read: \d+, accepted: \d+, rejected: \d+/);
  });

  test('counts rejected sentences by reason in the summary', async () => {
    const io = captureOutput();
    await runCli(spec, ['replay', join(GPSD_DIR, 'bu303-moving.log')]);
    vi.restoreAllMocks();
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/fixes: 0/);
  });

  test('usage errors exit 2 with a message; --help shows examples', async () => {
    const io = captureOutput();
    expect(await runCli(spec, ['replay'])).toBe(2);
    expect(await runCli(spec, ['gps'])).toBe(2);
    expect(await runCli(spec, ['gps', '--help'])).toBe(0);
    vi.restoreAllMocks();
    expect(io.err()).toMatch(/give exactly one NMEA log file/);
    expect(io.err()).toMatch(/--device is required/);
    expect(io.out()).toMatch(/Examples:\n\s+fleetlake-agent gps --device \/dev\/serial0/);
  });
});

describe('GPS reader options', () => {
  test('defaults are filled in and the result is frozen', () => {
    const o = resolveGpsReaderOptions({ device: '/dev/ttyUSB0' });
    expect(o).toMatchObject({ device: '/dev/ttyUSB0', baudRate: 9600, silenceTimeoutMs: 5000 });
    expect(Object.isFrozen(o)).toBe(true);
    expect(resolveGpsReaderOptions({ device: 'tcp://127.0.0.1:2947', baudRate: 115200 }).baudRate).toBe(115200);
  });

  test('bad options are refused with every problem named', () => {
    expect(() => resolveGpsReaderOptions({ device: 'tcp://host' })).toThrow(/tcp:\/\/host:port/);
    expect(() => resolveGpsReaderOptions({ device: 'udp://x:1' })).toThrow(/unsupported device scheme/);
    expect(() => resolveGpsReaderOptions({ device: '/dev/x', baudRate: 0 })).toThrow(/baudRate/);
    expect(() => resolveGpsReaderOptions({ device: '/dev/x', reconnectBaseMs: 500, reconnectMaxMs: 100 })).toThrow(/reconnectMaxMs/);
  });
});

describe('GpsClock', () => {
  test('host clock labelled until a dated fix, then GPS time carried forward', () => {
    const clock = new GpsClock(() => new Date('2030-01-01T00:00:00.000Z'));
    expect(clock.read()).toEqual({ time: '2030-01-01T00:00:00.000Z', source: 'host' });
    clock.observe({ time: '2030-01-01T00:00:05.000Z', lat: 0, lon: 0, mode: 2, timeSource: 'host' });
    expect(clock.read().source).toBe('host');
    clock.observe({ time: '2024-06-01T12:00:00.000Z', lat: 0, lon: 0, mode: 3, timeSource: 'gps' });
    const r = clock.read();
    expect(r.source).toBe('gps');
    expect(Date.parse(r.time) - Date.parse('2024-06-01T12:00:00.000Z')).toBeGreaterThanOrEqual(0);
    expect(Date.parse(r.time) - Date.parse('2024-06-01T12:00:00.000Z')).toBeLessThan(1000);
  });
});
