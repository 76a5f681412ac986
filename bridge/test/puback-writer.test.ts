import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@fleetlake/testkit';
import { PubackWriter, encodePubacks, type AckTarget } from '../src/puback-writer.js';

/** A real TCP connection: the server side is what the writer writes to, the client side collects bytes and counts reads. */
async function socketPair(): Promise<{ server: Socket; received: () => Buffer; close: () => void }> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const client = connect((srv.address() as AddressInfo).port, '127.0.0.1');
  const [server] = (await once(srv, 'connection')) as [Socket];
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  return {
    server,
    received: () => Buffer.concat(chunks),
    close: () => {
      client.destroy();
      server.destroy();
      srv.close();
    },
  };
}

const open = (conn: Socket): AckTarget => ({ conn, closed: false, connected: true });
const generated = (ids: number[]) => Buffer.concat(ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId })));

describe('PubackWriter', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((c) => c()));

  it('encodes PUBACKs byte for byte as mqtt-packet does, for every packet id width', () => {
    const ids = [1, 2, 127, 128, 255, 256, 4242, 65534, 65535];
    expect(encodePubacks(ids).equals(generated(ids))).toBe(true);
    expect(encodePubacks([]).length).toBe(0);
  });

  it('writes the acknowledgements of one tick to a connection in one write, in order', async () => {
    const a = await socketPair();
    const b = await socketPair();
    cleanup.push(a.close, b.close);
    const writes: Buffer[] = [];
    const realWrite = a.server.write.bind(a.server);
    a.server.write = ((chunk: Buffer) => (writes.push(Buffer.from(chunk)), realWrite(chunk))) as typeof a.server.write;
    let counted = 0;
    const w = new PubackWriter((n) => (counted += n));
    const ta = open(a.server);
    const tb = open(b.server);
    w.ack(ta, 7);
    w.ack(tb, 9);
    w.ack(ta, 300);
    w.ack(ta, 65535);
    await waitFor(() => a.received().length === 12 && b.received().length === 4, { what: 'PUBACK bytes' });
    expect(writes).toHaveLength(1);
    expect(a.received().equals(generated([7, 300, 65535]))).toBe(true);
    expect(b.received().equals(generated([9]))).toBe(true);
    expect(counted).toBe(4);

    // A later tick is a new write.
    w.ack(ta, 8);
    await waitFor(() => a.received().length === 16, { what: 'second PUBACK' });
    expect(writes).toHaveLength(2);
    expect(counted).toBe(5);
  });

  it('writes nothing to a connection that closed before its PUBACKs went out', async () => {
    const a = await socketPair();
    const b = await socketPair();
    cleanup.push(a.close, b.close);
    let counted = 0;
    const w = new PubackWriter((n) => (counted += n));
    w.ack({ conn: a.server, closed: true, connected: false }, 1);
    w.ack(open(b.server), 2);
    await waitFor(() => b.received().length === 4, { what: 'PUBACK to the open connection' });
    expect(a.received().length).toBe(0);
    expect(counted).toBe(1);
  });
});
