import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { FleetlakeError, isRetriable, once, type Logger } from '@fleetlake/core';
import { protocolRefusal } from './aedes-errors.js';
import { maxPacketBytes, type BridgeConfig } from './config.js';
import { authenticateDevice, devicePrefix, mayPublish, maySubscribe, type AuthRefusal, type DeviceAuthOptions } from './device-auth.js';
import type { Ingest } from './ingest.js';
import { LogThrottle } from './log-throttle.js';
import type { BridgeMetrics } from './metrics.js';
import { MqttFrameGuard, type FrameRefusal } from './mqtt-frame-guard.js';
import { PubackWriter } from './puback-writer.js';

const DEVICE = Symbol('fleetlake.deviceId');
const CLIENT_ID = Symbol('fleetlake.clientId');
type DeviceClient = Client & { [DEVICE]?: string; [CLIENT_ID]?: string };

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3; a const enum in aedes' types, not importable at run time). */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;

export interface EmbeddedBrokerOptions {
  mqtt: BridgeConfig['mqtt'];
  auth: DeviceAuthOptions;
}

/**
 * The embedded MQTT broker (aedes) on TCP, TLS and WebSocket. Data messages go through `Ingest`
 * inside `authorizePublish`; the PUBACK is written only when Kafka acknowledged the record.
 *
 * The front door: every connection passes an `MqttFrameGuard` (packet size limits before anything is
 * buffered, one packet before login, a CONNECT timeout) and counts against `maxConnections` from its
 * first byte; logins go through the login gate (device-auth.ts); a retained publish is kept only on
 * the device's status topic. Every refusal is counted in `refused_total{reason}`.
 *
 * How the PUBACK is held back: aedes writes the PUBACK as soon as `authorizePublish` calls back, and
 * it does not read the next packets of that connection until then. Holding the callback for the
 * Kafka round trip would therefore also hold PINGREQs, and the broker would drop devices on keepalive
 * while Kafka is down. So for a QoS 1 data message the bridge calls back at once with the packet
 * turned to QoS 0 (aedes forwards it without acknowledging) and writes the PUBACK itself, with that
 * connection's packet id, from the Kafka acknowledgement. Only when the in-memory buffer is full is the
 * callback held, which stops reading from that device (TCP back-pressure). QoS 2 keeps aedes' own flow
 * with the callback held until Kafka acked (PUBREC after Kafka); a record that not even its dead
 * letter gets into Kafka (non-retriable error) closes that connection instead.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private servers: { name: string; server: Server }[] = [];
  private wss: WebSocketServer | undefined;
  private closing = false;
  private open = 0;
  private readonly pubacks: PubackWriter;
  private readonly refusals: LogThrottle;

  private constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly ingest: Ingest,
    private readonly metrics: BridgeMetrics,
    private readonly logger: Logger,
  ) {
    this.pubacks = new PubackWriter((n) => this.metrics.acked.inc(n));
    this.refusals = new LogThrottle(logger);
  }

  static async create(options: EmbeddedBrokerOptions, ingest: Ingest, metrics: BridgeMetrics, logger: Logger): Promise<EmbeddedBroker> {
    return new EmbeddedBroker(options, ingest, metrics, logger);
  }

  async start(): Promise<void> {
    const { mqtt } = this.options;
    const aedes = await Aedes.createBroker({
      id: 'fleetlake-bridge',
      // The frame guard closes a connection without a CONNECT after connectTimeoutMs; aedes' own timer is a backstop.
      connectTimeout: mqtt.connectTimeoutMs * 2,
      preConnect: (client, packet, cb) => {
        // The client id as sent: aedes replaces an empty one with its own before authenticate().
        (client as DeviceClient)[CLIENT_ID] = packet.clientId;
        if (packet.protocolVersion !== 4 && packet.protocolVersion !== 3) {
          // aedes answers CONNACK 1 (unacceptable protocol version) itself; say why, for whoever reads the log.
          this.refuse('protocol_version', { clientId: packet.clientId, username: packet.username, protocolVersion: packet.protocolVersion }, 'connection refused: this broker speaks MQTT 3.1.1 only; connect with protocol version 4 (the agent: mqtt.protocolVersion: 4)');
        }
        if (this.closing) this.refuse('closing', {}, 'connection refused: shutting down');
        cb(null, !this.closing);
      },
      authenticate: (client, username, password, done) => this.authenticate(client as DeviceClient, username, password, done),
      authorizePublish: (client, packet, cb) => this.onPublish(client as DeviceClient | null, packet, cb),
      authorizeSubscribe: (client, sub, cb) => {
        const deviceId = (client as DeviceClient)[DEVICE];
        if (deviceId !== undefined && maySubscribe(deviceId, sub.topic)) return cb(null, sub);
        this.refuse('subscribe_denied', { deviceId, topic: sub.topic }, 'subscription refused');
        cb(null, null);
      },
    });
    this.aedes = aedes;
    const track = () => this.metrics.clients.set(aedes.connectedClients);
    aedes.on('client', track);
    aedes.on('clientDisconnect', track);
    const onError = (client: Client, err: Error) => {
      const reason = protocolRefusal(err);
      if (reason) this.refuse(reason, { clientId: client.id, err: err.message }, 'connection closed: protocol violation');
      else this.logger.debug({ clientId: client.id, err: err.message }, 'client error');
    };
    aedes.on('clientError', onError);
    aedes.on('connectionError', onError);

    if (mqtt.tcp.enabled) {
      await this.listen('tcp', createServer((socket) => this.accept(socket, socket.remoteAddress)), mqtt.tcp.host, mqtt.tcp.port);
    }
    if (mqtt.tls.enabled) {
      const { key, cert, ca, passphrase, requestClientCert } = mqtt.tls;
      if (!key || !cert) throw new Error('mqtt.tls.enabled needs mqtt.tls.key and mqtt.tls.cert');
      const server = createTlsServer(
        {
          key: readFileSync(key),
          cert: readFileSync(cert),
          ...(passphrase !== undefined ? { passphrase } : {}),
          ...(ca ? { ca: readFileSync(ca) } : {}),
          requestCert: requestClientCert && ca !== undefined,
          // Devices without a certificate may still log in with a password; a presented certificate
          // counts only when it verified (socket.authorized), see device-auth.ts.
          rejectUnauthorized: false,
          handshakeTimeout: mqtt.connectTimeoutMs,
        },
        (socket) => this.accept(socket, socket.remoteAddress),
      );
      // Connections still in their TLS handshake are not counted by accept(): bound them here.
      server.maxConnections = mqtt.maxConnections;
      server.on('drop', () => this.refuse('max_connections', { listener: 'tls' }, 'connection refused: maxConnections reached'));
      await this.listen('tls', server, mqtt.tls.host, mqtt.tls.port);
    }

    if (mqtt.ws.enabled) {
      // MQTT over WebSocket: each WebSocket becomes a byte stream that aedes reads like a TCP socket.
      const server = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'));
      const wss = new WebSocketServer({
        server,
        path: mqtt.ws.path,
        // ws buffers a whole message before handing it on: no message may be larger than a packet.
        maxPayload: maxPacketBytes(mqtt),
        handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
      });
      wss.on('connection', (socket, req) => this.accept(createWebSocketStream(socket), req.socket.remoteAddress));
      this.wss = wss;
      await this.listen('ws', server, mqtt.ws.host, mqtt.ws.port);
    }
  }

  /** A new connection (any listener): counted from its first byte, limited, and put behind a frame guard. */
  private accept(socket: Duplex, address: string | undefined): void {
    const { mqtt } = this.options;
    if (this.closing || this.open >= mqtt.maxConnections) {
      socket.on('error', () => undefined);
      socket.destroy();
      this.refuse(this.closing ? 'closing' : 'max_connections', { address }, 'connection refused: maxConnections reached');
      return;
    }
    const guard = new MqttFrameGuard(socket, address ?? '', {
      maxConnectBytes: mqtt.maxConnectBytes,
      maxPacketBytes: maxPacketBytes(mqtt),
      connectTimeoutMs: mqtt.connectTimeoutMs,
      onRefuse: (reason: FrameRefusal, detail) => this.refuse(reason, { address, ...detail }, 'connection closed by the front door'),
    });
    this.open++;
    this.metrics.openConnections.set(this.open);
    guard.once('close', () => {
      this.open--;
      this.metrics.openConnections.set(this.open);
    });
    this.aedes!.handle(guard);
  }

  /** Counts a refusal and logs it (a few lines per reason and 10 s; the count is in /metrics). */
  private refuse(reason: string, fields: Record<string, unknown>, msg: string): void {
    this.metrics.refused.inc({ reason });
    this.refusals.info(reason, { ...fields, reason }, msg);
  }

  private authenticate(client: DeviceClient, username: string | undefined, password: Buffer | undefined, done: (err: AuthenticateError | null, ok: boolean | null) => void): void {
    const guard = client.conn as unknown as MqttFrameGuard;
    const clientId = client[CLIENT_ID] ?? client.id ?? '';
    const deny = (reason: AuthRefusal | 'client_id_clean', returnCode: number) => {
      this.refuse(reason, { clientId, username }, 'connection refused');
      done(Object.assign(new FleetlakeError('AUTH_REFUSED', `not authorized: ${reason}`), { returnCode }) as unknown as AuthenticateError, null);
    };
    // MQTT 3.1.1 §3.1.3.1: a zero-byte client id only with a clean session (the broker picks the id).
    if (clientId === '' && !client.clean) return deny('client_id_clean', IDENTIFIER_REJECTED);
    const gate = this.options.auth.gate;
    const attempt = authenticateDevice(this.options.auth, { socket: guard.socket, address: guard.remoteAddress, clientId, username, password, closed: () => guard.destroyed });
    if (gate) this.metrics.loginWaiting.set(gate.load.waiting);
    attempt.then(
      (result) => {
        if (gate) this.metrics.loginWaiting.set(gate.load.waiting);
        if (result.ok) {
          client[DEVICE] = result.deviceId;
          guard.loggedIn();
          return done(null, true);
        }
        if (result.reason === 'closed') return; // gone while waiting: nothing to answer
        deny(result.reason, result.reason === 'login_busy' ? SERVER_UNAVAILABLE : result.reason === 'client_id' ? IDENTIFIER_REJECTED : BAD_USERNAME_OR_PASSWORD);
      },
      (err: unknown) => done(Object.assign(err as Error, { returnCode: SERVER_UNAVAILABLE }) as AuthenticateError, null),
    );
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
      this.refuse('publish_denied', { deviceId, clientId: client.id, topic: packet.topic.slice(0, 256) }, 'publish refused; disconnecting');
      return cb(new FleetlakeError('PUBLISH_DENIED', `device ${deviceId} may not publish to ${packet.topic.slice(0, 256)}`));
    }
    // Retained only where the design needs it: the device's status topic (one message per topic, the
    // broker keeps the last). Elsewhere the message is taken, its retain flag is not.
    if (packet.retain && packet.topic !== `${devicePrefix(deviceId)}status`) {
      packet.retain = false;
      this.refuse('retain_not_status', { deviceId, topic: packet.topic.slice(0, 256) }, 'retain flag refused (only the status topic is retained); message taken without it');
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
        if (r === 'dead') packet.retain = false; // e.g. an oversized status message
        if (r !== 'pass') packet.qos = 0;
        return cb(null);
      }
      if (packet.qos === 2) {
        const r = this.ingest.accept(packet.topic, payload, (err) => {
          if (!err) cb(null);
          // Not even its dead letter got into Kafka: no PUBREC, and the connection is closed now
          // rather than left unread (aedes reads nothing more until the callback) until its keepalive ends.
          else if (!isRetriable(err)) cb(err);
        });
        if (r === 'dead') packet.retain = false;
        if (r === 'pass') cb(null);
        return;
      }
      if (this.ingest.accept(packet.topic, payload, () => undefined) === 'dead') packet.retain = false;
      cb(null);
    };
    this.ingest.onRoom(accept);
  }
}
