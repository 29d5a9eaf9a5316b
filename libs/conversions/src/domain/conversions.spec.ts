import { chooseAttribution, DAY_MS, type Touchpoint } from './attribution';
import { parseConversionEvent } from './conversion-event';

const T0 = Date.UTC(2030, 5, 1, 12, 0, 0);
const at = (ms: number): Date => new Date(T0 + ms);
const HOUR = 60 * 60 * 1000;

function tp(id: string, campaign: string, t: Partial<Touchpoint>): Touchpoint {
  return {
    messageId: id,
    campaignId: campaign,
    deliveredAt: null,
    readAt: null,
    clickedAt: null,
    ...t,
  };
}

describe('attribution', () => {
  it('attributes to a message delivered exactly at the window start (inclusive edge)', () => {
    const a = chooseAttribution(at(0), 7, [tp('1', 'c1', { deliveredAt: at(-7 * DAY_MS) })]);
    expect(a).toMatchObject({ messageId: '1', touch: 'delivered' });
  });

  it('does not attribute a delivery one millisecond older than the window', () => {
    expect(
      chooseAttribution(at(0), 7, [tp('1', 'c1', { deliveredAt: at(-7 * DAY_MS - 1) })]),
    ).toBeNull();
  });

  it('counts a delivery at the same instant as the event, but not one after it', () => {
    expect(chooseAttribution(at(0), 7, [tp('1', 'c1', { deliveredAt: at(0) })])).not.toBeNull();
    expect(chooseAttribution(at(0), 7, [tp('1', 'c1', { deliveredAt: at(1) })])).toBeNull();
  });

  it('leaves an event before any message unattributed', () => {
    expect(
      chooseAttribution(at(-DAY_MS), 7, [tp('1', 'c1', { deliveredAt: at(0), readAt: at(HOUR) })]),
    ).toBeNull();
    expect(chooseAttribution(at(0), 7, [])).toBeNull();
  });

  it('gives the conversion to the campaign that reached the contact last when two compete', () => {
    const a = chooseAttribution(at(0), 7, [
      tp('1', 'old', { deliveredAt: at(-3 * DAY_MS) }),
      tp('2', 'new', { deliveredAt: at(-1 * DAY_MS) }),
    ]);
    expect(a).toMatchObject({ campaignId: 'new', touch: 'delivered' });
  });

  it('prefers a read or clicked message over one merely delivered later', () => {
    const read = chooseAttribution(at(0), 7, [
      tp('1', 'read', { deliveredAt: at(-3 * DAY_MS), readAt: at(-2 * DAY_MS) }),
      tp('2', 'delivered', { deliveredAt: at(-HOUR) }),
    ]);
    expect(read).toMatchObject({ campaignId: 'read', touch: 'read', touchedAt: at(-2 * DAY_MS) });
    const clicked = chooseAttribution(at(0), 7, [
      tp('1', 'clicked', { deliveredAt: at(-3 * DAY_MS), clickedAt: at(-2 * DAY_MS) }),
      tp('2', 'delivered', { deliveredAt: at(-HOUR) }),
    ]);
    expect(clicked).toMatchObject({ campaignId: 'clicked', touch: 'clicked' });
  });

  it('ignores a read that happened after the event', () => {
    const a = chooseAttribution(at(0), 7, [
      tp('1', 'later-read', { deliveredAt: at(-3 * DAY_MS), readAt: at(HOUR) }),
      tp('2', 'delivered', { deliveredAt: at(-HOUR) }),
    ]);
    expect(a).toMatchObject({ campaignId: 'delivered', touch: 'delivered' });
  });

  it('among engaged messages, the last engagement wins', () => {
    const a = chooseAttribution(at(0), 7, [
      tp('1', 'a', { deliveredAt: at(-5 * DAY_MS), readAt: at(-HOUR) }),
      tp('2', 'b', {
        deliveredAt: at(-2 * DAY_MS),
        readAt: at(-2 * DAY_MS),
        clickedAt: at(-DAY_MS),
      }),
    ]);
    expect(a).toMatchObject({ campaignId: 'a', touch: 'read' });
  });

  it('honours a shorter configured window', () => {
    const c = [tp('1', 'c', { deliveredAt: at(-2 * DAY_MS) })];
    expect(chooseAttribution(at(0), 1, c)).toBeNull();
    expect(chooseAttribution(at(0), 2, c)).not.toBeNull();
  });
});

describe('conversion event validation', () => {
  const now = T0;
  const ok = {
    eventId: 'e1',
    eventName: 'add_to_cart',
    phone: '+5511912345678',
    occurredAt: '2030-06-01T11:00:00Z',
  };
  const reason = (e: unknown): string | null => {
    const r = parseConversionEvent(e, now);
    return r.ok ? null : r.reason;
  };

  it('accepts a well-formed event and a custom name', () => {
    expect(reason(ok)).toBeNull();
    expect(reason({ ...ok, eventName: 'wishlist_added' })).toBeNull();
    const r = parseConversionEvent(
      { ...ok, eventName: 'purchase', value: 19.999999, currency: 'BRL' },
      now,
    );
    expect(r.ok && r.event.value).toBe(20);
  });

  it.each([
    ['not an object', 'x', 'event must be an object'],
    ['unknown field', { ...ok, extra: 1 }, 'unknown field "extra"'],
    ['missing eventId', { ...ok, eventId: undefined }, 'eventId is required'],
    ['blank eventId', { ...ok, eventId: '  ' }, 'eventId is required'],
    ['bad eventName', { ...ok, eventName: 'add to cart' }, 'eventName is required'],
    ['no subject', { ...ok, phone: undefined }, 'exactly one of phone, contactId or wamid'],
    ['two subjects', { ...ok, wamid: 'wamid.x' }, 'exactly one of phone, contactId or wamid'],
    ['bad contactId', { ...ok, phone: undefined, contactId: 'nope' }, 'contactId must be a UUID'],
    ['negative value', { ...ok, value: -1, currency: 'USD' }, 'value must be a number ≥ 0'],
    ['string value', { ...ok, value: '10', currency: 'USD' }, 'value must be a number ≥ 0'],
    ['bad currency', { ...ok, value: 1, currency: 'usd' }, 'currency must be an ISO-4217 code'],
    ['unknown currency', { ...ok, value: 1, currency: 'XYZ' }, 'currency must be an ISO-4217 code'],
    [
      'purchase without value',
      { ...ok, eventName: 'purchase' },
      'a purchase needs value and currency',
    ],
    ['value without currency', { ...ok, value: 3 }, 'value needs a currency'],
    ['currency without value', { ...ok, currency: 'USD' }, 'currency is given without a value'],
    ['missing occurredAt', { ...ok, occurredAt: undefined }, 'occurredAt is required'],
    [
      'occurredAt without zone',
      { ...ok, occurredAt: '2030-06-01T11:00:00' },
      'occurredAt is required',
    ],
    [
      'impossible date',
      { ...ok, occurredAt: '2030-13-45T11:00:00Z' },
      'occurredAt is not a valid date',
    ],
    ['future event', { ...ok, occurredAt: '2030-06-01T12:10:00Z' }, 'occurredAt is in the future'],
  ])('rejects %s with its reason', (_name, event, expected) => {
    expect(reason(event)).toContain(expected);
  });
});
