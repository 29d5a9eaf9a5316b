import { DEFAULT_MISS_PACE_POLICY, MissPace, paceGapMs } from './miss-pace';

/** Feeds `n` outcomes of which the share `missed` were missed, evenly spread. */
function feed(p: MissPace, n: number, missed: number): void {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += missed;
    const m = acc >= 1;
    if (m) {
      acc -= 1;
    }
    p.observe(m);
  }
}

describe('MissPace', () => {
  it('keeps the full pace while misses stay few (a loaded host that keeps up)', () => {
    const p = new MissPace();
    for (let s = 0; s < 30; s++) {
      feed(p, 960, 0.1);
      expect(p.pace(s * 1000)).toBe(1);
    }
  });

  it('backs off by the factor at most once a step while most slots are missed, down to the floor', () => {
    const p = new MissPace();
    feed(p, 500, 0.8);
    expect(p.pace(0)).toBeCloseTo(0.7);
    // Within the same step: unchanged, however many more misses.
    feed(p, 500, 0.8);
    expect(p.pace(999)).toBeCloseTo(0.7);
    expect(p.pace(1000)).toBeCloseTo(0.49);
    for (let s = 2; s < 30; s++) {
      feed(p, 200, 0.8);
      p.pace(s * 1000);
    }
    expect(p.pace(30_000)).toBe(DEFAULT_MISS_PACE_POLICY.minPace);
  });

  it('recovers step by step once few slots are missed, up to the full pace', () => {
    const p = new MissPace();
    feed(p, 500, 1);
    p.pace(0);
    feed(p, 500, 1);
    expect(p.pace(1000)).toBeCloseTo(0.49);
    feed(p, 1000, 0);
    expect(p.pace(2000)).toBeCloseTo(0.59);
    expect(p.pace(2500)).toBeCloseTo(0.59);
    expect(p.pace(3000)).toBeCloseTo(0.69);
    for (let s = 4; s < 10; s++) {
      p.pace(s * 1000);
    }
    expect(p.pace(10_000)).toBe(1);
  });

  it('holds its pace between the thresholds', () => {
    const p = new MissPace();
    feed(p, 500, 1);
    expect(p.pace(0)).toBeCloseTo(0.7);
    feed(p, 2000, 0.2);
    expect(p.pace(1000)).toBeCloseTo(0.7);
    expect(p.pace(5000)).toBeCloseTo(0.7);
  });
});

describe('paceGapMs', () => {
  it('follows a chunk by a gap that makes its share of the time the pace', () => {
    expect(paceGapMs(52, 1)).toBe(0);
    expect(paceGapMs(50, 0.5)).toBeCloseTo(50);
    expect(paceGapMs(50, 0.25)).toBeCloseTo(150);
    const span = 40;
    const pace = 0.3;
    expect(span / (span + paceGapMs(span, pace))).toBeCloseTo(pace);
  });
});
