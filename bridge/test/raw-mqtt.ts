import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/**
 * MQTT as an attacker speaks it: raw packets over a socket (from a chosen local address of
 * 127.0.0.0/8, so that tests can stand for different peers), no client library smoothing anything.
 */
export interface RawClient {
  socket: Socket;
  /** Packets received so far. */
  packets: Packet[];
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
  /** The next received packet of this kind. */
  next(cmd: Packet['cmd']): Promise<Packet>;
  send(packet: Record<string, unknown>): void;
}

export function rawSocket(port: number, localAddress = '127.0.0.1', protocolVersion: 4 | 5 = 4): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const parser = mqttPacket.parser({ protocolVersion });
    const packets: Packet[] = [];
    const waiters: { cmd: string; resolve: (p: Packet) => void }[] = [];
    parser.on('packet', (p: Packet) => {
      packets.push(p);
      const i = waiters.findIndex((w) => w.cmd === p.cmd);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(p);
    });
    parser.on('error', () => undefined);
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () =>
      resolve({
        socket,
        packets,
        closed,
        next: (cmd) => {
          const seen = packets.find((p) => p.cmd === cmd);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            waiters.push({ cmd, resolve: res });
            void closed.then(() => rej(new Error(`connection closed before a ${cmd}`)));
          });
        },
        send: (packet) => socket.write(mqttPacket.generate(packet as unknown as Packet)),
      }),
    );
    socket.once('error', reject);
  });
}

export interface Login {
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion?: 4 | 5;
  clean?: boolean;
  localAddress?: string;
}

/** CONNECT and wait for the CONNACK (or the close); returns the time it took. */
export async function rawLogin(port: number, login: Login): Promise<{ client: RawClient; returnCode: number | undefined; ms: number }> {
  const client = await rawSocket(port, login.localAddress, login.protocolVersion ?? 4);
  const t0 = performance.now();
  const packet = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: login.protocolVersion ?? 4,
    clientId: login.clientId,
    // mqtt-packet refuses to write an empty client id without a clean session: the flag is cleared below.
    clean: login.clientId === '' ? true : (login.clean ?? true),
    keepalive: 60,
    ...(login.username !== undefined ? { username: login.username } : {}),
    ...(login.password !== undefined ? { password: Buffer.from(login.password) } : {}),
  } as unknown as Packet);
  if (login.clean === false && login.clientId === '') packet[9]! &= ~0x02; // connect flags: header 2 + "MQTT" 6 + level 1
  client.socket.write(packet);
  const connack = await Promise.race([client.next('connack'), client.closed.then(() => undefined)]).catch(() => undefined);
  const ms = performance.now() - t0;
  const c = connack as { returnCode?: number; reasonCode?: number } | undefined;
  return { client, returnCode: c?.returnCode ?? c?.reasonCode, ms };
}

/** A fixed header announcing `length` bytes of packet type `type` (1 CONNECT, 3 PUBLISH), without them. */
export function announce(type: number, length: number): Buffer {
  const out = [type << 4];
  do {
    let b = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) b |= 0x80;
    out.push(b);
  } while (length > 0);
  return Buffer.from(out);
}

/** Writes `chunk` again and again until the socket closes (or `stop` resolves); returns the bytes written. */
export async function stream(client: RawClient, chunk: Buffer, stop?: Promise<unknown>): Promise<number> {
  let written = 0;
  let done = false;
  void client.closed.then(() => (done = true));
  void stop?.then(() => (done = true));
  while (!done && !client.socket.destroyed) {
    written += chunk.length;
    if (!client.socket.write(chunk)) await Promise.race([new Promise((r) => client.socket.once('drain', r)), client.closed]);
  }
  return written;
}

/** A QoS 0 PUBLISH built by hand (a packet generator refuses the topics attackers send). */
export function rawPublish(topic: string, payload: Buffer): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, payload]);
  return Buffer.concat([announce(3, body.length), body]);
}
