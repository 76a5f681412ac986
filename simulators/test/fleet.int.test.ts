import { parseMqttTopic, parseRecord } from '@fleetlake/contracts';
import { startMosquitto, waitFor, type MosquittoBroker } from '@fleetlake/testkit';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, type FleetProgress } from '../src/fleet.js';
import { DEFAULT_MIX } from '../src/fleet-records.js';
import { loadRoute } from '../src/route.js';

const DEVICES = 1000;
const RATE = 1;
const DURATION_S = 20;

let broker: MosquittoBroker;
let subscriber: mqtt.MqttClient;
const received = { total: 0, invalid: 0, devices: new Set<string>(), reasons: new Map<string, number>() };

beforeAll(async () => {
  broker = await startMosquitto();
  // An independent witness: every message the broker accepted, read back and checked against the contracts.
  subscriber = await mqtt.connectAsync(broker.url, { clientId: 'fleet-test-witness', clean: true });
  await subscriber.subscribeAsync('fleetlake/v1/+/+', { qos: 1 });
  subscriber.on('message', (topic, payload) => {
    received.total++;
    const t = parseMqttTopic(topic);
    const parsed = t.ok && t.topic.kind === 'stream' ? parseRecord(t.topic.stream, payload, t.topic.deviceId) : undefined;
    if (!parsed?.ok) {
      received.invalid++;
      const reason = parsed ? parsed.reason : 'bad_topic';
      received.reasons.set(reason, (received.reasons.get(reason) ?? 0) + 1);
    } else received.devices.add(parsed.value.deviceId);
  });
});

afterAll(async () => {
  await subscriber?.endAsync();
  await broker?.stop();
});

describe('fleetlake-sim fleet against Mosquitto', () => {
  it(`holds ${DEVICES} devices × ${RATE} msg/s (±5%) for ${DURATION_S} s and reports what the broker acknowledged`, async () => {
    const route = await loadRoute('london-birmingham');
    const progress: FleetProgress[] = [];
    const fleet = await Fleet.create({ brokerUrl: broker.url, devices: DEVICES, rateHz: RATE, durationS: DURATION_S, mix: DEFAULT_MIX, route, onProgress: (p) => progress.push(p) });
    try {
      const summary = await fleet.run();
      console.log(JSON.stringify(summary));
      expect(summary.connected).toBe(DEVICES);
      const target = DEVICES * RATE;
      expect(summary.sentRate).toBeGreaterThan(target * 0.95);
      expect(summary.sentRate).toBeLessThan(target * 1.05);
      expect(summary.ackedRate).toBeGreaterThan(target * 0.95);
      expect(summary.sent).toBe(target * DURATION_S);
      expect(summary.acked).toBe(summary.sent);
      expect(summary.errors).toBe(0);
      expect(Object.values(summary.byStream).every((n) => n > 0)).toBe(true);
      // Progress lines came once a second with the counters.
      expect(progress.length).toBeGreaterThanOrEqual(DURATION_S - 1);
      expect(progress[progress.length - 1]!.acked).toBe(summary.acked);
      // What the broker acknowledged is what it delivered: every record valid, every device heard from.
      await waitFor(() => received.total >= summary.acked, { timeoutMs: 30_000, what: 'the witness to receive every acknowledged message' });
      expect(received.total).toBe(summary.acked);
      expect(received.invalid).toBe(0);
      expect(received.devices.size).toBe(DEVICES);
    } finally {
      await fleet.stop();
    }
  });
});
