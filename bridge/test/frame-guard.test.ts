import { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MqttFrameGuard, type FrameRefusal } from '../src/mqtt-frame-guard.js';
import { announce } from './raw-mqtt.js';

/** A socket whose incoming bytes the test pushes; what the guard passes on is read from the guard. */
function setup(limits: { maxConnectBytes?: number; maxPacketBytes?: number; connectTimeoutMs?: number } = {}) {
  const socket = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
  const refusals: { reason: FrameRefusal; announcedBytes?: number }[] = [];
  const guard = new MqttFrameGuard(socket, '10.0.0.1', {
    maxConnectBytes: limits.maxConnectBytes ?? 4096,
    maxPacketBytes: limits.maxPacketBytes ?? 64 * 1024,
    connectTimeoutMs: limits.connectTimeoutMs ?? 10_000,
    onRefuse: (reason, detail) => refusals.push({ reason, ...detail }),
  });
  const passed: Buffer[] = [];
  guard.on('data', (b: Buffer) => passed.push(b));
  const bytes = () => Buffer.concat(passed);
  return { socket, guard, refusals, bytes };
}

const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'van-1', clean: true, keepalive: 30, username: 'van-1', password: Buffer.from('pw') });
const publish = (size: number) => mqttPacket.generate({ cmd: 'publish', topic: 'fleetlake/v1/van-1/gps', payload: Buffer.alloc(size, 0x61), qos: 0, dup: false, retain: false });
const header = announce;
const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => vi.useRealTimers());

describe('MqttFrameGuard', () => {
  it('closes a connection whose CONNECT announces more than maxConnectBytes, before buffering any of it', async () => {
    const { socket, guard, refusals, bytes } = setup();
    socket.push(header(1, 250 * 1024 * 1024));
    await settle();
    expect(refusals).toEqual([{ reason: 'connect_too_large', announcedBytes: 5 + 250 * 1024 * 1024, limit: 4096 }]);
    expect(guard.destroyed).toBe(true);
    expect(socket.destroyed).toBe(true);
    expect(bytes().length).toBe(0);
  });

  it('requires a CONNECT first, and at most four length bytes', async () => {
    const a = setup();
    a.socket.push(publish(10));
    await settle();
    expect(a.refusals.map((r) => r.reason)).toEqual(['not_connect']);
    const b = setup();
    b.socket.push(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await settle();
    expect(b.refusals.map((r) => r.reason)).toEqual(['malformed_length']);
  });

  it('passes the CONNECT, holds what follows until login, then passes it unchanged', async () => {
    const { socket, guard, refusals, bytes } = setup();
    const p1 = publish(100);
    const p2 = publish(200);
    socket.push(Buffer.concat([connect, p1]));
    socket.push(p2);
    await settle();
    expect(bytes()).toEqual(connect);
    guard.loggedIn();
    await settle();
    expect(bytes()).toEqual(Buffer.concat([connect, p1, p2]));
    expect(refusals).toEqual([]);
  });

  it('after login, closes a connection at the first packet over maxPacketBytes, also with headers split across chunks', async () => {
    const { socket, guard, refusals, bytes } = setup({ maxPacketBytes: 1024 });
    socket.push(connect);
    await settle();
    guard.loggedIn();
    const ok = publish(900);
    for (const b of ok) socket.push(Buffer.from([b])); // one byte at a time
    await settle();
    expect(bytes()).toEqual(Buffer.concat([connect, ok]));
    socket.push(header(3, 200 * 1024 * 1024).subarray(0, 2));
    socket.push(header(3, 200 * 1024 * 1024).subarray(2));
    await settle();
    expect(refusals).toEqual([{ reason: 'packet_too_large', announcedBytes: 5 + 200 * 1024 * 1024, limit: 1024 }]);
    // At most the header bytes that came before the length was complete went on.
    expect(bytes().length).toBeLessThanOrEqual(connect.length + ok.length + 4);
    expect(guard.destroyed).toBe(true);
  });

  it('closes a connection that sent no whole CONNECT within connectTimeoutMs', async () => {
    vi.useFakeTimers();
    const { socket, refusals, guard } = setup({ connectTimeoutMs: 1000 });
    socket.push(connect.subarray(0, 5));
    vi.advanceTimersByTime(999);
    expect(refusals).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(refusals.map((r) => r.reason)).toEqual(['connect_timeout']);
    expect(guard.destroyed).toBe(true);
  });

  it('writes through to the socket', async () => {
    const written: Buffer[] = [];
    const socket = new Duplex({ read() {}, write: (c: Buffer, _e, cb) => (written.push(c), cb()) });
    const guard = new MqttFrameGuard(socket, '', { maxConnectBytes: 4096, maxPacketBytes: 4096, connectTimeoutMs: 1000, onRefuse: () => undefined });
    guard.write(Buffer.from([0x20, 0x02, 0, 0]));
    guard.cork();
    guard.write(Buffer.from([0x40, 0x02, 0, 1]));
    guard.write(Buffer.from([0x40, 0x02, 0, 2]));
    guard.uncork();
    await settle();
    expect(Buffer.concat(written)).toEqual(Buffer.from([0x20, 0x02, 0, 0, 0x40, 0x02, 0, 1, 0x40, 0x02, 0, 2]));
    guard.destroy();
  });
});
