import mqtt from 'mqtt';
import type { Message } from './harness.js';

export interface Subscriber {
  received: Message[];
  close(): Promise<void>;
}

/**
 * A persistent-session QoS 1 subscriber (clean: false, fixed client id): messages published while it
 * is away are queued by the broker and delivered when it reconnects.
 */
export async function subscribe(url: string, filter: string, clientId: string, protocolVersion: 4 | 5 = 4): Promise<Subscriber> {
  const received: Message[] = [];
  const client = mqtt.connect(url, {
    clientId,
    clean: false,
    protocolVersion,
    reconnectPeriod: 100,
    connectTimeout: 2000,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
  });
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: Buffer.from(payload), retain: packet.retain }));
  client.on('error', () => undefined); // reconnects while the broker is down
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  });
  return { received, close: () => client.endAsync(true) };
}
