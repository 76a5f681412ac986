import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { LineSplitter } from './line-splitter.js';
import { ReconnectingSource, type Session } from './reconnecting-source.js';

/** How often an open device's path is checked (an unplugged USB adapter or pty often raises no error). */
const PRESENCE_CHECK_MS = 500;

/** Reads JSON lines from a serial device (an OBD adapter, a sensor board); reopens it when it disappears. */
export class SerialSource extends ReconnectingSource<{ path: string; baudRate: number }> {
  protected open(splitter: LineSplitter): Promise<Session> {
    return new Promise((resolve, reject) => {
      if (!existsSync(this.target.path)) return reject(new Error(`${this.target.path} does not exist`));
      const port = new SerialPort({ path: this.target.path, baudRate: this.target.baudRate, autoOpen: false });
      port.open((err) => {
        if (err) return reject(err);
        let finish!: () => void;
        const closed = new Promise<void>((done) => {
          finish = done;
        });
        const timer = setInterval(() => {
          if (!existsSync(this.target.path)) end('device disappeared');
        }, PRESENCE_CHECK_MS);
        const end = (why: string) => {
          clearInterval(timer);
          this.log.debug({ source: this.name, why }, 'serial session ends');
          if (port.isOpen) port.close(() => finish());
          else finish();
          // A vanished device may never answer close(); do not wait for it.
          setTimeout(finish, 1000).unref();
        };
        port.on('data', (chunk: Buffer) => splitter.push(chunk));
        port.on('error', (e) => end(e.message));
        port.on('close', () => {
          clearInterval(timer);
          finish();
        });
        resolve({ closed, close: () => end('stop'), pause: () => port.pause(), resume: () => port.resume() });
      });
    });
  }
}
