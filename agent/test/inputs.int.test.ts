import { open as openFile, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startPtyPair, waitFor } from '@fleetlake/testkit';
import type { LineSource } from '../src/inputs/line-source.js';
import { createLineSource, parseSourceUrl } from '../src/inputs/source-url.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

function source(url: string): { src: LineSource; lines: string[] } {
  const src = createLineSource(url, parseSourceUrl(url), { maxLineBytes: 1024, reconnect: { baseMs: 20, maxMs: 200 } });
  const lines: string[] = [];
  src.on('line', (l) => lines.push(l));
  stops.push(() => src.stop());
  return { src, lines };
}

function send(connectOpts: { path: string } | { host: string; port: number }, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(connectOpts, () => sock.end(text));
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
}

describe('JSON-lines inputs on real sockets and a pty', () => {
  it('unix socket: reads lines from several connections, counts over-long and partial lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-sock-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'records.sock');
    const { src, lines } = source(`unix://${path}`);
    await src.start();
    await send({ path }, '{"a":1}\n{"a":2}\n');
    await send({ path }, `{"a":3}\n${'x'.repeat(5000)}\n{"a":4}\n{"cut":`);
    await waitFor(() => lines.length === 4 && src.counters.get('partial') === 1, { what: 'lines from two connections' });
    expect(lines).toEqual(['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}']);
    expect(src.counters.snapshot()).toEqual({ connections: 2, lines: 4, overlong: 1, partial: 1 });
  });

  it('tcp-listen: accepts connections on a TCP port', async () => {
    const port = await freePort();
    const { src, lines } = source(`tcp-listen://127.0.0.1:${port}`);
    await src.start();
    await send({ host: '127.0.0.1', port }, '{"b":1}\r\n');
    await waitFor(() => lines.length === 1, { what: 'a line' });
    expect(lines).toEqual(['{"b":1}']);
  });

  it('back-pressure: a paused source reads nothing until it is resumed, then everything', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const paused = source(`tcp-listen://127.0.0.1:${p1}`);
    const clock = source(`tcp-listen://127.0.0.1:${p2}`);
    await paused.src.start();
    await clock.src.start();
    const writer = connect({ host: '127.0.0.1', port: p1 });
    stops.push(async () => void writer.destroy());
    await new Promise<void>((resolve) => writer.on('connect', () => resolve()));
    writer.write('{"p":0}\n');
    await waitFor(() => paused.lines.length === 1, { what: 'a line before pausing' });
    paused.src.setPaused(true);
    // written (handed to the kernel), but the paused side does not read it
    await new Promise<void>((resolve) => writer.write('{"p":1}\n{"p":2}\n', () => resolve()));
    // a line through an unpaused source, sent after: once it is read, the paused one had its chance
    await send({ host: '127.0.0.1', port: p2 }, '{"tick":1}\n');
    await waitFor(() => clock.lines.length === 1, { what: 'the unpaused source to read' });
    expect(paused.lines).toEqual(['{"p":0}']);
    paused.src.setPaused(false);
    await waitFor(() => paused.lines.length === 3, { what: 'lines after resume' });
    expect(paused.lines).toEqual(['{"p":0}', '{"p":1}', '{"p":2}']);
  });

  it('tcp client: reconnects when the server goes away and comes back', async () => {
    const port = await freePort();
    let server: Server | undefined;
    const clients = new Set<Socket>();
    const listen = () =>
      new Promise<void>((resolve) => {
        server = createServer((sock) => {
          clients.add(sock);
          sock.on('close', () => clients.delete(sock));
        }).listen(port, '127.0.0.1', () => resolve());
      });
    const close = () => new Promise<void>((resolve) => (server ? (server.close(() => resolve()), clients.forEach((c) => c.destroy())) : resolve()));
    stops.push(close);
    await listen();
    const { src, lines } = source(`tcp://127.0.0.1:${port}`);
    await src.start();
    await waitFor(() => clients.size === 1, { what: 'client connected' });
    [...clients][0]!.write('{"c":1}\n');
    await waitFor(() => lines.length === 1, { what: 'first line' });
    await close();
    await waitFor(() => src.counters.get('open_errors') >= 1, { what: 'failed reconnects while the server is gone' });
    await listen();
    await waitFor(() => clients.size === 1, { what: 'client reconnected' });
    [...clients][0]!.write('{"c":2}\n');
    await waitFor(() => lines.length === 2, { what: 'line after reconnect' });
    expect(lines).toEqual(['{"c":1}', '{"c":2}']);
    expect(src.counters.get('connections')).toBe(2);
  });

  it('serial: reads a pty and reopens it after it is unplugged and plugged back in', async () => {
    const pty = await startPtyPair();
    stops.push(() => pty.stop());
    const { src, lines } = source(`serial://${pty.b}?baudRate=115200`);
    await src.start();
    await waitFor(() => src.counters.get('connections') === 1, { what: 'serial device opened' });
    const write = async (text: string) => {
      const fh = await openFile(pty.a, 'w');
      await fh.write(text);
      await fh.close();
    };
    await write('{"d":1}\n');
    await waitFor(() => lines.length === 1, { what: 'first serial line' });
    await pty.unplug();
    await waitFor(() => src.counters.get('open_errors') >= 1, { what: 'reopen attempts while unplugged' });
    await pty.restart();
    await waitFor(() => src.counters.get('connections') === 2, { what: 'serial device reopened' });
    await write('{"d":2}\n');
    await waitFor(() => lines.length === 2, { what: 'line after replug' });
    expect(lines).toEqual(['{"d":1}', '{"d":2}']);
  });
});
