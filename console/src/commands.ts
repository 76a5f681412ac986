import type { Command } from '@fleetlake/core';
import { runCommand } from './cmd-run.js';

export const commands: Record<string, Command> = { run: runCommand };
