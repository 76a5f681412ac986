import { SerialPort } from 'serialport';
import type { BackoffOptions, Logger } from '@fleetlake/core';
import type { LineSplitter } from './line-splitter.js';
import { ReconnectingSource, type Session } from './reconnecting-source.js';

/** Reads JSON lines from a serial device (an OBD adapter, a sensor board); reopens it when it disappears. */
export class SerialSource extends ReconnectingSource {
  constructor(
    name: string,
    private readonly path: string,
    private readonly baudRate: number,
    maxLineBytes: number,
    backoff: BackoffOptions,
    log?: Logger,
  ) {
    super(name, maxLineBytes, backoff, log);
  }

  protected open(splitter: LineSplitter): Promise<Session> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
      port.open((err) => {
        if (err) return reject(err);
        port.on('data', (chunk: Buffer) => splitter.push(chunk));
        const closed = new Promise<void>((done) => {
          port.on('error', () => undefined);
          port.on('close', () => done());
        });
        resolve({ closed, close: () => (port.isOpen ? port.close() : undefined) });
      });
    });
  }
}
