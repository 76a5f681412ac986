import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, shebangNodeArgs, spawnManaged, waitFor, type ManagedProcess } from '@fleetlake/testkit';
import { afterAll, describe, expect, it } from 'vitest';

/** The built CLI, as operators run it. */
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const DRAIN_MS = 2000;

/** pino lines of a process's output. */
const lines = (p: ManagedProcess) => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });

describe('the sink with Kafka unreachable', () => {
  const lake = mkdtempSync(join(tmpdir(), 'sink-stop-'));
  let proc: ManagedProcess | undefined;

  afterAll(async () => {
    await proc?.stop(1000);
    rmSync(lake, { recursive: true, force: true });
  });

  it('logs one start-up line (no client errors) and stops within its drain timeout after SIGTERM', async () => {
    const [kafkaPort, httpPort] = [await freePort(), await freePort()]; // nothing listens on kafkaPort
    proc = spawnManaged('fleetlake-sink', process.execPath, [...shebangNodeArgs(CLI), CLI, 'run', '--brokers', `127.0.0.1:${kafkaPort}`, '--lake', lake, '--http-port', String(httpPort)], {
      env: { ...process.env, FLEETLAKE_SINK_DRAIN_TIMEOUT_MS: String(DRAIN_MS) },
    });
    // Up and answering (unhealthy: not consuming) while it keeps trying Kafka.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status === 503, { what: 'sink /healthz 503', timeoutMs: 30_000 });
    await waitFor(() => lines(proc!).some((l) => l.msg === 'sink starting'), { what: 'the start-up line' });
    const t0 = Date.now();
    await proc.stop(30_000);
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeLessThan(DRAIN_MS + 1500);
    expect((await proc.exited).signal).toBeNull();
    const logged = lines(proc);
    expect(logged.filter((l) => l.msg === 'sink starting')).toHaveLength(1);
    // info and above only: the start-up line and the stop, nothing from the Kafka client.
    expect(logged.filter((l) => l.level >= 30).map((l) => l.msg)).toEqual(['sink starting', 'sink stopped']);
    expect(proc.output()).not.toMatch(/KafkaJS/);
  }, 60_000);
});
