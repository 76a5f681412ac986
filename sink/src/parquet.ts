import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { columnsOf, type Column, type ColumnType, type Stream } from '@fleetlake/contracts';
import { writeBuffers } from './ndjson-chunks.js';

/**
 * Parquet encoding with DuckDB (chosen by measurement, see sink/bench/writers.mjs): the validated JSON
 * lines are handed to DuckDB's JSON reader with the contract's column types and written as ZSTD
 * Parquet. Timestamps become TIMESTAMP(MICROS, isAdjustedToUTC=true), which Athena reads.
 * Rows keep their Kafka order and DuckDB runs single-threaded per file, so equal input gives
 * byte-identical files — what makes a replay rewrite the same object with the same content.
 */
const DUCK_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  double: 'DOUBLE',
  int: 'INTEGER',
  bigint: 'BIGINT',
  timestamp: 'VARCHAR',
  boolean: 'BOOLEAN',
};

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The SELECT that turns `read_json(file)` into the stream's typed columns. */
export function selectSql(columns: Column[], source: string): string {
  const spec = columns.map((c) => `${quoteIdent(c.name)}: '${DUCK_TYPES[c.type]}'`).join(', ');
  const sel = columns
    .map((c) => (c.type === 'timestamp' ? `CAST(${quoteIdent(c.name)} AS TIMESTAMPTZ) AS ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(', ');
  return `SELECT ${sel} FROM read_json(${source}, format = 'newline_delimited', columns = {${spec}})`;
}

export class ParquetEncoder {
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly tmpDir: string,
  ) {}

  static async create(options: { tmpDir: string; threads?: number; memoryLimit?: string }): Promise<ParquetEncoder> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads ?? 1) });
    const con = await instance.connect();
    await con.run(`SET TimeZone = 'UTC'`);
    await con.run('SET preserve_insertion_order = true');
    // Bounded: a file's rows are streamed through from the NDJSON file the sink wrote.
    await con.run(`SET memory_limit = '${options.memoryLimit ?? '256MB'}'`);
    return new ParquetEncoder(instance, con, options.tmpDir);
  }

  /** Writes `lines` (JSON, one record per line) as a Parquet file at `outFile`. Calls run one at a time. */
  encode(stream: Stream, lines: Buffer[], outFile: string, metadata: Record<string, string> = {}): Promise<void> {
    return this.enqueue(async () => {
      const json = join(this.tmpDir, `enc-${process.pid}-${this.seq++}.ndjson`);
      await writeBuffers(json, lines);
      try {
        await this.copy(stream, json, outFile, metadata);
      } finally {
        await rm(json, { force: true });
      }
    });
  }

  /** Like `encode`, from an NDJSON file the caller already wrote (and removes afterwards). */
  encodeFile(stream: Stream, ndjsonFile: string, outFile: string, metadata: Record<string, string> = {}): Promise<void> {
    return this.enqueue(() => this.copy(stream, ndjsonFile, outFile, metadata));
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async copy(stream: Stream, ndjsonFile: string, outFile: string, metadata: Record<string, string>): Promise<void> {
    const kv = Object.entries(metadata).map(([k, v]) => `${quoteIdent(k)}: ${quoteString(v)}`);
    const kvOption = kv.length ? `, KV_METADATA {${kv.join(', ')}}` : '';
    const copyFrom = (file: string) =>
      this.con.run(`COPY (${selectSql(columnsOf(stream), quoteString(file))}) TO ${quoteString(outFile)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880${kvOption})`);
    try {
      await copyFrom(ndjsonFile);
    } catch (err) {
      if (!isJsonRefusal(err)) throw err;
      // DuckDB refuses some JSON that JSON.parse takes (and the sink has validated): an object with a
      // duplicate name. Every line again through JSON.parse and JSON.stringify gives what was
      // validated (the last of duplicates), in a form DuckDB reads. Same input, same output: a replay
      // rewrites the same file.
      const normalized = `${ndjsonFile}.normalized`;
      try {
        await normalizeJsonLines(ndjsonFile, normalized);
        await copyFrom(normalized);
      } finally {
        await rm(normalized, { force: true });
      }
    }
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB's JSON reader refused the text (not an I/O or resource error). */
function isJsonRefusal(err: unknown): boolean {
  return err instanceof Error && /^Invalid Input Error: (Malformed JSON|JSON transform error)/.test(err.message);
}

/**
 * Writes every JSON line of `from` to `to` as JSON.stringify(JSON.parse(line)), streaming. Lines end
 * at "\n" only (a record may hold a raw "\r" as whitespace).
 */
export async function normalizeJsonLines(from: string, to: string): Promise<void> {
  const out = await open(to, 'w');
  try {
    let rest = '';
    for await (const chunk of createReadStream(from, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
      const lines = (rest + (chunk as string)).split('\n');
      rest = lines.pop()!;
      const normalized = lines.filter((l) => l.length > 0).map((l) => `${JSON.stringify(JSON.parse(l))}\n`);
      if (normalized.length > 0) await out.write(normalized.join(''));
    }
    if (rest.length > 0) await out.write(`${JSON.stringify(JSON.parse(rest))}\n`);
  } finally {
    await out.close();
  }
}
