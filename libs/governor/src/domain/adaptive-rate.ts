// Adaptive slow-down per phone number (AIMD): on 130429 the effective rate drops multiplicatively,
// then it climbs back linearly towards the configured limit with every second without a new
// throttle. Rates are integer milli-messages-per-second so the Redis script and this module agree
// to the last digit.

export interface AimdPolicy {
  /** Rate after a throttle = rate before × this (0 < f < 1). */
  decreaseFactor: number;
  /** Recovery speed, as a fraction of the limit regained per second. */
  recoverPerSecond: number;
  /** Floor of the effective rate, as a fraction of the limit (never below 1 mps unless the limit is). */
  minFraction: number;
  /**
   * Throttles within this time of the last decrease are the same event: a burst of in-flight
   * requests all answered 130429 must cut the rate once, not once per request and per process.
   */
  cooldownMs: number;
}

export const DEFAULT_AIMD_POLICY: AimdPolicy = {
  decreaseFactor: 0.7,
  recoverPerSecond: 0.05,
  minFraction: 0.05,
  cooldownMs: 1000,
};

/** What is stored after a decrease: the rate it set and when. No state = full configured limit. */
export interface AimdState {
  rateMilli: number;
  atMs: number;
}

export function toMilliMps(mps: number): number {
  return Math.floor(mps * 1000);
}

/** The rate in force at `nowMs` for a number configured at `limitMilli`. */
export function effectiveRateMilli(
  state: AimdState | null,
  limitMilli: number,
  nowMs: number,
  policy: AimdPolicy,
): number {
  if (!state) {
    return limitMilli;
  }
  const elapsed = Math.max(0, nowMs - state.atMs);
  return Math.min(
    limitMilli,
    state.rateMilli + Math.floor((limitMilli * policy.recoverPerSecond * elapsed) / 1000),
  );
}

export function minRateMilli(limitMilli: number, policy: AimdPolicy): number {
  return Math.min(limitMilli, Math.max(1000, Math.floor(limitMilli * policy.minFraction)));
}

/** The state after a 130429 at `nowMs`; unchanged inside the cooldown of the previous decrease. */
export function decreaseRate(
  state: AimdState | null,
  limitMilli: number,
  nowMs: number,
  policy: AimdPolicy,
): AimdState {
  if (state && nowMs - state.atMs < policy.cooldownMs) {
    return state;
  }
  const current = effectiveRateMilli(state, limitMilli, nowMs, policy);
  return {
    rateMilli: Math.max(
      minRateMilli(limitMilli, policy),
      Math.floor(current * policy.decreaseFactor),
    ),
    atMs: nowMs,
  };
}

/** When the rate is back at the limit and the state can be forgotten. */
export function recoveredAtMs(state: AimdState, limitMilli: number, policy: AimdPolicy): number {
  const missing = Math.max(0, limitMilli - state.rateMilli);
  return state.atMs + Math.ceil((missing * 1000) / (limitMilli * policy.recoverPerSecond));
}
