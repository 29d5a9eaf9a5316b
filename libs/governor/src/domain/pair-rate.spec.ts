import {
  DEFAULT_PAIR_RATE_POLICY as P,
  type PairState,
  pairRateBackoffMs,
  pairStateExpiresAtMs,
  recordPairRateLimited,
  takePairToken,
} from './pair-rate';

const T0 = Date.UTC(2030, 0, 1);

function sendBurst(state: PairState | null, now: number, n: number) {
  let s = state;
  let allowed = 0;
  let notBefore: number | null = null;
  for (let i = 0; i < n; i++) {
    const r = takePairToken(s, now, P);
    s = r.state;
    if (r.decision.allowed) {
      allowed++;
    } else {
      notBefore = r.decision.notBeforeMs;
    }
  }
  return { state: s, allowed, notBefore };
}

describe('pair rate', () => {
  it('allows a burst of 45 to one recipient, then one per 6 s', () => {
    const burst = sendBurst(null, T0, 46);
    expect(burst.allowed).toBe(45);
    expect(burst.notBefore).toBe(T0 + 6000);
    expect(sendBurst(burst.state, T0 + 5999, 1).allowed).toBe(0);
    const next = sendBurst(burst.state, T0 + 6000, 2);
    expect(next.allowed).toBe(1);
    expect(next.notBefore).toBe(T0 + 12_000);
  });

  it('makes a burst of 20 borrow about two minutes of quota', () => {
    const burst = sendBurst(null, T0, 20);
    // After 20 at once the pace is back to 1 per 6 s only once 20 × 6 s have passed.
    expect(pairStateExpiresAtMs(burst.state as PairState)).toBe(T0 + 120_000);
  });

  it('waits 4^X seconds after consecutive 131056 failures: 1, 4, 16, 64 s', () => {
    let s: PairState | null = null;
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = recordPairRateLimited(s, now, P);
      expect(r.attempt).toBe(i);
      waits.push(r.retryAtMs - now);
      s = r.state;
      now = r.retryAtMs; // retried on time, failed again
    }
    expect(waits).toEqual([1000, 4000, 16_000, 64_000]);
  });

  it('blocks the recipient until the 4^X retry time, leaving other recipients alone', () => {
    const failed = recordPairRateLimited(null, T0, P);
    const early = takePairToken(failed.state, T0 + 999, P);
    expect(early.decision).toEqual({ allowed: false, notBeforeMs: T0 + 1000 });
    expect(takePairToken(failed.state, T0 + 1000, P).decision).toEqual({ allowed: true });
    expect(takePairToken(null, T0, P).decision).toEqual({ allowed: true });
  });

  it('starts again at X = 0 once the failure streak has ended', () => {
    const first = recordPairRateLimited(null, T0, P); // retry at +1 s, streak until +5 s
    expect(first.state.streakEndsAtMs).toBe(T0 + 5000);
    expect(recordPairRateLimited(first.state, T0 + 4999, P).attempt).toBe(1);
    expect(recordPairRateLimited(first.state, T0 + 5000, P).attempt).toBe(0);
  });

  it('caps the 4^X wait and rejects nonsense', () => {
    expect(pairRateBackoffMs(0)).toBe(1000);
    expect(pairRateBackoffMs(5)).toBe(1_024_000);
    expect(pairRateBackoffMs(8)).toBe(65_536_000); // 18.2 h
    expect(pairRateBackoffMs(9)).toBe(24 * 3600 * 1000);
    expect(pairRateBackoffMs(1000)).toBe(24 * 3600 * 1000);
    expect(() => pairRateBackoffMs(-1)).toThrow(RangeError);
    expect(() => pairRateBackoffMs(1.5)).toThrow(RangeError);
  });
});
