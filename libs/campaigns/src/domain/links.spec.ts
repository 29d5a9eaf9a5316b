import { decideWinner, testSize, twoProportionPValue, variantOfRank, type AbTest } from './ab-test';
import { decodeLinkToken, encodeLinkToken } from './link-token';
import { campaignSlug, isPreviewFetch, redirectTarget } from './redirect';

const key = Buffer.from('k'.repeat(32));

describe('tracked link tokens', () => {
  it('round-trip the message and link, URL-safe and short', () => {
    for (const [id, link] of [
      ['1', 0],
      ['987654321012', 3],
      ['9223372036854775807', 61],
    ] as const) {
      const t = encodeLinkToken(key, id, link);
      expect(t).toMatch(/^[0-9A-Za-z]{10,21}$/);
      expect(decodeLinkToken(key, t)).toEqual({ messageId: id, linkIndex: link });
    }
    expect(encodeLinkToken(key, '123456789', 0).length).toBeLessThanOrEqual(16);
  });

  it('refuse anything but a token we signed', () => {
    const t = encodeLinkToken(key, '42', 1);
    const flipped = t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a');
    expect(decodeLinkToken(key, flipped)).toBeNull();
    expect(decodeLinkToken(Buffer.from('x'.repeat(32)), t)).toBeNull();
    expect(decodeLinkToken(key, 'short')).toBeNull();
    expect(decodeLinkToken(key, 'has-dash-0123456789')).toBeNull();
    // Another message id with the first one's tag.
    expect(decodeLinkToken(key, `Z${t.slice(1)}`)).toBeNull();
  });
});

describe('redirect target', () => {
  it('adds UTM parameters, keeps the target’s own query (and its own utm), passes fbclid on', () => {
    const to = redirectTarget('https://shop.example.com/sale?ref=wa&utm_source=newsletter#top', {
      campaignName: 'Black Friday — 20 %!',
      variant: 'b',
      fbclid: 'IwAR123',
    });
    const u = new URL(to);
    expect(u.origin + u.pathname).toBe('https://shop.example.com/sale');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      ref: 'wa',
      utm_source: 'newsletter',
      utm_medium: 'marketing_message',
      utm_campaign: 'black-friday-20',
      utm_content: 'b',
      fbclid: 'IwAR123',
    });
    expect(u.hash).toBe('#top');
  });

  it('tells link previews and HEAD from clicks', () => {
    expect(isPreviewFetch('GET', 'WhatsApp/2.24.10.79 A')).toBe(true);
    expect(isPreviewFetch('GET', 'facebookexternalhit/1.1')).toBe(true);
    expect(isPreviewFetch('HEAD', 'Mozilla/5.0')).toBe(true);
    expect(isPreviewFetch('GET', undefined)).toBe(true);
    expect(
      isPreviewFetch('GET', 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36'),
    ).toBe(false);
    expect(campaignSlug('---')).toBe('campaign');
  });
});

describe('A/B tests', () => {
  const test: AbTest = {
    testPercent: 20,
    metric: 'click',
    decideAfterMinutes: 30,
    minPerVariant: 100,
  };

  it('splits the test share exactly by weight', () => {
    const variants = [
      { key: 'a', weight: 2 },
      { key: 'b', weight: 1 },
    ];
    const n = testSize(2000, 20);
    expect(n).toBe(400);
    const keys = Array.from({ length: n }, (_, r) => variantOfRank(r, variants));
    expect(keys.filter((k) => k === 'a')).toHaveLength(267);
    expect(keys.filter((k) => k === 'b')).toHaveLength(133);
  });

  it('decides for a significant lead, else for the first variant; waits for time and data', () => {
    const r = (
      key: string,
      position: number,
      delivered: number,
      successes: number,
      unsettled = 0,
    ) => ({
      key,
      position,
      delivered,
      successes,
      unsettled,
    });
    expect(decideWinner([r('a', 0, 500, 50), r('b', 1, 500, 90)], test, 29 * 60_000)).toMatchObject(
      { ready: false },
    );
    const lead = decideWinner([r('a', 0, 500, 50), r('b', 1, 500, 90)], test, 30 * 60_000);
    expect(lead).toMatchObject({ ready: true, winner: 'b', significant: true });
    expect((lead as { pValue: number }).pValue).toBeLessThan(0.001);
    expect(decideWinner([r('a', 0, 500, 50), r('b', 1, 500, 55)], test, 31 * 60_000)).toMatchObject(
      {
        ready: true,
        winner: 'a',
        significant: false,
      },
    );
    expect(decideWinner([r('a', 0, 500, 50), r('b', 1, 500, 50)], test, 31 * 60_000)).toMatchObject(
      { winner: 'a' },
    );
    // Not enough delivered, but some still on their way: wait; nothing left to settle: decide.
    expect(
      decideWinner([r('a', 0, 50, 5, 3), r('b', 1, 500, 90)], test, 40 * 60_000),
    ).toMatchObject({ ready: false });
    expect(decideWinner([r('a', 0, 50, 5), r('b', 1, 60, 30)], test, 40 * 60_000)).toMatchObject({
      ready: true,
    });
  });

  it('computes the two-sided p-value of a difference of proportions', () => {
    // 10 % vs 18 % of 500 each: z ≈ 3.64
    expect(twoProportionPValue(90, 500, 50, 500)).toBeCloseTo(0.00027, 4);
    expect(twoProportionPValue(0, 10, 0, 10)).toBe(1);
    expect(twoProportionPValue(1, 0, 0, 10)).toBeNull();
  });
});
