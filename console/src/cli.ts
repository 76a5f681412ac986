#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-console',
  version: packageVersion(import.meta.url),
  description: 'the operator console: fleet map, vehicle view, incidents and pipeline health in the browser',
  commands,
});
