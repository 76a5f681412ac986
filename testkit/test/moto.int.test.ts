import { CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedMoto } from '@fleetlake/testkit/vitest';

describe('moto server (S3 + Glue APIs)', () => {
  let s3: S3Client;
  let glue: GlueClient;
  beforeAll(async () => {
    const moto = await sharedMoto();
    const common = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials };
    s3 = new S3Client({ ...common, forcePathStyle: true });
    glue = new GlueClient(common);
  });

  it('puts and gets an S3 object', async () => {
    const Bucket = `testkit-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    const body = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'frames/dt=2026-11-27/pi-1/f-1.jpg', Body: body, ContentType: 'image/jpeg' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'frames/dt=2026-11-27/pi-1/f-1.jpg' }));
    expect(got.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
  });

  it('creates a Glue database and table and reads them back', async () => {
    const DatabaseName = `fleetlake_${Date.now()}`;
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DatabaseName, Description: 'testkit' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName,
        TableInput: {
          Name: 'gps_data',
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: [{ Name: 'dt', Type: 'string' }],
          Parameters: { 'projection.enabled': 'true', 'projection.dt.type': 'date' },
          StorageDescriptor: {
            Columns: [{ Name: 'deviceid', Type: 'string' }, { Name: 'latitude', Type: 'double' }],
            Location: 's3://lake/gps_data/',
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      }),
    );
    expect((await glue.send(new GetDatabaseCommand({ Name: DatabaseName }))).Database?.Name).toBe(DatabaseName);
    const table = (await glue.send(new GetTableCommand({ DatabaseName, Name: 'gps_data' }))).Table;
    expect(table?.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(table?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['deviceid', 'latitude']);
    expect(table?.Parameters?.['projection.enabled']).toBe('true');
  });
});
