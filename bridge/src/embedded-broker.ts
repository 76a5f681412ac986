import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { isRetriable, once, type Logger } from '@fleetlake/core';
import type { BridgeConfig } from './config.js';
import { authenticateDevice, mayPublish, maySubscribe, type DeviceAuthOptions } from './device-auth.js';
import type { Ingest } from './ingest.js';
import type { BridgeMetrics } from './metrics.js';
import { PubackWriter } from './puback-writer.js';

const DEVICE = Symbol('fleetlake.deviceId');
type DeviceClient = Client & { [DEVICE]?: string };

/** AuthErrorCode.BAD_USERNAME_OR_PASSWORD (a const enum in aedes' types, not importable at run time). */
const BAD_USERNAME_OR_PASSWORD = 4;

export interface EmbeddedBrokerOptions {
  mqtt: BridgeConfig['mqtt'];
  auth: DeviceAuthOptions;
}

/**
 * The embedded MQTT broker (aedes) on TCP and TLS. Data messages go through `Ingest` inside
 * `authorizePublish`; the PUBACK is written only when Kafka acknowledged the record.
 *
 * How the PUBACK is held back: aedes writes the PUBACK as soon as `authorizePublish` calls back, and
 * it does not read the next packets of that connection until then. Holding the callback for the
 * Kafka round trip would therefore also hold PINGREQs, and the broker would drop devices on keepalive
 * while Kafka is down. So for a QoS 1 data message the bridge calls back at once with the packet
 * turned to QoS 0 (aedes forwards it without acknowledging) and writes the PUBACK itself, with that
 * connection's packet id, from the Kafka acknowledgement. Only when the in-memory buffer is full is the
 * callback held, which stops reading from that device (TCP back-pressure). QoS 2 keeps aedes' own flow
 * with the callback held until Kafka acked (PUBREC after Kafka); a record Kafka refuses for good
 * (non-retriable error) closes that connection instead.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private servers: { name: string; server: Server }[] = [];
  private wss: WebSocketServer | undefined;
  private closing = false;
  private readonly pubacks: PubackWriter;

  private constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly ingest: Ingest,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
  ) {
    this.pubacks = new PubackWriter((n) => this.metrics.acked.inc(n));
  }

  static async create(options: EmbeddedBrokerOptions, ingest: Ingest, metrics: BridgeMetrics, logger: Logger): Promise<EmbeddedBroker> {
    return new EmbeddedBroker(options, ingest, metrics, logger);
  }

  async start(): Promise<void> {
    const { mqtt } = this.options;
    const aedes = await Aedes.createBroker({
      id: 'fleetlake-bridge',
      preConnect: (_client, _packet, cb) => {
        const full = (this.aedes?.connectedClients ?? 0) >= mqtt.maxConnections || this.closing;
        if (full) this.metrics.refused.inc({ reason: this.closing ? 'closing' : 'max_connections' });
        cb(null, !full);
      },
      authenticate: (client, username, password, done) => {
        authenticateDevice(this.options.auth, client.conn, client.id ?? '', username, password).then(
          (result) => {
            if (result.ok) {
              (client as DeviceClient)[DEVICE] = result.deviceId;
              return done(null, true);
            }
            this.metrics.refused.inc({ reason: result.reason });
            this.logger.info({ clientId: client.id, username, reason: result.reason }, 'connection refused');
            done(Object.assign(new Error(`not authorized: ${result.reason}`), { returnCode: BAD_USERNAME_OR_PASSWORD }) as AuthenticateError, null);
          },
          (err: unknown) => done(Object.assign(err as Error, { returnCode: BAD_USERNAME_OR_PASSWORD }) as AuthenticateError, null),
        );
      },
      authorizePublish: (client, packet, cb) => this.onPublish(client as DeviceClient | null, packet, cb),
      authorizeSubscribe: (client, sub, cb) => {
        const deviceId = (client as DeviceClient)[DEVICE];
        if (deviceId !== undefined && maySubscribe(deviceId, sub.topic)) return cb(null, sub);
        this.metrics.refused.inc({ reason: 'subscribe_denied' });
        this.logger.info({ deviceId, topic: sub.topic }, 'subscription refused');
        cb(null, null);
      },
    });
    this.aedes = aedes;
    const track = () => this.metrics.clients.set(aedes.connectedClients);
    aedes.on('client', track);
    aedes.on('clientDisconnect', track);
    aedes.on('clientError', (client, err) => this.logger.debug({ clientId: client.id, err: err.message }, 'client error'));

    if (mqtt.tcp.enabled) await this.listen('tcp', createServer(aedes.handle), mqtt.tcp.host, mqtt.tcp.port);
    if (mqtt.tls.enabled) {
      const { key, cert, ca, requestClientCert } = mqtt.tls;
      if (!key || !cert) throw new Error('mqtt.tls.enabled needs mqtt.tls.key and mqtt.tls.cert');
      const server = createTlsServer(
        {
          key: readFileSync(key),
          cert: readFileSync(cert),
          ...(ca ? { ca: readFileSync(ca) } : {}),
          requestCert: requestClientCert && ca !== undefined,
          // Devices without a certificate may still log in with a password; a presented certificate
          // counts only when it verified (socket.authorized), see device-auth.ts.
          rejectUnauthorized: false,
        },
        aedes.handle,
      );
      await this.listen('tls', server, mqtt.tls.host, mqtt.tls.port);
    }

    if (mqtt.ws.enabled) {
      // MQTT over WebSocket: each WebSocket becomes a byte stream that aedes reads like a TCP socket.
      const server = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      const wss = new WebSocketServer({ server, path: mqtt.ws.path, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
      wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
      this.wss = wss;
      await this.listen('ws', server, mqtt.ws.host, mqtt.ws.port);
    }
  }

  /** Bound ports by listener name ('tcp', 'tls', 'ws'), for tests and logs. */
  ports(): Record<string, number> {
    return Object.fromEntries(this.servers.map(({ name, server }) => [name, (server.address() as AddressInfo).port]));
  }

  /** First stage of shutdown: refuse new connections and stop taking new messages (they are not acknowledged). */
  stopAccepting(): void {
    this.closing = true;
    for (const { server } of this.servers) server.close();
    this.wss?.close();
  }

  /** Second stage, after the Kafka writer drained: disconnect the devices and close the broker. */
  readonly stop = once(async () => {
    this.stopAccepting();
    const aedes = this.aedes;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.metrics.clients.set(0);
  });

  private async listen(name: string, server: Server, host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push({ name, server });
    this.logger.info({ listener: name, host, port: (server.address() as AddressInfo).port }, 'MQTT listening');
  }

  private onPublish(client: DeviceClient | null, packet: PublishPacket, cb: (err?: Error | null) => void): void {
    if (!client) return cb(null);
    const deviceId = client[DEVICE];
    if (deviceId === undefined || !mayPublish(deviceId, packet.topic)) {
      this.metrics.refused.inc({ reason: 'publish_denied' });
      this.logger.warn({ deviceId, clientId: client.id, topic: packet.topic }, 'publish refused; disconnecting');
      return cb(new Error(`device ${deviceId} may not publish to ${packet.topic}`));
    }
    // Shutting down: take nothing new. No acknowledgement, so the device sends it again elsewhere.
    if (this.closing) return;
    const accept = () => {
      if (this.closing) return;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (packet.qos === 1) {
        const messageId = packet.messageId!;
        const r = this.ingest.accept(packet.topic, payload, (err) => {
          if (!err) this.pubacks.ack(client, messageId);
        });
        if (r === 'queued') packet.qos = 0;
        return cb(null);
      }
      if (packet.qos === 2) {
        const r = this.ingest.accept(packet.topic, payload, (err) => {
          if (!err) cb(null);
          // Refused for good (e.g. too large for Kafka): no PUBREC, and the connection is closed now
          // rather than left unread (aedes reads nothing more until the callback) until its keepalive ends.
          else if (!isRetriable(err)) cb(err);
        });
        if (r === 'pass') cb(null);
        return;
      }
      this.ingest.accept(packet.topic, payload, () => undefined);
      cb(null);
    };
    this.ingest.onRoom(accept);
  }
}
