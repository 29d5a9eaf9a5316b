import { GraphErrorCode as C, type GraphErrorBody } from '@app/graph-contract';

/**
 * What the engine does about a failure:
 * - throughput: the number's mps was exceeded — slow down, retry the same request;
 * - pair-rate: too many messages to one recipient — retry that recipient after 4^X s;
 * - per-user-cap: Meta's per-user marketing cap — not before 24 h;
 * - opted-out: the recipient stopped marketing — never resend, record an opt-out;
 * - template: the template is missing, paused, disabled or its parameters are wrong;
 * - auth: token or permission problem — stop until fixed;
 * - payment: billing problem — stop until fixed;
 * - rate-limit: app/WABA management call budget exhausted — back off;
 * - transient: outage, timeout, network — retry with backoff;
 * - permanent: anything else that will fail the same way again.
 */
export type GraphErrorCategory =
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

const CATEGORY_BY_CODE: ReadonlyMap<number, GraphErrorCategory> = new Map<
  number,
  GraphErrorCategory
>([
  [C.AUTH_APP_USER, 'auth'],
  [C.INVALID_REQUEST, 'transient'],
  [C.TEMPORARY, 'transient'],
  [C.CAPABILITY, 'auth'],
  [C.APP_RATE_LIMIT, 'rate-limit'],
  [C.PERMISSION, 'auth'],
  [C.INVALID_PARAMETER, 'permanent'],
  [C.TOKEN_EXPIRED, 'auth'],
  [C.ACCOUNT_RESTRICTED, 'auth'],
  [C.WABA_RATE_LIMIT, 'rate-limit'],
  [C.WABA_TEMPLATE_RATE_LIMIT, 'rate-limit'],
  [C.USER_BLOCKED, 'permanent'],
  [C.THROUGHPUT, 'throughput'],
  [C.EXPERIMENT_HOLDOUT, 'permanent'],
  [C.COUNTRY_RESTRICTED, 'permanent'],
  [C.UNKNOWN_SEND, 'transient'],
  [C.PERMISSION_REMOVED, 'auth'],
  [C.PARAMETER_MISSING, 'template'],
  [C.PARAMETER_INVALID, 'template'],
  [C.SERVICE_UNAVAILABLE, 'transient'],
  [C.SENDER_IS_RECIPIENT, 'permanent'],
  [C.UNDELIVERABLE, 'permanent'],
  [C.ACCOUNT_LOCKED, 'auth'],
  [C.DISPLAY_NAME, 'auth'],
  [C.PAYMENT, 'payment'],
  [C.REGISTRATION, 'auth'],
  [C.OUTSIDE_WINDOW, 'permanent'],
  [C.SPAM_RATE_LIMIT, 'throughput'],
  [C.PER_USER_CAP, 'per-user-cap'],
  [C.USER_STOPPED_MARKETING, 'opted-out'],
  [C.UNSUPPORTED_TYPE, 'permanent'],
  [C.MM_ONLY_MARKETING, 'template'],
  [C.PAIR_RATE, 'pair-rate'],
  [C.MAINTENANCE, 'transient'],
  [C.BID_SPEC_ON_CLOUD, 'permanent'],
  [C.BSUID_UNSUPPORTED, 'permanent'],
  [C.MARKETING_DISABLED_ON_CLOUD, 'auth'],
  [C.CLASSIFICATION_LIMIT, 'auth'],
  [C.TEMPLATE_PARAM_COUNT, 'template'],
  [C.TEMPLATE_NOT_FOUND, 'template'],
  [C.TEMPLATE_TEXT_TOO_LONG, 'template'],
  [C.TEMPLATE_POLICY, 'template'],
  [C.TEMPLATE_PARAM_FORMAT, 'template'],
  [C.TEMPLATE_PAUSED, 'template'],
  [C.TEMPLATE_DISABLED, 'template'],
  [C.TEMPLATE_MM_VALIDATION, 'template'],
  [C.FLOW_BLOCKED, 'template'],
  [C.FLOW_THROTTLED, 'template'],
  [C.NUMBER_NOT_REGISTERED, 'auth'],
  [C.REGISTRATION_ATTEMPTS, 'auth'],
  [C.MM_ONLY_MARKETING_V23, 'template'],
  [C.MM_TEMPLATE_SYNCING, 'template'],
  [C.MM_UNAVAILABLE, 'template'],
  [C.PARAMS_UNKNOWN, 'permanent'],
  [C.MM_DUPLICATE_INTENT, 'permanent'],
  [C.MAINTENANCE_MIGRATION, 'transient'],
]);

/** Default waits (ms) before the same request may be tried again, where Meta states one. */
const RETRY_AFTER_BY_CODE: ReadonlyMap<number, number> = new Map([
  [C.THROUGHPUT, 1000],
  [C.PAIR_RATE, 1000],
  [C.PER_USER_CAP, 24 * 3600 * 1000],
  [C.MAINTENANCE, 60_000],
  [C.MAINTENANCE_MIGRATION, 60_000],
  [C.MM_TEMPLATE_SYNCING, 10 * 60_000],
  [C.APP_RATE_LIMIT, 60_000],
  [C.WABA_RATE_LIMIT, 60_000],
  [C.WABA_TEMPLATE_RATE_LIMIT, 60_000],
]);

/** Category of a Graph error code; codes 200–299 are permission errors. Unknown codes are permanent. */
export function categorizeGraphError(code: number): GraphErrorCategory {
  const known = CATEGORY_BY_CODE.get(code);
  if (known) {
    return known;
  }
  if (code >= 200 && code <= 299) {
    return 'auth';
  }
  return 'permanent';
}

const RETRYABLE: ReadonlySet<GraphErrorCategory> = new Set([
  'throughput',
  'pair-rate',
  'per-user-cap',
  'rate-limit',
  'transient',
]);

/**
 * Template-category codes that §5.2 marks RW (retry after a wait) rather than STOP/N: a fresh MM
 * template still syncing with its ad (134101, ~10 min).
 */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([C.MM_TEMPLATE_SYNCING]);

/** Whether a code/category pair may be retried (after `retryAfterMs` when set). */
export function isRetryableGraphError(code: number, category: GraphErrorCategory): boolean {
  return RETRYABLE.has(category) || RETRYABLE_CODES.has(code);
}

export class GraphApiError extends Error {
  readonly category: GraphErrorCategory;
  readonly retryable: boolean;
  /**
   * The request may have been accepted although no answer said so: it was written and then the
   * connection closed, the answer timed out, or something other than Meta answered (a 5xx page,
   * a 2xx without a message id). A send that fails this way is in doubt, never to be retried
   * blindly. False when Meta answered with an error, or the request never left (connect failed).
   */
  maybeAccepted = false;
  /** Graph's `type` (e.g. OAuthException) and user-facing texts, when Meta sent them. */
  type: string | null = null;
  userTitle: string | null = null;
  userMessage: string | null = null;

  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly subcode: number | null = null,
    readonly details: string | null = null,
    readonly fbtraceId: string | null = null,
    /** Wait before retrying, from Meta's usage headers when present, else the documented default. */
    readonly retryAfterMs: number | null = RETRY_AFTER_BY_CODE.get(code) ?? null,
    category?: GraphErrorCategory,
  ) {
    super(message);
    this.name = 'GraphApiError';
    this.category = category ?? categorizeGraphError(code);
    this.retryable = isRetryableGraphError(code, this.category);
  }

  /** An error from a failed HTTP exchange with no Graph error body (timeout, reset, 5xx page). */
  static transport(message: string, httpStatus = 0, maybeAccepted = true): GraphApiError {
    const e = new GraphApiError(httpStatus, -1, message, null, null, null, 1000, 'transient');
    e.maybeAccepted = maybeAccepted;
    return e;
  }

  static fromBody(httpStatus: number, body: unknown, retryAfterMs?: number | null): GraphApiError {
    const err = (body as Partial<GraphErrorBody> | null)?.error;
    if (!err || typeof err.code !== 'number') {
      const transient = httpStatus >= 500 || httpStatus === 429;
      const e = new GraphApiError(
        httpStatus,
        -1,
        `Graph API answered HTTP ${httpStatus} without an error body`,
        null,
        null,
        null,
        transient ? 1000 : null,
        transient ? 'transient' : 'permanent',
      );
      // A 5xx without Meta's error body came from something in between, after the request left.
      e.maybeAccepted = httpStatus >= 500;
      return e;
    }
    const e = new GraphApiError(
      httpStatus,
      err.code,
      err.message ?? `Graph error ${err.code}`,
      typeof err.error_subcode === 'number' ? err.error_subcode : null,
      err.error_data?.details ?? null,
      err.fbtrace_id ?? null,
      retryAfterMs ?? RETRY_AFTER_BY_CODE.get(err.code) ?? null,
    );
    e.type = typeof err.type === 'string' ? err.type : null;
    e.userTitle = err.error_user_title ?? null;
    e.userMessage = err.error_user_msg ?? null;
    return e;
  }
}
