import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { SerialPort } from 'serialport';
import { FleetlakeError } from '@fleetlake/core';

/** An open NMEA source: a serial device (or pty) or a TCP stream. */
export interface Connection {
  readonly stream: Readable;
  readonly description: string;
  close(): Promise<void>;
}

export interface DeviceSpec {
  kind: 'serial' | 'tcp';
  path?: string;
  host?: string;
  port?: number;
}

const TCP = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/;

/** "/dev/ttyUSB0", "/dev/serial/by-id/...", a pty path, or "tcp://host:port". */
export function parseDevice(device: string): DeviceSpec {
  if (device.startsWith('tcp://')) {
    const m = TCP.exec(device);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port > 0 && port < 65536)) throw new FleetlakeError('GPS_DEVICE_INVALID', `not a tcp://host:port address: ${device}`);
    return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port };
  }
  if (device.includes('://')) throw new FleetlakeError('GPS_DEVICE_INVALID', `unsupported device scheme: ${device} (use a device path or tcp://host:port)`);
  if (device === '') throw new FleetlakeError('GPS_DEVICE_INVALID', 'empty device path');
  return { kind: 'serial', path: device };
}

/** Opens the device; rejects with a retriable error when it is missing or refuses. */
export async function openConnection(spec: DeviceSpec, baudRate: number): Promise<Connection> {
  return spec.kind === 'tcp' ? openTcp(spec.host!, spec.port!) : openSerial(spec.path!, baudRate);
}

function openSerial(path: string, baudRate: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((err) => {
      if (err) {
        reject(new FleetlakeError('GPS_OPEN_FAILED', `cannot open ${path}: ${err.message}`, { retriable: true, cause: err }));
        return;
      }
      resolve({
        stream: port,
        description: `${path} @ ${baudRate} baud`,
        close: () =>
          new Promise<void>((done) => {
            if (!port.isOpen) {
              port.destroy();
              return done();
            }
            port.close(() => {
              port.destroy();
              done();
            });
          }),
      });
    });
  });
}

function openTcp(host: string, port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    const onError = (err: Error) => {
      socket.destroy();
      reject(new FleetlakeError('GPS_OPEN_FAILED', `cannot connect to tcp://${host}:${port}: ${err.message}`, { retriable: true, cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.setKeepAlive(true, 10_000);
      resolve({
        stream: socket,
        description: `tcp://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.destroy();
          }),
      });
    });
  });
}
