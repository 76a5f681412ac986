import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { freePort } from '@fleetlake/testkit';

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

export interface AedesBroker {
  url: string;
  port: number;
  broker: Aedes;
  /** Every message published on the broker under `fleetlake/#`, in arrival order (an in-broker subscriber). */
  received: Received[];
  /** Takes the listener and every connection down; the broker's sessions stay (a broker with persistence). */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  /** While on, publishes are neither acknowledged nor delivered (like a bridge waiting for Kafka). */
  holdAcks(on: boolean): void;
  stop(): Promise<void>;
}

export interface AedesOptions {
  tls?: { key: Buffer; cert: Buffer; ca: Buffer };
}

/** An in-process aedes broker on a free loopback port, plain or TLS with required client certificates. */
export async function startAedes(options: AedesOptions = {}): Promise<AedesBroker> {
  const broker = await Aedes.createBroker();
  const received: Received[] = [];
  await new Promise<void>((resolve) =>
    broker.subscribe(
      'fleetlake/#',
      (packet, cb) => {
        received.push({ topic: packet.topic, payload: Buffer.from(packet.payload), retain: packet.retain });
        cb();
      },
      resolve,
    ),
  );
  let holding = false;
  broker.authorizePublish = (client, packet, cb) => {
    if (client && holding && packet.topic.startsWith('fleetlake/') && !packet.topic.endsWith('/status')) return; // never answered
    cb(null);
  };
  const port = await freePort();
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const up = async () => {
    const s = options.tls
      ? createTlsServer({ ...options.tls, requestCert: true, rejectUnauthorized: true }, (sock) => broker.handle(sock))
      : createServer((sock) => broker.handle(sock));
    s.on(options.tls ? 'secureConnection' : 'connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    await closed;
  };
  await up();
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    broker,
    received,
    down,
    up,
    holdAcks: (on) => {
      holding = on;
    },
    async stop() {
      await down();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
