// Meta's messaging limit — MMLITE.md §6.3: unique recipients reached outside a service window in a
// moving 24 h, counted per business portfolio and shared by all its numbers. A recipient counts
// from its latest message; one already counted in the window does not count twice.

export const MESSAGING_LIMIT_WINDOW_MS = 24 * 3600 * 1000;

/** Limit per tier name as Graph reports it; null = unlimited. `TIER_1K` survives in old data. */
const LIMIT_BY_TIER: Readonly<Record<string, number | null>> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1000,
  TIER_2K: 2000,
  TIER_10K: 10000,
  TIER_100K: 100000,
  TIER_UNLIMITED: null,
};

/** The daily unique-recipient limit of a tier; `undefined` for a tier name we do not know. */
export function messagingLimitForTier(tier: string): number | null | undefined {
  return Object.prototype.hasOwnProperty.call(LIMIT_BY_TIER, tier)
    ? LIMIT_BY_TIER[tier]
    : undefined;
}

export interface Admission {
  /** May be sent now (newly counted or already counted in the window). */
  admitted: string[];
  /** Would exceed the limit now; keep them for later. */
  held: string[];
  /** When the oldest counted recipient leaves the window (null when nothing is held). */
  heldUntilMs: number | null;
  /** Unique recipients still available in the window after this admission (null = unlimited). */
  remaining: number | null;
}

/**
 * Reference implementation of the admission the Redis script performs on a sorted set:
 * `window` maps recipient → last counted time and is updated in place.
 */
export function admitToWindow(
  window: Map<string, number>,
  limit: number | null,
  recipients: readonly string[],
  nowMs: number,
  windowMs = MESSAGING_LIMIT_WINDOW_MS,
): Admission {
  if (limit === null) {
    return { admitted: [...recipients], held: [], heldUntilMs: null, remaining: null };
  }
  for (const [recipient, at] of window) {
    if (at <= nowMs - windowMs) {
      window.delete(recipient);
    }
  }
  const admitted: string[] = [];
  const held: string[] = [];
  for (const recipient of recipients) {
    if (window.has(recipient) || window.size < limit) {
      window.set(recipient, nowMs);
      admitted.push(recipient);
    } else {
      held.push(recipient);
    }
  }
  let heldUntilMs: number | null = null;
  if (held.length > 0) {
    heldUntilMs = Math.min(...window.values()) + windowMs;
  }
  return { admitted, held, heldUntilMs, remaining: Math.max(0, limit - window.size) };
}
