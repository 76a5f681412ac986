import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';
import { cameraCommand } from './commands/camera.js';
import { dataCommand } from './commands/data.js';
import { fleetCommand } from './commands/fleet.js';
import { nmeaCommand } from './commands/nmea.js';
import { replayCommand } from './commands/replay.js';
import { routeCommand } from './commands/route.js';
import { tripCommand } from './commands/trip.js';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  trip: tripCommand,
  nmea: nmeaCommand,
  data: dataCommand,
  camera: cameraCommand,
  fleet: fleetCommand,
  replay: replayCommand,
  route: routeCommand,
  schema: schemaCommand,
};
