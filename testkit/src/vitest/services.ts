import { inject } from 'vitest';
import type { ServiceName, SharedServices } from '../registry.js';

async function shared<N extends ServiceName>(name: N): Promise<SharedServices[N]> {
  const url = inject('fleetlakeServicesUrl');
  if (!url) throw new Error('shared services need the integration project (its global setup); name the file *.int.test.ts');
  const res = await fetch(`${url}/services/${name}`, { method: 'POST', signal: AbortSignal.timeout(600_000) });
  if (!res.ok) throw new Error(`starting ${name} failed: ${await res.text()}`);
  return (await res.json()) as SharedServices[N];
}

/** The run's shared Kafka broker (started on first use; do not kill it — use startKafka() for that). */
export const sharedKafka = () => shared('kafka');
/** The run's shared Mosquitto broker. */
export const sharedMosquitto = () => shared('mosquitto');
/** The run's shared moto server (S3 + Glue). */
export const sharedMoto = () => shared('moto');
/** The run's shared Trino (single node, Hive catalog `awsdatacatalog` on a file metastore). */
export const sharedTrino = () => shared('trino');
export { captureOutput } from './capture-output.js';
