import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConfigError, readConfigFile } from '@fleetlake/core';
import { isDeviceId } from '@fleetlake/contracts';

/**
 * Device passwords, stored as `scrypt$N$r$p$<salt base64>$<hash base64>` (node:crypto's scrypt).
 * Credentials file (YAML):
 *   devices:
 *     car-001: "scrypt$16384$8$1$...$..."
 */
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LEN, { ...opts, maxmem: 256 * opts.N! * opts.r! }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, options: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  const N = options.N ?? 16384;
  const r = options.r ?? 8;
  const p = options.p ?? 1;
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(text: string): ParsedHash | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return undefined;
  return { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await scryptAsync(password, h.salt, { N: h.N, r: h.r, p: h.p });
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

/**
 * The device credential store. A successful check is remembered (as a SHA-256 of the password), so a
 * fleet reconnecting at once costs one scrypt per device, not one per connection attempt.
 */
export class Credentials {
  private readonly verified = new Map<string, Buffer>();

  private constructor(private readonly hashes: Map<string, ParsedHash & { text: string }>) {}

  static fromFile(file: string): Credentials {
    const doc = readConfigFile(file);
    const devices = doc.devices;
    if (typeof devices !== 'object' || devices === null || Array.isArray(devices)) {
      throw new ConfigError(`credentials file ${file} needs a "devices" mapping of deviceId to scrypt hash`, { file });
    }
    const map = new Map<string, ParsedHash & { text: string }>();
    for (const [deviceId, value] of Object.entries(devices)) {
      if (!isDeviceId(deviceId)) throw new ConfigError(`credentials file ${file}: invalid deviceId ${JSON.stringify(deviceId)}`, { file });
      const parsed = typeof value === 'string' ? parseHash(value) : undefined;
      if (!parsed) throw new ConfigError(`credentials file ${file}: entry for ${deviceId} is not an scrypt hash (use fleetlake-bridge hash-password)`, { file });
      map.set(deviceId, { ...parsed, text: value as string });
    }
    return new Credentials(map);
  }

  get size(): number {
    return this.hashes.size;
  }

  async check(deviceId: string, password: Buffer | undefined): Promise<boolean> {
    const entry = this.hashes.get(deviceId);
    if (!entry || !password) return false;
    const digest = createHash('sha256').update(password).digest();
    const known = this.verified.get(deviceId);
    if (known && timingSafeEqual(known, digest)) return true;
    const ok = await verifyPassword(password.toString('utf8'), entry.text);
    if (ok) this.verified.set(deviceId, digest);
    return ok;
  }
}
