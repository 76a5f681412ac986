import type { Command } from '@fleetlake/core';
import { schemaCommand } from '@fleetlake/contracts';
import { catalogCommand } from './commands/catalog.js';
import { ddlCommand } from './commands/ddl.js';
import { queryCommand } from './commands/query.js';
import { runCommand } from './commands/run.js';
import { supersetCommand } from './commands/superset.js';
import { viewsCommand } from './commands/views.js';

/** Subcommands; each lives in its own module and is registered here. */
export const commands: Record<string, Command> = {
  run: runCommand,
  catalog: catalogCommand,
  ddl: ddlCommand,
  query: queryCommand,
  views: viewsCommand,
  superset: supersetCommand,
  schema: schemaCommand,
};
