import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Credentials, hashPassword, verifyPassword } from '../src/credentials.js';
import { authenticateDevice, mayPublish, maySubscribe } from '../src/device-auth.js';

const fast = { N: 1024 };

const login = (clientId: string, username: string | undefined, password: Buffer | undefined) => ({ socket: undefined, address: '127.0.0.1', clientId, username, password });

async function credentialsFile(entries: Record<string, string>): Promise<Credentials> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cred-'));
  const lines = ['devices:'];
  for (const [id, pw] of Object.entries(entries)) lines.push(`  ${id}: "${await hashPassword(pw, fast)}"`);
  const file = join(dir, 'devices.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return Credentials.fromFile(file);
}

describe('device credentials', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const h = await hashPassword('s3cret', fast);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('s3cre', h)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain-text')).toBe(false);
  });

  it('authenticates username = deviceId with its password, and nothing else', async () => {
    const credentials = await credentialsFile({ 'van-1': 'pw1', 'van-2': 'pw2' });
    const opts = { credentials, allowAnonymous: false };
    expect(await authenticateDevice(opts, login('van-1', 'van-1', Buffer.from('pw1')))).toEqual({ ok: true, deviceId: 'van-1' });
    // the cached second check must still reject a wrong password
    expect((await authenticateDevice(opts, login('van-1', 'van-1', Buffer.from('pw2')))).ok).toBe(false);
    expect((await authenticateDevice(opts, login('x', undefined, undefined))).ok).toBe(false);
    expect((await authenticateDevice(opts, login('van-3', 'van-3', Buffer.from('pw1')))).ok).toBe(false);
    // a client id of another device would take over that device's session
    expect(await authenticateDevice(opts, login('van-2', 'van-1', Buffer.from('pw1')))).toEqual({ ok: false, reason: 'client_id' });
    expect((await authenticateDevice(opts, login('van-1:bench', 'van-1', Buffer.from('pw1')))).ok).toBe(true);
  });

  it('rejects a credentials file with a plain-text password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-cred-'));
    const file = join(dir, 'devices.yaml');
    writeFileSync(file, 'devices:\n  van-1: hunter2\n', { mode: 0o600 });
    expect(() => Credentials.fromFile(file)).toThrow(/not an scrypt hash/);
  });

  it('refuses a credentials file that group or others may read or write, like ssh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-cred-'));
    const file = join(dir, 'devices.yaml');
    writeFileSync(file, `devices:\n  van-1: "${await hashPassword('pw', fast)}"\n`, { mode: 0o600 });
    expect(Credentials.fromFile(file).size).toBe(1);
    for (const mode of [0o640, 0o604, 0o620]) {
      chmodSync(file, mode);
      expect(() => Credentials.fromFile(file)).toThrow(new RegExp(`mode 0${mode.toString(8)}.*chmod 600`));
    }
  });

  it('takes as long for an unknown device id as for a wrong password of a known one (dummy hash)', async () => {
    const credentials = await credentialsFile({ 'van-1': 'pw1' });
    const time = async (id: string) => {
      const t0 = performance.now();
      expect(await credentials.verify(id, Buffer.from('wrong'))).toBe(false);
      return performance.now() - t0;
    };
    // Alternating, median of several: the machine is shared.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 9; i++) {
      known.push(await time('van-1'));
      unknown.push(await time(`ghost-${i}`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('remembers a verified password (no scrypt next time), and only that one', async () => {
    const credentials = await credentialsFile({ 'van-1': 'pw1' });
    expect(credentials.remembered('van-1', Buffer.from('pw1'))).toBe(false);
    expect(await credentials.verify('van-1', Buffer.from('pw1'))).toBe(true);
    expect(credentials.remembered('van-1', Buffer.from('pw1'))).toBe(true);
    expect(credentials.remembered('van-1', Buffer.from('pw2'))).toBe(false);
    expect(credentials.remembered('van-1', undefined)).toBe(false);
  });

  it('lets a device publish and subscribe only under its own topics', () => {
    expect(mayPublish('van-1', 'fleetlake/v1/van-1/gps')).toBe(true);
    expect(mayPublish('van-1', 'fleetlake/v1/van-10/gps')).toBe(false);
    expect(mayPublish('van-1', 'fleetlake/v1/van-2/gps')).toBe(false);
    expect(maySubscribe('van-1', 'fleetlake/v1/van-1/#')).toBe(true);
    expect(maySubscribe('van-1', 'fleetlake/v1/+/gps')).toBe(false);
    expect(maySubscribe('van-1', '#')).toBe(false);
  });
});
