import { describe, expect, it } from 'vitest';
import { MQTT_TOPIC_ROOT } from '@fleetlake/contracts';
import { DATABASE } from '../../sink/src/tables.js';
import { readRepoFile } from './repo.js';

/** The AWS policy documents in deploy/aws name the project's real topics and catalog, and grant no wildcard actions. */

interface Statement { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }
const policy = (name: string) => JSON.parse(readRepoFile(`deploy/aws/${name}`)) as { Version: string; Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const FILES = ['iot-device-policy.json', 'iot-bridge-policy.json', 'athena-reader-policy.json'];

describe('deploy/aws policy documents', () => {
  it('are IAM policy documents that allow named actions only', () => {
    for (const file of FILES) {
      const p = policy(file);
      expect(p.Version, file).toBe('2012-10-17');
      for (const s of p.Statement) {
        expect(s.Effect, `${file} ${s.Sid}`).toBe('Allow');
        for (const action of list(s.Action)) expect(action, `${file} ${s.Sid}`).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
      }
    }
  });

  it('a device connects only as its own thing (certificate attached) and publishes only under its own topics', () => {
    const [connect, publish, ...rest] = policy('iot-device-policy.json').Statement;
    expect(rest).toEqual([]);
    expect(connect).toMatchObject({ Action: 'iot:Connect', Resource: 'arn:aws:iot:REGION:ACCOUNT_ID:client/${iot:Connection.Thing.ThingName}', Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } });
    // The agent's status message and its will are retained, which AWS IoT Core authorizes as iot:RetainPublish.
    expect(list(publish!.Action).sort()).toEqual(['iot:Publish', 'iot:RetainPublish']);
    expect(publish!.Resource).toBe(`arn:aws:iot:REGION:ACCOUNT_ID:topic/${MQTT_TOPIC_ROOT}/\${iot:Connection.Thing.ThingName}/*`);
  });

  it('the bridge subscribes with the share group and topic filter the bridge config uses by default', async () => {
    const { BridgeConfigSchema } = await import('../../bridge/src/config.js');
    const external = BridgeConfigSchema.properties.mqtt.properties.external.properties;
    const statements = policy('iot-bridge-policy.json').Statement;
    const subscribe = statements.find((s) => s.Action === 'iot:Subscribe')!;
    expect(subscribe.Resource).toBe(`arn:aws:iot:REGION:ACCOUNT_ID:topicfilter/$share/${external.shareGroup.default}/${external.topicFilter.default}`);
    expect(statements.find((s) => s.Action === 'iot:Connect')!.Resource).toBe(`arn:aws:iot:REGION:ACCOUNT_ID:client/${external.clientId.default}`);
    expect(statements.find((s) => s.Action === 'iot:Receive')!.Resource).toBe(`arn:aws:iot:REGION:ACCOUNT_ID:topic/${MQTT_TOPIC_ROOT}/*`);
  });

  it('Athena readers read the Glue database the sink creates and only the lake prefix', () => {
    const statements = policy('athena-reader-policy.json').Statement;
    const glue = statements.find((s) => list(s.Action).every((a) => a.startsWith('glue:')))!;
    expect(list(glue.Action).every((a) => /^glue:Get/.test(a))).toBe(true);
    expect(list(glue.Resource)).toEqual(expect.arrayContaining([`arn:aws:glue:REGION:ACCOUNT_ID:database/${DATABASE}`, `arn:aws:glue:REGION:ACCOUNT_ID:table/${DATABASE}/*`]));
    const lake = statements.filter((s) => list(s.Resource).some((r) => r.includes('LAKE_BUCKET')));
    expect(lake.flatMap((s) => list(s.Action)).sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
  });
});
