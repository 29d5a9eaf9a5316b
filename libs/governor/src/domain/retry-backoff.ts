// Waits before retrying a send that failed for a transient reason (Meta 1, 2, 131000, 131016,
// network errors): exponential growth so an outage is not hammered, jitter so that thousands of
// recipients failed in the same second do not all come back in the same second.

export interface RetryBackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoffPolicy = { baseMs: 1000, maxMs: 5 * 60 * 1000 };

/**
 * Delay before retry number `attempt` (0 = first retry): "equal jitter" — a fixed half of
 * base·2^attempt (capped) plus a random half, so every retry waits at least half the step.
 * `retryAfterMs` (a server hint) is a floor. `random` returns [0, 1).
 */
export function transientBackoffMs(
  attempt: number,
  random: () => number,
  retryAfterMs: number | null = null,
  policy: RetryBackoffPolicy = DEFAULT_RETRY_BACKOFF,
): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`retry attempt must be a non-negative integer, got ${attempt}`);
  }
  const step = Math.min(policy.maxMs, policy.baseMs * Math.pow(2, Math.min(attempt, 40)));
  const delay = Math.floor(step / 2 + random() * (step / 2));
  return Math.max(delay, retryAfterMs ?? 0);
}
