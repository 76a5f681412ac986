import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FleetlakeError, retry, type Logger } from '@fleetlake/core';
import type { ObjectStore } from './store.js';

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  sse?: 'AES256' | 'aws:kms' | undefined;
  kmsKeyId?: string | undefined;
  multipartThresholdBytes: number;
  retry: { baseMs: number; maxMs: number; retries?: number };
  /** Aborts retries (shutdown). */
  signal?: AbortSignal;
  /** Called on every failed attempt that will be retried (metrics, Kafka heartbeats). */
  onRetry?: (err: unknown, attempt: number) => void;
  logger?: Logger;
}

const FATAL_S3 = new Set(['AccessDenied', 'NoSuchBucket', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName', 'KMS.NotFoundException']);

/** S3 errors to FleetlakeError: network failures, throttling and 5xx are retriable; permission errors are not. */
export function classifyS3Error(err: unknown): FleetlakeError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const retriable = !FATAL_S3.has(name) && (status === undefined || status >= 500 || status === 429 || status === 408 || Boolean(e.$retryable));
  return new FleetlakeError(`S3_${name}`, `S3 request failed: ${name}: ${e.message ?? ''}`, { retriable, cause: err });
}

/** Lake objects in `s3://bucket/prefix` (any S3-compatible endpoint with path-style addressing). */
export class S3Store implements ObjectStore {
  readonly location: string;

  private constructor(
    private readonly client: S3Client,
    private readonly options: S3StoreOptions,
    readonly tmpDir: string,
  ) {
    this.location = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
  }

  static async create(options: S3StoreOptions): Promise<S3Store> {
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      // One retry loop (core's `retry`, with jitter and no upper bound while the sink runs), not two.
      maxAttempts: 1,
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.credentials) config.credentials = options.credentials;
    const tmp = await mkdtemp(join(tmpdir(), 'fleetlake-sink-'));
    return new S3Store(new S3Client(config), options, tmp);
  }

  private key(key: string): string {
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  private withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw classifyS3Error(err);
        }
      },
      {
        retries: this.options.retry.retries ?? Infinity,
        baseMs: this.options.retry.baseMs,
        maxMs: this.options.retry.maxMs,
        signal: this.options.signal,
        onRetry: (err, attempt, delayMs) => {
          this.options.logger?.warn({ err: (err as Error).message, attempt, delayMs, what }, 'S3 request failed, retrying');
          this.options.onRetry?.(err, attempt);
        },
      },
    );
  }

  private encryption(): Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'> {
    const out: Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId'> = {};
    if (this.options.sse) out.ServerSideEncryption = this.options.sse;
    if (this.options.sse === 'aws:kms' && this.options.kmsKeyId) out.SSEKMSKeyId = this.options.kmsKeyId;
    return out;
  }

  async putFile(key: string, file: string, contentType: string): Promise<void> {
    try {
      const { size } = await stat(file);
      if (size >= this.options.multipartThresholdBytes) {
        await this.withRetry(`multipart ${key}`, () =>
          new Upload({
            client: this.client,
            params: { Bucket: this.options.bucket, Key: this.key(key), Body: createReadStream(file), ContentType: contentType, ...this.encryption() },
            partSize: 8 * 1024 * 1024,
            queueSize: 2,
          }).done(),
        );
      } else {
        await this.putBuffer(key, await readFile(file), contentType);
      }
    } finally {
      await rm(file, { force: true });
    }
  }

  async putBuffer(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.withRetry(`put ${key}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(key), Body: body, ContentType: contentType, ...this.encryption() })),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const strip = this.options.prefix ? this.options.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await this.withRetry(`list ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.key(prefix), ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async get(key: string): Promise<Buffer> {
    const res = await this.withRetry(`get ${key}`, () => this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) })));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  async close(): Promise<void> {
    this.client.destroy();
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}
