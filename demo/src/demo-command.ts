import { join, resolve } from 'node:path';
import { ConfigError, createLogger, stopOnSignals, type Command } from '@fleetlake/core';
import { isDeviceId } from '@fleetlake/contracts';
import { runDemo } from './run-demo.js';

const DEFAULT_TRIP_MINUTES = 5;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

export const demoCommand: Command = {
  summary: 'run the whole pipeline on this machine with one simulated vehicle',
  help: `Usage: scripts/demo [--once] [--plain] [--trip-minutes N] [--dir DIR]

Starts a local Kafka broker (KRaft), the bridge with its embedded MQTT broker, the sink writing a
local lake folder, and a simulated vehicle driving London -> Birmingham at accelerated time: its GPS
goes as NMEA through a virtual serial port (socat pty) into the agent, with camera frames, vehicle,
weather and emergency data. A live status view shows each stage's rate and backlog (agent outbox,
bridge, Kafka lag, sink files). When the trip ends and everything is in the lake, it prints answers
from the lake (rows per table, trip summary, incidents, frames) and where the files are.
Ctrl-C stops every process.

Options:
  --once             run the trip to the end, print the answers and exit 0
  --plain            progress lines instead of a redrawn view (for CI and scripts)
  --trip-minutes N   wall minutes for the whole 184 km trip          [${DEFAULT_TRIP_MINUTES}]
  --duration S       drive only the first S simulated seconds of it
  --dir DIR          working folder: configs, logs/, lake/            [.fleetlake/demo-<time>]
  --device-id ID     the vehicle's deviceId                           [demo-van-1]
  --seed N           the trip's seed (same seed, same trip)           [1]

Examples:
  scripts/demo
  scripts/demo --once --plain --trip-minutes 2`,
  options: {
    once: { type: 'boolean' },
    plain: { type: 'boolean' },
    'trip-minutes': { type: 'string' },
    duration: { type: 'string' },
    dir: { type: 'string' },
    'device-id': { type: 'string' },
    seed: { type: 'string' },
  },
  async run({ values }) {
    const deviceId = (values['device-id'] as string | undefined) ?? 'demo-van-1';
    if (!isDeviceId(deviceId)) throw new ConfigError(`--device-id ${JSON.stringify(deviceId)} is not a valid deviceId`);
    const duration = values.duration as string | undefined;
    const trip = {
      tripMinutes: positive('trip-minutes', values['trip-minutes'] as string | undefined, DEFAULT_TRIP_MINUTES),
      seed: Math.round(positive('seed', values.seed as string | undefined, 1)),
      ...(duration ? { durationS: positive('duration', duration, 1) } : {}),
    };
    const plain = Boolean(values.plain) || !process.stdout.isTTY;
    const dir = resolve((values.dir as string | undefined) ?? join('.fleetlake', `demo-${stamp()}`));
    const logger = createLogger('fleetlake-demo', { level: plain ? 'info' : 'warn' });
    const controller = new AbortController();
    const finished = runDemo({ dir, deviceId, trip, once: Boolean(values.once), plain, out: process.stdout, logger, signal: controller.signal });
    const removeHandlers = stopOnSignals(async () => {
      controller.abort();
      await finished.catch(() => undefined);
    });
    try {
      await finished;
    } finally {
      removeHandlers();
    }
    return controller.signal.aborted ? 130 : 0;
  },
};
