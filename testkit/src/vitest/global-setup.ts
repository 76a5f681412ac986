import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';
import { ServiceRegistry, SERVICE_NAMES, type ServiceName } from '../registry.js';

declare module 'vitest' {
  export interface ProvidedContext {
    fleetlakeServicesUrl: string;
  }
}

/**
 * Vitest global setup for the integration project. It starts no service up front: it serves a small
 * control endpoint on loopback, and a test file that calls sharedKafka() (etc.) makes it start that
 * service once for the whole run. The teardown stops everything that was started, whether tests passed or not.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const registry = new ServiceRegistry();
  const server: Server = createServer((req, res) => {
    const name = req.url?.replace(/^\/services\//, '') as ServiceName;
    if (req.method !== 'POST' || !SERVICE_NAMES.includes(name)) {
      res.writeHead(404).end();
      return;
    }
    registry.get(name).then(
      (info) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(info)),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    );
  });
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('control server has no port');
  project.provide('fleetlakeServicesUrl', `http://127.0.0.1:${address.port}`);

  let stopped = false;
  const teardown = async () => {
    if (stopped) return;
    stopped = true;
    server.close();
    server.closeAllConnections();
    await registry.stopAll();
    if (Object.keys(registry.timings).length > 0) {
      process.stderr.write(`[fleetlake services] started in ms: ${JSON.stringify(registry.timings)}\n`);
    }
  };
  // Ctrl-C during a run: still stop the brokers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void teardown().then(() => process.exit(130)));
  return teardown;
}
