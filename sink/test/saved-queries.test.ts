import { describe, expect, it } from 'vitest';
import { NAMED_QUERY_PREFIX, namedQueryInputs, planNamedQueries } from '../src/athena-queries.js';
import { athenaDdl, preparedName } from '../src/ddl.js';
import { SAVED_QUERIES, bindSavedQuery, parameterHelp, renderSavedQuery } from '../src/saved-queries.js';

const placeholders = (sql: string) => (sql.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length;

describe('saved queries', () => {
  it('bind one value per ? in order, and read a dt range on every query', () => {
    for (const q of Object.values(SAVED_QUERIES)) {
      for (const engine of ['athena', 'duckdb'] as const) expect(placeholders(renderSavedQuery(q, engine)), `${q.name} on ${engine}`).toBe(q.positional.length);
      expect(q.positional, q.name).toEqual(expect.arrayContaining(['fromDt', 'toDt']));
      expect(q.sql, q.name).toContain('dt BETWEEN ? AND ?');
      expect(bindSavedQuery(q, { device: 'car-1', from: '2026-11-27T08:00:00Z', to: '2026-11-27T09:00:00Z' })).toHaveLength(q.positional.length);
    }
  });

  it('are one text for both engines except for named fragments', () => {
    for (const q of Object.values(SAVED_QUERIES)) {
      const [a, d] = [renderSavedQuery(q, 'athena'), renderSavedQuery(q, 'duckdb')];
      if (!q.sql.includes('{{')) expect(a, q.name).toBe(d);
      // What Trino refuses: $name parameters, TIMESTAMPTZ, epoch(), ISO strings cast to timestamp.
      for (const bad of [/\$\w/, /TIMESTAMPTZ/i, /\bepoch\(/, /\d{4}-\d{2}-\d{2}T/]) expect(a, q.name).not.toMatch(bad);
    }
    expect(renderSavedQuery(SAVED_QUERIES['dead-letters']!, 'athena')).toContain('element_at(issues, 1)');
    expect(renderSavedQuery(SAVED_QUERIES['dead-letters']!, 'duckdb')).toContain('issues[1].message');
  });

  it('derive the dt range from the window: the exclusive end at midnight stays on the day before', () => {
    const q = SAVED_QUERIES['trip-summary']!;
    expect(bindSavedQuery(q, { device: 'v', from: '2026-11-27T23:30:00Z', to: '2026-11-29T00:00:00Z' })).toEqual(['v', '2026-11-27', '2026-11-28', '2026-11-27 23:30:00.000', '2026-11-29 00:00:00.000']);
    expect(bindSavedQuery(q, { device: 'v', from: '2026-11-28T01:00:00+02:00', to: '2026-11-28' })).toEqual(['v', '2026-11-27', '2026-11-27', '2026-11-27 23:00:00.000', '2026-11-28 00:00:00.000']);
    expect(bindSavedQuery(SAVED_QUERIES['dead-letters']!, { from: '2026-11-27', to: '2026-11-28T12:00:00Z' })).toEqual(['2026-11-27', '2026-11-28', '2026-11-27T00:00:00.000Z', '2026-11-28T12:00:00.000Z']);
  });

  it('refuse a window without a zone, an empty window and a missing device', () => {
    const q = SAVED_QUERIES['trip-summary']!;
    expect(() => bindSavedQuery(q, { device: 'v', from: '2026-11-27T08:00:00', to: '2026-11-28' })).toThrow(/with a zone/);
    expect(() => bindSavedQuery(q, { device: 'v', from: '2026-11-28', to: '2026-11-28' })).toThrow(/empty/);
    expect(() => bindSavedQuery(q, { from: '2026-11-27', to: '2026-11-28' })).toThrow(/needs --device/);
    expect(() => bindSavedQuery(q, { device: 'v', from: 'yesterday', to: '2026-11-28' })).toThrow(/ISO-8601/);
  });

  it('are printed by ddl as prepared statements and become named queries with their parameters described', () => {
    const ddl = athenaDdl('s3://lake/raw');
    for (const q of Object.values(SAVED_QUERIES)) expect(ddl).toContain(`PREPARE ${preparedName(q)} FROM\n${renderSavedQuery(q, 'athena')};`);
    const inputs = namedQueryInputs();
    expect(inputs.map((i) => i.name)).toEqual(Object.keys(SAVED_QUERIES).map((n) => `${NAMED_QUERY_PREFIX}${n}`));
    expect(inputs[1]!.description).toContain(parameterHelp(SAVED_QUERIES['trip-summary']!));
    for (const i of inputs) expect(i.description.length).toBeLessThanOrEqual(1024);
  });

  it('plan named queries by name: create the missing, update the changed, leave the rest', () => {
    const [a, b, c] = namedQueryInputs();
    const plan = planNamedQueries([{ ...a!, id: '1' }, { ...b!, queryString: 'SELECT 1', id: '2' }], [a!, b!, c!]);
    expect(plan.map((p) => [p.input.name, p.action, p.id])).toEqual([[a!.name, 'unchanged', '1'], [b!.name, 'updated', '2'], [c!.name, 'created', undefined]]);
  });
});
