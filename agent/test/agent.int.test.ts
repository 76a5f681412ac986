import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { silentLogger } from '@fleetlake/core';
import { cameraMqttTopic, parseRecord, streamMqttTopic } from '@fleetlake/contracts';
import { freePort, waitFor } from '@fleetlake/testkit';
import { Agent } from '../src/agent.js';
import type { Frame } from '../src/camera/frame.js';
import { AgentConfig } from '../src/config.js';
import type { CameraInput, FixInput } from '../src/factories.js';
import type { Fix } from '../src/gps/fix.js';
import { startAedes, type AedesBroker } from './support/aedes.js';

const DEVICE = 'pi-wired-01';

/** Test inputs: fixes and frames come from plain emitters (input, not the part under test). */
class FakeGps extends EventEmitter implements FixInput {
  started = false;
  start() {
    this.started = true;
  }
  stop() {
    this.started = false;
  }
}
class FakeCamera extends EventEmitter implements CameraInput {
  triggers = 0;
  start() {}
  stop() {}
  trigger() {
    this.triggers++;
  }
}

describe('Agent wiring: fixes, frames and JSON lines to MQTT', () => {
  let broker: AedesBroker;
  let dir: string;
  beforeAll(async () => {
    broker = await startAedes();
    dir = await mkdtemp(join(tmpdir(), 'agent-wired-'));
  });
  afterAll(async () => {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes gps_data from fixes, frames as raw JPEG + traffic_data, line records stamped with GPS time; an Active emergency triggers the camera', async () => {
    const port = await freePort();
    const config = Value.Default(AgentConfig, {
      deviceId: DEVICE,
      dataDir: dir,
      mqtt: { url: broker.url, protocolVersion: 4, reconnect: { baseMs: 50, maxMs: 200 } },
      inputs: { sources: [`tcp-listen://127.0.0.1:${port}`] },
      gps: { recordIntervalMs: 1000 },
      statsIntervalMs: 0,
    }) as AgentConfig;
    expect(Value.Check(AgentConfig, config)).toBe(true);
    const gps = new FakeGps();
    const camera = new FakeCamera();
    const agent = await Agent.create(config, silentLogger(), { createFixSource: async () => gps, createCamera: async () => camera });
    await agent.start();
    try {
      expect(gps.started).toBe(true);
      const t0 = Date.parse('2026-11-27T12:00:00.000Z');
      const fix = (i: number): Fix => ({ time: new Date(t0 + i * 500).toISOString(), lat: 48.85 + i * 1e-5, lon: 2.35, mode: 3, speedKmh: 36, courseDeg: 90, satellites: 8, hdop: 1.1, altMSL: 35, fixQuality: 1 });
      for (let i = 0; i < 6; i++) gps.emit('fix', fix(i));
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xdb]), Buffer.alloc(2000, 7)]);
      const frame: Frame = { frameId: 'f-000001', cameraId: 'cam-front', jpeg, width: 320, height: 240, capturedAt: new Date().toISOString() };
      camera.emit('frame', frame);
      const lines = [
        { stream: 'vehicle', speed: 36, direction: 'East', make: 'Renault', model: 'Zoe', year: 2022, fuelType: 'Electric' },
        { stream: 'emergency', incidentId: '2b1e4c6a-9d3f-4e8a-b7c5-0f1e2d3c4b5a', type: 'Accident', status: 'Active', description: 'blocked lane' },
        'this is not json',
      ];
      await new Promise<void>((resolve, reject) => {
        const sock = connect({ host: '127.0.0.1', port }, () => sock.end(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'));
        sock.on('error', reject);
        sock.on('close', () => resolve());
      });
      const topics = {
        gps: streamMqttTopic(DEVICE, 'gps'),
        traffic: streamMqttTopic(DEVICE, 'traffic'),
        vehicle: streamMqttTopic(DEVICE, 'vehicle'),
        emergency: streamMqttTopic(DEVICE, 'emergency'),
        camera: cameraMqttTopic(DEVICE, 'f-000001'),
      };
      const on = (topic: string) => broker.received.filter((m) => m.topic === topic);
      await waitFor(() => on(topics.gps).length === 3 && on(topics.traffic).length === 1 && on(topics.vehicle).length === 1 && on(topics.emergency).length === 1, { what: 'all streams published' });
      const gpsRecs = on(topics.gps).map((m) => parseRecord('gps', m.payload, DEVICE));
      expect(gpsRecs.map((r) => r.ok && r.value.timestamp)).toEqual([0, 2, 4].map((i) => new Date(t0 + i * 500).toISOString()));
      expect(gpsRecs[0]!.ok && gpsRecs[0]!.value).toMatchObject({ seq: 0, speed: 36, direction: 'East', fixMode: '3d', satellites: 8, timeSource: 'gps', vehicleType: 'private' });
      // raw JPEG bytes on the camera topic, before the traffic_data record that describes it
      const cam = broker.received.findIndex((m) => m.topic === topics.camera);
      expect(broker.received[cam]!.payload.equals(jpeg)).toBe(true);
      expect(cam).toBeLessThan(broker.received.findIndex((m) => m.topic === topics.traffic));
      const traffic = parseRecord('traffic', on(topics.traffic)[0]!.payload, DEVICE);
      expect(traffic.ok && traffic.value).toMatchObject({ frameId: 'f-000001', bytes: jpeg.length, width: 320, contentType: 'image/jpeg', timeSource: 'gps' });
      const vehicle = parseRecord('vehicle', on(topics.vehicle)[0]!.payload, DEVICE);
      expect(vehicle.ok && vehicle.value).toMatchObject({ make: 'Renault', timeSource: 'gps', latitude: fix(5).lat, seq: 0 });
      expect(vehicle.ok && Date.parse(vehicle.value.timestamp)).toBeGreaterThanOrEqual(t0 + 2500);
      expect(camera.triggers).toBe(1);
      expect(agent.stats().rejected).toEqual({ not_json: 1 });
      expect(agent.stats()).toMatchObject({ captured: { gps: 3, traffic: 1, vehicle: 1, emergency: 1 }, lastSeq: { gps: 2, traffic: 0, vehicle: 0, emergency: 0 } });
    } finally {
      await agent.stop();
    }
    expect(agent.stats().outbox.pending).toBe(0);
  });
});
