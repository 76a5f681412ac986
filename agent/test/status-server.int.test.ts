import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { silentLogger } from '@fleetlake/core';
import { freePort, waitFor } from '@fleetlake/testkit';
import { Agent, type AgentStats } from '../src/agent.js';
import { AgentConfig } from '../src/config.js';
import { startAedes, type AedesBroker } from './support/aedes.js';
import { seriesValue as series } from './support/prometheus.js';

const DEVICE = 'pi-status-01';

/** Writes lines to a tcp-listen input; resolves once the connection is closed. */
function sendLines(port: number, lines: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port }, () => sock.end(`${lines.join('\n')}\n`));
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
}

describe('the agent status endpoint (http.port 0) on a running agent', () => {
  let broker: AedesBroker;
  let dir: string;
  const agents: Agent[] = [];
  const config = (inputPort: number, httpPort: number) =>
    Value.Default(AgentConfig, {
      deviceId: DEVICE,
      dataDir: dir,
      mqtt: { url: broker.url, protocolVersion: 4, reconnect: { baseMs: 50, maxMs: 200 } },
      inputs: { sources: [`tcp-listen://127.0.0.1:${inputPort}?stream=vehicle`] },
      http: { port: httpPort },
      statsIntervalMs: 0,
    }) as AgentConfig;

  beforeAll(async () => {
    broker = await startAedes();
    dir = await mkdtemp(join(tmpdir(), 'agent-status-'));
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /metrics, /healthz and /stats from the live counters, and nothing else', async () => {
    const inputPort = await freePort();
    const agent = await Agent.create(config(inputPort, 0), silentLogger());
    agents.push(agent);
    await agent.start();
    const address = agent.httpAddress();
    expect(address?.host).toBe('127.0.0.1');
    expect(address?.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${address!.port}`;

    const vehicle = { speed: 50, direction: 'North', make: 'VW', model: 'ID.3', year: 2023, fuelType: 'Electric', latitude: 52.37, longitude: 4.89 };
    await sendLines(inputPort, [JSON.stringify(vehicle), JSON.stringify({ ...vehicle, speed: 51 }), JSON.stringify({ ...vehicle, speed: 52 }), 'not json']);

    const metrics = await waitFor(
      async () => {
        const res = await fetch(`${base}/metrics`);
        const text = await res.text();
        return series(text, 'fleetlake_agent_published_total') === 3 && series(text, 'fleetlake_agent_outbox_pending_records') === 0 ? { res, text } : undefined;
      },
      { timeoutMs: 15_000, what: '3 records published, as /metrics tells' },
    );
    expect(metrics.res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(series(metrics.text, 'fleetlake_agent_captured_total{stream="vehicle"}')).toBe(3);
    expect(series(metrics.text, 'fleetlake_agent_captured_total{stream="gps"}')).toBe(0);
    expect(series(metrics.text, 'fleetlake_agent_last_seq{stream="vehicle"}')).toBe(2);
    expect(series(metrics.text, 'fleetlake_agent_rejected_total{reason="not_json"}')).toBe(1);
    expect(series(metrics.text, 'fleetlake_agent_outbox_pending_bytes')).toBe(0);
    expect(series(metrics.text, 'fleetlake_agent_outbox_dropped_total')).toBe(0);
    expect(series(metrics.text, 'fleetlake_agent_mqtt_connected')).toBe(1);
    expect(metrics.text).toContain('# TYPE fleetlake_agent_captured_total counter');

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, outboxOpen: true, mqttConnected: true });

    const stats = (await (await fetch(`${base}/stats`)).json()) as AgentStats;
    expect(stats).toMatchObject({ captured: { vehicle: 3 }, lastSeq: { vehicle: 2 }, rejected: { not_json: 1 }, outbox: { pending: 0 }, mqtt: { connected: true, acked: 3 } });
    expect(stats.inputs[`tcp-listen://127.0.0.1:${inputPort}?stream=vehicle`]).toMatchObject({ lines: 4 });

    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    // The broker goes away: the endpoint says so, and the agent stays healthy (it keeps capturing).
    await broker.down();
    await waitFor(async () => series(await (await fetch(`${base}/metrics`)).text(), 'fleetlake_agent_mqtt_connected') === 0, { timeoutMs: 10_000, what: 'mqtt_connected to drop to 0' });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, outboxOpen: true, mqttConnected: false });
    await broker.up();

    await agent.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('fails to start, before anything else runs, when the port is taken', async () => {
    const first = await Agent.create(config(await freePort(), 0), silentLogger());
    agents.push(first);
    await first.start();
    const taken = first.httpAddress()!.port;
    const second = await Agent.create({ ...config(await freePort(), taken), dataDir: join(dir, 'second') }, silentLogger());
    agents.push(second);
    await expect(second.start()).rejects.toThrow(new RegExp(`status endpoint cannot listen on 127.0.0.1:${taken} .*EADDRINUSE`));
    expect(second.stats().mqtt.connects).toBe(0);
  });
});
