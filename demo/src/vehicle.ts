import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once, type Logger } from '@fleetlake/core';
import { freePort, spawnManaged, waitFor, type ManagedProcess, type RestartableProcess } from '@fleetlake/testkit';
import { healthy } from './endpoints.js';
import { startNodeService } from './node-service.js';
import { cliPath } from './repo.js';
import { readLastJsonLine } from './tail.js';

export interface TripOptions {
  /** Wall minutes for the whole trip (or for --duration when given). */
  tripMinutes: number;
  /** Simulated seconds to drive (default: the whole route). */
  durationS?: number;
  seed?: number;
  /** Simulated start, UTC ISO. */
  start?: string;
  /** Simulated seconds between the simulator's camera frames. */
  frameEveryS?: number;
  incidentsPerHour?: number;
}

export interface VehicleOptions {
  dir: string;
  deviceId: string;
  password: string;
  mqttUrl: string;
  trip: TripOptions;
  /** Wall seconds between the agent's frames. */
  cameraIntervalS?: number;
  logger: Logger;
}

/** One line of the simulator's ground truth (fleetlake-sim trip --truth). */
export interface TruthEpoch {
  t: number;
  timeMs: number;
  time: string;
  lat: number;
  lon: number;
  distanceM: number;
  speedMs: number;
  hasFix: boolean;
  delivered: boolean;
}

export interface TripInfo {
  lengthKm: number;
  tripS: number;
  durationS: number;
  speed: number;
}

/**
 * A simulated vehicle: `fleetlake-sim trip` drives the route and writes NMEA into a virtual serial
 * port (socat pty), data lines into a second one and camera frames into a folder; `fleetlake-agent
 * run` reads all three exactly as it would read a receiver, a sensor script and a camera on a Pi,
 * and publishes through its durable outbox to the bridge.
 */
export class Vehicle {
  private constructor(
    readonly deviceId: string,
    readonly sim: ManagedProcess,
    readonly agent: RestartableProcess,
    readonly agentHttpPort: number,
    readonly truthFile: string,
    readonly info: TripInfo,
  ) {}

  static async start(options: VehicleOptions): Promise<Vehicle> {
    const dir = join(options.dir, options.deviceId);
    const [dev, frames, logs] = [join(dir, 'dev'), join(dir, 'frames'), join(options.dir, 'logs')];
    for (const d of [dev, frames, logs]) mkdirSync(d, { recursive: true });
    const truthFile = join(dir, 'truth.jsonl');
    const t = options.trip;
    const simArgs = [
      'trip', '--vehicle', options.deviceId,
      '--gps-out', `pty:${join(dev, 'gps')}`, '--data-out', `pty:${join(dev, 'data')}`, '--frames-dir', frames,
      '--truth', truthFile, '--trip-minutes', String(t.tripMinutes), '--seed', String(t.seed ?? 1),
      '--frame-every', String(t.frameEveryS ?? 300), '--incidents-per-hour', String(t.incidentsPerHour ?? 4),
      // A clean picture encodes several times faster, which matters at accelerated time on a small machine.
      '--noise', '0',
      ...(t.durationS ? ['--duration', String(t.durationS)] : []),
      ...(t.start ? ['--start', t.start] : []),
    ];
    // The agent starts first and waits for its ports (retrying every ~100 ms), so that it reads the
    // trip from its first second: the simulator, like a UART, drops what nobody reads.
    const httpPort = await freePort();
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, JSON.stringify({
      deviceId: options.deviceId,
      dataDir: join(dir, 'agent-data'),
      vehicleType: 'van',
      mqtt: {
        url: options.mqttUrl,
        // The bridge's embedded broker (aedes) speaks MQTT 3.1.1.
        protocolVersion: 4,
        username: options.deviceId,
        password: options.password,
        reconnect: { baseMs: 200, maxMs: 2000 },
        // After a network cut the backlog must catch up with a trip running at accelerated time.
        replayRatePerSecond: 2000,
        maxInflight: 100,
      },
      gps: { device: join(dev, 'gps'), reconnectBaseMs: 50, reconnectMaxMs: 100 },
      camera: { enabled: true, folder: frames, intervalSeconds: options.cameraIntervalS ?? 3 },
      inputs: { sources: [`serial://${join(dev, 'data')}`], reconnect: { baseMs: 50, maxMs: 100 } },
      http: { port: httpPort },
      statsIntervalMs: 0,
    }, null, 2) + '\n');
    const agent = await startNodeService({
      name: `agent ${options.deviceId}`, workspace: 'agent', args: ['run', '--config', config],
      logFile: join(logs, `agent-${options.deviceId}.log`), ready: () => healthy(httpPort),
    });
    let sim: ManagedProcess | undefined;
    try {
      sim = spawnManaged(`sim ${options.deviceId}`, process.execPath, [cliPath('simulators'), ...simArgs]);
      const s = sim;
      // The simulator prints one JSON line per output once it is open: NMEA pty, data pty, frames folder.
      await waitFor(() => {
        if (!s.isRunning()) throw new Error(`fleetlake-sim trip exited early:\n${s.output().slice(-2000)}`);
        return /"frames":/.test(s.output()) && /"trip starting"/.test(s.output());
      }, { timeoutMs: 30_000, what: 'the simulator to open its virtual serial ports' });
      const started = JSON.parse(s.output().split('\n').find((l) => l.includes('"trip starting"'))!) as TripInfo;
      return new Vehicle(options.deviceId, s, agent, httpPort, truthFile, { lengthKm: started.lengthKm, tripS: started.tripS, durationS: started.durationS, speed: started.speed });
    } catch (err) {
      await sim?.stop();
      await agent.stop();
      throw err;
    }
  }

  /** The simulator ended its trip (or was stopped). */
  get tripDone(): Promise<unknown> {
    return this.sim.exited;
  }

  /** Where the vehicle is now according to the simulator's ground truth. */
  progress(): TruthEpoch | undefined {
    return readLastJsonLine<TruthEpoch>(this.truthFile);
  }

  readonly stop = once(async () => {
    await this.sim.stop();
    await this.agent.stop();
  });
}
