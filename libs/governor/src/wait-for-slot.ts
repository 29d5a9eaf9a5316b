import type { SlotTiming, TimedSend } from '@app/common';
// Firing discipline for reserved slots. Slots are booked on the wall clock (Date), so they are
// waited for on the wall clock too: a per-process monotonic clock drifts from Date over hours and
// would make processes disagree about when a slot is.

/**
 * Lateness a slot may have before it must be dropped. The 2 % headroom tolerates about 20 ms of
 * total displacement between requests (1000 · h / (1 − h)); half goes to firing late, half is
 * left for network jitter on the way to Meta.
 */
export const DEFAULT_MAX_SLOT_LATENESS_MS = 10;

/**
 * Resolves at the first moment Date.now() ≥ slotMs (never earlier; setTimeout alone can fire up
 * to a millisecond early). Returns false when the slot was already missed by more than
 * `maxLatenessMs`: do not send on it — reserve again instead of sending late in a bunch.
 */
export async function waitForSlot(
  slotMs: number,
  maxLatenessMs = DEFAULT_MAX_SLOT_LATENESS_MS,
  now: () => number = Date.now,
): Promise<boolean> {
  for (;;) {
    const left = slotMs - now();
    if (left <= 0) {
      return -left <= maxLatenessMs;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}

/**
 * A request fired from this event loop at its slot (for senders without a thread of their own,
 * such as tests): waits here, and does not call `send` once `at.notAfterMs` has passed.
 */
export function sendWhenDue<R>(
  at: SlotTiming,
  send: () => Promise<R>,
  now: () => number = Date.now,
): TimedSend<R> {
  const left = (async () => {
    await waitForSlot(at.slotMs, Number.POSITIVE_INFINITY, now);
    const t = now();
    return t > at.notAfterMs ? null : t;
  })();
  // Registered before any caller's reaction to `left`, so the request starts before they run.
  const answer = left.then((t) => (t === null ? new Promise<R>(() => undefined) : send()));
  return { left, answer };
}
