import {
  DEFAULT_AIMD_POLICY as P,
  decreaseRate,
  effectiveRateMilli,
  minRateMilli,
  recoveredAtMs,
} from './adaptive-rate';

const T0 = Date.UTC(2030, 0, 1);

describe('adaptive rate (AIMD)', () => {
  it('runs at the configured limit until Meta throttles', () => {
    expect(effectiveRateMilli(null, 80_000, T0, P)).toBe(80_000);
  });

  it('cuts the rate multiplicatively on 130429', () => {
    const s = decreaseRate(null, 80_000, T0, P);
    expect(s).toEqual({ rateMilli: 56_000, atMs: T0 });
    expect(effectiveRateMilli(s, 80_000, T0, P)).toBe(56_000);
  });

  it('counts a burst of throttles within the cooldown as one decrease', () => {
    const once = decreaseRate(null, 1_000_000, T0, P);
    let s = once;
    for (let i = 0; i < 50; i++) {
      s = decreaseRate(s, 1_000_000, T0 + i * 10, P);
    }
    expect(s).toEqual(once);
    const twice = decreaseRate(s, 1_000_000, T0 + P.cooldownMs, P);
    expect(twice.rateMilli).toBeLessThan(once.rateMilli);
  });

  it('recovers additively, 5 % of the limit per second, and never above the limit', () => {
    const s = decreaseRate(null, 80_000, T0, P); // 56 mps
    expect(effectiveRateMilli(s, 80_000, T0 + 1000, P)).toBe(60_000);
    expect(effectiveRateMilli(s, 80_000, T0 + 3000, P)).toBe(68_000);
    expect(effectiveRateMilli(s, 80_000, T0 + 6000, P)).toBe(80_000);
    expect(effectiveRateMilli(s, 80_000, T0 + 600_000, P)).toBe(80_000);
    expect(recoveredAtMs(s, 80_000, P)).toBe(T0 + 6000);
  });

  it('does not fall below the floor however often it is throttled', () => {
    const noCooldown = { ...P, cooldownMs: 0 };
    let s = decreaseRate(null, 1_000_000, T0, noCooldown);
    for (let i = 0; i < 100; i++) {
      s = decreaseRate(s, 1_000_000, T0, noCooldown);
    }
    expect(s.rateMilli).toBe(minRateMilli(1_000_000, P));
    expect(s.rateMilli).toBe(50_000);
    // A 1 mps limit keeps 1 mps, a 20 mps limit keeps at least 1 mps.
    expect(minRateMilli(1000, P)).toBe(1000);
    expect(minRateMilli(20_000, P)).toBe(1000);
  });

  it('settles where one decrease per second balances a second of recovery', () => {
    // Throttled every second at a 1,000 mps limit: r = 0.7 × (r + 50) → r ≈ 116.7 mps.
    let s = decreaseRate(null, 1_000_000, T0, P);
    for (let i = 1; i < 100; i++) {
      s = decreaseRate(s, 1_000_000, T0 + i * P.cooldownMs, P);
    }
    expect(s.rateMilli).toBeGreaterThan(116_000);
    expect(s.rateMilli).toBeLessThan(117_000);
  });

  it('applies a later decrease to the partly recovered rate', () => {
    const s = decreaseRate(null, 80_000, T0, P); // 56
    const again = decreaseRate(s, 80_000, T0 + 2000, P); // recovered to 64 → 44.8
    expect(again).toEqual({ rateMilli: 44_800, atMs: T0 + 2000 });
  });

  it('follows a lower limit given later (campaign cap) without extra state', () => {
    const s = decreaseRate(null, 1_000_000, T0, P); // 700 mps
    expect(effectiveRateMilli(s, 80_000, T0 + 10, P)).toBe(80_000);
  });
});
