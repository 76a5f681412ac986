import { createLogger, stopOnSignals, type Command } from '@fleetlake/core';
import { fixLine, summaryText } from './fix-json.js';
import { GpsReader } from './reader.js';

export const gpsCommand: Command = {
  summary: 'Read a live GPS receiver (serial or tcp://) and print its fixes as JSON lines',
  help: `Usage: fleetlake-agent gps --device PATH [--baud N] [--silence-ms N]

Opens a receiver the way the agent does and prints one JSON line per fix on stdout (same fields as
"replay"). Reconnects when the device disappears and reopens it when it goes silent. On Ctrl-C it
prints a summary on stderr: sentences read, accepted, rejected by reason, reconnects.
Logs (JSON, pino) go to stderr; set FLEETLAKE_LOG_LEVEL=warn to quiet them.

Options:
  --device PATH      /dev/ttyUSB0, /dev/serial0, /dev/serial/by-id/..., a pty, or tcp://host:port
  --baud N           serial speed (default 9600; many u-blox units use 38400 or 115200)
  --silence-ms N     reopen the device after N ms without data (default 5000)
  --count N          exit after N fixes (default: run until Ctrl-C)

Examples:
  fleetlake-agent gps --device /dev/serial0 --baud 9600
  fleetlake-agent gps --device /dev/serial/by-id/usb-u-blox_AG_-_www.u-blox.com_u-blox_GNSS_receiver-if00 --baud 115200
  fleetlake-agent gps --device tcp://127.0.0.1:2947 --count 5     # e.g. gpsfake -t serving a log
`,
  options: {
    device: { type: 'string' },
    baud: { type: 'string' },
    'silence-ms': { type: 'string' },
    count: { type: 'string' },
  },
  async run({ values }) {
    const device = values.device as string | undefined;
    if (!device) {
      process.stderr.write('fleetlake-agent gps: --device is required\n');
      return 2;
    }
    const intOpt = (name: string): number | undefined => {
      const v = values[name] as string | undefined;
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
      return n;
    };
    const count = intOpt('count');
    const reader = await GpsReader.create(
      { device, baudRate: intOpt('baud'), silenceTimeoutMs: intOpt('silence-ms') },
      { logger: createLogger('fleetlake-agent-gps') },
    );
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    reader.on('fix', (fix) => {
      if (count !== undefined && seen >= count) return; // the epoch flushed while stopping
      process.stdout.write(`${fixLine(fix)}\n`);
      if (count !== undefined && ++seen >= count) finish();
    });
    const unhook = stopOnSignals(async () => finish());
    await reader.start();
    await finished;
    unhook();
    await reader.stop();
    process.stderr.write(`${summaryText(reader.counters)}\n`);
    return 0;
  },
};
