import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@fleetlake/bridge';
import { freePort, shebangNodeArgs, spawnManaged, waitFor, type ManagedProcess } from '@fleetlake/testkit';
import { sharedKafka } from '@fleetlake/testkit/vitest';
import { cliPath, type Workspace } from '../src/repo.js';

/**
 * Every part configured with the secrets an operator gives it — the device's MQTT password inside the
 * agent's URL, Kafka SASL passwords, a key passphrase, AWS keys in the sink's environment — and run at
 * debug level where things fail (SASL against a Kafka that has none, S3 unreachable): no log line,
 * error message, /stats, /metrics or /healthz answer of any of them may hold one of those secrets.
 */
const SECRETS = {
  mqttPassword: 'Mqtt-Pass_4711x',
  bridgeSasl: 'Bridge-Sasl-Pw-0815',
  sinkSasl: 'Sink-Sasl-Pw-0816',
  keyPassphrase: 'Key-Passphrase-42',
  awsAccessKeyId: 'AKIAFLEETLAKETEST01',
  awsSecretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY',
  awsSessionToken: 'FwoGZXIvYXdzEFleetlakeSessionToken0123',
};

describe('no secret in any log line or status answer of the agent, the bridge and the sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'no-secrets-'));
  const procs: ManagedProcess[] = [];

  afterAll(async () => {
    for (const p of procs) await p.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (name: Workspace, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const cli = cliPath(name);
    const p = spawnManaged(name, process.execPath, [...shebangNodeArgs(cli), cli, ...args], { env: { ...process.env, FLEETLAKE_LOG_LEVEL: 'debug', ...env } });
    procs.push(p);
    return p;
  };
  const file = (name: string, content: unknown, mode = 0o600) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(content, null, 2), { mode });
    return f;
  };
  const get = async (port: number, path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();

  it('keeps them out of logs, errors and endpoints, also where the parts fail', async () => {
    const { brokers } = await sharedKafka();
    const [mqttPort, bridgeHttp, sinkHttp, agentHttp, noS3] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const deviceId = 'secret-van';
    const credentials = file('devices.yaml', { devices: { [deviceId]: await hashPassword(SECRETS.mqttPassword, { N: 1024 }) } });

    const bridge = start('bridge', ['run', '--config', file('bridge.yaml', {
      mqtt: { tcp: { port: mqttPort }, credentialsFile: credentials },
      kafka: { brokers, sasl: { mechanism: 'plain', username: 'bridge', password: SECRETS.bridgeSasl }, ssl: { enabled: false, passphrase: SECRETS.keyPassphrase } },
      http: { port: bridgeHttp },
      logLevel: 'debug',
    })]);
    const sink = start('sink', ['run', '--config', file('sink.yaml', {
      kafka: { brokers, sasl: { mechanism: 'scram-sha-512', username: 'sink', password: SECRETS.sinkSasl }, ssl: { enabled: false, passphrase: SECRETS.keyPassphrase } },
      lake: { root: 's3://fleetlake-secrets/raw', endpoint: `http://127.0.0.1:${noS3}`, forcePathStyle: true },
      http: { port: sinkHttp },
      drainTimeoutMs: 2000,
      logLevel: 'debug',
    })], { AWS_ACCESS_KEY_ID: SECRETS.awsAccessKeyId, AWS_SECRET_ACCESS_KEY: SECRETS.awsSecretKey, AWS_SESSION_TOKEN: SECRETS.awsSessionToken });
    await waitFor(() => bridge.output().includes('"msg":"bridge started"'), { what: 'the bridge started', timeoutMs: 30_000 });

    start('agent', ['run', '--config', file('agent.yaml', {
      deviceId,
      dataDir: join(dir, 'agent-data'),
      mqtt: { url: `mqtt://${deviceId}:${SECRETS.mqttPassword}@127.0.0.1:${mqttPort}`, protocolVersion: 4, reconnect: { baseMs: 100, maxMs: 500 } },
      http: { port: agentHttp },
    })]);
    await waitFor(async () => (JSON.parse(await get(agentHttp, '/stats')) as { mqtt: { connected: boolean } }).mqtt.connected, { what: 'the agent connected with the password from its URL', timeoutMs: 30_000 });
    // The parts have failed where they fail: the bridge's Kafka client on SASL (it keeps trying), the
    // sink's too (SASL refused is final for it: it exits with the error message).
    await waitFor(() => bridge.output().includes('kafkajs error'), { what: 'a Kafka client error in the bridge log', timeoutMs: 60_000 });
    await waitFor(() => sink.output().includes('SASL') && !sink.isRunning(), { what: 'the sink to give up on Kafka', timeoutMs: 60_000 });

    const answers = [
      await get(agentHttp, '/stats'), await get(agentHttp, '/metrics'), await get(agentHttp, '/healthz'),
      await get(bridgeHttp, '/metrics'), await get(bridgeHttp, '/healthz'),
    ];
    for (const p of [...procs].reverse()) await p.stop(10_000);
    const logs = procs.map((p) => p.output());
    // The places secrets would be: the agent's connect line names the URL, without its password.
    expect(logs[2]).toMatch(new RegExp(`mqtt://${deviceId}:\\[redacted\\]@127\\.0\\.0\\.1:${mqttPort}`));
    expect(logs.join('\n').split('\n').length).toBeGreaterThan(20);
    for (const [name, secret] of Object.entries(SECRETS)) {
      const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
      for (const [i, text] of [...logs, ...answers].entries()) {
        for (const form of forms) expect(text.includes(form), `${name} in ${i < logs.length ? `the ${procs[i]!.name} log` : `answer ${i - logs.length}`}`).toBe(false);
      }
    }
  }, 180_000);
});
