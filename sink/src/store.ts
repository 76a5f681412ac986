/** Where lake objects go: a local folder or S3. Writes are atomic per object (never half-visible). */
export interface ObjectStore {
  /** A human-readable location (folder or s3:// URI) for logs. */
  readonly location: string;
  /** Folder for temporary files that `putFile` may consume. */
  readonly tmpDir: string;
  /** Stores the file at `key` (the file is moved or deleted afterwards). Overwrites an existing object. */
  putFile(key: string, file: string, contentType: string): Promise<void>;
  putBuffer(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Every key under `prefix` (tests, verification). */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

export const CONTENT_TYPES = {
  parquet: 'application/vnd.apache.parquet',
  jpeg: 'image/jpeg',
  jsonl: 'application/x-ndjson',
} as const;
