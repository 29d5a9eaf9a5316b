import { DEFAULT_MISS_PACE_POLICY, MissPace, paceGapMs } from './miss-pace';

/**
 * One second of slots from `fromMs`, `perSecond` of them evenly spaced; `missed(k)` says whether
 * the k-th was missed. Returns the pace asked for at the end of the second.
 */
function second(
  p: MissPace,
  fromMs: number,
  perSecond: number,
  missed: (k: number) => boolean,
): number {
  for (let k = 0; k < perSecond; k++) {
    p.observe(missed(k), fromMs + (k * 1000) / perSecond);
  }
  return p.pace(fromMs + 1000);
}

const share = (s: number) => (k: number) => (k * s) % 1 > ((k + 1) * s) % 1 || s >= 1;

describe('MissPace', () => {
  it('keeps the full pace while a step misses few slots, even in runs (short stalls)', () => {
    const p = new MissPace();
    for (let s = 0; s < 30; s++) {
      // 96 of 960 missed, as one run (a 100 ms stall): 10 % of the step.
      expect(second(p, s * 1000, 960, (k) => k >= 400 && k < 496)).toBe(1);
    }
  });

  it('backs off by the factor once a step while most slots are missed, down to the floor', () => {
    const p = new MissPace();
    expect(second(p, 0, 960, share(0.8))).toBeCloseTo(0.7);
    // Within the same step: unchanged.
    p.observe(true, 1500);
    expect(p.pace(1500)).toBeCloseTo(0.7);
    expect(second(p, 2000, 672, share(0.8))).toBeCloseTo(0.49);
    for (let s = 3; s < 30; s++) {
      second(p, s * 1000, 100, share(0.8));
    }
    expect(p.pace(31_000)).toBe(DEFAULT_MISS_PACE_POLICY.minPace);
  });

  it('judges a step only once it has enough slots', () => {
    const p = new MissPace();
    for (let k = 0; k < DEFAULT_MISS_PACE_POLICY.minSlots - 1; k++) {
      p.observe(true, k);
    }
    expect(p.pace(5000)).toBe(1);
    p.observe(true, 5000);
    expect(p.pace(5001)).toBeCloseTo(0.7);
  });

  it('recovers step by step once few slots are missed, up to the full pace', () => {
    const p = new MissPace();
    second(p, 0, 960, share(1));
    expect(second(p, 1000, 960, share(1))).toBeCloseTo(0.49);
    expect(second(p, 2000, 470, () => false)).toBeCloseTo(0.59);
    expect(second(p, 3000, 570, share(0.1))).toBeCloseTo(0.69);
    for (let s = 4; s < 10; s++) {
      second(p, s * 1000, 600, () => false);
    }
    expect(p.pace(10_000)).toBe(1);
  });

  it('holds its pace while a step misses between the thresholds', () => {
    const p = new MissPace();
    expect(second(p, 0, 960, share(1))).toBeCloseTo(0.7);
    for (let s = 1; s < 6; s++) {
      expect(second(p, s * 1000, 670, share(0.2))).toBeCloseTo(0.7);
    }
  });

  it('starts again at the full pace after the number was idle', () => {
    const p = new MissPace();
    second(p, 0, 960, share(1));
    expect(second(p, 1000, 960, share(1))).toBeCloseTo(0.49);
    const later = 2000 + DEFAULT_MISS_PACE_POLICY.idleResetMs + 1;
    expect(p.pace(later)).toBe(1);
    // The old overload does not count against the new slots.
    expect(second(p, later, 960, () => false)).toBe(1);
  });
});

describe('paceGapMs', () => {
  it('follows slots by a gap that makes their share of the time the pace', () => {
    expect(paceGapMs(52, 1)).toBe(0);
    expect(paceGapMs(50, 0.5)).toBeCloseTo(50);
    expect(paceGapMs(50, 0.25)).toBeCloseTo(150);
    const span = 40;
    const pace = 0.3;
    expect(span / (span + paceGapMs(span, pace))).toBeCloseTo(pace);
  });
});
