import type { Command } from '@fleetlake/core';
import { parseOutput } from '../outputs/parse.js';
import { parseSpeed } from '../pacer.js';
import { replayCapture } from '../replay.js';
import { num, supervise } from './common.js';
import { DEFAULT_GPS_LINK, OUTPUT_HELP, startOutput } from './nmea.js';

export const replayCommand: Command = {
  summary: 'replay a captured NMEA log at its own pace into stdout, a pty or TCP',
  help: `Usage: fleetlake-sim replay FILE [options]

Replays a captured NMEA log (e.g. the gpsd test logs in shared/testdata/gpsd) at the pace of the UTC
times in its sentences. Binary data and broken sentences in the capture are sent as they were;
only '#' comment lines are skipped.

Options:
  --speed FACTOR|max  1 = the capture's own pace; max = as fast as the output takes it   [1]
  --loops N           play the capture N times                                        [1]
  --out TARGET        ${OUTPUT_HELP}   [stdout]
  --wait-client       with tcp:// or unix:, start only when the first client connects

Examples:
  fleetlake-sim replay ../shared/testdata/gpsd/ublox-neo-m9n-nmea.log --out pty
  fleetlake-sim replay ../shared/testdata/gpsd/nmea-fuzzy-cases.log --speed max --out tcp://127.0.0.1:2947 --wait-client`,
  options: {
    speed: { type: 'string', default: '1' },
    loops: { type: 'string', default: '1' },
    out: { type: 'string', default: 'stdout' },
    'wait-client': { type: 'boolean', default: false },
  },
  async run({ values, positionals }) {
    const file = positionals[0];
    if (!file) throw new Error('replay needs a capture file');
    const speed = parseSpeed(values.speed);
    const loops = num(values, 'loops', 1, (n) => Number.isInteger(n) && n >= 1);
    const output = parseOutput(String(values.out), DEFAULT_GPS_LINK);
    return supervise(
      'replay',
      async ({ log, signal }) => {
        await startOutput(output, 'nmea', { waitClient: values['wait-client'] === true });
        const stats = await replayCapture({ file, output, speed, loops, signal });
        log.info({ ...stats, output: output.stats }, 'replay finished');
      },
      () => output.stop(),
    );
  },
};
