import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet.js';
import { DEFAULT_MIX } from '../src/fleet-records.js';
import { loadRoute } from '../src/route.js';

/** A broker that lets in only `sim-1` (as the bridge admits only known devices). */
let broker: Aedes;
let server: ReturnType<typeof createServer>;
let url: string;

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate: (client, _username, _password, done) =>
      client.id === 'sim-1' ? done(null, true) : done(Object.assign(new Error('not authorized'), { returnCode: 4 }) as AuthenticateError, false),
  });
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

describe('fleetlake-sim fleet refused by the broker', () => {
  it('fails at once with the broker\'s reason when no device is let in (it used to exit 0 silently)', async () => {
    const started = Date.now();
    const route = await loadRoute('london-birmingham');
    await expect(Fleet.create({ brokerUrl: url, devices: 2, rateHz: 1, durationS: 1, mix: DEFAULT_MIX, route, idPrefix: 'car' })).rejects.toThrow(
      /none of the 2 devices could connect .*refused by the broker \(car-1: Connection refused: Bad username or password/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('publishes with the devices that were let in and counts the others as errors', async () => {
    const route = await loadRoute('london-birmingham');
    const fleet = await Fleet.create({ brokerUrl: url, devices: 2, rateHz: 2, durationS: 2, mix: DEFAULT_MIX, route, idPrefix: 'sim' });
    const summary = await fleet.run();
    expect(summary.connected).toBe(1);
    expect(summary.acked).toBeGreaterThan(0);
    expect(summary.acked).toBe(summary.sent);
    expect(summary.errorsByReason.device_refused_by_broker).toBeGreaterThan(0);
  });
});
