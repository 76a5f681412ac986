import { randomBytes } from 'node:crypto';
import type { Logger } from '@fleetlake/core';
import { waitFor } from '@fleetlake/testkit';
import { askLake, renderAnswers, type LakeAnswers } from './answers.js';
import { startDemoConsole, type DemoConsole } from './console-service.js';
import { Pipeline } from './pipeline.js';
import { collectStatus, drained, type StatusSnapshot } from './status.js';
import { Vehicle, type TripOptions } from './vehicle.js';
import { renderPlain, renderStatus } from './view.js';

export interface DemoOptions {
  /** Working folder: configuration, logs, the lake. */
  dir: string;
  deviceId: string;
  trip: TripOptions;
  /** Run the trip to the end, print the answers and return (instead of waiting for Ctrl-C). */
  once: boolean;
  /** Progress lines instead of redrawing the status view. */
  plain: boolean;
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  logger: Logger;
  /** Aborted by Ctrl-C / SIGTERM. */
  signal: AbortSignal;
}

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/**
 * The demo: the cloud side (Kafka, bridge, sink), one simulated vehicle (simulator + agent over
 * virtual serial ports), a live status view until the trip ends and everything reached the lake,
 * then answers from the lake. Every process is stopped on the way out, also on Ctrl-C and errors.
 */
export async function runDemo(o: DemoOptions): Promise<LakeAnswers | undefined> {
  const write = (lines: string[]) => o.out.write(lines.join('\n') + '\n');
  const password = randomBytes(12).toString('base64url');
  write([`fleetlake demo: starting Kafka, the bridge and the sink (working folder ${o.dir})`]);
  const pipeline = await Pipeline.start({ dir: o.dir, devices: [{ deviceId: o.deviceId, password }], logger: o.logger });
  let vehicle: Vehicle | undefined;
  let operatorConsole: DemoConsole | undefined;
  let timer: NodeJS.Timeout | undefined;
  let viewing = true;
  try {
    if (o.signal.aborted) return undefined;
    write([`fleetlake demo: ${o.deviceId} sets off from London (NMEA over a virtual serial port into the agent)`]);
    vehicle = await Vehicle.start({ dir: o.dir, deviceId: o.deviceId, password, mqttUrl: pipeline.mqttUrl, trip: o.trip, logger: o.logger });
    const v = vehicle;
    operatorConsole = await startDemoConsole(pipeline, { agentHttpPorts: [v.agentHttpPort] });
    write([`fleetlake demo: operator console (fleet map, trips, incidents, pipeline health) at ${operatorConsole.url}`]);
    let tripDone = false;
    void v.tripDone.then(() => (tripDone = true));

    const t0 = Date.now();
    const redraw = !o.plain && 'isTTY' in o.out && o.out.isTTY;
    let prev: StatusSnapshot | undefined;
    let last: StatusSnapshot | undefined;
    let drawn = 0;
    let lastPlain = 0;
    const tick = async (final = false) => {
      const s = await collectStatus(pipeline, v, tripDone);
      const elapsed = (Date.now() - t0) / 1000;
      if (redraw) {
        const lines = renderStatus(s, prev, elapsed);
        // Move up over the previous view and clear it, then draw the new one.
        o.out.write((drawn ? `\x1b[${drawn}F\x1b[0J` : '') + lines.join('\n') + '\n');
        drawn = lines.length;
      } else if (final || Date.now() - lastPlain >= 5000) {
        write([renderPlain(s, elapsed)]);
        lastPlain = Date.now();
      }
      prev = last;
      last = s;
      return s;
    };
    const loop = async () => {
      await tick().catch((err: unknown) => o.logger.warn({ err }, 'status failed'));
      if (viewing && !o.signal.aborted) timer = setTimeout(() => void loop(), 1000);
    };
    await loop();

    await Promise.race([v.tripDone, aborted(o.signal)]);
    if (o.signal.aborted) return undefined;
    write(['fleetlake demo: arrived; waiting until everything captured is in the lake']);
    await waitFor(async () => o.signal.aborted || drained(await collectStatus(pipeline, v, true)), { timeoutMs: 180_000, intervalMs: 500, what: 'every record to reach the lake' });
    viewing = false;
    clearTimeout(timer);
    await tick(true);
    if (o.signal.aborted) return undefined;
    const answers = await askLake(pipeline.lakeDir, o.deviceId);
    write(renderAnswers(answers));
    if (!o.once) {
      write(['', 'The pipeline keeps running (query the lake as above). Ctrl-C stops every process.']);
      await aborted(o.signal);
    }
    return answers;
  } finally {
    viewing = false;
    clearTimeout(timer);
    write(['fleetlake demo: stopping the console, agent, simulator, bridge, sink and Kafka']);
    await operatorConsole?.stop();
    await vehicle?.stop();
    await pipeline.stop();
  }
}
