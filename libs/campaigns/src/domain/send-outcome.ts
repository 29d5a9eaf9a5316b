// What becomes of one campaign message after its turn in a send batch: the decision table from
// what happened on the wire (MMLITE.md §5.2 for Meta's error codes) to the message's next state.
// Pure: the sender applies the change and carries out the effects.
import type { GraphErrorCategory } from '@app/graph-client';

export interface SendError {
  code: number;
  category: GraphErrorCategory;
  title: string;
  details: string | null;
}

/** What happened to one message's turn. */
export type SendResult =
  /** Meta answered with a message id. */
  | { kind: 'accepted'; wamid: string; at: Date }
  /** Meta answered with an error: nothing was accepted. */
  | { kind: 'refused'; at: Date; error: SendError }
  /** The request left and its answer was lost (closed, timed out, not Meta's): maybe accepted. */
  | { kind: 'in-doubt'; at: Date; error: SendError }
  /** No connection could be made: the request never left. */
  | { kind: 'never-left'; error: SendError }
  /** The messaging limit or the pair rate allows it only later; no request left. */
  | { kind: 'held'; until: Date }
  /** Not sent this time (paused, shutting down, slot missed); no request left. */
  | { kind: 'unsent' }
  /** The contact opted out after the claim (the fence said so right before the request). */
  | { kind: 'opted-out' };

export interface RetryPolicy {
  /** Requests for transient failures before the message is failed. */
  maxTransientAttempts: number;
  /** Pair-rate failures (4^X s each) before the message is failed. */
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

/** The message's next state. Fields left undefined are left as they are. */
export interface MessageChange {
  status: 'pending' | 'in_doubt' | 'sent' | 'failed' | 'skipped';
  /** A request left for it: `attempts` grows by one (attempts count requests actually sent). */
  requested: boolean;
  wamid?: string;
  sentAt?: Date;
  failedAt?: Date;
  /** null clears the last error. */
  error?: { code: number; title: string; details: string | null } | null;
  /** 'pair-rate': when the governor's 4^X block for the pair ends. */
  nextAttemptAt?: Date | 'pair-rate' | null;
  pairRateFailures?: number;
  skipReason?: string;
}

export type SendEffect =
  /** 130429: slow the number down for every process. */
  | { kind: 'slow-down' }
  /** 131056: block the (number, recipient) pair for 4^X s. */
  | { kind: 'pair-rate-limited' }
  /** 131050: the recipient stopped marketing messages — an opt-out for the ledger. */
  | { kind: 'opt-out' }
  /** The campaign cannot go on: pause (the marketer can fix it) or fail. */
  | { kind: 'pause-campaign' | 'fail-campaign'; reason: string }
  /** The campaign must wait (134101, template syncing): paused, resumed by the engine at `until`. */
  | { kind: 'hold-campaign'; reason: string; until: Date };

export interface Outcome {
  change: MessageChange;
  effects: SendEffect[];
}

/** Exponential backoff with equal jitter, capped; `random` is injectable for tests. */
export function transientBackoffMs(
  attempt: number,
  p: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(p.maxBackoffMs, p.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Errors that concern the template, the WABA or the route, not the recipient (§5.2 STOP/RW rows,
 * MMLITE-2026 row 16), and what they do to the campaign: hold (resumes by itself), pause (the
 * marketer fixes it and resumes) or fail. Every other code ends at the message (see verdictOf).
 */
const CAMPAIGN_CODES: ReadonlyMap<
  number,
  { kind: 'hold-campaign' | 'pause-campaign' | 'fail-campaign'; reason: string }
> = new Map([
  // RW: a new (or > 7 days idle) MM template syncs with its ad for ~10 min: wait, do not fail.
  [134101, { kind: 'hold-campaign', reason: 'template_syncing' }],
  [132015, { kind: 'pause-campaign', reason: 'template_paused' }],
  // The category the engine routed by is stale (resync templates, then resume).
  [131055, { kind: 'pause-campaign', reason: 'template_not_marketing' }],
  [134100, { kind: 'pause-campaign', reason: 'template_not_marketing' }],
  // STRICT on a WABA not onboarded to MM, or the template not eligible: fix onboarding, resume.
  [134102, { kind: 'pause-campaign', reason: 'mm_unavailable' }],
  // Kill switch `disable_marketing_messages_on_cloud_api` (or fallback refused): use MM.
  [131063, { kind: 'pause-campaign', reason: 'marketing_disabled_on_cloud_api' }],
  // Messaging limit for template classification violations: until the enforcement ends.
  [131064, { kind: 'pause-campaign', reason: 'classification_enforcement' }],
  [132001, { kind: 'fail-campaign', reason: 'template_not_found' }],
  [132007, { kind: 'fail-campaign', reason: 'template_policy_violation' }],
  [132016, { kind: 'fail-campaign', reason: 'template_disabled' }],
]);

/** How long a hold for a syncing template lasts (Meta: "up to 10 minutes", §1.5). */
export const TEMPLATE_SYNC_HOLD_MS = 10 * 60_000;

/** A recipient error that ends this message (never retried). */
type Final = { final: true; optOut: boolean };
/** The same request may be tried again after a while. */
type Again = { final: false; afterMs: number | 'pair-rate'; slowDown: boolean };
type Verdict =
  | Final
  | Again
  | { campaign: 'hold-campaign' | 'pause-campaign' | 'fail-campaign'; reason: string };

/** Meta refused a request: what that means for the message (by category and code, §5.2). */
export function verdictOf(
  error: SendError,
  attempts: number,
  pairRateFailures: number,
  policy: RetryPolicy,
  random: () => number,
): Verdict {
  const stop = CAMPAIGN_CODES.get(error.code);
  if (stop) {
    return { campaign: stop.kind, reason: stop.reason };
  }
  switch (error.category) {
    case 'throughput':
      return { final: false, afterMs: 1000, slowDown: true };
    case 'pair-rate':
      return pairRateFailures + 1 >= policy.maxPairRateAttempts
        ? { final: true, optOut: false }
        : { final: false, afterMs: 'pair-rate', slowDown: false };
    case 'transient':
    case 'rate-limit':
      return attempts >= policy.maxTransientAttempts
        ? { final: true, optOut: false }
        : { final: false, afterMs: transientBackoffMs(attempts, policy, random), slowDown: false };
    case 'per-user-cap':
      // Meta: not before 24 h, and retries within 24 h extend the block; a campaign does not wait a day.
      return { final: true, optOut: false };
    case 'opted-out':
      return { final: true, optOut: true };
    case 'template':
      // 132000/132012/132018 and the like: this message's parameters; the others may be fine.
      return { final: true, optOut: false };
    case 'auth':
      return {
        campaign: 'pause-campaign',
        reason: error.code === 190 ? 'access_token_invalid' : `account_error_${error.code}`,
      };
    case 'payment':
      return { campaign: 'pause-campaign', reason: `payment_error_${error.code}` };
    case 'permanent':
      return { final: true, optOut: false };
  }
}

const errorOf = (e: SendError) => ({ code: e.code, title: e.title, details: e.details });

/**
 * The decision table. `attempts` and `pairRateFailures` are the message's counts before this
 * turn. A lost answer is never a failure: the message is in doubt until Meta's status webhook (or,
 * without one, the resend deadline) settles it.
 */
export function outcomeOf(
  result: SendResult,
  msg: { attempts: number; pairRateFailures: number },
  now: Date,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): Outcome {
  switch (result.kind) {
    case 'accepted':
      return {
        change: {
          status: 'sent',
          requested: true,
          wamid: result.wamid,
          sentAt: result.at,
          error: null,
          nextAttemptAt: null,
        },
        effects: [],
      };
    case 'in-doubt':
      return {
        change: { status: 'in_doubt', requested: true, error: errorOf(result.error) },
        effects: [],
      };
    case 'never-left':
      return {
        change: {
          status: 'pending',
          requested: false,
          error: errorOf(result.error),
          nextAttemptAt: new Date(now.getTime() + policy.baseBackoffMs),
        },
        effects: [],
      };
    case 'held':
      return {
        change: { status: 'pending', requested: false, nextAttemptAt: result.until },
        effects: [],
      };
    case 'unsent':
      return { change: { status: 'pending', requested: false }, effects: [] };
    case 'opted-out':
      return {
        change: { status: 'skipped', requested: false, skipReason: 'opted_out' },
        effects: [],
      };
    case 'refused':
      break;
  }
  const error = errorOf(result.error);
  const v = verdictOf(result.error, msg.attempts + 1, msg.pairRateFailures, policy, random);
  if ('campaign' in v) {
    // The campaign cannot go on with this message: it waits, pending, for a resume.
    return {
      change: { status: 'pending', requested: true, error },
      effects: [
        v.campaign === 'hold-campaign'
          ? {
              kind: v.campaign,
              reason: v.reason,
              until: new Date(now.getTime() + TEMPLATE_SYNC_HOLD_MS),
            }
          : { kind: v.campaign, reason: v.reason },
      ],
    };
  }
  if (v.final) {
    return {
      change: { status: 'failed', requested: true, error, failedAt: result.at },
      effects: v.optOut ? [{ kind: 'opt-out' }] : [],
    };
  }
  if (v.afterMs === 'pair-rate') {
    return {
      change: {
        status: 'pending',
        requested: true,
        error,
        nextAttemptAt: 'pair-rate',
        pairRateFailures: msg.pairRateFailures + 1,
      },
      effects: [{ kind: 'pair-rate-limited' }],
    };
  }
  return {
    change: {
      status: 'pending',
      requested: true,
      error,
      nextAttemptAt: new Date(now.getTime() + v.afterMs),
    },
    effects: v.slowDown ? [{ kind: 'slow-down' }] : [],
  };
}
