import { CreateBucketCommand, PutBucketEncryptionCommand, PutPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Creates the lake bucket if needed, always with S3 Block Public Access fully on, and default
 * encryption (SSE-S3 unless a KMS key is given). Safe to run again.
 */
export async function ensureBucket(s3: S3Client, bucket: string, region: string, kmsKeyId?: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: kmsKeyId ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyId } : { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
}
