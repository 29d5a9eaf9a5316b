import { ArrivalCounter, PairRateLimiter, SlidingWindowLimiter } from './rate-limits';

describe('SlidingWindowLimiter', () => {
  it('accepts exactly the limit inside any one-second window', () => {
    const l = new SlidingWindowLimiter(80);
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      if (l.tryAcquire(1000 + i)) {
        accepted++;
      }
    }
    expect(accepted).toBe(80);
    // The first acceptance (t=1000) leaves the window (t-1000, t] at t=2000, not before.
    expect(l.tryAcquire(1999)).toBe(false);
    expect(l.tryAcquire(2000)).toBe(true);
    expect(l.tryAcquire(2000)).toBe(false);
    expect(l.tryAcquire(2001)).toBe(true);
  });

  it('refuses a second burst straddling a second boundary (no fixed-bucket loophole)', () => {
    const l = new SlidingWindowLimiter(10);
    for (let i = 0; i < 10; i++) {
      expect(l.tryAcquire(1900)).toBe(true);
    }
    expect(l.tryAcquire(2100)).toBe(false);
    expect(l.tryAcquire(2900)).toBe(true);
  });

  it('keeps recent acceptances when resized', () => {
    const l = new SlidingWindowLimiter(5);
    for (let i = 0; i < 5; i++) {
      l.tryAcquire(100);
    }
    l.resize(7);
    expect(l.tryAcquire(200)).toBe(true);
    expect(l.tryAcquire(200)).toBe(true);
    expect(l.tryAcquire(200)).toBe(false);
    l.resize(3);
    expect(l.tryAcquire(300)).toBe(false);
  });
});

describe('PairRateLimiter', () => {
  it('allows a burst of 45, then one message per 6 s', () => {
    const p = new PairRateLimiter(45, 6000);
    for (let i = 0; i < 45; i++) {
      expect(p.wouldAccept('a', 0)).toBe(true);
      p.take('a', 0);
    }
    expect(p.wouldAccept('a', 0)).toBe(false);
    expect(p.wouldAccept('b', 0)).toBe(true);
    expect(p.wouldAccept('a', 5999)).toBe(false);
    expect(p.wouldAccept('a', 6000)).toBe(true);
    p.take('a', 6000);
    expect(p.wouldAccept('a', 6001)).toBe(false);
  });

  it('forgets only refilled buckets', () => {
    const p = new PairRateLimiter(2, 1000);
    p.take('a', 0);
    p.take('b', 0);
    p.take('b', 0);
    p.sweep(1000);
    expect(p.tracked).toBe(1);
    p.sweep(2000);
    expect(p.tracked).toBe(0);
  });
});

describe('ArrivalCounter', () => {
  it('reports the maximum in any one-second window, not per calendar second', () => {
    const c = new ArrivalCounter();
    for (let i = 0; i < 50; i++) {
      c.record(1600 + i);
    }
    for (let i = 0; i < 50; i++) {
      c.record(2100 + i);
    }
    // Per calendar second: 50 and 50; in the window (1149, 2149]: 100.
    expect(c.maxInWindow).toBe(100);
    c.record(3200);
    expect(c.maxInWindow).toBe(100);
    expect(c.total).toBe(101);
    const series = c.series(3200);
    expect(series).toHaveLength(60);
    expect(series.slice(-3)).toEqual([
      { second: 1, count: 50 },
      { second: 2, count: 50 },
      { second: 3, count: 1 },
    ]);
  });

  it('grows its buffer beyond the initial capacity', () => {
    const c = new ArrivalCounter(1000, 60, 4);
    for (let i = 0; i < 20; i++) {
      c.record(10);
    }
    expect(c.maxInWindow).toBe(20);
  });
});
