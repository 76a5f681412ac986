import type { Command } from '@fleetlake/core';
import { fixLine, summaryText } from './fix-json.js';
import { replayLog } from './replay.js';

export const replayCommand: Command = {
  summary: 'Replay an NMEA log: one JSON line per fix on stdout, a summary on stderr',
  help: `Usage: fleetlake-agent replay <nmea-log>

Reads an NMEA 0183 log (raw receiver output; "#" comment lines as in gpsd's test logs are skipped)
through the same parser as the live reader and prints one JSON line per fix on stdout:
  {"time":"2020-03-18T13:28:20.600Z","lat":41.57497,"lon":-93.75055,"altMSL":278.02,
   "speedKmh":6.023,"courseDeg":92.308,"mode":3,"satellites":9,"hdop":1}
Fields the log does not carry are left out. A fix from before the receiver sent a date (RMC/ZDA) gets
the host clock's time, "timeSource":"host" and the receiver's "gpsTimeOfDay". The summary on stderr counts sentences read, accepted
and rejected by reason (bad_checksum, no_checksum, too_long, bad_chars, bad_field, parse_error).

Options:
  --max-sentence N   longest sentence accepted, in characters (default 120; NMEA says 82)

Examples:
  fleetlake-agent replay ../shared/testdata/gpsd/ublox-neo-m9n-nmea.log
  fleetlake-agent replay drive.nmea 2>/dev/null | jq -c '{time, lat, lon}'
`,
  options: { 'max-sentence': { type: 'string' } },
  async run({ values, positionals }) {
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) {
      process.stderr.write('fleetlake-agent replay: give exactly one NMEA log file\n');
      return 2;
    }
    const maxSentenceLength = values['max-sentence'] === undefined ? undefined : Number(values['max-sentence']);
    if (maxSentenceLength !== undefined && !(Number.isInteger(maxSentenceLength) && maxSentenceLength >= 10)) {
      process.stderr.write('fleetlake-agent replay: --max-sentence must be an integer >= 10\n');
      return 2;
    }
    // A closed pipe (`| head`) ends the replay quietly.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
    const { counters } = await replayLog(file, (fix) => process.stdout.write(`${fixLine(fix)}\n`), { maxSentenceLength });
    process.stderr.write(`${summaryText(counters)}\n`);
    return 0;
  },
};
