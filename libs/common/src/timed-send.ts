/** When a booked request may leave: at `slotMs`, never earlier, and not after `notAfterMs`. */
export interface SlotTiming {
  slotMs: number;
  notAfterMs: number;
}

/**
 * A request handed over before its slot. `left` resolves when it left (its time, on the caller's
 * clock) or with null when it did not leave (its slot was missed): then `answer` never settles.
 */
export interface TimedSend<R> {
  left: Promise<number | null>;
  answer: Promise<R>;
}
