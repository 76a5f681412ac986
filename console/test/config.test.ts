import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { Auth } from '../src/auth.js';
import { loadConsoleConfig } from '../src/config.js';
import { contentSecurityPolicy } from '../src/console.js';

const load = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => loadConsoleConfig(undefined, flags, env);
const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('console configuration', () => {
  it('binds to loopback by default and refuses any other address without credentials', () => {
    expect(load({}).http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(() => load({ http: { host: '0.0.0.0' } })).toThrow(/not loopback: set auth.basic .* or auth.token/);
    expect(load({ http: { host: '0.0.0.0' }, auth: { token: 'a-token-of-24-characters' } }).auth.token).toBe('a-token-of-24-characters');
    expect(load({}, { FLEETLAKE_CONSOLE_HTTP__HOST: '0.0.0.0', FLEETLAKE_CONSOLE_AUTH__BASIC__USERNAME: 'ops', FLEETLAKE_CONSOLE_AUTH__BASIC__PASSWORD: 'long-enough' }).auth.basic).toEqual({ username: 'ops', password: 'long-enough' });
  });

  it('refuses unknown keys, short secrets, bad lake roots and tile URLs without {z}/{x}/{y}', () => {
    expect(() => load({ htp: {} })).toThrow(/invalid configuration/);
    expect(() => load({ map: { tileUrl: 'https://tiles.example/{z}/{x}/{y}.png', colour: 'red' } })).toThrow(/invalid configuration/);
    expect(() => load({ auth: { token: 'short' } })).toThrow(/invalid configuration/);
    expect(() => load({ lake: { root: 'ftp://x/y' } })).toThrow(/lake.root: unsupported lake root/);
    expect(() => load({ map: { tileUrl: 'https://tiles.example/tile.png' } })).toThrow(/map.tileUrl/);
    expect(load({ map: { tileUrl: '' } }).map.tileUrl).toBe('');
  });

  it('lets the page load tiles from the tile server only', () => {
    expect(contentSecurityPolicy('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toContain("img-src 'self' blob: data: https://tile.openstreetmap.org;");
    expect(contentSecurityPolicy('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toContain('https://*.tile.example.org;');
    expect(contentSecurityPolicy('')).toContain("img-src 'self' blob: data:;");
  });
});

describe('auth', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('without credentials configured every request passes', () => {
    expect(new Auth({}).check(req())).toEqual({ ok: true });
  });

  it('basic: the right user and password only, with a challenge the browser answers', () => {
    const auth = new Auth({ basic: { username: 'ops', password: 'long-enough' } });
    expect(auth.check(req(`Basic ${b64('ops:long-enough')}`))).toEqual({ ok: true });
    for (const wrong of [undefined, `Basic ${b64('ops:wrong')}`, `Basic ${b64('other:long-enough')}`, `Basic ${b64('long-enough')}`, 'Bearer long-enough']) {
      expect(auth.check(req(wrong))).toEqual({ ok: false, challenge: expect.stringMatching(/^Basic realm=/) });
    }
  });

  it('bearer: the token only', () => {
    const auth = new Auth({ token: 'a-token-of-24-characters' });
    expect(auth.check(req('Bearer a-token-of-24-characters'))).toEqual({ ok: true });
    expect(auth.check(req('bearer a-token-of-24-characters'))).toEqual({ ok: true });
    expect(auth.check(req('Bearer a-token-of-24-characterz')).ok).toBe(false);
    expect(auth.check(req()).ok).toBe(false);
    expect(auth.scheme).toBe('bearer');
  });
});
