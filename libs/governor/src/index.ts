// Throughput governor: keeps every worker process, together, within Meta's per-number throughput,
// pair rate and per-portfolio messaging limit (MMLITE.md §6), with state shared through Redis.
//
// Senders use it through SendGate.dispatch(lane, items, hooks), which runs the protocol below
// for them (send-gate.ts). The steps (all cheap, atomic Redis scripts):
//   1. admitRecipients(portfolioKey, limitPerDay | null, recipients) — messaging limit. Send only
//      `admitted`; park `held` until `heldUntilMs`. Unlimited (null) stores nothing.
//   2. takePairTokens(phoneNumberId, recipients) — pair rate. `allowed: false` → retry at notBeforeMs.
//   3. reserveSlots(phoneNumberId, limitMps, want ≤ 50, leadMs) → { slots, retryAtMs }. Fire request i
//      when `await waitForSlot(slots[i])` resolves true (never earlier); false means the slot was
//      missed by > 10 ms: do not send on it, reserve again rather than firing late in a bunch.
//      Reserve only what you will send: an unused slot is capacity lost. Empty `slots` → wait
//      until retryAtMs (the shared timeline is booked up to the horizon, 1 s ahead by default).
//      `limitMps` = the number's limit (80 … 1,000) or the campaign's lower throughputMps.
//      SendGate counts the slots left and missed per number (countSlots → /metrics).
//   4. On Meta errors: 130429 → onThrottled(phoneNumberId, limitMps) (rate × 0.7 for all
//      processes, once per second, then +5 % of the limit per second) and retry the message;
//      131056 → onPairRateLimited(phoneNumberId, recipient) → retry at retryAtMs (4^X s);
//   currentRateMps(phoneNumberId, limitMps) gives the rate an ETA should use.
//
// Slots are spaced at 1 / (rate × (1 − h)) with h = 2 % + 2 % per 1,000 mps of limit: the
// headroom keeps any one-second window at Meta within the limit despite ~40 ms of jitter at
// 1,000 mps, and still yields ≥ 95 % of the limit (960/s at 1,000, 78.3/s at 80). Times come from the injected Clock and are passed into
// the scripts (not Redis TIME): processes on one machine share a clock; across machines keep
// NTP skew well under 20 ms.
export * from './governor.module';
export * from './throughput-governor';
export * from './wait-for-slot';
export { pairRateBackoffMs, type PairDecision } from './domain/pair-rate';
export * from './send-gate';
export { inFlightCapacity } from './domain/in-flight';
export { messagingLimitForTier, type Admission } from './domain/messaging-limit';
export { maxInAnyWindow } from './domain/slot-timeline';
