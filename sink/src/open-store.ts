import { parseLakeRoot, type LakeRoot } from '@fleetlake/contracts';
import type { Logger } from '@fleetlake/core';
import type { SinkConfig } from './config.js';
import { LocalStore } from './local-store.js';
import { S3Store } from './s3-store.js';
import type { ObjectStore } from './store.js';

export interface OpenStoreOptions {
  logger?: Logger;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number) => void;
  /** Bounded retries (CLI one-shots); the sink retries until it is stopped. */
  retries?: number;
}

/** The configured lake root as an ObjectStore. */
export async function openStore(config: Pick<SinkConfig, 'lake' | 'retry'>, options: OpenStoreOptions = {}): Promise<{ root: LakeRoot; store: ObjectStore }> {
  const root = parseLakeRoot(config.lake.root);
  if (root.kind === 'local') return { root, store: await LocalStore.create(root.dir) };
  const store = await S3Store.create({
    bucket: root.bucket,
    prefix: root.prefix,
    region: config.lake.region,
    endpoint: config.lake.endpoint,
    forcePathStyle: config.lake.forcePathStyle,
    sse: config.lake.sse,
    kmsKeyId: config.lake.kmsKeyId,
    multipartThresholdBytes: config.lake.multipartThresholdBytes,
    retry: { ...config.retry, ...(options.retries === undefined ? {} : { retries: options.retries }) },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { root, store };
}
