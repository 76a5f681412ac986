import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freePort, shebangNodeArgs, spawnManaged, waitFor, type ManagedProcess } from '@fleetlake/testkit';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The built bridge (`fleetlake-bridge run`, with its shebang's node flags) as a child process. */
export class BridgeProcess {
  private constructor(
    readonly proc: ManagedProcess,
    readonly mqttPort: number,
    readonly httpPort: number,
  ) {}

  /** Starts it with `config` (mqtt.tcp.port and http.port are filled in) and waits for /healthz 200. */
  static async start(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<BridgeProcess> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -b" first`);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const mqtt = { ...(config.mqtt as object), tcp: { port: mqttPort } };
    const file = join(mkdtempSync(join(tmpdir(), 'bridge-proc-')), 'bridge.yaml');
    writeFileSync(file, stringify({ ...config, mqtt, http: { port: httpPort } }));
    const proc = spawnManaged('fleetlake-bridge', process.execPath, [...shebangNodeArgs(CLI), CLI, 'run', '--config', file], { env: { ...process.env, ...env } });
    const bridge = new BridgeProcess(proc, mqttPort, httpPort);
    await waitFor(async () => {
      if (!proc.isRunning()) throw new Error(`bridge exited:\n${proc.output()}`);
      return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
    }, { what: 'bridge /healthz', timeoutMs: 30_000 });
    return bridge;
  }

  get pid(): number {
    return this.proc.child.pid!;
  }

  /** Resident memory now (VmRSS of /proc/<pid>/status). */
  rssBytes(): number {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return Number(m![1]) * 1024;
  }

  async metricsText(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
  }

  /** A counter or gauge from /metrics, summed over the series that carry `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metricsText();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
    }
    return sum;
  }

  async healthy(): Promise<boolean> {
    return (await fetch(`http://127.0.0.1:${this.httpPort}/healthz`)).ok;
  }

  stop(): Promise<void> {
    return this.proc.stop(30_000);
  }
}

/** Samples a process's RSS every `everyMs` until stopped; `max()` is the largest sample. */
export class RssSampler {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(read: () => number, everyMs = 50) {
    this.samples.push(read());
    this.timer = setInterval(() => {
      try {
        this.samples.push(read());
      } catch {
        // the process is gone
      }
    }, everyMs);
  }

  stop(): { max: number; samples: number } {
    clearInterval(this.timer);
    return { max: Math.max(...this.samples), samples: this.samples.length };
  }
}
