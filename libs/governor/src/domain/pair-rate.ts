// Meta's pair rate limit per (business number, recipient) — MMLITE.md §6.2: one message per 6 s,
// bursts of up to 45 that borrow from future quota (GCRA with burst), and after a 131056 the
// recipient is retried only after 4^X seconds, X counting consecutive failures from 0.

export interface PairRatePolicy {
  intervalMs: number;
  burst: number;
  /** Cap of the 4^X wait (Meta gives none; 4^8 s would already be 18 h). */
  maxBackoffMs: number;
}

export const DEFAULT_PAIR_RATE_POLICY: PairRatePolicy = {
  intervalMs: 6000,
  burst: 45,
  maxBackoffMs: 24 * 3600 * 1000,
};

export interface PairState {
  /** Theoretical arrival time of the next message at the steady 1-per-interval pace. */
  tatMs: number;
  /** Not before this time after a 131056 (0 when never failed). */
  blockedUntilMs: number;
  /** Consecutive 131056 failures so far (the next one waits 4^failures s). */
  failures: number;
  /** A failure after this time starts a new streak at X = 0 (0 when never failed). */
  streakEndsAtMs: number;
}

export type PairDecision = { allowed: true } | { allowed: false; notBeforeMs: number };

/** 131056 wait for the X-th consecutive failure (X from 0): 1 s, 4 s, 16 s, 64 s, … capped. */
export function pairRateBackoffMs(
  x: number,
  maxMs = DEFAULT_PAIR_RATE_POLICY.maxBackoffMs,
): number {
  if (!Number.isInteger(x) || x < 0) {
    throw new RangeError(`pair-rate failure count must be a non-negative integer, got ${x}`);
  }
  // 4^20 s is far beyond any cap; stop there so the power stays an exact double.
  return Math.min(Math.pow(4, Math.min(x, 20)) * 1000, maxMs);
}

/** Takes one message of the pair's quota when allowed now; otherwise says when it will be. */
export function takePairToken(
  state: PairState | null,
  nowMs: number,
  policy: PairRatePolicy,
): { decision: PairDecision; state: PairState | null } {
  const tat = state?.tatMs ?? 0;
  const first = Math.max(tat, nowMs);
  const notBefore = Math.max(
    first - (policy.burst - 1) * policy.intervalMs,
    state?.blockedUntilMs ?? 0,
  );
  if (notBefore > nowMs) {
    return { decision: { allowed: false, notBeforeMs: notBefore }, state };
  }
  return {
    decision: { allowed: true },
    state: {
      tatMs: first + policy.intervalMs,
      blockedUntilMs: state?.blockedUntilMs ?? 0,
      failures: state?.failures ?? 0,
      streakEndsAtMs: state?.streakEndsAtMs ?? 0,
    },
  };
}

/** Records a 131056 for the pair: returns its X and when the recipient may be retried. */
export function recordPairRateLimited(
  state: PairState | null,
  nowMs: number,
  policy: PairRatePolicy,
): { attempt: number; retryAtMs: number; state: PairState } {
  const x = state && state.streakEndsAtMs > nowMs ? state.failures : 0;
  const retryAtMs = nowMs + pairRateBackoffMs(x, policy.maxBackoffMs);
  return {
    attempt: x,
    retryAtMs,
    state: {
      tatMs: state?.tatMs ?? 0,
      blockedUntilMs: retryAtMs,
      failures: x + 1,
      // A failure of the retry is "consecutive" if it comes within the next backoff period.
      streakEndsAtMs: retryAtMs + pairRateBackoffMs(x + 1, policy.maxBackoffMs),
    },
  };
}

/** After this time the stored state equals "never seen" and may be dropped (Redis TTL). */
export function pairStateExpiresAtMs(state: PairState): number {
  return Math.max(state.tatMs, state.blockedUntilMs, state.streakEndsAtMs);
}
