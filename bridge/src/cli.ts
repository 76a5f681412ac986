#!/usr/bin/env node
import { main, packageVersion } from '@fleetlake/core';
import { commands } from './commands.js';

main({
  name: 'fleetlake-bridge',
  version: packageVersion(import.meta.url),
  description: 'MQTT to Kafka bridge, acknowledged to the device only after Kafka has the record',
  commands,
});
