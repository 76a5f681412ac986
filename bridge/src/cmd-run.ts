import { createLogger, stopOnSignals, type Command, type PlainObject } from '@fleetlake/core';
import { Bridge } from './bridge.js';
import { loadBridgeConfig } from './config.js';

/** Flags shared by the commands that read the bridge configuration. */
export const configOptions = {
  config: { type: 'string', short: 'c' },
  brokers: { type: 'string' },
} as const;

export function flagsToConfig(values: Record<string, unknown>): PlainObject {
  const flags: PlainObject = {};
  if (typeof values.brokers === 'string') flags.kafka = { brokers: values.brokers.split(',').map((b) => b.trim()).filter(Boolean) };
  return flags;
}

export const runCommand: Command = {
  summary: 'run the bridge (embedded MQTT broker or external subscriber) until SIGINT/SIGTERM',
  help: `Usage: fleetlake-bridge run [--config FILE] [--brokers HOST:PORT,...] [--mode embedded|external]
                            [--mqtt-port N] [--ws-port N] [--http-port N]

Receives MQTT messages from vehicles, validates them against the contracts, writes them to Kafka
(key = deviceId, acks=all) and acknowledges each one to the device only after Kafka has it. Invalid
messages go to the dead_letter topic. SIGINT/SIGTERM: stop accepting, drain to Kafka, close.

Configuration: defaults < YAML file (--config) < environment FLEETLAKE_BRIDGE_* (double underscore
nests: FLEETLAKE_BRIDGE_KAFKA__BROKERS='[a:9092,b:9092]') < flags.

Options:
  -c, --config FILE   YAML configuration file
  --brokers LIST      Kafka bootstrap brokers, comma-separated
  --mode MODE         embedded (default) or external
  --mqtt-port N       embedded broker's TCP port (default 1883)
  --ws-port N         also serve MQTT over WebSocket on this port (ws://HOST:N/mqtt)
  --http-port N       /metrics and /healthz port (default 9464)

Examples:
  fleetlake-bridge run --config bridge.yaml
  FLEETLAKE_BRIDGE_MQTT__CREDENTIALS_FILE=devices.yaml fleetlake-bridge run --brokers kafka1:9092,kafka2:9092
  fleetlake-bridge run --mode external --config bridge.yaml   # subscribe to Mosquitto with $share/fleetlake-bridge/...`,
  options: {
    ...configOptions,
    mode: { type: 'string' },
    'mqtt-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'http-port': { type: 'string' },
  },
  async run({ values }) {
    const flags = flagsToConfig(values);
    if (typeof values.mode === 'string') flags.mode = values.mode;
    const mqtt: Record<string, unknown> = {};
    if (typeof values['mqtt-port'] === 'string') mqtt.tcp = { port: Number(values['mqtt-port']) };
    if (typeof values['ws-port'] === 'string') mqtt.ws = { enabled: true, port: Number(values['ws-port']) };
    if (Object.keys(mqtt).length) flags.mqtt = mqtt;
    if (typeof values['http-port'] === 'string') flags.http = { port: Number(values['http-port']) };
    const config = loadBridgeConfig(values.config as string | undefined, flags);
    const logger = createLogger('fleetlake-bridge', config.logLevel ? { level: config.logLevel } : {});
    const bridge = await Bridge.create(config, logger);
    await bridge.start();
    await new Promise<void>((resolve) => {
      stopOnSignals(async () => {
        await bridge.stop();
        // stopOnSignals sets the exit code (130/143) in a microtask right after; resolve after it.
        setImmediate(resolve);
      }, (err) => logger.error({ err }, 'shutdown failed'));
    });
    return Number(process.exitCode ?? 0);
  },
};
