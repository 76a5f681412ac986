import { Duplex } from 'node:stream';

/** Why a connection was closed before its bytes reached the MQTT parser. */
export type FrameRefusal = 'connect_too_large' | 'packet_too_large' | 'not_connect' | 'malformed_length' | 'connect_timeout';

export interface FrameGuardOptions {
  /** Largest packet (fixed header included) before login: the CONNECT. */
  maxConnectBytes: number;
  /** Largest packet after login. */
  maxPacketBytes: number;
  /** The CONNECT must have arrived whole within this time. */
  connectTimeoutMs: number;
  /** Called once, when the guard closes the connection. */
  onRefuse(reason: FrameRefusal, detail: { announcedBytes?: number; limit?: number }): void;
}

/**
 * Sits between a device's byte stream (TCP, TLS or WebSocket) and the MQTT broker's parser, and
 * enforces the limits that must hold before anything is buffered: it reads each packet's fixed header
 * (type and remaining length, MQTT 3.1.1 §2.2) as the bytes arrive and passes the bytes on unchanged,
 * so it never holds more than one socket chunk.
 *
 * - A packet longer than the limit closes the connection as soon as its length is known: before
 *   login `maxConnectBytes` (a CONNECT is small), after login `maxPacketBytes`. A parser that
 *   buffers a whole packet before looking at it (mqtt-packet does) never sees the announced bytes.
 * - Before login only the first packet passes, and it must be a CONNECT; bytes after it wait (the
 *   socket is paused) until `loggedIn()`. So a client cannot queue packets behind a slow password check.
 * - The CONNECT must be complete within `connectTimeoutMs`: a connection that never sends one is
 *   closed and counted (it still holds a slot of maxConnections until then).
 */
export class MqttFrameGuard extends Duplex {
  private authenticated = false;
  private packets = 0;
  /** Body bytes of the current packet still to pass. */
  private bodyLeft = 0;
  /** Fixed header being read: bytes seen (0 = at a packet boundary), remaining length so far, multiplier. */
  private headerBytes = 0;
  private length = 0;
  private multiplier = 1;
  /** Bytes after the CONNECT, held until login. */
  private held: Buffer | undefined;
  private wantsData = true;
  private refused = false;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Duplex,
    /** The device's address (the TCP peer), for per-address login back-off. */
    readonly remoteAddress: string,
    private readonly options: FrameGuardOptions,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (err) => this.destroy(err));
    socket.on('drain', () => this.emit('socketDrain'));
    this.connectTimer = setTimeout(() => {
      if (this.packets === 0) this.refuse('connect_timeout', {});
    }, options.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** The CONNECT was accepted: later packets may pass, up to `maxPacketBytes` each. */
  loggedIn(): void {
    if (this.authenticated) return;
    this.authenticated = true;
    const held = this.held;
    this.held = undefined;
    if (held) this.onData(held);
    if (this.wantsData && !this.held) this.socket.resume();
  }

  get isLoggedIn(): boolean {
    return this.authenticated;
  }

  private onData(chunk: Buffer): void {
    if (this.refused) return;
    if (!this.authenticated && this.packets > 0) {
      // The CONNECT has passed: what follows waits for the login (at most the chunk that was in flight).
      this.held = this.held ? Buffer.concat([this.held, chunk]) : chunk;
      this.socket.pause();
      return;
    }
    const end = this.scan(chunk);
    if (this.refused) return;
    const pass = end === chunk.length ? chunk : chunk.subarray(0, end);
    if (end < chunk.length) {
      this.held = chunk.subarray(end);
      this.socket.pause();
    }
    if (pass.length > 0 && !this.push(pass)) {
      this.wantsData = false;
      this.socket.pause();
    }
  }

  /**
   * Walks the packet boundaries in `chunk`; returns how many of its bytes may pass now (all of them,
   * unless the CONNECT ends inside it before login). Refuses the connection on an over-long packet.
   */
  private scan(chunk: Buffer): number {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, n - i);
        i += skip;
        this.bodyLeft -= skip;
        if (this.bodyLeft === 0 && this.packetDone()) return i;
        continue;
      }
      const b = chunk[i++]!;
      if (this.headerBytes === 0) {
        // Packet type in the high nibble; before login the first packet must be a CONNECT (1).
        if (this.packets === 0 && b >> 4 !== 1) return this.refuse('not_connect', {});
        this.headerBytes = 1;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (b & 0x7f) * this.multiplier;
      this.headerBytes++;
      if (b & 0x80) {
        // At most four length bytes (MQTT 3.1.1 §2.2.3).
        if (this.headerBytes > 4) return this.refuse('malformed_length', {});
        this.multiplier *= 128;
        continue;
      }
      const total = this.headerBytes + this.length;
      const limit = this.authenticated ? this.options.maxPacketBytes : this.options.maxConnectBytes;
      if (total > limit) return this.refuse(this.authenticated ? 'packet_too_large' : 'connect_too_large', { announcedBytes: total, limit });
      this.headerBytes = 0;
      this.bodyLeft = this.length;
      if (this.bodyLeft === 0 && this.packetDone()) return i;
    }
    return n;
  }

  /** A packet ended; true when the bytes after it must wait for login. */
  private packetDone(): boolean {
    this.packets++;
    if (this.packets === 1 && this.connectTimer) {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
    return !this.authenticated;
  }

  private refuse(reason: FrameRefusal, detail: { announcedBytes?: number; limit?: number }): number {
    if (!this.refused) {
      this.refused = true;
      this.options.onRefuse(reason, detail);
      // Closed without an error: the broker sees the connection end, the refusal is counted here.
      this.destroy();
    }
    return 0;
  }

  override _read(): void {
    this.wantsData = true;
    if (!this.held && (this.authenticated || this.packets === 0)) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.once('socketDrain', () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    if (ok) callback();
    else this.once('socketDrain', () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.held = undefined;
    this.socket.destroy();
    callback(err);
  }
}
