import { ConfigError, type Command } from '@fleetlake/core';
import { isDeviceId } from '@fleetlake/contracts';
import { DEFAULT_CAMERA, renderFrame, type CameraOptions } from '../camera.js';
import { FrameFolder } from '../frames.js';
import { parseSpeed } from '../pacer.js';
import { isAbort, num, positive, runtime, TRIP_HELP, tripFrom, tripOptions } from './common.js';
import { abortableDelay } from '@fleetlake/core';

export const CAMERA_OPTIONS_HELP = `  --width PX --height PX  frame size                                        [${DEFAULT_CAMERA.width}x${DEFAULT_CAMERA.height}]
  --quality Q          JPEG quality 1-100                                      [${DEFAULT_CAMERA.quality}]
  --noise SIGMA        sensor noise; 0 gives a clean, much lighter JPEG        [${DEFAULT_CAMERA.noise}]`;

export const cameraSizeOptions = {
  width: { type: 'string' },
  height: { type: 'string' },
  quality: { type: 'string' },
  noise: { type: 'string' },
} as const;

export function cameraOptions(values: Record<string, unknown>): CameraOptions {
  const dim = (n: number) => Number.isInteger(n) && n >= 16 && n <= 8192;
  return {
    width: num(values, 'width', DEFAULT_CAMERA.width, dim),
    height: num(values, 'height', DEFAULT_CAMERA.height, dim),
    quality: num(values, 'quality', DEFAULT_CAMERA.quality, (n) => Number.isInteger(n) && n >= 1 && n <= 100),
    noise: num(values, 'noise', DEFAULT_CAMERA.noise, (n) => n >= 0 && n <= 100),
  };
}

export function vehicleId(values: Record<string, unknown>): string {
  const id = String(values.vehicle ?? 'sim-vehicle-1');
  if (!isDeviceId(id)) throw new ConfigError(`invalid --vehicle ${JSON.stringify(id)}: letters, digits, '_', '.', '-' (max 64)`);
  return id;
}

export const cameraCommand: Command = {
  summary: 'dummy camera: one JPEG to stdout (a capture command) or frames into a watched folder',
  help: `Usage: fleetlake-sim camera --once [options] > frame.jpg
       fleetlake-sim camera --dir DIR [--interval SECONDS] [--count N] [options]

Draws a road scene with the vehicle id, UTC time and position burnt in, at a realistic size and
JPEG weight (1280x720, ~100 KB: under the 128 KiB MQTT budget). With --once it writes one JPEG to
stdout, so it can stand in for 'rpicam-still -o -' as the agent's capture command. With --dir it
writes a frame every --interval wall seconds into DIR (written to .tmp, then renamed into place).

The position is the simulated vehicle's at (now - --start) x --speed on the route, or --lat/--lon.

Options:
  --once               one frame to stdout, then exit
  --dir DIR            write frames into DIR
  --interval SECONDS   between frames with --dir                                [5]
  --count N            stop after N frames with --dir                           [unlimited]
  --vehicle ID         vehicle id drawn on the frame                            [sim-vehicle-1]
  --lat DEG --lon DEG  fixed position instead of the route's
  --speed FACTOR       simulated seconds per wall second since --start          [1]
${CAMERA_OPTIONS_HELP}
${TRIP_HELP}

Examples:
  fleetlake-sim camera --once --vehicle pi-van-07 > /tmp/frame.jpg
  fleetlake-agent ... --camera-command "fleetlake-sim camera --once --vehicle pi-van-07 --start 2026-11-27T08:00:00Z --speed 10"
  fleetlake-sim camera --dir /tmp/fleetlake-sim/frames --interval 10 --vehicle pi-van-07`,
  options: {
    ...tripOptions,
    ...cameraSizeOptions,
    once: { type: 'boolean', default: false },
    dir: { type: 'string' },
    interval: { type: 'string', default: '5' },
    count: { type: 'string' },
    vehicle: { type: 'string', default: 'sim-vehicle-1' },
    lat: { type: 'string' },
    lon: { type: 'string' },
    speed: { type: 'string', default: '1' },
  },
  async run({ values }) {
    if (values.once === (values.dir !== undefined)) throw new ConfigError('use exactly one of --once and --dir');
    const options = cameraOptions(values);
    const id = vehicleId(values);
    const speed = parseSpeed(values.speed);
    if (speed === 'max') throw new ConfigError('--speed max has no meaning for the camera');
    const fixed = values.lat !== undefined || values.lon !== undefined;
    const lat = num(values, 'lat', NaN, (n) => Math.abs(n) <= 90);
    const lon = num(values, 'lon', NaN, (n) => Math.abs(n) <= 180);
    if (fixed && (Number.isNaN(lat) || Number.isNaN(lon))) throw new ConfigError('give both --lat and --lon');
    const trip = await tripFrom(values);
    const shotNow = () => {
      const now = Date.now();
      if (fixed) return { vehicleId: id, timeMs: now, lat, lon };
      const s = trip.at(((now - trip.startMs) / 1000) * speed);
      return { vehicleId: id, timeMs: s.timeMs, lat: s.lat, lon: s.lon, speedKmh: s.speedMs * 3.6, courseDeg: s.courseDeg };
    };
    if (values.once) {
      const { jpeg } = await renderFrame(shotNow(), options);
      await new Promise<void>((resolve, reject) => process.stdout.write(jpeg, (err) => (err ? reject(err) : resolve())));
      return 0;
    }
    const interval = num(values, 'interval', 5, positive);
    const count = num(values, 'count', Infinity, (n) => Number.isInteger(n) && n > 0);
    const folder = new FrameFolder(String(values.dir), options);
    await folder.start();
    const { log, signal, dispose } = runtime('camera');
    try {
      for (let i = 0; i < count; i++) {
        const file = await folder.shoot(shotNow());
        log.debug({ file }, 'frame written');
        if (i + 1 < count) await abortableDelay(interval * 1000, signal);
      }
    } catch (err) {
      if (!isAbort(err, signal)) throw err;
    } finally {
      dispose();
      log.info({ frames: folder.written, dir: folder.dir }, 'camera finished');
    }
    return 0;
  },
};
