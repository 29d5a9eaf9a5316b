import { describe, expect, it } from '@jest/globals';
import {
  emptyDraft,
  fromFilter,
  newRule,
  toFilter,
  type FilterOp,
  type Rule,
  type SegmentDraft,
} from './filter-model';

const AUDIENCE = '6f1c1d52-8a8e-4f44-9a51-2b1b7d0c2a11';
const CAMPAIGN = '0b0b3f8e-6b1d-4c36-8f1b-0e4c4b7d9a22';

function field(
  f: string,
  op: FilterOp,
  value: string,
  valueType: 'text' | 'number' | 'date' | 'boolean' = 'text',
  value2 = '',
): Rule {
  return { ...newRule('field'), kind: 'field', field: f, op, value, value2, valueType };
}

describe('segment filter editor', () => {
  it('writes the conditions as one all/any group, with typed values for attributes', () => {
    const d: SegmentDraft = {
      include: {
        match: 'all',
        rules: [
          field('attributes.tier', 'in', 'gold, platinum'),
          field('attributes.orders', 'gte', '3', 'number'),
          field('consent', 'eq', 'opted_in'),
          field('createdAt', 'between', '2026-01-01', 'text', '2026-06-30'),
          field('attributes.vip', 'eq', 'true', 'boolean'),
          field('locale', 'exists', 'false'),
        ],
      },
      exclude: [],
    };
    expect(toFilter(d)).toEqual({
      all: [
        { field: 'attributes.tier', op: 'in', value: ['gold', 'platinum'] },
        { field: 'attributes.orders', op: 'gte', value: 3 },
        { field: 'consent', op: 'eq', value: 'opted_in' },
        { field: 'createdAt', op: 'between', value: ['2026-01-01', '2026-06-30'] },
        { field: 'attributes.vip', op: 'eq', value: true },
        { field: 'locale', op: 'exists', value: false },
      ],
    });
  });

  it('leaves out the excluded contacts with one not over any of the exclusions', () => {
    const d: SegmentDraft = {
      include: { match: 'any', rules: [field('countryCode', 'eq', '55')] },
      exclude: [
        { ...newRule('audience'), audience: AUDIENCE } as Rule,
        { ...newRule('messaged'), withinDays: 3 } as Rule,
      ],
    };
    expect(toFilter(d)).toEqual({
      all: [
        { any: [{ field: 'countryCode', op: 'eq', value: '55' }] },
        { not: { any: [{ audience: AUDIENCE }, { messaged: { withinDays: 3 } }] } },
      ],
    });
    const one: SegmentDraft = { include: emptyDraft().include, exclude: d.exclude.slice(0, 1) };
    expect(toFilter(one)).toEqual({ all: [{ not: { audience: AUDIENCE } }] });
  });

  it('has nothing to ask for while there is no condition', () => {
    expect(toFilter(emptyDraft())).toBeNull();
  });

  it('reads back what it wrote, nested groups, negations and outcomes included', () => {
    const filters: unknown[] = [
      {
        all: [
          { field: 'attributes.tier', op: 'eq', value: 'gold' },
          { not: { campaign: CAMPAIGN, outcome: 'clicked' } },
          {
            any: [
              { converted: { eventName: 'purchase', withinDays: 30 } },
              { not: { all: [{ audience: AUDIENCE }] } },
            ],
          },
        ],
      },
      {
        all: [
          { all: [{ field: 'attributes.lastOrderAt', op: 'gte', value: '2026-09-01' }] },
          { not: { any: [{ audience: AUDIENCE }, { messaged: { withinDays: 7 } }] } },
        ],
      },
      { all: [{ not: { audience: AUDIENCE } }] },
      { any: [{ field: 'attributes.orders', op: 'between', value: [1, 5] }] },
      { all: [{ converted: { withinDays: 10 } }] },
    ];
    for (const f of filters) {
      const draft = fromFilter(f);
      expect(draft).not.toBeNull();
      expect(toFilter(draft!)).toEqual(f);
    }
  });

  it('wraps a lone condition in a group, and gives up on what it cannot show', () => {
    expect(toFilter(fromFilter({ audience: AUDIENCE })!)).toEqual({
      all: [{ audience: AUDIENCE }],
    });
    expect(fromFilter({ all: [{ nonsense: 1 }] })).toBeNull();
    expect(fromFilter({ field: 'phone', op: 'like', value: 'x' })).toBeNull();
    expect(fromFilter('all')).toBeNull();
  });
});
