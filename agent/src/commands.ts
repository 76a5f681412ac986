import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';
import { runCommand } from './run-command.js';
import { gpsCommand } from './gps/gps-command.js';
import { replayCommand } from './gps/replay-command.js';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  run: runCommand,
  schema: schemaCommand,
  replay: replayCommand,
  gps: gpsCommand,
};
