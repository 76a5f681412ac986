import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../src/tcp-proxy.js';

/** An echo server: what goes in comes back. */
let echo: Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const { port } = echo.address() as { port: number };
  proxy = await TcpProxy.start({ target: { host: '127.0.0.1', port } });
});

afterAll(async () => {
  await proxy.stop();
  await proxy.stop(); // idempotent
  echo.close();
});

async function connect(): Promise<Socket> {
  const s = createConnection({ host: proxy.host, port: proxy.port });
  await once(s, 'connect');
  return s;
}

async function roundTrip(s: Socket, text: string): Promise<string> {
  s.write(text);
  const [data] = (await once(s, 'data')) as [Buffer];
  return data.toString();
}

describe('TcpProxy', () => {
  it('forwards both ways', async () => {
    const s = await connect();
    expect(await roundTrip(s, 'hello')).toBe('hello');
    s.destroy();
  });

  it('cut() drops open connections and refuses new ones; restore() lets them through again', async () => {
    const s = await connect();
    expect(await roundTrip(s, 'before')).toBe('before');
    const closed = once(s, 'close');
    proxy.cut();
    expect(proxy.cutNow).toBe(true);
    expect(proxy.counters.dropped).toBe(1);
    await closed;

    const refused = createConnection({ host: proxy.host, port: proxy.port });
    refused.on('error', () => undefined);
    await once(refused, 'close');
    expect(proxy.counters.refused).toBeGreaterThanOrEqual(1);

    proxy.restore();
    const again = await connect();
    expect(await roundTrip(again, 'after')).toBe('after');
    again.destroy();
  });
});
