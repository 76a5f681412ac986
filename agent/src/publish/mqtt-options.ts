import { readFile } from 'node:fs/promises';
import type { IClientOptions } from 'mqtt';
import { ConfigError } from '@fleetlake/core';
import { statusMqttTopic, type DeviceStatus } from '@fleetlake/contracts';

export interface TlsFiles {
  /** CA bundle (PEM) to verify the broker; the system store when omitted. */
  ca?: string | undefined;
  /** Client certificate and key (PEM), as AWS IoT Core requires. */
  cert?: string | undefined;
  key?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
  /** e.g. ["x-amzn-mqtt-ca"] for AWS IoT Core on port 443. */
  alpnProtocols?: string[] | undefined;
  servername?: string | undefined;
}

export interface ConnectionSettings {
  url: string;
  deviceId: string;
  clientId?: string | undefined;
  protocolVersion: 4 | 5;
  username?: string | undefined;
  password?: string | undefined;
  keepaliveSec: number;
  connectTimeoutMs: number;
  tls?: TlsFiles | undefined;
  agentVersion?: string | undefined;
}

async function readPem(kind: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new ConfigError(`cannot read TLS ${kind} file ${file}: ${(err as Error).message}`, { file });
  }
}

export function statusPayload(deviceId: string, status: DeviceStatus['status'], reason?: string, agentVersion?: string): Buffer {
  const s: DeviceStatus = { deviceId, status, timestamp: new Date().toISOString(), ...(agentVersion ? { agentVersion } : {}), ...(reason ? { reason } : {}) };
  return Buffer.from(JSON.stringify(s));
}

/**
 * mqtt.js options for one connection attempt. The agent reconnects itself (reconnectPeriod 0) with a
 * fresh client each time and re-sends from its own outbox, so nothing depends on mqtt.js's in-memory store.
 */
export async function buildClientOptions(s: ConnectionSettings): Promise<IClientOptions> {
  const tls = s.tls ?? {};
  const [ca, cert, key] = await Promise.all([readPem('ca', tls.ca), readPem('cert', tls.cert), readPem('key', tls.key)]);
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError('mqtt.tls.cert and mqtt.tls.key must be given together');
  const secure = /^(mqtts|wss):/.test(s.url);
  if (!secure && (ca || cert)) throw new ConfigError(`TLS files are configured but mqtt.url ${s.url} is not mqtts:// or wss://`);
  return {
    clientId: s.clientId ?? s.deviceId,
    protocolVersion: s.protocolVersion,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: s.connectTimeoutMs,
    keepalive: s.keepaliveSec,
    queueQoSZero: false,
    resubscribe: false,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    will: {
      topic: statusMqttTopic(s.deviceId),
      payload: statusPayload(s.deviceId, 'offline', 'connection lost', s.agentVersion),
      qos: 1,
      retain: true,
    },
    ...(secure
      ? {
          ...(ca ? { ca } : {}),
          ...(cert ? { cert } : {}),
          ...(key ? { key } : {}),
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
          ...(tls.alpnProtocols ? { ALPNProtocols: tls.alpnProtocols } : {}),
          ...(tls.servername ? { servername: tls.servername } : {}),
        }
      : {}),
  };
}
