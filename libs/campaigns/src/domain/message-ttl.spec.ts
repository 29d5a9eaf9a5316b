import { DEFAULT_TTL_SECONDS, expiresAtOf, isExpired, sendTtlSecondsOf } from './message-ttl';

const T0 = new Date('2030-03-01T10:00:00Z');
const HOUR = 3_600_000;

describe('message TTL', () => {
  it("takes the template's TTL, Meta's -1 as 30 days, and none as no TTL", () => {
    expect(sendTtlSecondsOf({ messageSendTtlSeconds: 43_200 })).toBe(43_200);
    expect(sendTtlSecondsOf({ messageSendTtlSeconds: -1 })).toBe(DEFAULT_TTL_SECONDS);
    expect(sendTtlSecondsOf({ messageSendTtlSeconds: null })).toBeNull();
    expect(sendTtlSecondsOf({})).toBeNull();
  });

  it('puts the deadline at acceptance plus the TTL, and none without a TTL', () => {
    expect(expiresAtOf(T0, 43_200)).toEqual(new Date(T0.getTime() + 12 * HOUR));
    expect(expiresAtOf(T0, null)).toBeNull();
  });

  it('expires an accepted message with no delivered or read status once its deadline has passed', () => {
    const m = {
      status: 'sent',
      expiresAt: new Date(T0.getTime() + 12 * HOUR),
      deliveredAt: null,
      readAt: null,
    };
    expect(isExpired(m, new Date(T0.getTime() + 12 * HOUR - 1))).toBe(false);
    expect(isExpired(m, new Date(T0.getTime() + 12 * HOUR))).toBe(true);
  });

  it('never expires a delivered, read, failed or TTL-less message', () => {
    const later = new Date(T0.getTime() + 48 * HOUR);
    const base = { expiresAt: T0, deliveredAt: null, readAt: null };
    expect(isExpired({ ...base, status: 'delivered', deliveredAt: T0 }, later)).toBe(false);
    expect(isExpired({ ...base, status: 'read', readAt: T0 }, later)).toBe(false);
    expect(isExpired({ ...base, status: 'failed' }, later)).toBe(false);
    expect(isExpired({ ...base, status: 'in_doubt' }, later)).toBe(false);
    expect(isExpired({ ...base, status: 'sent', expiresAt: null }, later)).toBe(false);
    // A delivered time already known (the row is only waiting for its projection) counts too.
    expect(isExpired({ ...base, status: 'sent', deliveredAt: T0 }, later)).toBe(false);
  });
});
