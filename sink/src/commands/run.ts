import { createLogger, stopOnSignals, type Command } from '@fleetlake/core';
import { Sink } from '../sink.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from './shared.js';

export const runCommand: Command = {
  summary: 'consume the Kafka topics and write Parquet/JPEG objects to the lake',
  help: `Usage: fleetlake-sink run [options]

Consumes vehicle_data, gps_data, traffic_data, weather_data, emergency_data and camera_frames as a
consumer group and writes Parquet files and JPEG objects to a local folder or s3://bucket/prefix.
Offsets are committed only after the objects holding the records are stored. SIGINT/SIGTERM flush
(through flush markers) and commit before exiting. /metrics and /healthz on --http-port.

Options:
${CONFIG_HELP}
      --brokers LIST   Kafka bootstrap servers, comma separated (kafka.brokers)
      --group ID       consumer group (kafka.groupId, default fleetlake-sink)
      --http-port N    port of /metrics and /healthz (http.port, default 9464; -1 disables)

Examples:
  fleetlake-sink run --brokers 127.0.0.1:9092 --lake ./lake
  fleetlake-sink run --lake s3://my-fleet-lake/raw --region eu-central-1
  FLEETLAKE_SINK_KAFKA__BROKERS='[b1:9092,b2:9092]' fleetlake-sink run -c sink.yaml
`,
  options: { ...CONFIG_OPTIONS, brokers: { type: 'string' }, group: { type: 'string' }, 'http-port': { type: 'string' } },
  async run({ values }) {
    const kafka: Record<string, unknown> = {};
    if (values.brokers !== undefined) kafka.brokers = String(values.brokers).split(',').map((b) => b.trim()).filter(Boolean);
    if (values.group !== undefined) kafka.groupId = values.group;
    const http = values['http-port'] === undefined ? {} : { port: Number(values['http-port']) };
    const config = configFromFlags(values, { kafka, http });
    const logger = createLogger('fleetlake-sink', { level: config.logLevel });
    const sink = await Sink.create(config, { logger });
    let stopped!: () => void;
    const whenStopped = new Promise<{ err?: undefined }>((resolve) => (stopped = () => resolve({})));
    const removeHandlers = stopOnSignals(
      () => {
        // sink.stop() keeps to drainTimeoutMs; a library that still holds the event loop open after it
        // (kafkajs retrying a connection) must not keep the process alive.
        setTimeout(() => process.exit(), config.drainTimeoutMs + 2000).unref();
        return sink.stop().finally(() => setImmediate(stopped));
      },
      (err) => logger.error({ err }, 'stop failed'),
    );
    // A signal while start() still waits for Kafka ends it too.
    const started = await Promise.race([sink.start().then(() => 'started' as const), whenStopped.then(() => 'stopped' as const)]).catch(async (err: unknown) => {
      await sink.stop();
      throw err;
    });
    const outcome = started === 'stopped' ? {} : await Promise.race([sink.failed.then((err) => ({ err })), whenStopped]);
    removeHandlers();
    let code: number;
    if (outcome.err) {
      await sink.stop();
      logger.error({ err: outcome.err.message }, 'sink failed');
      code = 1;
    } else {
      // The exit code stopOnSignals set (130 after SIGINT, 143 after SIGTERM).
      code = Number(process.exitCode ?? 0);
    }
    // Stopped: nothing is left to do, so a Kafka client still retrying a connection (its timers hold
    // the event loop) must not keep the process alive.
    setTimeout(() => process.exit(), 100).unref();
    return code;
  },
};
