import { TLSSocket } from 'node:tls';
import { isDeviceId, MQTT_TOPIC_ROOT } from '@fleetlake/contracts';
import type { Credentials } from './credentials.js';
import type { GateRefusal, LoginGate } from './login-gate.js';

/**
 * Who a connection is, and what it may do. A device is identified by its TLS client certificate
 * (CN = deviceId, verified against the configured CA) or by username = deviceId with a password from
 * the credentials file. It may publish only under fleetlake/v1/{deviceId}/ and subscribe only there.
 * Its MQTT client id must be the deviceId or start with "{deviceId}:" so that one device cannot take
 * over another's session.
 */
export interface DeviceAuthOptions {
  credentials?: Credentials | undefined;
  allowAnonymous: boolean;
  /** Bounds the password checks (concurrency, back-off); none: every check runs at once. */
  gate?: LoginGate | undefined;
}

/** One CONNECT's claims. */
export interface LoginAttempt {
  /** The connection (a TLSSocket carries the client certificate). */
  socket: unknown;
  /** The peer's address, for the per-address back-off. */
  address: string;
  /** The MQTT client id as sent ('' is allowed: the broker then assigns one). */
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  /** Whether the connection went away (a login still waiting for its check is then dropped). */
  closed?: () => boolean;
}

export type AuthRefusal = 'bad_credentials' | 'cert_mismatch' | 'client_id' | GateRefusal | 'closed';
export type AuthResult = { ok: true; deviceId: string } | { ok: false; reason: AuthRefusal };

/** deviceId from a verified TLS client certificate, if the connection has one. */
export function certificateDeviceId(conn: unknown): string | undefined {
  if (!(conn instanceof TLSSocket) || !conn.authorized) return undefined;
  const cn = conn.getPeerCertificate()?.subject?.CN;
  const value = Array.isArray(cn) ? cn[0] : cn;
  return typeof value === 'string' && isDeviceId(value) ? value : undefined;
}

export function clientIdAllowed(clientId: string, deviceId: string): boolean {
  return clientId === '' || clientId === deviceId || clientId.startsWith(`${deviceId}:`);
}

export async function authenticateDevice(options: DeviceAuthOptions, attempt: LoginAttempt): Promise<AuthResult> {
  const { clientId, username, password } = attempt;
  const fromCert = certificateDeviceId(attempt.socket);
  let deviceId: string | undefined;
  if (fromCert !== undefined) {
    if (username !== undefined && username !== '' && username !== fromCert) return { ok: false, reason: 'cert_mismatch' };
    deviceId = fromCert;
  } else if (username !== undefined && isDeviceId(username)) {
    const { credentials, gate } = options;
    if (credentials) {
      // A password this device logged in with before needs no scrypt, and so no place at the gate.
      if (credentials.remembered(username, password)) deviceId = username;
      else if (gate) {
        const outcome = await gate.run(username, attempt.address, () => credentials.verify(username, password), attempt.closed);
        if (!outcome.checked) return { ok: false, reason: outcome.refusal };
        if (outcome.ok) deviceId = username;
      } else if (await credentials.verify(username, password)) deviceId = username;
    } else if (options.allowAnonymous) deviceId = username;
  }
  if (deviceId === undefined) return { ok: false, reason: 'bad_credentials' };
  if (!clientIdAllowed(clientId, deviceId)) return { ok: false, reason: 'client_id' };
  return { ok: true, deviceId };
}

export function devicePrefix(deviceId: string): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/`;
}

export function mayPublish(deviceId: string, topic: string): boolean {
  return topic.startsWith(devicePrefix(deviceId));
}

/** Subscriptions must stay inside the device's own subtree (no wildcards above it, no $share). */
export function maySubscribe(deviceId: string, filter: string): boolean {
  return filter.startsWith(devicePrefix(deviceId));
}
