import { ConfigError, type Command } from '@fleetlake/core';
import { runData } from '../data-run.js';
import { FaultInjector, parseFaults } from '../faults.js';
import { FrameFolder } from '../frames.js';
import { runNmea } from '../nmea-run.js';
import { parseOutput } from '../outputs/parse.js';
import { parseSpeed, type Speed } from '../pacer.js';
import { createRandom } from '../random.js';
import { TUTORIAL_VEHICLE } from '../sensors.js';
import { CAMERA_OPTIONS_HELP, cameraOptions, cameraSizeOptions, vehicleId } from './camera.js';
import { jsonlFile, num, positive, TRIP_HELP, tripFrom, supervise, tripOptions } from './common.js';
import { DATA_OPTIONS_HELP, dataOptions, dataRates, DEFAULT_DATA_LINK } from './data.js';
import { DEFAULT_GPS_LINK, OUTPUT_HELP, startOutput } from './nmea.js';

export const tripCommand: Command = {
  summary: 'one vehicle end to end: NMEA into a pty, data lines and camera frames for a running agent',
  help: `Usage: fleetlake-sim trip [options]

Drives one vehicle along the route and feeds a running agent everything it reads: NMEA on a virtual
serial port (socat pty; the agent opens the stable link), weather / incident / vehicle JSON lines on
a second port or socket, and camera frames written into a folder. Prints where each one is, then
runs until the trip ends (or --duration), Ctrl-C stops it cleanly.

Options:
  --gps-out TARGET    where NMEA goes: ${OUTPUT_HELP}   [pty:${DEFAULT_GPS_LINK}]
  --data-out TARGET   where data lines go (same choices, or "none")     [pty:${DEFAULT_DATA_LINK}]
  --frames-dir DIR    camera frames folder ("none" for no frames)     [/tmp/fleetlake-sim/frames]
  --frame-every S     simulated seconds between frames                 [10]
  --rate HZ           NMEA epochs per simulated second, 1-10            [1]
  --speed FACTOR|max  simulated seconds per wall second                 [1]
  --trip-minutes N    instead of --speed: run the whole trip in N wall minutes
  --duration SECONDS  simulated seconds                                 [whole trip]
  --faults SPEC       NMEA fault injection (see 'fleetlake-sim nmea --help')
  --truth FILE        ground truth of every NMEA epoch as JSON lines
  --vehicle ID        vehicle id drawn on frames                        [sim-vehicle-1]
${DATA_OPTIONS_HELP}
${CAMERA_OPTIONS_HELP}
${TRIP_HELP}

Examples:
  fleetlake-sim trip --speed 10
  fleetlake-sim trip --trip-minutes 5 --rate 5 --truth /tmp/truth.jsonl
  fleetlake-sim trip --gps-out tcp://127.0.0.1:2947 --data-out unix:/tmp/fleetlake-sim/data.sock --frames-dir none`,
  options: {
    ...tripOptions,
    ...dataOptions,
    ...cameraSizeOptions,
    'gps-out': { type: 'string', default: `pty:${DEFAULT_GPS_LINK}` },
    'data-out': { type: 'string', default: `pty:${DEFAULT_DATA_LINK}` },
    'frames-dir': { type: 'string', default: '/tmp/fleetlake-sim/frames' },
    'frame-every': { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    speed: { type: 'string' },
    'trip-minutes': { type: 'string' },
    duration: { type: 'string' },
    faults: { type: 'string' },
    truth: { type: 'string' },
    vehicle: { type: 'string', default: 'sim-vehicle-1' },
  },
  async run({ values }) {
    const rateHz = num(values, 'rate', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 10);
    const seed = num(values, 'seed', 1, Number.isInteger);
    const trip = await tripFrom(values);
    const durationS = Math.min(num(values, 'duration', trip.durationS, positive), trip.durationS);
    if (values.speed !== undefined && values['trip-minutes'] !== undefined) throw new ConfigError('use --speed or --trip-minutes, not both');
    const speed: Speed =
      values['trip-minutes'] !== undefined ? durationS / (num(values, 'trip-minutes', 0, positive) * 60) : parseSpeed(values.speed ?? '1');
    const faultConfig = parseFaults(values.faults as string | undefined);
    const id = vehicleId(values);
    const gps = parseOutput(String(values['gps-out']), DEFAULT_GPS_LINK);
    const data = values['data-out'] === 'none' ? undefined : parseOutput(String(values['data-out']), DEFAULT_DATA_LINK);
    const framesDir = String(values['frames-dir']);
    const frames = framesDir === 'none' ? undefined : { folder: new FrameFolder(framesDir, cameraOptions(values)), everyS: num(values, 'frame-every', 10, (n) => Number.isInteger(n) && n > 0) };
    const truth = jsonlFile(values.truth as string | undefined);
    const faults = new FaultInjector(faultConfig, createRandom(seed).fork('faults'));
    return supervise(
      'trip',
      async ({ log, signal }) => {
        await startOutput(gps, 'nmea');
        if (data) await startOutput(data, 'data');
        if (frames) {
          await frames.folder.start();
          process.stdout.write(`${JSON.stringify({ frames: frames.folder.dir })}\n`);
        }
        log.info({ route: trip.route.name, lengthKm: +(trip.route.length / 1000).toFixed(2), tripS: Math.round(trip.durationS), durationS, speed, rateHz }, 'trip starting');
        const [nmeaStats, dataStats] = await Promise.all([
          runNmea({
            trip, output: gps, rateHz, durationS, speed, seed, signal, log,
            faults: faults.enabled ? faults : undefined,
            onEpoch: ({ sentences: _s, ...rec }) => truth.write({ ...rec, time: new Date(rec.timeMs).toISOString() }),
          }),
          runData({ trip, output: data, durationS, speed, seed, signal, log, vehicleId: id, vehicle: TUTORIAL_VEHICLE, frames, ...dataRates(values) }),
        ]);
        log.info({ nmea: nmeaStats, data: dataStats, faults: faults.counts }, 'trip finished');
      },
      async () => {
        await frames?.folder.drain();
        await Promise.all([gps.stop(), data?.stop()]);
        await truth.close();
      },
    );
  },
};
