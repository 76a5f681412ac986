import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  schema: schemaCommand,
};
