import { csvCell, csvLine } from './csv';
import {
  compareToBenchmark,
  conversionsSideBySide,
  dailySeries,
  funnelRates,
  holdoutLift,
  perMessage,
  percent,
  recommendationsFor,
  returnOnSpend,
  sumMetaClicks,
} from './report-math';

describe('funnel rates', () => {
  it('divides by the right stage and rounds to two decimals', () => {
    expect(
      funnelRates({
        targeted: 10,
        skipped: 1,
        sent: 9,
        delivered: 8,
        read: 6,
        clicked: 3,
        converted: 2,
        expired: 0,
        failed: 1,
      }),
    ).toEqual({ delivery: 88.89, read: 75, click: 37.5, conversion: 25 });
  });

  it('is unknown rather than 0 when nothing reached the stage before', () => {
    expect(percent(0, 0)).toBeNull();
    expect(perMessage(10, 0)).toBeNull();
  });
});

describe('daily series', () => {
  it('has every UTC day the period touches, oldest first, zeros where nothing happened', () => {
    const series = dailySeries(new Date('2026-03-30T22:00:00Z'), new Date('2026-04-02T00:00:00Z'), [
      { day: '2026-03-31', delivered: 5, read: 4, clicked: 1 },
    ]);
    expect(series).toEqual([
      { day: '2026-03-30', delivered: 0, read: 0, clicked: 0 },
      { day: '2026-03-31', delivered: 5, read: 4, clicked: 1 },
      { day: '2026-04-01', delivered: 0, read: 0, clicked: 0 },
    ]);
  });

  it('ends with the day of the last instant before `to`', () => {
    const series = dailySeries(
      new Date('2026-04-01T00:00:00Z'),
      new Date('2026-04-01T00:00:01Z'),
      [],
    );
    expect(series.map((d) => d.day)).toEqual(['2026-04-01']);
  });
});

describe('spend', () => {
  it('computes return on spend only within one currency', () => {
    expect(
      returnOnSpend([{ currency: 'USD', amount: 50 }], [{ currency: 'USD', amount: 12.5 }]),
    ).toBe(4);
    expect(returnOnSpend([], [{ currency: 'USD', amount: 12.5 }])).toBe(0);
    expect(
      returnOnSpend([{ currency: 'BRL', amount: 50 }], [{ currency: 'USD', amount: 1 }]),
    ).toBeNull();
    expect(returnOnSpend([{ currency: 'USD', amount: 50 }], [])).toBeNull();
    expect(
      returnOnSpend([{ currency: 'USD', amount: 5 }], [{ currency: 'USD', amount: 0 }]),
    ).toBeNull();
  });
});

describe('benchmarks', () => {
  it('states the difference in points and recommends only below benchmark, labelled as ours', () => {
    const read = compareToBenchmark('read', 60, 70.27);
    const click = compareToBenchmark('click', 20, 18.74);
    expect(read.difference).toBe(-10.27);
    expect(click.difference).toBe(1.26);
    const recs = recommendationsFor([read, click]);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ source: 'engine', metric: 'read' });
    expect(recs[0]?.text).toContain('10.27 points below');
    expect(compareToBenchmark('read', null, 70).difference).toBeNull();
  });

  it('puts our conversions beside the sum of Meta app and website metrics', () => {
    const rows = conversionsSideBySide(
      new Map([
        ['purchase', { count: 3, value: 75 }],
        ['signup', { count: 1, value: null }],
      ]),
      { APP_PURCHASES: 1, WEBSITE_PURCHASES: 2, WEBSITE_PURCHASES_CONVERSION_VALUE: 50 },
    );
    expect(rows.find((r) => r.eventName === 'purchase')).toEqual({
      eventName: 'purchase',
      engine: { count: 3, value: 75 },
      meta: {
        count: 3,
        value: 50,
        metrics: [
          'APP_PURCHASES',
          'WEBSITE_PURCHASES',
          'APP_PURCHASES_CONVERSION_VALUE',
          'WEBSITE_PURCHASES_CONVERSION_VALUE',
        ],
      },
    });
    expect(rows.find((r) => r.eventName === 'signup')?.meta.count).toBeNull();
    expect(rows.find((r) => r.eventName === 'add_to_cart')?.engine.count).toBe(0);
    expect(conversionsSideBySide(new Map(), null).every((r) => r.meta.count === null)).toBe(true);
  });
});

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+5511912345678', "'+5511912345678"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
  ])('escapes %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('writes numbers, booleans, dates and nulls as values, not text to escape', () => {
    expect(csvLine([-1, true, new Date(Date.UTC(2030, 0, 2)), null, undefined])).toBe(
      '-1,true,2030-01-02T00:00:00.000Z,,\r\n',
    );
  });
});

describe('holdout lift', () => {
  it('is the difference of conversion rates with a 95 % interval', () => {
    const l = holdoutLift({ contacts: 900, converted: 90 }, { contacts: 100, converted: 5 });
    expect(l.sent.conversionRate).toBe(10);
    expect(l.holdout.conversionRate).toBe(5);
    expect(l.difference).toBe(5);
    // se = sqrt(.1·.9/900 + .05·.95/100) = 0.02398; ± 1.96 se = ± 4.70 points
    expect(l.ci95).toEqual([0.3, 9.7]);
    expect(l.relativeLift).toBe(100);
  });

  it('has no lift without both groups, and no relative lift when the holdout converted nobody', () => {
    expect(
      holdoutLift({ contacts: 10, converted: 1 }, { contacts: 0, converted: 0 }).difference,
    ).toBeNull();
    const l = holdoutLift({ contacts: 10, converted: 1 }, { contacts: 10, converted: 0 });
    expect(l.difference).toBe(10);
    expect(l.relativeLift).toBeNull();
  });
});

describe("Meta's link clicks", () => {
  it('sums per template rows; a click without a component counts in the total only', () => {
    expect(
      sumMetaClicks([
        { total: 3, cta: 2, body: 0 },
        { total: 2, cta: 0, body: 2 },
      ]),
    ).toEqual({ total: 5, cta: 2, body: 2 });
    expect(sumMetaClicks([])).toEqual({ total: 0, cta: 0, body: 0 });
  });
});
