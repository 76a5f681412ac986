import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPtyPair, waitFor, type PtyPair } from '@fleetlake/testkit';

const open = (path: string) =>
  new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600 }, (err) => (err ? reject(err) : resolve(port)));
  });
const write = (port: SerialPort, data: string) => new Promise<void>((resolve, reject) => port.write(data, (err) => (err ? reject(err) : port.drain(() => resolve()))));
const close = (port: SerialPort) => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

describe('virtual serial port (socat pty pair) with serialport', () => {
  let pty: PtyPair;
  beforeEach(async () => {
    pty = await startPtyPair();
  });
  afterEach(async () => {
    await pty.stop();
  });

  it('carries NMEA written at one end as complete lines at the other, including a sentence split across writes', async () => {
    const writer = await open(pty.a);
    const reader = await open(pty.b);
    const lines: string[] = [];
    reader.pipe(new ReadlineParser({ delimiter: '\r\n' })).on('data', (l: string) => lines.push(l));
    const gga = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47';
    const rmc = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A';
    await write(writer, `${gga}\r\n`);
    await write(writer, rmc.slice(0, 30));
    await waitFor(() => lines.length >= 1, { what: 'the first sentence' });
    expect(lines).toEqual([gga]); // the half-written RMC is not a line yet
    await write(writer, `${rmc.slice(30)}\r\n`);
    await waitFor(() => lines.length >= 2, { what: 'the split sentence' });
    expect(lines).toEqual([gga, rmc]);
    await Promise.all([close(writer), close(reader)]);
  });

  it('unplugs and re-creates the device at the same path', async () => {
    const first = pty.devices();
    await pty.unplug();
    await expect(open(pty.b)).rejects.toThrow();
    await pty.restart();
    const port = await open(pty.b);
    expect(port.isOpen).toBe(true);
    await close(port);
    expect(pty.devices().b).toMatch(/^\/dev\/pts\/\d+$/);
    expect(first.b).toMatch(/^\/dev\/pts\/\d+$/);
  });
});
