import { ConfigError, type Command } from '@fleetlake/core';
import { FaultInjector, parseFaults } from '../faults.js';
import { runNmea } from '../nmea-run.js';
import type { LineOutput } from '../outputs/output.js';
import { parseOutput } from '../outputs/parse.js';
import { SocketServerOutput } from '../outputs/socket-output.js';
import { parseSpeed } from '../pacer.js';
import { createRandom } from '../random.js';
import { jsonlFile, nonNegative, num, positive, TRIP_HELP, tripFrom, supervise, tripOptions } from './common.js';

export const DEFAULT_GPS_LINK = '/tmp/fleetlake-sim/gps';

export const OUTPUT_HELP = `stdout, pty (a socat pty pair; the agent opens the stable link), pty:LINK,
                      tcp://HOST:PORT (a server every client gets the stream from, like gpsfake) or unix:PATH`;

/** Starts an output and tells the user where to point the agent. */
export async function startOutput(output: LineOutput, what: string, opts: { waitClient?: boolean } = {}): Promise<void> {
  await output.start();
  if (output.describe() !== 'stdout') {
    process.stdout.write(`${JSON.stringify({ [what]: output.describe(), ...('devicePath' in output ? { device: output.devicePath } : {}) })}\n`);
  }
  process.stderr.write(`fleetlake-sim: ${what} on ${output.describe()}\n`);
  if (opts.waitClient && output instanceof SocketServerOutput) {
    process.stderr.write(`fleetlake-sim: waiting for a client on ${output.describe()}\n`);
    await output.waitForClient();
  }
}

export const nmeaCommand: Command = {
  summary: 'emit NMEA (GGA, RMC, VTG, GSA, GSV) from a simulated trip to stdout, a pty or TCP',
  help: `Usage: fleetlake-sim nmea [options]

Drives the route and emits NMEA 0183 at --rate epochs per simulated second: GGA, RMC, VTG, GSA each
epoch and GSV once a second, with correct checksums, UTC date/time, fix quality, satellites and HDOP
computed from the simulated sky. Positions carry 6 decimals of minutes (~2e-8 degrees).

Options:
  --rate HZ           epochs per simulated second, 1-10                        [1]
  --duration SECONDS  simulated seconds to emit (capped at the trip's end)      [whole trip]
  --from SECONDS      simulated second of the trip to begin at                  [0]
  --speed FACTOR|max  simulated seconds per wall second; max = as fast as the output takes it [1]
  --out TARGET        ${OUTPUT_HELP}   [stdout]
  --wait-client       with tcp:// or unix:, start only when the first client connects
  --faults SPEC       fault injection, e.g. bad-checksum=0.01,truncate=0.005,overlong=0.005,noise=0.01,
                      fix-loss=0.002:20,freeze=0.001:5,port-drop=0.001:3 (line faults: probability per
                      sentence; episodes: probability per simulated second : seconds)
  --talker GP|GN      talker id of GGA/RMC/VTG                                  [GP]
  --truth FILE        write the ground truth of every epoch as JSON lines
${TRIP_HELP}

Examples:
  fleetlake-sim nmea --route london-birmingham --rate 1 --duration 60 --speed max --seed 7 --start 2026-11-27T08:00:00Z
  fleetlake-sim nmea --out pty --rate 5 --speed 10        # prints the /dev/pts device and /tmp/fleetlake-sim/gps
  fleetlake-sim nmea --out tcp://127.0.0.1:2947 --wait-client --speed 1
  fleetlake-sim nmea --out pty --faults bad-checksum=0.02,noise=0.01,port-drop=0.002:3 --truth truth.jsonl`,
  options: {
    ...tripOptions,
    rate: { type: 'string', default: '1' },
    duration: { type: 'string' },
    from: { type: 'string', default: '0' },
    speed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'stdout' },
    'wait-client': { type: 'boolean', default: false },
    faults: { type: 'string' },
    talker: { type: 'string', default: 'GP' },
    truth: { type: 'string' },
  },
  async run({ values }) {
    const rateHz = num(values, 'rate', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 10);
    const speed = parseSpeed(values.speed);
    const talker = String(values.talker);
    if (!/^G[PNLAB]$/.test(talker)) throw new ConfigError(`invalid --talker ${JSON.stringify(talker)} (GP, GN, GL, GA or GB)`);
    const seed = num(values, 'seed', 1, Number.isInteger);
    const faultConfig = parseFaults(values.faults as string | undefined);
    const trip = await tripFrom(values);
    const durationS = num(values, 'duration', trip.durationS, positive);
    const fromS = num(values, 'from', 0, nonNegative);
    const output = parseOutput(String(values.out), DEFAULT_GPS_LINK);
    const truth = jsonlFile(values.truth as string | undefined);
    const faults = new FaultInjector(faultConfig, createRandom(seed).fork('faults'));
    return supervise(
      'nmea',
      async ({ log, signal }) => {
        await startOutput(output, 'nmea', { waitClient: values['wait-client'] === true });
        const stats = await runNmea({
          trip, output, rateHz, durationS, fromS, speed, seed, signal, log,
          faults: faults.enabled ? faults : undefined,
          epoch: { talker },
          onEpoch: ({ sentences: _s, ...rec }) => truth.write({ ...rec, time: new Date(rec.timeMs).toISOString() }),
        });
        log.info({ ...stats, faults: faults.counts, output: output.stats }, 'nmea finished');
      },
      async () => {
        await output.stop();
        await truth.close();
      },
    );
  },
};
