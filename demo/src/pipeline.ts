import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '@fleetlake/bridge';
import { DEVICE_STATUS_TOPIC } from '@fleetlake/contracts';
import { once, type Logger } from '@fleetlake/core';
import { SinkTopics } from '@fleetlake/sink';
import { freePort, run, startKafka, TcpProxy, type KafkaBroker, type RestartableProcess } from '@fleetlake/testkit';
import { healthy } from './endpoints.js';
import { KafkaLag } from './kafka-lag.js';
import { startNodeService } from './node-service.js';
import { cliPath } from './repo.js';

export interface DeviceLogin {
  deviceId: string;
  password: string;
}

export interface PipelineOptions {
  /** Working folder: configs, logs, the lake. */
  dir: string;
  /** Devices the bridge lets in (username = deviceId). */
  devices: DeviceLogin[];
  partitions?: number;
  logger: Logger;
}

export const SINK_GROUP = 'fleetlake-demo-sink';

/** YAML is a superset of JSON: the configuration files are written as JSON, read by loadConfig. */
function writeConfig(file: string, config: unknown, mode = 0o644): string {
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode });
  return file;
}

/**
 * The cloud side on this machine, as the project's own scripts start it: one Kafka broker (KRaft),
 * the topics (`fleetlake-bridge create-topics`), the bridge with its embedded MQTT broker and device
 * passwords, the sink writing to a local lake folder, and a TCP proxy standing for the network
 * between vehicles and the bridge (cut() / restore()).
 */
export class Pipeline {
  readonly sinkTopics = new SinkTopics();

  private constructor(
    readonly dir: string,
    readonly lakeDir: string,
    readonly kafka: KafkaBroker,
    readonly bridge: RestartableProcess,
    readonly sink: RestartableProcess,
    readonly network: TcpProxy,
    readonly lag: KafkaLag,
    readonly ports: { mqtt: number; bridgeHttp: number; sinkHttp: number },
    private readonly log: Logger,
  ) {}

  /** The MQTT URL vehicles use: through the network proxy to the bridge. */
  get mqttUrl(): string {
    return `mqtt://${this.network.url}`;
  }

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const { dir, logger: log } = options;
    const logs = join(dir, 'logs');
    const lakeDir = join(dir, 'lake');
    mkdirSync(logs, { recursive: true });
    mkdirSync(lakeDir, { recursive: true });
    const parts: Array<{ stop(): Promise<void> }> = [];
    try {
      const t0 = performance.now();
      const kafka = await startKafka({ autoCreateTopics: false });
      parts.push(kafka);
      log.info({ brokers: kafka.brokers, ms: Math.round(performance.now() - t0) }, 'kafka ready');

      const partitions = String(options.partitions ?? 3);
      // Device status (online, offline, the will) goes to Kafka too, for the console.
      const statusTopic = { FLEETLAKE_BRIDGE_MQTT__STATUS_KAFKA_TOPIC: DEVICE_STATUS_TOPIC };
      await run(process.execPath, [cliPath('bridge'), 'create-topics', '--brokers', kafka.brokers.join(','), '--partitions', partitions, '--replication', '1'], { env: { ...process.env, ...statusTopic } });

      const [mqtt, bridgeHttp, sinkHttp] = [await freePort(), await freePort(), await freePort()];
      const credentials = { devices: Object.fromEntries(await Promise.all(options.devices.map(async (d) => [d.deviceId, await hashPassword(d.password)] as const))) };
      const bridgeConfig = writeConfig(join(dir, 'bridge.yaml'), {
        mode: 'embedded',
        mqtt: { tcp: { port: mqtt }, credentialsFile: writeConfig(join(dir, 'devices.yaml'), credentials, 0o600), statusKafkaTopic: DEVICE_STATUS_TOPIC },
        kafka: { brokers: kafka.brokers },
        http: { port: bridgeHttp },
      });
      const bridge = await startNodeService({ name: 'bridge', workspace: 'bridge', args: ['run', '--config', bridgeConfig], logFile: join(logs, 'bridge.log'), ready: () => healthy(bridgeHttp) });
      parts.push(bridge);
      log.info({ mqtt: `127.0.0.1:${mqtt}`, http: bridgeHttp }, 'bridge ready');

      const sinkConfig = writeConfig(join(dir, 'sink.yaml'), {
        kafka: { brokers: kafka.brokers, groupId: SINK_GROUP, sessionTimeoutMs: 6000 },
        lake: { root: lakeDir },
        // A trip runs at accelerated time: files roll every 30 simulated minutes, and a partition
        // that goes quiet is flushed (through a marker record, so replays stay deterministic) after 2 s.
        roll: { maxSpanMs: 30 * 60_000, idleMarkerMs: 2000 },
        http: { port: sinkHttp },
      });
      const sink = await startNodeService({ name: 'sink', workspace: 'sink', args: ['run', '--config', sinkConfig], logFile: join(logs, 'sink.log'), ready: () => healthy(sinkHttp) });
      parts.push(sink);
      log.info({ lake: lakeDir, http: sinkHttp }, 'sink ready');

      const network = await TcpProxy.start({ target: { host: '127.0.0.1', port: mqtt } });
      parts.push(network);
      const lag = await KafkaLag.connect(kafka.brokers);
      return new Pipeline(dir, lakeDir, kafka, bridge, sink, network, lag, { mqtt, bridgeHttp, sinkHttp }, log);
    } catch (err) {
      for (const p of parts.reverse()) await p.stop().catch(() => undefined);
      throw err;
    }
  }

  /** The sink's consumer lag summed over its topics. */
  async sinkLag(): Promise<number> {
    const byTopic = await this.lag.lag(SINK_GROUP, this.sinkTopics.all);
    return Object.values(byTopic).reduce((a, b) => a + b, 0);
  }

  /** SIGKILL, then the same process again on the same ports (what a crash and a supervisor restart do). */
  async crash(part: 'bridge' | 'sink'): Promise<void> {
    this.log.warn({ part }, `killing the ${part} with SIGKILL`);
    await this[part].kill('SIGKILL');
    await this[part].restart();
    this.log.info({ part }, `${part} restarted`);
  }

  /** The bridge first (it drains what it holds into Kafka), then the sink (flushes and commits), then Kafka. */
  readonly stop = once(async () => {
    await this.lag.stop().catch(() => undefined);
    await this.network.stop();
    await this.bridge.stop();
    await this.sink.stop();
    await this.kafka.stop();
  });
}
