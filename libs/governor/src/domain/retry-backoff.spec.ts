import { transientBackoffMs } from './retry-backoff';

describe('transient retry backoff', () => {
  it('doubles the step per attempt with half of it random', () => {
    expect(transientBackoffMs(0, () => 0)).toBe(500);
    expect(transientBackoffMs(0, () => 0.999999)).toBe(999);
    expect(transientBackoffMs(3, () => 0)).toBe(4000);
    expect(transientBackoffMs(3, () => 0.5)).toBe(6000);
  });

  it('caps the wait at five minutes', () => {
    expect(transientBackoffMs(30, () => 0.999999)).toBeLessThanOrEqual(300_000);
    expect(transientBackoffMs(10_000, () => 0)).toBe(150_000);
  });

  it('never retries before the server hint', () => {
    expect(transientBackoffMs(0, () => 0, 60_000)).toBe(60_000);
  });

  it('spreads simultaneous failures over the second half of the step', () => {
    let seed = 42;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const waits = Array.from({ length: 1000 }, () => transientBackoffMs(2, random));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...waits)).toBeLessThan(4000);
    expect(new Set(waits).size).toBeGreaterThan(500);
  });

  it('rejects a negative or fractional attempt', () => {
    expect(() => transientBackoffMs(-1, Math.random)).toThrow(RangeError);
    expect(() => transientBackoffMs(0.5, Math.random)).toThrow(RangeError);
  });
});
