import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RestartableProcess } from '@fleetlake/testkit';
import { healthy, httpBase } from './endpoints.js';
import { startNodeService } from './node-service.js';
import { SINK_GROUP, type Pipeline } from './pipeline.js';

export interface DemoConsole {
  readonly url: string;
  readonly port: number;
  readonly process: RestartableProcess;
  stop(): Promise<void>;
}

/**
 * `fleetlake-console run` on the demo's lake and Kafka, with the stages' /metrics for its health view,
 * on loopback (no credentials needed there). `tileUrl` '' draws on a plain background (no tile server).
 */
export async function startDemoConsole(pipeline: Pipeline, options: { agentHttpPorts: number[]; tileUrl?: string }): Promise<DemoConsole> {
  const port = await freePort();
  const metrics = (p: number) => `${httpBase(p)}/metrics`;
  const config = join(pipeline.dir, 'console.yaml');
  writeFileSync(config, JSON.stringify({
    http: { port },
    lake: { root: pipeline.lakeDir },
    kafka: { brokers: pipeline.kafka.brokers },
    health: { agent: options.agentHttpPorts.map(metrics), bridge: [metrics(pipeline.ports.bridgeHttp)], sink: [metrics(pipeline.ports.sinkHttp)], sinkGroup: SINK_GROUP },
    ...(options.tileUrl !== undefined ? { map: { tileUrl: options.tileUrl } } : {}),
  }, null, 2) + '\n');
  const proc = await startNodeService({
    name: 'console', workspace: 'console', args: ['run', '--config', config],
    logFile: join(pipeline.dir, 'logs', 'console.log'), ready: () => healthy(port),
  });
  return { url: `${httpBase(port)}/`, port, process: proc, stop: () => proc.stop() };
}
