import {
  CreateNamedQueryCommand,
  CreateWorkGroupCommand,
  GetNamedQueryCommand,
  GetWorkGroupCommand,
  ListNamedQueriesCommand,
  UpdateNamedQueryCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import { SAVED_QUERIES, parameterHelp, renderSavedQuery } from './saved-queries.js';
import { DATABASE } from './tables.js';

/** A saved query as an Athena named query (what the console's "Saved queries" tab lists). */
export interface NamedQueryInput {
  name: string;
  description: string;
  database: string;
  queryString: string;
}

export const NAMED_QUERY_PREFIX = 'fleetlake-';

/** Every saved query as a named query: the Athena text, its parameters described (Athena allows 1024 characters). */
export function namedQueryInputs(): NamedQueryInput[] {
  return Object.values(SAVED_QUERIES).map((q) => ({
    name: `${NAMED_QUERY_PREFIX}${q.name}`,
    description: `${q.description}. Parameters: ${parameterHelp(q)}`.slice(0, 1024),
    database: DATABASE,
    queryString: renderSavedQuery(q, 'athena'),
  }));
}

export type NamedQueryAction = 'created' | 'updated' | 'unchanged';

/** What to do with each wanted query, given those the workgroup holds (matched by name). */
export function planNamedQueries(existing: (NamedQueryInput & { id: string })[], wanted: NamedQueryInput[]): { input: NamedQueryInput; id?: string; action: NamedQueryAction }[] {
  return wanted.map((input) => {
    const have = existing.find((e) => e.name === input.name);
    if (!have) return { input, action: 'created' };
    const same = have.description === input.description && have.database === input.database && have.queryString === input.queryString;
    return { input, id: have.id, action: same ? 'unchanged' : 'updated' };
  });
}

/**
 * The workgroup, created if missing with its query results under `resultsLocation` (s3://...), the
 * workgroup's settings enforced over the clients'. An existing workgroup is left as it is.
 */
export async function ensureWorkGroup(athena: AthenaClient, name: string, resultsLocation: string): Promise<'created' | 'exists'> {
  try {
    // Athena refuses an unknown workgroup (InvalidRequestException); emulators may answer without one.
    if ((await athena.send(new GetWorkGroupCommand({ WorkGroup: name }))).WorkGroup) return 'exists';
  } catch (err) {
    if ((err as { name?: string }).name !== 'InvalidRequestException') throw err;
  }
  await athena.send(
    new CreateWorkGroupCommand({
      Name: name,
      Description: 'Fleetlake operators and BI tools (fleetlake-sink catalog)',
      Configuration: { ResultConfiguration: { OutputLocation: resultsLocation }, EnforceWorkGroupConfiguration: true, PublishCloudWatchMetricsEnabled: true },
    }),
  );
  return 'created';
}

async function namedQueriesOf(athena: AthenaClient, workgroup: string): Promise<(NamedQueryInput & { id: string })[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await athena.send(new ListNamedQueriesCommand({ WorkGroup: workgroup, ...(token ? { NextToken: token } : {}) }));
    ids.push(...(page.NamedQueryIds ?? []));
    token = page.NextToken ?? undefined;
  } while (token);
  const out: (NamedQueryInput & { id: string })[] = [];
  for (const id of ids) {
    const { NamedQuery: q } = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
    if (q?.Name?.startsWith(NAMED_QUERY_PREFIX)) out.push({ id, name: q.Name, description: q.Description ?? '', database: q.Database ?? '', queryString: q.QueryString ?? '' });
  }
  return out;
}

/** Creates the saved queries as named queries in `workgroup`, or updates those that changed. Idempotent. */
export async function ensureNamedQueries(athena: AthenaClient, workgroup: string): Promise<{ name: string; action: NamedQueryAction }[]> {
  const plan = planNamedQueries(await namedQueriesOf(athena, workgroup), namedQueryInputs());
  for (const p of plan) {
    const { name, description, database, queryString } = p.input;
    if (p.action === 'created') await athena.send(new CreateNamedQueryCommand({ Name: name, Description: description, Database: database, QueryString: queryString, WorkGroup: workgroup }));
    if (p.action === 'updated') await athena.send(new UpdateNamedQueryCommand({ NamedQueryId: p.id, Name: name, Description: description, QueryString: queryString }));
  }
  return plan.map((p) => ({ name: p.input.name, action: p.action }));
}
