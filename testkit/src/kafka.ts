import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir, memoryDir, runDir } from './paths.js';
import { freePort } from './ports.js';
import { awaitReady, run, spawnManaged, startRestartable, type RestartableProcess } from './process.js';
import { waitFor } from './wait.js';

/** Current 4.x line (default) and the 3.x line many managed clusters (MSK, ...) still run. */
export const KAFKA_VERSIONS = { current: '4.4.0', legacy: '3.9.1' } as const;
const LOG4J2 = '2.25.3';

function pomFor(version: string): string {
  const major = Number(version.split('.')[0]);
  // Kafka 4 logs through log4j2; Kafka 3 through reload4j (log4j 1.x API).
  const logging =
    major >= 4
      ? `<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>${LOG4J2}</version></dependency>
         <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J2}</version></dependency>
         <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>`
      : `<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>dev.fleetlake</groupId><artifactId>kafka-broker-classpath</artifactId><version>${version}</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    ${logging}
  </dependencies></project>\n`;
}

/**
 * Resolves the broker's jars from Maven Central with Maven (once; cached under cacheDir()/kafka)
 * and returns the Java classpath.
 */
export async function ensureKafka(version: string = KAFKA_VERSIONS.current): Promise<string> {
  const dir = join(cacheDir(), 'kafka', version);
  const cpFile = join(dir, 'classpath.txt');
  if (existsSync(cpFile)) return readFileSync(cpFile, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pomFor(version));
  const tmp = `${cpFile}.${process.pid}.tmp`;
  await run('mvn', ['-q', '-B', '-f', join(dir, 'pom.xml'), `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`, 'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`]);
  renameSync(tmp, cpFile);
  return readFileSync(cpFile, 'utf8').trim();
}

export interface KafkaOptions {
  version?: string;
  /** Default partitions for auto-created topics. */
  numPartitions?: number;
  autoCreateTopics?: boolean;
  /** Extra server.properties entries. */
  brokerProperties?: Record<string, string | number | boolean>;
  heapMb?: number;
  /**
   * Keep the broker's log (topic data and the KRaft metadata log) in /dev/shm instead of the run folder
   * on disk. For benchmarks of Kafka's clients: on this project's VMs (ext4, data=ordered, virtual
   * disk) a fsync of the KRaft metadata log took ~600 ms once in each benchmark run, the data log's appends
   * stall around it, and a client benchmark would measure that instead of the client (see
   * bridge/README.md). /dev/shm is tmpfs: the data survives a broker restart, not a machine restart.
   */
  logInMemory?: boolean;
}

/** restart() brings the broker back on the same ports with the same data. */
export interface KafkaBroker extends RestartableProcess {
  readonly version: string;
  readonly brokers: string[];
  readonly dataDir: string;
}

/** Probe: the broker answers a metadata request and lists itself. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ brokers, clientId: 'fleetlake-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A single-node Kafka broker in KRaft mode (broker + controller) on free loopback ports. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const version = options.version ?? process.env.FLEETLAKE_KAFKA_VERSION ?? KAFKA_VERSIONS.current;
  const classpath = await ensureKafka(version);
  const dir = runDir('kafka');
  const dataDir = options.logInMemory ? memoryDir('kafka-log') : join(dir, 'data');
  const removeDirs = () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return await startKafkaIn(version, classpath, dir, dataDir, removeDirs, options);
  } catch (err) {
    // A broker that never came up leaves no folders behind (the in-memory one would hold RAM).
    removeDirs();
    throw err;
  }
}

async function startKafkaIn(
  version: string,
  classpath: string,
  dir: string,
  dataDir: string,
  removeDirs: () => void,
  options: KafkaOptions,
): Promise<KafkaBroker> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': options.numPartitions ?? 1,
    'auto.create.topics.enable': options.autoCreateTopics ?? true,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    ...options.brokerProperties,
  };
  const configFile = join(dir, 'server.properties');
  writeFileSync(configFile, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const log4j2 = join(dir, 'log4j2.properties');
  writeFileSync(log4j2, ['status = warn', 'appender.console.type = Console', 'appender.console.name = OUT', 'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = warn', 'rootLogger.appenderRef.out.ref = OUT', ''].join('\n'));
  const log4j1 = join(dir, 'log4j.properties');
  writeFileSync(log4j1, ['log4j.rootLogger=WARN, stdout', 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout', 'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n', ''].join('\n'));
  // The GC settings of Kafka's own bin/kafka-run-class.sh (KAFKA_JVM_PERFORMANCE_OPTS): G1 aiming at
  // 20 ms pauses instead of the JVM's default 200 ms, which otherwise show up as produce latency spikes.
  const gc = ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent'];
  const jvm = [`-Xmx${options.heapMb ?? 768}m`, '-Xms128m', ...gc, `-Dlog4j2.configurationFile=${log4j2}`, `-Dlog4j.configuration=file:${log4j1}`, '-cp', classpath];

  await run('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', configFile]);
  const brokers = [`127.0.0.1:${port}`];
  const service = await startRestartable(async () => {
    const proc = spawnManaged(`kafka ${version}`, 'java', [...jvm, 'kafka.Kafka', configFile]);
    await awaitReady(proc, waitFor(() => kafkaAnswers(brokers), { timeoutMs: 120_000, intervalMs: 250, what: `Kafka ${version} on ${brokers[0]}` }));
    return proc;
  }, 30_000);
  // stop() is final (restart() keeps the data): the broker's folder goes with it, so that test runs and
  // demos do not leave their logs in the temp folder.
  const stop = async () => {
    await service.stop();
    removeDirs();
  };
  return { ...service, stop, version, brokers, dataDir };
}

/**
 * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding. The StorageTool's argument
 * parser takes an id starting with '-' for an option, so such ids are drawn again.
 */
function randomClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
