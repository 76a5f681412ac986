import { describe, expect, it } from 'vitest';
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
