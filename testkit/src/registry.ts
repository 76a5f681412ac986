import { startKafka, type KafkaBroker } from './kafka.js';
import { startMoto, type MotoServer } from './moto.js';
import { startMosquitto, type MosquittoBroker } from './mosquitto.js';
import { startTrino, type TrinoServer } from './trino.js';

/** Connection details of the shared services, as handed to test files. */
export interface SharedServices {
  kafka: { brokers: string[]; version: string };
  mosquitto: { url: string; host: string; port: number };
  moto: { endpoint: string; port: number; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Single-node Trino; its Hive catalog `awsdatacatalog` (Athena's name) reads local:/// paths. */
  trino: { url: string; version: string; catalog: string };
}
export type ServiceName = keyof SharedServices;
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'mosquitto', 'moto', 'trino'];

type Handle = KafkaBroker | MosquittoBroker | MotoServer | TrinoServer;

/**
 * Starts each service the first time it is asked for, at most once, and stops all that were started.
 * Used by the vitest global setup (one broker shared by every test file) and by `fleetlake-services up`.
 */
export class ServiceRegistry {
  private readonly started = new Map<ServiceName, Promise<{ handle: Handle; info: SharedServices[ServiceName] }>>();
  readonly timings: Partial<Record<ServiceName, number>> = {};

  get<N extends ServiceName>(name: N): Promise<SharedServices[N]> {
    let entry = this.started.get(name);
    if (!entry) {
      const t0 = performance.now();
      entry = this.launch(name).then((r) => {
        this.timings[name] = Math.round(performance.now() - t0);
        return r;
      });
      this.started.set(name, entry);
    }
    return entry.then((e) => e.info as SharedServices[N]);
  }

  private async launch(name: ServiceName): Promise<{ handle: Handle; info: SharedServices[ServiceName] }> {
    switch (name) {
      case 'kafka': {
        const k = await startKafka();
        return { handle: k, info: { brokers: k.brokers, version: k.version } };
      }
      case 'mosquitto': {
        const m = await startMosquitto();
        return { handle: m, info: { url: m.url, host: m.host, port: m.port } };
      }
      case 'moto': {
        const m = await startMoto();
        return { handle: m, info: { endpoint: m.endpoint, port: m.port, region: m.region, credentials: m.credentials } };
      }
      case 'trino': {
        const t = await startTrino({ hiveCatalog: 'awsdatacatalog' });
        return { handle: t, info: { url: t.url, version: t.version, catalog: t.hiveCatalog } };
      }
    }
  }

  /** Stops everything started, even if some starts failed. */
  async stopAll(): Promise<void> {
    const entries = [...this.started.values()];
    this.started.clear();
    await Promise.all(entries.map((e) => e.then((r) => r.handle.stop(), () => undefined)));
  }
}
