import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { statSync } from 'node:fs';
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
 * fleet reconnecting at once costs one scrypt per device, not one per connection attempt. A device id
 * that is not in the file is checked against a dummy hash with the file's scrypt parameters, so a
 * wrong password takes as long for an unknown id as for a known one: the timing tells no ids apart.
 */
export class Credentials {
  private readonly lastGood = new Map<string, Buffer>();
  private readonly dummy: ParsedHash;

  private constructor(private readonly hashes: Map<string, ParsedHash & { text: string }>) {
    this.dummy = dummyHash(hashes.values());
  }

  /**
   * Reads a credentials file. Like ssh with a private key, it refuses a file that others than its
   * owner may read or write (mode & 077): the hashes are as good as passwords to an offline guesser.
   */
  static fromFile(file: string): Credentials {
    const mode = statSync(file, { throwIfNoEntry: false })?.mode;
    if (mode !== undefined && (mode & 0o077) !== 0) {
      throw new ConfigError(
        `credentials file ${file} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); allow only its owner: chmod 600 ${file}`,
        { file },
      );
    }
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

  /** True when `password` is the one this device last logged in with (no scrypt: a SHA-256 compare). */
  remembered(deviceId: string, password: Buffer | undefined): boolean {
    const known = this.lastGood.get(deviceId);
    return known !== undefined && password !== undefined && timingSafeEqual(known, createHash('sha256').update(password).digest());
  }

  /** The full check (scrypt), as long for an unknown device id as for a known one; a success is remembered. */
  async verify(deviceId: string, password: Buffer | undefined): Promise<boolean> {
    if (!password) return false;
    const entry = this.hashes.get(deviceId);
    const h = entry ?? this.dummy;
    const key = await scryptAsync(password.toString('utf8'), h.salt, { N: h.N, r: h.r, p: h.p });
    const ok = entry !== undefined && key.length === entry.key.length && timingSafeEqual(key, entry.key);
    if (ok) this.lastGood.set(deviceId, createHash('sha256').update(password).digest());
    return ok;
  }

  async check(deviceId: string, password: Buffer | undefined): Promise<boolean> {
    return this.remembered(deviceId, password) || this.verify(deviceId, password);
  }
}

/** A hash no password matches, with the scrypt parameters most entries use (the defaults for an empty file). */
function dummyHash(entries: Iterable<ParsedHash>): ParsedHash {
  const counts = new Map<string, { n: number; h: ParsedHash }>();
  for (const h of entries) {
    const k = `${h.N}$${h.r}$${h.p}`;
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { n: 1, h });
  }
  const common = [...counts.values()].sort((a, b) => b.n - a.n)[0]?.h ?? { N: 16384, r: 8, p: 1 };
  return { N: common.N, r: common.r, p: common.p, salt: randomBytes(16), key: randomBytes(KEY_LEN) };
}
