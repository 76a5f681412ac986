#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-sim',
  version: packageVersion(import.meta.url),
  description: 'Simulated vehicles: trips on real roads, NMEA into virtual serial ports, camera, weather, incidents, fleets',
  commands,
});
