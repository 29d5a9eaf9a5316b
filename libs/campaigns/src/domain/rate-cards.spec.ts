import {
  decodeRateCardCursor,
  encodeRateCardCursor,
  cardsInForce,
  priceDeliveries,
  pricingCategoryOf,
  rateInForce,
  utcDay,
  type RateCardRow,
} from './rate-cards';

const row = (
  r: Partial<RateCardRow> & Pick<RateCardRow, 'callingCode' | 'price' | 'effectiveFrom'>,
): RateCardRow => ({
  workspaceId: null,
  category: 'marketing',
  currency: 'USD',
  ...r,
});

const CARDS: RateCardRow[] = [
  row({ callingCode: '55', price: 0.0625, effectiveFrom: '2025-07-01' }),
  // Meta's quarterly change: Brazil marketing up from 2026-04-01.
  row({ callingCode: '55', price: 0.07, effectiveFrom: '2026-04-01' }),
  row({ callingCode: '55', category: 'utility', price: 0.008, effectiveFrom: '2025-07-01' }),
  row({ callingCode: '1', price: 0.025, effectiveFrom: '2025-07-01' }),
  row({ callingCode: '1242', price: 0.1, effectiveFrom: '2025-07-01' }),
  row({ callingCode: '44', currency: 'GBP', price: 0.05, effectiveFrom: '2025-07-01' }),
];

describe('dated rate cards', () => {
  it('takes the row in force on the day: from its effective day on, until the next one', () => {
    expect(rateInForce(CARDS, '55', 'marketing', '2026-03-31')?.price).toBe(0.0625);
    expect(rateInForce(CARDS, '55', 'marketing', '2026-04-01')?.price).toBe(0.07);
    expect(rateInForce(CARDS, '55', 'marketing', '2030-01-01')?.price).toBe(0.07);
    expect(rateInForce(CARDS, '55', 'utility', '2026-04-01')?.price).toBe(0.008);
    expect(rateInForce(CARDS, '55', 'marketing', '2025-06-30')).toBeNull();
    expect(rateInForce(CARDS, '55', 'authentication', '2026-04-01')).toBeNull();
  });

  it("lets a workspace's own rows replace the defaults from their day on", () => {
    const own = [
      ...CARDS,
      row({
        workspaceId: 'ws',
        callingCode: '55',
        currency: 'BRL',
        price: 0.35,
        effectiveFrom: '2026-02-01',
      }),
    ];
    expect(rateInForce(own, '55', 'marketing', '2026-01-31')?.currency).toBe('USD');
    expect(rateInForce(own, '55', 'marketing', '2026-02-01')).toMatchObject({
      currency: 'BRL',
      price: 0.35,
    });
    // A later default does not override the workspace's own card.
    expect(rateInForce(own, '55', 'marketing', '2026-05-01')).toMatchObject({ currency: 'BRL' });
    expect(
      cardsInForce(own, 'marketing', '2026-05-01')
        .map((c) => [c.callingCode, c.price])
        .sort(),
    ).toEqual([
      ['1', 0.025],
      ['1242', 0.1],
      ['44', 0.05],
      ['55', 0.35],
    ]);
  });

  it('prices deliveries that straddle a price change partly at each price', () => {
    expect(
      priceDeliveries(
        [
          { prefix: '5511', pricingCategory: 'marketing_lite', day: '2026-03-31', messages: 100 },
          { prefix: '5511', pricingCategory: 'marketing_lite', day: '2026-04-01', messages: 10 },
          { prefix: '5521', pricingCategory: 'utility', day: '2026-04-01', messages: 5 },
        ],
        CARDS,
      ),
    ).toEqual({
      amounts: [{ currency: 'USD', amount: 6.25 + 0.7 + 0.04 }],
      billableMessages: 115,
      unpricedMessages: 0,
    });
  });

  it('prices by the longest calling code, per currency, and leaves the unpriced apart', () => {
    expect(
      priceDeliveries(
        [
          { prefix: '1242', pricingCategory: 'marketing', day: '2026-01-10', messages: 10 },
          { prefix: '1212', pricingCategory: 'marketing', day: '2026-01-10', messages: 4 },
          { prefix: '4479', pricingCategory: 'marketing_lite', day: '2026-01-10', messages: 2 },
          { prefix: '8869', pricingCategory: 'marketing_lite', day: '2026-01-10', messages: 3 },
          // Delivered before any card was in force.
          { prefix: '5511', pricingCategory: 'marketing_lite', day: '2025-01-10', messages: 7 },
        ],
        CARDS,
      ),
    ).toEqual({
      amounts: [
        { currency: 'GBP', amount: 0.1 },
        { currency: 'USD', amount: 1.1 },
      ],
      billableMessages: 26,
      unpricedMessages: 10,
    });
  });

  it("maps webhook pricing categories to the card's, and dates in UTC", () => {
    expect(pricingCategoryOf('marketing_lite')).toBe('marketing');
    expect(pricingCategoryOf('marketing')).toBe('marketing');
    expect(pricingCategoryOf('utility')).toBe('utility');
    expect(pricingCategoryOf('authentication_international')).toBe('authentication');
    expect(pricingCategoryOf('')).toBe('marketing');
    expect(utcDay(new Date('2026-03-31T23:59:59-03:00'))).toBe('2026-04-01');
  });
});

describe('rate card cursors', () => {
  it('round-trip a position and refuse what is not one', () => {
    const k = {
      callingCode: '55',
      category: 'utility' as const,
      effectiveFrom: '2026-04-01',
      own: true,
      id: '42',
    };
    expect(decodeRateCardCursor(encodeRateCardCursor(k))).toEqual(k);
    expect(decodeRateCardCursor(encodeRateCardCursor({ ...k, own: false }))?.own).toBe(false);
    const forged = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    for (const bad of [
      'not-a-cursor',
      forged('55|utility|2026-04-01|w'),
      forged('055|utility|2026-04-01|w|42'),
      forged('55|promo|2026-04-01|w|42'),
      forged('55|utility|2026-02-30|w|42'),
      forged('55|utility|0000-01-01|w|42'),
      forged('55|utility|1999-12-31|w|42'),
      forged('55|utility|2026-04-01|x|42'),
      forged("55|utility|2026-04-01|w|42'; DROP TABLE rate_cards; --"),
      forged('55|utility|2026-04-01|w|9223372036854775808'),
      forged('55|utility|2026-04-01|w|42|more'),
    ]) {
      expect(decodeRateCardCursor(bad)).toBeNull();
    }
  });
});
