import { retry } from '@fleetlake/core';

/**
 * Trino's client protocol over HTTP (POST /v1/statement, then follow `nextUri` until it is gone),
 * as the CLI and JDBC driver speak it. Small enough to keep here rather than take a package: the
 * tests need the typed columns, the final statistics and GET /v1/query/{id}, nothing more.
 */
export interface TrinoColumn {
  name: string;
  /** Trino's type signature: varchar, bigint, timestamp(3), array(row(path varchar, ...)), ... */
  type: string;
}

/** The protocol's statement statistics (the final page's). `processedRows` counts rows read from tables. */
export interface TrinoStats {
  state: string;
  totalSplits: number;
  completedSplits: number;
  processedRows: number;
  processedBytes: number;
  physicalInputBytes: number;
  [key: string]: unknown;
}

export interface TrinoResult {
  id: string;
  columns: TrinoColumn[];
  rows: unknown[][];
  stats: TrinoStats;
  updateType?: string;
}

export class TrinoQueryError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly queryId: string,
  ) {
    super(message);
    this.name = 'TrinoQueryError';
  }
}

interface Page {
  id: string;
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  stats: TrinoStats;
  error?: { message: string; errorName: string };
  updateType?: string;
}

export interface TrinoClientOptions {
  user?: string;
  catalog?: string;
  schema?: string;
  /** Rows a result may hold before the query is refused (memory stays bounded). */
  maxRows?: number;
}

export class TrinoClient {
  constructor(
    readonly url: string,
    private readonly options: TrinoClientOptions = {},
  ) {}

  private headers(): Record<string, string> {
    // PARAMETRIC_DATETIME: types as they are (timestamp(3)), not the legacy names old clients expect.
    const h: Record<string, string> = {
      'X-Trino-User': this.options.user ?? 'fleetlake',
      'X-Trino-Source': 'fleetlake-testkit',
      'X-Trino-Time-Zone': 'UTC',
      'X-Trino-Client-Capabilities': 'PARAMETRIC_DATETIME',
    };
    if (this.options.catalog) h['X-Trino-Catalog'] = this.options.catalog;
    if (this.options.schema) h['X-Trino-Schema'] = this.options.schema;
    return h;
  }

  /** GET or POST a protocol URI; 502/503/504 mean "ask again" in Trino's protocol (core's retry helper). */
  private page(uri: string, init: RequestInit): Promise<Page> {
    const busy = new Set([502, 503, 504]);
    return retry(
      async () => {
        const res = await fetch(uri, { ...init, signal: AbortSignal.timeout(120_000) });
        if (busy.has(res.status)) {
          await res.body?.cancel();
          throw Object.assign(new Error(`Trino ${uri}: HTTP ${res.status}`), { retriable: true });
        }
        if (!res.ok) throw new Error(`Trino ${init.method ?? 'GET'} ${uri}: HTTP ${res.status} ${await res.text()}`);
        return (await res.json()) as Page;
      },
      { retries: 20, baseMs: 50, maxMs: 1000 },
    );
  }

  /** Runs one statement to the end and returns every row. */
  async query(sql: string): Promise<TrinoResult> {
    const maxRows = this.options.maxRows ?? 100_000;
    let page = await this.page(`${this.url}/v1/statement`, { method: 'POST', headers: this.headers(), body: sql });
    let columns: TrinoColumn[] | undefined;
    const rows: unknown[][] = [];
    for (;;) {
      if (page.error) throw new TrinoQueryError(`${page.error.errorName}: ${page.error.message}`, page.error.errorName, page.id);
      columns ??= page.columns;
      for (const r of page.data ?? []) {
        if (rows.length >= maxRows) throw new Error(`Trino query ${page.id}: more than ${maxRows} rows`);
        rows.push(r);
      }
      if (!page.nextUri) break;
      page = await this.page(page.nextUri, { headers: this.headers() });
    }
    return { id: page.id, columns: columns ?? [], rows, stats: page.stats, ...(page.updateType ? { updateType: page.updateType } : {}) };
  }

  /** Rows as objects keyed by column name. */
  async objects(sql: string): Promise<{ result: TrinoResult; rows: Record<string, unknown>[] }> {
    const result = await this.query(sql);
    return { result, rows: result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]]))) };
  }

  /** The coordinator's full record of a query (GET /v1/query/{id}): plan, per-operator and input statistics. */
  async queryInfo(id: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/v1/query/${encodeURIComponent(id)}`, { headers: this.headers(), signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`Trino GET /v1/query/${id}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }
}

/** A SQL string literal. */
export const trinoLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
