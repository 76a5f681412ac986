import { AthenaClient, GetNamedQueryCommand, GetWorkGroupCommand, ListNamedQueriesCommand } from '@aws-sdk/client-athena';
import { captureOutput, sharedMoto } from '@fleetlake/testkit/vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { catalogCommand } from '../src/commands/catalog.js';
import { SAVED_QUERIES, renderSavedQuery } from '../src/saved-queries.js';

describe('fleetlake-sink catalog → Athena named queries (moto)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('creates the workgroup and one named query per saved query, then leaves them unchanged', async () => {
    const moto = await sharedMoto();
    process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey;
    const bucket = `fleetlake-named-${Date.now()}`;
    const workgroup = `wg-${Date.now()}`;
    const flags = { lake: `s3://${bucket}/raw`, endpoint: moto.endpoint, region: moto.region, 'path-style': true, 'create-bucket': true, workgroup };
    const run = async () => {
      const out = captureOutput();
      try {
        expect(await catalogCommand.run({ values: flags, positionals: [] })).toBe(0);
        return out.out();
      } finally {
        out.restore();
      }
    };
    const first = await run();
    expect(first).toContain(`workgroup ${workgroup}: created`);
    for (const name of Object.keys(SAVED_QUERIES)) expect(first).toContain(`named query fleetlake-${name}: created`);
    // The Glue database is shared with s3.int.test.ts on the run's moto: created by whichever runs first.
    expect(first).toMatch(/fleetlake\.dead_letter: (created|updated)/);
    const again = await run();
    expect(again).toContain(`workgroup ${workgroup}: exists`);
    expect(again.match(/: unchanged/g)).toHaveLength(Object.keys(SAVED_QUERIES).length);

    const athena = new AthenaClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    try {
      const wg = await athena.send(new GetWorkGroupCommand({ WorkGroup: workgroup }));
      expect(wg.WorkGroup?.Configuration?.ResultConfiguration?.OutputLocation).toBe(`s3://${bucket}/athena-results/`);
      const { NamedQueryIds } = await athena.send(new ListNamedQueriesCommand({ WorkGroup: workgroup }));
      expect(NamedQueryIds).toHaveLength(Object.keys(SAVED_QUERIES).length);
      const stored = await Promise.all(NamedQueryIds!.map(async (id) => (await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }))).NamedQuery!));
      const trip = stored.find((q) => q.Name === 'fleetlake-trip-summary')!;
      expect(trip.QueryString).toBe(renderSavedQuery(SAVED_QUERIES['trip-summary']!, 'athena'));
      expect(trip.Database).toBe('fleetlake');
      expect(trip.Description).toMatch(/Parameters: 1: deviceId/);
    } finally {
      athena.destroy();
    }
  });
});
