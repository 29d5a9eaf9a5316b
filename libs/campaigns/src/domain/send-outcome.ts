/**
 * What to do after one send attempt failed, from the Graph error's category and code
 * (MMLITE.md §5.2, the campaigns issue): retry this message later, give up on this recipient,
 * or stop the whole campaign with a reason.
 */
export type FailureCategory =
  | 'throughput'
  | 'pair-rate'
  | 'per-user-cap'
  | 'opted-out'
  | 'template'
  | 'auth'
  | 'payment'
  | 'rate-limit'
  | 'transient'
  | 'permanent';

export type SendDecision =
  | { action: 'retry'; afterMs: number; slowDown: boolean }
  | { action: 'fail'; optOut: boolean }
  /** Recoverable by the marketer (new token, template unpaused): pause, they resume. */
  | { action: 'pause-campaign'; reason: string }
  /** Cannot go on (template disabled or gone): the campaign fails. */
  | { action: 'fail-campaign'; reason: string };

export interface RetryPolicy {
  /** Attempts for transient failures before the message is failed. */
  maxTransientAttempts: number;
  /** Attempts for pair-rate failures (4^X s each) before the message is failed. */
  maxPairRateAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxTransientAttempts: 6,
  maxPairRateAttempts: 6,
  baseBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
};

/** Meta's rule for 131056: retry after 4^X seconds, X = 0, 1, 2… (§6.2). */
export function pairRateBackoffMs(failuresSoFar: number): number {
  return 4 ** Math.max(0, failuresSoFar) * 1000;
}

/** Exponential backoff with full jitter, capped; `random` is injectable for tests. */
export function transientBackoffMs(
  attempt: number,
  p: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(p.maxBackoffMs, p.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Template errors that concern the template, not the recipient (§5.2 STOP rows). */
const TEMPLATE_PAUSE_CODES: ReadonlyMap<number, string> = new Map([
  [132015, 'template_paused'],
  [134101, 'template_syncing'],
]);
const TEMPLATE_FAIL_CODES: ReadonlyMap<number, string> = new Map([
  [132001, 'template_not_found'],
  [132007, 'template_policy_violation'],
  [132016, 'template_disabled'],
  [134102, 'template_unavailable'],
  [131055, 'template_not_marketing'],
  [134100, 'template_not_marketing'],
]);

export function decideAfterFailure(
  category: FailureCategory,
  code: number,
  attempt: number,
  pairRateFailures: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): SendDecision {
  switch (category) {
    case 'throughput':
      return { action: 'retry', afterMs: 1000, slowDown: true };
    case 'pair-rate':
      return pairRateFailures + 1 >= policy.maxPairRateAttempts
        ? { action: 'fail', optOut: false }
        : { action: 'retry', afterMs: pairRateBackoffMs(pairRateFailures), slowDown: false };
    case 'transient':
    case 'rate-limit':
      return attempt >= policy.maxTransientAttempts
        ? { action: 'fail', optOut: false }
        : {
            action: 'retry',
            afterMs: transientBackoffMs(attempt, policy, random),
            slowDown: false,
          };
    case 'per-user-cap':
      // Meta: not before 24 h, and retries within 24 h extend the block; a campaign does not wait a day.
      return { action: 'fail', optOut: false };
    case 'opted-out':
      return { action: 'fail', optOut: true };
    case 'template': {
      const pause = TEMPLATE_PAUSE_CODES.get(code);
      if (pause) {
        return { action: 'pause-campaign', reason: pause };
      }
      const fail = TEMPLATE_FAIL_CODES.get(code);
      return fail ? { action: 'fail-campaign', reason: fail } : { action: 'fail', optOut: false };
    }
    case 'auth':
      return {
        action: 'pause-campaign',
        reason: code === 190 ? 'access_token_invalid' : `account_error_${code}`,
      };
    case 'payment':
      return { action: 'pause-campaign', reason: `payment_error_${code}` };
    case 'permanent':
      return { action: 'fail', optOut: false };
  }
}
