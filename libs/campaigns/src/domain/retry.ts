// Which failed messages a retry (POST /v1/campaigns/:id/retry) sends again, and when. Pure.
import type { GraphErrorCategory } from '@app/graph-client';

/**
 * - `now`: rate limits (130429, 131056, 80007) and passing trouble — send again at once;
 * - `after-24h-once`: Meta's per-user marketing cap (131049) — once, not before 24 h after the failure;
 * - `never`: the recipient cannot or will not get it (131026, 131047, 131050, 131051 …), or the
 *   template or its parameters are wrong: sending the same again fails the same way.
 */
export type RetryClass = 'now' | 'after-24h-once' | 'never';

/** Our own code for "no answer from Meta and no status webhook for any request". */
export const NO_ANSWER_CODE = -1;

export const PER_USER_CAP_RETRY_AFTER_MS = 24 * 3600 * 1000;

export function retryClassOf(code: number, category: GraphErrorCategory): RetryClass {
  if (code === NO_ANSWER_CODE) {
    return 'now';
  }
  switch (category) {
    case 'throughput':
    case 'pair-rate':
    case 'rate-limit':
    case 'transient':
      return 'now';
    case 'per-user-cap':
      return 'after-24h-once';
    case 'opted-out':
    case 'template':
    case 'auth':
    case 'payment':
    case 'permanent':
      return 'never';
  }
}
