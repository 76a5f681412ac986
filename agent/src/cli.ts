#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-agent',
  version: packageVersion(import.meta.url),
  description: 'In-vehicle agent: GPS from serial NMEA, camera frames, durable outbox, MQTT',
  commands,
});
