import { compileFilter, driverOf, SqlParams, targetFilter } from './compile-filter';
import {
  filterProblems,
  isIsoDate,
  parseFilter,
  referencedIds,
  type FilterNode,
} from './segment-filter';

const A = '0b8e5c1e-3f0a-4a57-9a43-2d7c1b0d6a11';
const K = '7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b';

describe('segment filter validation', () => {
  it('accepts every leaf and combinator the contract lists', () => {
    const f = {
      all: [
        { field: 'attributes.tier', op: 'in', value: ['gold', 'silver'] },
        { field: 'consent', op: 'eq', value: 'opted_in' },
        { field: 'countryCode', op: 'nin', value: ['1', '44'] },
        { field: 'createdAt', op: 'between', value: ['2026-01-01', '2026-06-30T23:59:59Z'] },
        { field: 'attributes.orders', op: 'gte', value: 3 },
        { field: 'attributes.vip', op: 'exists' },
        { field: 'locale', op: 'startsWith', value: 'pt' },
        { any: [{ audience: A }, { campaign: K, outcome: 'delivered_not_read' }] },
        { not: { messaged: { withinDays: 7 } } },
        { converted: { eventName: 'purchase', withinDays: 30 } },
      ],
    };
    expect(filterProblems(f)).toEqual([]);
    expect(referencedIds(f as FilterNode)).toEqual({ audiences: [A], campaigns: [K] });
  });

  it('names the path of every bad node', () => {
    const problems = filterProblems({
      all: [
        { field: 'attributes.tier', op: 'eq', value: 'gold' },
        { field: 'nickname', op: 'eq', value: 'x' },
        { field: 'attributes.orders', op: 'gt', value: { $gt: 1 } },
        { any: [{ field: 'consent', op: 'eq', value: 'maybe' }] },
        { field: 'createdAt', op: 'gt', value: true },
        { field: 'phone', op: 'gt', value: '+55' },
        { campaign: K, outcome: 'opened' },
        { messaged: { withinDays: 0 } },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'filter.all[1].field',
      'filter.all[2].value',
      'filter.all[3].any[0].value',
      'filter.all[4].value',
      'filter.all[5].op',
      'filter.all[6].outcome',
      'filter.all[7].messaged.withinDays',
    ]);
  });

  it('refuses wrong shapes: unknown keys, empty lists, mixed types, non-objects', () => {
    expect(filterProblems({ all: [] })[0]?.path).toBe('filter.all');
    expect(filterProblems({ field: 'phone', op: 'eq', value: '+1', extra: 1 })[0]?.message).toMatch(
      /unknown key/,
    );
    expect(
      filterProblems({ field: 'attributes.x', op: 'in', value: [1, 'a'] })[0]?.message,
    ).toMatch(/one type/);
    expect(
      filterProblems({ field: 'attributes.x', op: 'between', value: [1, '2026-01-01'] })[0]
        ?.message,
    ).toMatch(/one type/);
    expect(filterProblems('SELECT 1')[0]?.message).toMatch(/JSON object/);
    expect(filterProblems({ audience: "1' OR '1'='1" })[0]?.path).toBe('filter.audience');
    expect(
      filterProblems({ field: "attributes.x'; DROP TABLE contacts; --", op: 'exists' })[0]?.path,
    ).toBe('filter.field');
  });

  it('bounds the size and the depth of a tree', () => {
    const wide = {
      any: Array.from({ length: 10_000 }, () => ({ field: 'phone', op: 'eq', value: '+1' })),
    };
    expect(filterProblems(wide)).toEqual([
      { path: 'filter.any[199]', message: 'a filter may have at most 200 nodes' },
    ]);
    let deep: unknown = { field: 'phone', op: 'eq', value: '+1' };
    for (let i = 0; i < 20; i++) {
      deep = { not: deep };
    }
    expect(filterProblems(deep)[0]?.message).toMatch(/at most 12 levels deep/);
  });

  it('knows real ISO dates from look-alikes', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-12-01T10:00:00+01:00')).toBe(true);
    expect(isIsoDate('yesterday')).toBe(false);
  });

  it('returns the parsed tree only when valid', () => {
    expect(parseFilter({ field: 'phone', op: 'eq', value: '+1' }).ok).toBe(true);
    expect(parseFilter({ field: 'phone', op: 'eq' }).ok).toBe(false);
  });
});

describe('segment filter compilation', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('puts every user value in a bind parameter, never in the SQL text', () => {
    const evil = "x'); DROP TABLE contacts; --";
    const p = new SqlParams(['ws']);
    const sql = compileFilter(
      {
        all: [
          { field: 'attributes.note', op: 'contains', value: evil },
          { field: 'attributes.note', op: 'eq', value: evil },
          { field: 'locale', op: 'in', value: [evil] },
        ],
      },
      p,
      { now },
    );
    expect(sql).not.toContain('DROP');
    expect(p.values.slice(1).map(String).join(' ')).toContain('DROP TABLE');
  });

  it('escapes LIKE wildcards in contains and startsWith', () => {
    const p = new SqlParams();
    compileFilter({ field: 'locale', op: 'startsWith', value: '50%_off\\' }, p, { now });
    expect(p.values).toEqual(['50\\%\\_off\\\\%']);
  });

  it('reads a snapshot from the audience or campaign every match belongs to', () => {
    expect(driverOf({ all: [{ field: 'phone', op: 'eq', value: '+1' }, { audience: A }] })).toEqual(
      {
        kind: 'audience',
        id: A,
      },
    );
    expect(driverOf({ campaign: K, outcome: 'read' })).toEqual({ kind: 'campaign', id: K });
    expect(driverOf({ any: [{ audience: A }, { audience: K }] })).toEqual({ kind: 'workspace' });
  });

  it('subtracts exclusions from the target', () => {
    expect(targetFilter({ audience: A }, [{ audience: K }])).toEqual({
      all: [{ audience: A }, { not: { any: [{ audience: K }] } }],
    });
    expect(targetFilter({ audience: A }, [])).toEqual({ audience: A });
  });
});
