import { createLogger, packageVersion, stopOnSignals, type Command } from '@fleetlake/core';
import { Agent } from './agent.js';
import { DEFAULT_CONFIG_FILE, loadAgentConfig } from './config.js';
import { SOURCE_URL_HELP } from './inputs/source-url.js';

export const runCommand: Command = {
  summary: 'run the agent: GPS + camera + JSON-lines inputs -> durable outbox -> MQTT',
  help: `Usage: fleetlake-agent run [--config FILE] [options]

Runs the agent until SIGTERM/SIGINT: reads GPS fixes, camera frames and JSON-lines records,
stamps and validates them, writes each to the durable outbox (on disk before it counts as
captured) and publishes it over MQTT (QoS 1); a record leaves the outbox only on PUBACK.

Configuration: defaults < the YAML file < FLEETLAKE_AGENT_* environment < flags.
Environment: FLEETLAKE_AGENT_MQTT__URL=... (double underscore nests, single underscore
joins camelCase: FLEETLAKE_AGENT_DEVICE_ID=pi-van-07), FLEETLAKE_AGENT_CONFIG=FILE.

Options:
  -c, --config FILE     YAML configuration (default ${DEFAULT_CONFIG_FILE} when it exists)
      --device-id ID    deviceId
      --mqtt-url URL    mqtt.url, e.g. mqtts://xxxx-ats.iot.eu-west-1.amazonaws.com:8883
      --data-dir DIR    dataDir (the outbox lives in DIR/outbox)
      --input URL       a JSON-lines source (repeatable), ${SOURCE_URL_HELP.replace(/\n/g, '\n                        ')}
      --gps-device PATH gps.device: the GPS receiver, a serial device (/dev/serial0, /dev/ttyACM0,
                        /dev/serial/by-id/...) or tcp://HOST:PORT (gpsfake, a network receiver)
      --baud N          gps.baudRate of a serial receiver (default 9600)
      --camera-folder DIR  camera.folder: send the newest picture dropped into DIR (enables the camera)
      --camera-command CMD camera.command: a command that writes one JPEG/PNG to stdout (enables the
                        camera), e.g. "rpicam-still -n -t 1 -o -" (split on spaces; quotes group words)
      --http-port N     http.port of the status endpoint on http.host (default 127.0.0.1):
                        GET /metrics (Prometheus), /healthz, /stats; 0 = any free port, -1 = off (default)
      --log-level LVL   fatal|error|warn|info|debug|trace

JSON lines look like
  {"stream":"vehicle","speed":48.2,"direction":"North","make":"BMW","model":"C500","year":2024,"fuelType":"Hybrid"}
The agent adds id, deviceId, seq, timestamp (GPS time; host clock as timeSource "host") and
position (from the GPS; a line's own latitude/longitude only while there is no recent fix).

Examples:
  fleetlake-agent run --config /etc/fleetlake/agent.yaml
  fleetlake-agent run --config /etc/fleetlake/agent.yaml --gps-device /dev/ttyACM0 --baud 38400 --http-port 9464
  fleetlake-agent run --device-id pi-dev --mqtt-url mqtt://127.0.0.1:1883 --data-dir ./.fleetlake \\
      --input tcp-listen://127.0.0.1:7001 --input unix:///tmp/fleetlake.sock?stream=weather \\
      --gps-device tcp://127.0.0.1:2947 --camera-folder /tmp/fleetlake-sim/frames`,
  options: {
    config: { type: 'string', short: 'c' },
    'device-id': { type: 'string' },
    'mqtt-url': { type: 'string' },
    'data-dir': { type: 'string' },
    input: { type: 'string', multiple: true },
    'log-level': { type: 'string' },
    'gps-device': { type: 'string' },
    baud: { type: 'string' },
    'camera-folder': { type: 'string' },
    'camera-command': { type: 'string' },
    'http-port': { type: 'string' },
  },
  async run({ values }) {
    const { existsSync } = await import('node:fs');
    const explicit = values.config as string | undefined;
    const config = loadAgentConfig({
      config: explicit ?? (process.env.FLEETLAKE_AGENT_CONFIG ? undefined : existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined),
      deviceId: values['device-id'] as string | undefined,
      mqttUrl: values['mqtt-url'] as string | undefined,
      dataDir: values['data-dir'] as string | undefined,
      input: values.input as string[] | undefined,
      logLevel: values['log-level'] as string | undefined,
      gpsDevice: values['gps-device'] as string | undefined,
      baud: values.baud as string | undefined,
      cameraFolder: values['camera-folder'] as string | undefined,
      cameraCommand: values['camera-command'] as string | undefined,
      httpPort: values['http-port'] as string | undefined,
    });
    const log = createLogger('fleetlake-agent', { level: config.log.level });
    const agent = await Agent.create(config, log, undefined, packageVersion(import.meta.url));
    const stopped = new Promise<void>((resolve) => {
      stopOnSignals(
        () => agent.stop().finally(resolve),
        (err) => log.error({ err }, 'stop failed'),
      );
    });
    await agent.start();
    await stopped;
    return 0;
  },
};
