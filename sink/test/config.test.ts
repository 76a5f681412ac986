import { describe, expect, it } from 'vitest';
import { ConfigError } from '@fleetlake/core';
import { queryCommand } from '../src/commands/query.js';
import { loadSinkConfig } from '../src/config.js';

const load = (flags: Record<string, unknown>) => loadSinkConfig(undefined, flags, {});

describe('sink configuration', () => {
  it('has defaults for everything, including the event-time window and the drain timeout', () => {
    const c = load({});
    expect(c.eventTime).toEqual({ earliest: '2020-01-01', maxAheadMs: 86_400_000 });
    expect(c.drainTimeoutMs).toBe(30_000);
    expect(c.lake.root).toBe('./lake');
  });

  it('refuses unknown keys, misspelt nested keys and bad values, naming the path', () => {
    expect(() => load({ lakee: { root: '/x' } })).toThrow(ConfigError);
    expect(() => load({ lakee: { root: '/x' } })).toThrow(/\/lakee/);
    expect(() => load({ lake: { rooot: '/x' } })).toThrow(/\/lake\/rooot/);
    expect(() => load({ kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p', extra: 1 } } })).toThrow(/\/kafka\/sasl\/extra/);
    expect(() => load({ lake: { endpoint: 'not a url' } })).toThrow(/\/lake\/endpoint/);
    expect(() => load({ eventTime: { earliest: 'yesterday' } })).toThrow(/\/eventTime\/earliest/);
    expect(() => load({ logLevel: 'loud' })).toThrow(/\/logLevel/);
    expect(load({ lake: { endpoint: 'http://127.0.0.1:9000' } }).lake.endpoint).toBe('http://127.0.0.1:9000');
  });

  it('takes values from the environment as strictly', () => {
    expect(() => loadSinkConfig(undefined, {}, { FLEETLAKE_SINK_LAKE__ROOTT: '/x' })).toThrow(/\/lake\/roott/);
  });
});

describe('fleetlake-sink query', () => {
  it('refuses a lake folder that does not exist instead of answering 0 rows', async () => {
    await expect(queryCommand.run({ values: { lake: '/no/such/folder' }, positionals: ['SELECT 1'] })).rejects.toThrow(/lake folder \/no\/such\/folder does not exist/);
  });
});
