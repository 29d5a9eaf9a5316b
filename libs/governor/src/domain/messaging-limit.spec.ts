import {
  admitToWindow,
  MESSAGING_LIMIT_WINDOW_MS as DAY,
  messagingLimitForTier,
} from './messaging-limit';

const T0 = Date.UTC(2030, 0, 1);
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('messaging limit', () => {
  it('maps every tier Meta reports, including unlimited and the old 1K', () => {
    expect(messagingLimitForTier('TIER_50')).toBe(50);
    expect(messagingLimitForTier('TIER_250')).toBe(250);
    expect(messagingLimitForTier('TIER_1K')).toBe(1000);
    expect(messagingLimitForTier('TIER_2K')).toBe(2000);
    expect(messagingLimitForTier('TIER_10K')).toBe(10_000);
    expect(messagingLimitForTier('TIER_100K')).toBe(100_000);
    expect(messagingLimitForTier('TIER_UNLIMITED')).toBeNull();
    expect(messagingLimitForTier('TIER_9000')).toBeUndefined();
    expect(messagingLimitForTier('toString')).toBeUndefined();
  });

  it('admits up to the limit and holds the rest until the oldest leaves the window', () => {
    const w = new Map<string, number>();
    const a = admitToWindow(w, 250, ids('a', 200), T0);
    expect(a).toMatchObject({ held: [], heldUntilMs: null, remaining: 50 });
    const b = admitToWindow(w, 250, ids('b', 80), T0 + 3600_000);
    expect(b.admitted).toEqual(ids('b', 50));
    expect(b.held).toEqual(ids('b', 80).slice(50));
    expect(b.heldUntilMs).toBe(T0 + DAY);
    expect(b.remaining).toBe(0);
  });

  it('does not count a recipient already reached in the window twice', () => {
    const w = new Map<string, number>();
    admitToWindow(w, 2, ['x', 'y'], T0);
    const again = admitToWindow(w, 2, ['y', 'x', 'z'], T0 + 1000);
    expect(again.admitted).toEqual(['y', 'x']);
    expect(again.held).toEqual(['z']);
    // Their latest message now dates from T0 + 1 s: that is when they leave the window.
    expect(again.heldUntilMs).toBe(T0 + 1000 + DAY);
  });

  it('frees allowance exactly 24 h after a recipient was counted', () => {
    const w = new Map<string, number>();
    admitToWindow(w, 1, ['x'], T0);
    expect(admitToWindow(w, 1, ['y'], T0 + DAY - 1).held).toEqual(['y']);
    expect(admitToWindow(w, 1, ['y'], T0 + DAY).admitted).toEqual(['y']);
    expect(w.has('x')).toBe(false);
  });

  it('admits everyone when the portfolio is unlimited', () => {
    const w = new Map<string, number>();
    const r = admitToWindow(w, null, ids('u', 1000), T0);
    expect(r).toEqual({ admitted: ids('u', 1000), held: [], heldUntilMs: null, remaining: null });
  });
});
