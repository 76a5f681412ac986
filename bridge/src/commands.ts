import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';
import { createTopicsCommand } from './cmd-create-topics.js';
import { hashPasswordCommand } from './cmd-hash-password.js';
import { runCommand } from './cmd-run.js';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  run: runCommand,
  'create-topics': createTopicsCommand,
  'hash-password': hashPasswordCommand,
  schema: schemaCommand,
};
