import { connect } from 'node:net';
import type { LineSplitter } from './line-splitter.js';
import { ReconnectingSource, type Session } from './reconnecting-source.js';

/** Connects to a TCP server that writes JSON lines, and reconnects when it goes away. */
export class TcpClientSource extends ReconnectingSource<{ host: string; port: number }> {
  protected open(splitter: LineSplitter): Promise<Session> {
    return new Promise((resolve, reject) => {
      const sock = connect(this.target);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        sock.setKeepAlive(true, 10_000);
        sock.on('data', (chunk: Buffer) => splitter.push(chunk));
        const closed = new Promise<void>((done) => {
          sock.on('error', () => undefined);
          sock.on('close', () => done());
        });
        resolve({ closed, close: () => sock.destroy(), pause: () => sock.pause(), resume: () => sock.resume() });
      });
    });
  }
}
