#!/usr/bin/env node
import { main, packageVersion, type Command } from '@fleetlake/core';
import { KAFKA_VERSIONS, ensureKafka } from './kafka.js';
import { ensureVenv } from './moto.js';
import { SUPERSET_REQUIREMENTS, ensureSupersetVenv } from './superset.js';
import { TRINO_VERSION, ensureTrino } from './trino.js';
import { cacheDir } from './paths.js';
import { SERVICE_NAMES, ServiceRegistry, type ServiceName } from './registry.js';

const fetchCommand: Command = {
  summary: 'download what the services need once (Kafka jars, Trino, Python virtualenvs) into the cache',
  help: `Usage: fleetlake-services fetch [--legacy] [--superset]

Resolves the Kafka broker jars (${KAFKA_VERSIONS.current}) from Maven Central, downloads Trino
${TRINO_VERSION} (io.trino:trino-server:${TRINO_VERSION}:tar.gz from Maven Central, ~820 MB once; the
server and its Hive plugin are kept, ~400 MB) and creates the Python virtualenv with moto and
pyarrow, under $FLEETLAKE_CACHE (default ~/.cache/fleetlake).
--legacy also fetches Kafka ${KAFKA_VERSIONS.legacy}.
--superset also creates the Superset virtualenv (${SUPERSET_REQUIREMENTS.join(', ')}).

Example:
  fleetlake-services fetch --legacy --superset`,
  options: { legacy: { type: 'boolean' }, superset: { type: 'boolean' } },
  async run({ values }) {
    const timed = async (what: string, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      process.stderr.write(`${what}: ready in ${Math.round(performance.now() - t0)} ms\n`);
    };
    await timed(`Kafka ${KAFKA_VERSIONS.current} jars`, () => ensureKafka(KAFKA_VERSIONS.current));
    if (values.legacy) await timed(`Kafka ${KAFKA_VERSIONS.legacy} jars`, () => ensureKafka(KAFKA_VERSIONS.legacy));
    await timed(`Trino ${TRINO_VERSION}`, () => ensureTrino());
    await timed('Python virtualenv (moto, pyarrow)', () => ensureVenv());
    if (values.superset) await timed('Python virtualenv (Superset, duckdb-engine)', () => ensureSupersetVenv());
    process.stderr.write(`cache: ${cacheDir()}\n`);
    return 0;
  },
};

const upCommand: Command = {
  summary: 'start Kafka, Mosquitto, moto and Trino on free ports until Ctrl-C',
  help: `Usage: fleetlake-services up [kafka] [mosquitto] [moto] [trino]

Starts the named services (all four by default) on free loopback ports, prints their addresses as
environment variables, and stops them all on Ctrl-C or SIGTERM.

Example:
  fleetlake-services up kafka mosquitto
  FLEETLAKE_KAFKA_BROKERS=127.0.0.1:40123
  FLEETLAKE_MQTT_URL=mqtt://127.0.0.1:40125`,
  async run({ positionals }) {
    const names = (positionals.length ? positionals : SERVICE_NAMES) as ServiceName[];
    for (const n of names) if (!SERVICE_NAMES.includes(n)) throw new Error(`unknown service "${n}" (one of ${SERVICE_NAMES.join(', ')})`);
    const registry = new ServiceRegistry();
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    try {
      for (const n of names) {
        const info = await registry.get(n);
        if (n === 'kafka') process.stdout.write(`FLEETLAKE_KAFKA_BROKERS=${(info as { brokers: string[] }).brokers.join(',')}\n`);
        if (n === 'mosquitto') process.stdout.write(`FLEETLAKE_MQTT_URL=${(info as { url: string }).url}\n`);
        if (n === 'moto') process.stdout.write(`AWS_ENDPOINT_URL=${(info as { endpoint: string }).endpoint}\n`);
        if (n === 'trino') process.stdout.write(`FLEETLAKE_TRINO_URL=${(info as { url: string }).url}\n`);
      }
      process.stderr.write(`started in ms: ${JSON.stringify(registry.timings)}; Ctrl-C stops them\n`);
      await stopped;
    } finally {
      await registry.stopAll();
    }
    return 0;
  },
};

main({
  name: 'fleetlake-services',
  version: packageVersion(import.meta.url),
  description: 'Real services for tests and the demo: Kafka (KRaft), Mosquitto, moto (S3, Glue, Athena), Trino',
  commands: { fetch: fetchCommand, up: upCommand },
});
