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
