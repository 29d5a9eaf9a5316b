import {
  maxInAnyWindow,
  nextReserveAtUs,
  reserveOnTimeline,
  slotIntervalUs,
  slotTimesMs,
} from './slot-timeline';

const T0_US = Date.UTC(2030, 0, 1) * 1000;

/** Drives a timeline as a busy sender would: ask for `want` slots every `stepMs`. */
function drive(limitMps: number, headroom: number, want: number, stepMs: number, forMs: number) {
  const interval = slotIntervalUs(limitMps * 1000, headroom);
  let tat: number | null = null;
  const slots: number[] = [];
  for (let t = 0; t < forMs; t += stepMs) {
    const now = T0_US + t * 1000;
    // Several callers in the same tick, as several processes would be.
    for (let k = 0; k < 3; k++) {
      const r = reserveOnTimeline(tat, now, interval, want, 1000 * 1000);
      tat = r.tatUs;
      slots.push(...slotTimesMs(r.firstUs, r.intervalUs, r.granted));
    }
  }
  return slots;
}

describe('slot timeline', () => {
  it('spaces slots so the rate is the limit minus the headroom, rounded to the safe side', () => {
    expect(slotIntervalUs(1000 * 1000, 0.02)).toBe(1021); // 1020.4 µs rounded up
    expect(slotIntervalUs(80 * 1000, 0.02)).toBe(12756);
    expect(1e6 / slotIntervalUs(80 * 1000, 0.02)).toBeGreaterThanOrEqual(78);
    expect(1e6 / slotIntervalUs(1000 * 1000, 0.02)).toBeGreaterThanOrEqual(950);
  });

  it('starts an idle timeline now and continues a busy one where it stopped', () => {
    const a = reserveOnTimeline(null, T0_US, 1000, 3, 1_000_000);
    expect(a).toEqual({ granted: 3, firstUs: T0_US, intervalUs: 1000, tatUs: T0_US + 3000 });
    const b = reserveOnTimeline(a.tatUs, T0_US + 500, 1000, 2, 1_000_000);
    expect(b.firstUs).toBe(T0_US + 3000);
    expect(b.tatUs).toBe(T0_US + 5000);
    // After idling, slots do not start in the past: unused capacity is gone, not banked.
    const c = reserveOnTimeline(b.tatUs, T0_US + 60_000_000, 1000, 1, 1_000_000);
    expect(c.firstUs).toBe(T0_US + 60_000_000);
  });

  it('grants no further ahead than the horizon and says when to ask again', () => {
    const full = reserveOnTimeline(T0_US + 999_000, T0_US, 1000, 10, 1_000_000);
    expect(full.granted).toBe(2); // slots at +999 ms and +1000 ms, the horizon's edge
    const none = reserveOnTimeline(full.tatUs, T0_US, 1000, 10, 1_000_000);
    expect(none.granted).toBe(0);
    expect(none.tatUs).toBe(full.tatUs);
    expect(nextReserveAtUs(none.tatUs, T0_US, 1_000_000)).toBe(T0_US + 1000);
  });

  it.each([
    [1000, 0.02],
    [80, 0.02],
    [20, 0.02],
    [1, 0.02],
  ])(
    'never puts more than %i slots in any one-second window when demand exceeds supply',
    (limit, h) => {
      const slots = drive(limit, h, 50, 7, 5000);
      expect(maxInAnyWindow(slots, 1000)).toBeLessThanOrEqual(limit);
    },
  );

  it('keeps the sustained rate at ≥ 95 % of the limit (78/s at 80, 950/s at 1,000)', () => {
    for (const [limit, floor] of [
      [1000, 950],
      [80, 78],
    ] as const) {
      const slots = drive(limit, 0.02, 50, 7, 10_000);
      const inSteadyState = slots.filter(
        (s) => s >= T0_US / 1000 + 2000 && s < T0_US / 1000 + 7000,
      );
      expect(inSteadyState.length / 5).toBeGreaterThanOrEqual(floor);
    }
  });

  it('without headroom a closed one-second window can hold limit + 1 slots, hence the headroom', () => {
    const slots = drive(80, 0, 50, 7, 3000);
    expect(maxInAnyWindow(slots, 1000)).toBe(81);
  });

  it('counts events in a closed window including both edges', () => {
    expect(maxInAnyWindow([0, 1000, 1001, 2001.5], 1000)).toBe(2);
    expect(maxInAnyWindow([5, 1, 3], 2)).toBe(2);
    expect(maxInAnyWindow([], 1000)).toBe(0);
  });
});
