import type { Command } from '@fleetlake/core';
import { runData } from '../data-run.js';
import { parseOutput } from '../outputs/parse.js';
import { parseSpeed } from '../pacer.js';
import { TUTORIAL_VEHICLE } from '../sensors.js';
import { vehicleId } from './camera.js';
import { nonNegative, num, positive, TRIP_HELP, tripFrom, supervise, tripOptions } from './common.js';
import { OUTPUT_HELP, startOutput } from './nmea.js';

export const DEFAULT_DATA_LINK = '/tmp/fleetlake-sim/data';

export const DATA_OPTIONS_HELP = `  --weather-every S   simulated seconds between weather readings              [60]
  --vehicle-every S   simulated seconds between vehicle data lines            [5]
  --incidents-per-hour N  mean emergency incidents per simulated hour         [2]`;

export const dataOptions = {
  'weather-every': { type: 'string', default: '60' },
  'vehicle-every': { type: 'string', default: '5' },
  'incidents-per-hour': { type: 'string', default: '2' },
} as const;

export function dataRates(values: Record<string, unknown>) {
  return {
    weatherEveryS: num(values, 'weather-every', 60, (n) => Number.isInteger(n) && n > 0),
    vehicleEveryS: num(values, 'vehicle-every', 5, (n) => Number.isInteger(n) && n > 0),
    incidentsPerHour: num(values, 'incidents-per-hour', 2, nonNegative),
  };
}

export const dataCommand: Command = {
  summary: 'weather, emergency incidents and vehicle data as JSON lines for the agent',
  help: `Usage: fleetlake-sim data [options]

Emits the agent's data-source input as JSON lines: the domain fields of weather_data,
emergency_data and vehicle_data (the agent stamps id, deviceId, seq, timestamp and position),
with "stream" naming the contract, e.g.
  {"stream":"weather","temperature":11.5,"weatherCondition":"Rain","precipitation":2.5,"windSpeed":18,"humidity":88,"airQualityIndex":41}
  {"stream":"emergency","incidentId":"...","type":"Accident","status":"Active","description":"two cars, lane 1 blocked"}
  {"stream":"vehicle","speed":104.2,"direction":"North-West","make":"BMW","model":"C500","year":2024,"fuelType":"Hybrid","engineRpm":2650,...}
Value ranges are the tutorial's (temperature -5..26 °C, wind 0..100 km/h, AQI 0..500, ...).

Options:
  --out TARGET        ${OUTPUT_HELP}   [stdout]
  --duration SECONDS  simulated seconds                                        [whole trip]
  --speed FACTOR|max  simulated seconds per wall second                        [1]
  --wait-client       with tcp:// or unix:, start only when the first client connects
${DATA_OPTIONS_HELP}
  --vehicle ID        (only used in logs)                                      [sim-vehicle-1]
${TRIP_HELP}

Examples:
  fleetlake-sim data --speed max --duration 3600 | head
  fleetlake-sim data --out unix:/tmp/fleetlake-sim/data.sock --wait-client --speed 10
  fleetlake-sim data --out pty --weather-every 30 --incidents-per-hour 6`,
  options: {
    ...tripOptions,
    ...dataOptions,
    out: { type: 'string', default: 'stdout' },
    duration: { type: 'string' },
    speed: { type: 'string', default: '1' },
    'wait-client': { type: 'boolean', default: false },
    vehicle: { type: 'string', default: 'sim-vehicle-1' },
  },
  async run({ values }) {
    const speed = parseSpeed(values.speed);
    const trip = await tripFrom(values);
    const durationS = num(values, 'duration', trip.durationS, positive);
    const output = parseOutput(String(values.out), DEFAULT_DATA_LINK);
    return supervise(
      'data',
      async ({ log, signal }) => {
        await startOutput(output, 'data', { waitClient: values['wait-client'] === true });
        const stats = await runData({
          trip, output, durationS, speed, signal, log,
          seed: num(values, 'seed', 1, Number.isInteger),
          vehicleId: vehicleId(values),
          vehicle: TUTORIAL_VEHICLE,
          ...dataRates(values),
        });
        log.info({ ...stats, output: output.stats }, 'data finished');
      },
      () => output.stop(),
    );
  },
};
