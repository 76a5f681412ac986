import { createLogger, stopOnSignals, type Command, type PlainObject } from '@fleetlake/core';
import { loadConsoleConfig } from './config.js';
import { Console } from './console.js';

export const runCommand: Command = {
  summary: 'serve the operator console (fleet map, vehicles, incidents, pipeline health)',
  help: `Usage: fleetlake-console run [--config FILE] [--lake ROOT] [--host HOST] [--port N] [--brokers LIST] [--tile-url URL]

Serves the operator console on http://HOST:PORT/ (127.0.0.1:8080 by default): the fleet on a map with
live positions and online/offline status from Kafka, each vehicle's track, incidents, weather and camera
frames from the lake, the incident list and the pipeline's health from the parts' /metrics.
Read-only. Off loopback it needs auth.basic or auth.token (see console/README.md).

Options:
  -c, --config FILE   YAML configuration; env FLEETLAKE_CONSOLE_* overrides it, flags override both
      --lake ROOT     a lake folder or s3://bucket/prefix              (lake.root, default ./lake)
      --host HOST     listen address                                   (http.host, default 127.0.0.1)
      --port N        listen port, 0 for any free one                  (http.port, default 8080)
      --brokers LIST  Kafka bootstrap brokers, comma-separated         (kafka.brokers)
      --no-kafka      no live feed: the lake only                      (kafka.enabled false)
      --tile-url URL  map tiles, {z}/{x}/{y} template; "" for none     (map.tileUrl, default OpenStreetMap)

Examples:
  fleetlake-console run --lake ./lake --brokers 127.0.0.1:9092
  FLEETLAKE_CONSOLE_AUTH__TOKEN=... fleetlake-console run --config console.yaml --host 0.0.0.0`,
  options: {
    config: { type: 'string', short: 'c' },
    lake: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    brokers: { type: 'string' },
    'no-kafka': { type: 'boolean' },
    'tile-url': { type: 'string' },
  },
  async run({ values }) {
    const flags: PlainObject = {};
    const http: PlainObject = {};
    if (values.host !== undefined) http.host = values.host;
    if (values.port !== undefined) http.port = Number(values.port);
    if (Object.keys(http).length) flags.http = http;
    if (values.lake !== undefined) flags.lake = { root: values.lake };
    const kafka: PlainObject = {};
    if (values.brokers !== undefined) kafka.brokers = String(values.brokers).split(',').map((b) => b.trim()).filter(Boolean);
    if (values['no-kafka']) kafka.enabled = false;
    if (Object.keys(kafka).length) flags.kafka = kafka;
    if (values['tile-url'] !== undefined) flags.map = { tileUrl: values['tile-url'] };
    const config = loadConsoleConfig(values.config as string | undefined, flags);
    const logger = createLogger('fleetlake-console', { level: config.logLevel });
    const console = await Console.create(config, logger);
    await console.start();
    // The URL on stdout (logs go to stderr), for people and for scripts that start the console.
    process.stdout.write(`fleetlake console: ${console.url}\n`);
    await new Promise<void>((resolve) => {
      stopOnSignals(async () => {
        await console.stop();
        logger.info('console stopped');
        logger.flush();
        resolve();
      }, (err) => logger.error({ err }, 'stop failed'));
    });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  },
};
