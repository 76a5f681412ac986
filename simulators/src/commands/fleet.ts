import type { Command } from '@fleetlake/core';
import { ConfigError } from '@fleetlake/core';
import { Fleet, type FleetProgress } from '../fleet.js';
import { parseMix } from '../fleet-records.js';
import { loadRoute } from '../route.js';
import { num, positive, runtime } from './common.js';

export function progressLine(p: FleetProgress): string {
  return `fleet ${p.elapsedS.toFixed(0).padStart(4)}s  devices ${p.connected}/${p.devices}  rate ${p.rate.toFixed(1)} msg/s  sent ${p.sent}  acked ${p.acked}  errors ${p.errors}  inflight ${p.inflight}`;
}

export const fleetCommand: Command = {
  summary: 'N simulated devices publishing contract records straight to an MQTT broker (load test)',
  help: `Usage: fleetlake-sim fleet --devices N --rate HZ --duration SECONDS --broker URL [options]

Connects N devices (one MQTT connection each, client id = device id) and publishes full contract
records (validated with the contracts before sending) on fleetlake/v1/{deviceId}/{stream} at HZ
messages per second per device, spread evenly over time. Shows a progress line (rate, sent, acked,
errors) on stderr and prints a JSON summary on stdout: what was sent, what the broker acknowledged
(PUBACK), the per-second min/max, and publish-to-PUBACK latency.

Options:
  --devices N          simulated devices                                          [10]
  --rate HZ            messages per second per device (may be below 1, e.g. 0.2) [1]
  --duration SECONDS   publishing time (wall clock)                               [30]
  --broker URL         mqtt://, mqtts://, ws:// broker URL                        [mqtt://127.0.0.1:1883]
  --mix WEIGHTS        stream weights                      [gps=5,vehicle=2,weather=1,emergency=1,traffic=1]
  --qos 0|1            MQTT QoS (1 = count broker acknowledgements)               [1]
  --prefix P           device ids are P-0001, P-0002, ...                         [sim]
  --connect-rate N     new connections per second while connecting               [250]
  --username U --password P   broker credentials (default username: each device's own id)
  --seed N             seed of every random choice                                [1]

Examples:
  fleetlake-sim fleet --devices 1000 --rate 1 --duration 60 --broker mqtt://127.0.0.1:1883
  fleetlake-sim fleet --devices 50 --rate 5 --duration 30 --mix gps=1 --broker mqtt://127.0.0.1:1883
  fleetlake-sim fleet --devices 10 --rate 0.2 --duration 600 --broker mqtts://broker.example:8883 --username u --password p`,
  options: {
    devices: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    duration: { type: 'string', default: '30' },
    broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    mix: { type: 'string' },
    qos: { type: 'string', default: '1' },
    prefix: { type: 'string', default: 'sim' },
    'connect-rate': { type: 'string', default: '250' },
    username: { type: 'string' },
    password: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  async run({ values }) {
    const devices = num(values, 'devices', 10, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000);
    const rateHz = num(values, 'rate', 1, positive);
    const durationS = num(values, 'duration', 30, positive);
    const qos = num(values, 'qos', 1, (n) => n === 0 || n === 1) as 0 | 1;
    const broker = String(values.broker);
    if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(broker)) throw new ConfigError(`invalid --broker ${JSON.stringify(broker)}: expected mqtt://HOST:PORT (or mqtts://, ws://, wss://)`);
    const mix = parseMix(values.mix as string | undefined);
    const route = await loadRoute('london-birmingham');
    const { log, signal, dispose } = runtime('fleet');
    const tty = process.stderr.isTTY;
    const onProgress = (p: FleetProgress) => process.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`);
    let fleet: Fleet | undefined;
    try {
      fleet = await Fleet.create({
        brokerUrl: broker, devices, rateHz, durationS, mix, qos, route, signal, log, onProgress,
        idPrefix: String(values.prefix),
        seed: num(values, 'seed', 1, Number.isInteger),
        connectPerSecond: num(values, 'connect-rate', 250, positive),
        mqtt: { ...(values.username ? { username: String(values.username) } : {}), ...(values.password ? { password: String(values.password) } : {}) },
      });
      const summary = await fleet.run();
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return summary.errors > 0 || summary.acked < summary.sent ? 1 : 0;
    } finally {
      dispose();
      await fleet?.stop();
    }
  },
};
