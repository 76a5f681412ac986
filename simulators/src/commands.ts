import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';
import { nmeaCommand } from './commands/nmea.js';
import { replayCommand } from './commands/replay.js';
import { routeCommand } from './commands/route.js';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  nmea: nmeaCommand,
  replay: replayCommand,
  route: routeCommand,
  schema: schemaCommand,
};
