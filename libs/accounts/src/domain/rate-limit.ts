// Per-key request budget: a count per clock minute (every API process agrees on the window from
// its NTP-synced clock), so the answer to "when may I call again" is the start of the next minute.

export const RATE_WINDOW_MS = 60_000;

export interface RateWindow {
  /** Minutes since the epoch: part of the counter's key. */
  index: number;
  /** Until the window ends (≥ 1 ms). */
  endsInMs: number;
}

export function rateWindowAt(nowMs: number): RateWindow {
  const index = Math.floor(nowMs / RATE_WINDOW_MS);
  return { index, endsInMs: (index + 1) * RATE_WINDOW_MS - nowMs };
}

/** The wait a refused call is told (whole seconds for Retry-After, at least one). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
