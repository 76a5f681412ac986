#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { demoCommand } from './demo-command.js';

main({
  name: 'fleetlake-demo',
  version: packageVersion(import.meta.url),
  description: 'the whole pipeline on this machine with one simulated vehicle',
  commands: { run: demoCommand },
});
