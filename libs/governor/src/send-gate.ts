import type { Clock } from '@app/common';
import {
  AnswerTimes,
  DEFAULT_IN_FLIGHT_POLICY,
  inFlightCapacity,
  Permits,
  type InFlightPolicy,
} from './domain/in-flight';
import type { SlotCounts, ThroughputGovernor } from './throughput-governor';
import { DEFAULT_MAX_SLOT_LATENESS_MS, waitForSlot } from './wait-for-slot';

/** The number a batch goes out from, with the limits that apply to it. */
export interface DispatchLane {
  /** Meta's phone-number id. */
  phoneNumberId: string;
  /** The number's mps, or the campaign's lower throughputMps. */
  limitMps: number;
  /** The business portfolio whose messaging limit the number shares (the WABA id). */
  portfolioKey: string;
  /** Unique recipients per moving 24 h; null = unlimited. */
  messagingLimitPerDay: number | null;
}

export interface DispatchItem<T> {
  item: T;
  /** The recipient as Meta counts it (digits): pair rate and messaging limit are per recipient. */
  recipient: string;
}

/** What became of one item. Every item gets exactly one outcome. */
export type DispatchOutcome<T, R, G> =
  /** Not sent now: the messaging limit or the pair rate allows it only from `untilMs`. */
  | { kind: 'held'; item: T; untilMs: number; why: 'messaging-limit' | 'pair-rate' }
  /** Not sent: the caller halted, or every slot it was booked was missed (event loop stalled). */
  | { kind: 'unsent'; item: T; why: 'halted' | 'late' }
  | { kind: 'gated'; item: T; verdict: G }
  /** The request left at `firedAtMs`; `send` resolved. */
  | { kind: 'answered'; item: T; value: R; firedAtMs: number }
  /** The request left at `firedAtMs`; `send` threw. */
  | { kind: 'threw'; item: T; error: unknown; firedAtMs: number };

export interface DispatchHooks<T, R, G> {
  /** Fires one request. Called at the item's slot, never earlier. */
  send(item: T): Promise<R>;
  /**
   * Asked GATE_LEAD_MS before the first slot of a group of requests (opt-out, pause), one verdict
   * per item: anything but 'go' keeps it back, and a 'go' older than GATE_VERDICT_MAX_AGE_MS
   * when the item's slot comes is not used.
   */
  gate(items: readonly T[]): Promise<ReadonlyArray<'go' | G>>;
  /** Cheap check before booking more slots (shutdown, lost lease, campaign no longer running). */
  halted(): boolean;
  onOutcome(outcome: DispatchOutcome<T, R, G>): void;
}

export interface Dispatch {
  /**
   * Every item has its slot booked (or was given up): the last ones are about to leave. A sender
   * prepares its next batch now, so that batch's slots follow these without a gap.
   */
  booked: Promise<void>;
  /** Every item has left or been given up (answers may still be on their way). */
  fired: Promise<void>;
  /** Every item has its outcome. */
  settled: Promise<void>;
}

export interface SendGateOptions {
  /** Most unanswered requests this process keeps across all numbers (= HTTP connections). */
  maxInFlight: number;
  /** Slots are booked in chunks this big; the next chunk is booked shortly before it is needed. */
  chunk?: number;
  policy?: InFlightPolicy;
  maxSlotLatenessMs?: number;
  /**
   * How many more slots an item whose slot was missed is given within its dispatch before it is
   * reported `unsent: late` (default MISSED_SLOT_REBOOKINGS).
   */
  missedSlotRebookings?: number;
}

/**
 * The gate (one Redis round trip for a group of requests) is asked this long before the group's
 * first slot, so its verdicts are in hand when the slots come. Asked at each slot, slow answers
 * made requests leave late and in bunches (seen: 130 ms late, 999 departures in one second at
 * 1,000 mps with slots at 960/s).
 */
export const GATE_LEAD_MS = 30;

/** Requests whose slots lie within this span of the first one share one gate round trip. */
export const GATE_GROUP_MS = 20;

/**
 * A gate verdict is acted on at most this long after it was asked for (lead + group span + the
 * slot lateness allowed, and a little more); later, the request is not sent on it (it is booked
 * another slot, with a fresh verdict, or given back). With FENCE_SETTLE_MS this makes the fences exact.
 */
export const GATE_VERDICT_MAX_AGE_MS =
  GATE_LEAD_MS + GATE_GROUP_MS + DEFAULT_MAX_SLOT_LATENESS_MS + 5;

/**
 * How long after writing a fence (an opt-out, a pause, a cancel) its writer waits before it
 * answers: by then every request whose verdict was asked before the write has left or been
 * dropped, and every later verdict sees the fence. So nothing leaves after the answer.
 */
export const FENCE_SETTLE_MS = GATE_VERDICT_MAX_AGE_MS + 10;

/** Waits out FENCE_SETTLE_MS (real time: verdict ages are measured in real time too). */
export function fenceSettled(): Promise<void> {
  return sleep(FENCE_SETTLE_MS);
}

const DEFAULT_CHUNK = 50;
/**
 * An item whose slot was missed is booked again, in this dispatch, up to this many times. Given
 * back at once, each missed slot cost a put-back and a new claim (consent, caps, quiet hours) in
 * Postgres: with five numbers on two cores the workers missed 78 % of their slots, and that churn
 * took a core of Postgres, which made the host miss more.
 */
export const MISSED_SLOT_REBOOKINGS = 5;
/** Slot counts are added to the shared ones in Redis at most this often (one round trip). */
const COUNTS_FLUSH_MS = 1000;
/** The next chunk's slots are booked this long before the previous chunk's last slot. */
const BOOK_AHEAD_MS = 100;

interface NumberState {
  phoneNumberId: string;
  permits: Permits;
  answers: AnswerTimes;
}

/**
 * The governor's send protocol, in one place for every sender (campaign lanes, test sends):
 * messaging limit → pair rate → in-flight permit → slot on the number's shared timeline → gate
 * (asked for a group of slots just before the first) → wait for the slot → fire. Requests leave
 * at their slots whatever is still unanswered; the permits (rate × (lead + p99 answer time), see
 * domain/in-flight.ts) only bound memory and connections. An answer that is slow or lost never
 * makes a later request late.
 */
export class SendGate {
  private readonly numbers = new Map<string, NumberState>();
  private readonly global: Permits;
  private readonly chunk: number;
  private readonly policy: InFlightPolicy;
  private readonly lateness: number;
  private readonly rebookings: number;
  private readonly counts = new Map<string, SlotCounts>();
  private countsTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly governor: ThroughputGovernor,
    private readonly clock: Clock,
    private readonly options: SendGateOptions,
  ) {
    this.global = new Permits(options.maxInFlight);
    this.chunk = options.chunk ?? DEFAULT_CHUNK;
    this.policy = options.policy ?? DEFAULT_IN_FLIGHT_POLICY;
    this.lateness = options.maxSlotLatenessMs ?? DEFAULT_MAX_SLOT_LATENESS_MS;
    this.rebookings = options.missedSlotRebookings ?? MISSED_SLOT_REBOOKINGS;
  }

  /** Requests of this process still unanswered for a number (for metrics and tests). */
  inFlight(phoneNumberId: string): number {
    return this.numbers.get(phoneNumberId)?.permits.inUse ?? 0;
  }

  dispatch<T, R, G>(
    lane: DispatchLane,
    items: ReadonlyArray<DispatchItem<T>>,
    hooks: DispatchHooks<T, R, G>,
  ): Dispatch {
    let answersLeft = 0;
    let doneFiring = false;
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((r) => (settle = r));
    let markBooked: () => void = () => undefined;
    const booked = new Promise<void>((r) => (markBooked = r));
    const maybeSettled = (): void => {
      if (doneFiring && answersLeft === 0) {
        settle();
      }
    };
    const report = (o: DispatchOutcome<T, R, G>): void => {
      try {
        hooks.onOutcome(o);
      } catch {
        // An outcome handler must not stop the others from being reported.
      }
    };
    const fired = (async () => {
      try {
        const sendable = await this.admit(lane, items, report);
        await this.fire(lane, sendable, hooks, report, {
          booked: () => answersLeft++,
          allBooked: markBooked,
          answered: () => {
            answersLeft--;
            maybeSettled();
          },
        });
      } finally {
        markBooked();
        doneFiring = true;
        maybeSettled();
      }
    })();
    return { booked, fired, settled: fired.then(() => settled) };
  }

  /** Messaging limit and pair rate: what may be sent now; the rest is reported held. */
  private async admit<T, R, G>(
    lane: DispatchLane,
    items: ReadonlyArray<DispatchItem<T>>,
    report: (o: DispatchOutcome<T, R, G>) => void,
  ): Promise<Array<DispatchItem<T>>> {
    let sendable = [...items];
    if (lane.messagingLimitPerDay !== null && sendable.length > 0) {
      const a = await this.governor.admitRecipients(
        lane.portfolioKey,
        lane.messagingLimitPerDay,
        sendable.map((i) => i.recipient),
      );
      const admitted = new Set(a.admitted);
      const untilMs = a.heldUntilMs ?? this.clock.now().getTime() + 60_000;
      for (const i of sendable) {
        if (!admitted.has(i.recipient)) {
          report({ kind: 'held', item: i.item, untilMs, why: 'messaging-limit' });
        }
      }
      sendable = sendable.filter((i) => admitted.has(i.recipient));
    }
    if (sendable.length > 0) {
      const pair = await this.governor.takePairTokens(
        lane.phoneNumberId,
        sendable.map((i) => i.recipient),
      );
      const allowed = sendable.filter((i, k) => {
        const d = pair[k];
        if (d && !d.allowed) {
          report({ kind: 'held', item: i.item, untilMs: d.notBeforeMs, why: 'pair-rate' });
          return false;
        }
        return true;
      });
      sendable = allowed;
    }
    return sendable;
  }

  /**
   * Books slots chunk by chunk and fires each request at its slot. An item whose slot was missed
   * goes to the back of the queue for another slot (and another gate verdict), up to
   * `rebookings` times; "booked" is signalled after the first pass, so the caller's next batch
   * books beside these.
   */
  private async fire<T, R, G>(
    lane: DispatchLane,
    items: Array<DispatchItem<T>>,
    hooks: DispatchHooks<T, R, G>,
    report: (o: DispatchOutcome<T, R, G>) => void,
    track: { booked(): void; allBooked(): void; answered(): void },
  ): Promise<void> {
    const state = this.stateOf(lane.phoneNumberId);
    const now = (): number => this.clock.now().getTime();
    const queue = items.map((it) => ({ it, misses: 0 }));
    // Once halted, stays halted (the lease check may turn healthy again: what was given up stays so).
    let stopped = false;
    const halted = (): boolean => (stopped ||= hooks.halted());
    // Set when the loop is left (halted, or a Redis error): a late item is then reported, not queued.
    let closed = false;
    let i = 0;
    const gone: Array<Promise<void>> = [];
    try {
      for (;;) {
        while (i < queue.length) {
          if (halted()) {
            break;
          }
          this.resize(state, lane.limitMps);
          const want = Math.min(this.chunk, queue.length - i);
          const got = await state.permits.acquire(want);
          const global = await this.global.acquire(got);
          if (global < got) {
            state.permits.release(got - global);
          }
          if (halted()) {
            state.permits.release(global);
            this.global.release(global);
            break;
          }
          const grant = await this.governor
            .reserveSlots(lane.phoneNumberId, lane.limitMps, global, GATE_LEAD_MS)
            .catch((e: unknown) => {
              state.permits.release(global);
              this.global.release(global);
              throw e;
            });
          const unused = global - grant.slots.length;
          if (unused > 0) {
            state.permits.release(unused);
            this.global.release(unused);
          }
          if (grant.slots.length === 0) {
            await sleep(grant.retryAtMs - now());
            continue;
          }
          for (const group of groupSlots(grant.slots, GATE_GROUP_MS)) {
            const members = group.map((slot) => ({ entry: queue[i++] as (typeof queue)[0], slot }));
            const verdicts = this.askGate(
              group[0] as number,
              members.map((m) => m.entry.it.item),
              hooks,
              now,
            );
            members.forEach(({ entry, slot }, k) => {
              track.booked();
              let hasLeft: () => void = () => undefined;
              gone.push(new Promise<void>((r) => (hasLeft = r)));
              const verdict = verdicts.then((v) => ({ askedAtMs: v.askedAtMs, verdict: v.of(k) }));
              void this.fireOne(state, entry.it, slot, verdict, hooks, now, hasLeft).then((o) => {
                const again =
                  !closed &&
                  o.kind === 'unsent' &&
                  o.why === 'late' &&
                  entry.misses < this.rebookings &&
                  !halted();
                if (again) {
                  entry.misses++;
                  queue.push(entry);
                } else {
                  report(o);
                }
                hasLeft();
                track.answered();
              });
            });
          }
          if (i < queue.length) {
            const last = grant.slots[grant.slots.length - 1] as number;
            await sleep(last - now() - BOOK_AHEAD_MS);
          }
        }
        track.allBooked();
        // Every booked request has left or been given up; missed ones are back in the queue.
        await Promise.all(gone);
        if (i >= queue.length || halted()) {
          break;
        }
      }
    } finally {
      closed = true;
      for (; i < queue.length; i++) {
        report({ kind: 'unsent', item: (queue[i] as (typeof queue)[0]).it.item, why: 'halted' });
      }
    }
  }

  /** One gate round trip for a group, GATE_LEAD_MS before its first slot. */
  private async askGate<T, R, G>(
    firstSlotMs: number,
    items: readonly T[],
    hooks: DispatchHooks<T, R, G>,
    now: () => number,
  ): Promise<{ askedAtMs: number; of(k: number): 'go' | G | null }> {
    await waitForSlot(firstSlotMs - GATE_LEAD_MS, Number.POSITIVE_INFINITY, now);
    const askedAtMs = now();
    try {
      const verdicts = await hooks.gate(items);
      return { askedAtMs, of: (k) => verdicts[k] ?? null };
    } catch {
      // The gate could not be asked (Redis down): do not send blind (null: no verdict).
      return { askedAtMs, of: () => null };
    }
  }

  private async fireOne<T, R, G>(
    state: NumberState,
    it: DispatchItem<T>,
    slot: number,
    verdict: Promise<{ askedAtMs: number; verdict: 'go' | G | null }>,
    hooks: DispatchHooks<T, R, G>,
    now: () => number,
    hasLeft: () => void,
  ): Promise<DispatchOutcome<T, R, G>> {
    const release = (): void => {
      state.permits.release(1);
      this.global.release(1);
    };
    const v = await verdict;
    if (v.verdict === null) {
      release();
      return { kind: 'unsent', item: it.item, why: 'halted' };
    }
    if (v.verdict !== 'go') {
      release();
      return { kind: 'gated', item: it.item, verdict: v.verdict };
    }
    const onTime = await waitForSlot(slot, this.lateness, now);
    const firedAtMs = now();
    if (!onTime || firedAtMs - v.askedAtMs > GATE_VERDICT_MAX_AGE_MS) {
      release();
      this.count(state.phoneNumberId, 'missed');
      return { kind: 'unsent', item: it.item, why: 'late' };
    }
    this.count(state.phoneNumberId, 'left');
    try {
      const sending = hooks.send(it.item);
      hasLeft();
      const value = await sending;
      return { kind: 'answered', item: it.item, value, firedAtMs };
    } catch (error) {
      return { kind: 'threw', item: it.item, error, firedAtMs };
    } finally {
      state.answers.observe(now() - firedAtMs);
      release();
    }
  }

  /**
   * Adds what this process counted since the last flush to the shared slot counts (/metrics).
   * Runs by itself within COUNTS_FLUSH_MS of a count; call it at shutdown for the last ones.
   */
  async flushCounts(): Promise<void> {
    if (this.countsTimer) {
      clearTimeout(this.countsTimer);
      this.countsTimer = null;
    }
    // One flush at a time: a caller at shutdown waits for the one under way, then sends the rest.
    while (this.flushing) {
      await this.flushing;
    }
    if (this.counts.size === 0) {
      return;
    }
    const batch = new Map(this.counts);
    this.counts.clear();
    this.flushing = this.governor.countSlots(batch).then(
      () => undefined,
      () => {
        // Redis unreachable: the counts wait for the next flush (no send is affected).
        for (const [id, c] of batch) {
          this.count(id, 'left', c.left);
          this.count(id, 'missed', c.missed);
        }
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private count(phoneNumberId: string, kind: keyof SlotCounts, n = 1): void {
    let c = this.counts.get(phoneNumberId);
    if (!c) {
      c = { left: 0, missed: 0 };
      this.counts.set(phoneNumberId, c);
    }
    c[kind] += n;
    if (!this.countsTimer) {
      this.countsTimer = setTimeout(() => void this.flushCounts(), COUNTS_FLUSH_MS);
      this.countsTimer.unref();
    }
  }

  private stateOf(phoneNumberId: string): NumberState {
    let s = this.numbers.get(phoneNumberId);
    if (!s) {
      s = {
        phoneNumberId,
        permits: new Permits(this.policy.floor),
        answers: new AnswerTimes(this.policy.initialP99Ms, this.policy.window),
      };
      this.numbers.set(phoneNumberId, s);
    }
    return s;
  }

  private resize(s: NumberState, limitMps: number): void {
    // A chunk's slots span chunk / rate, and are booked BOOK_AHEAD_MS before the previous ends.
    const leadMs = (this.chunk / limitMps) * 1000 + BOOK_AHEAD_MS;
    s.permits.resize(
      inFlightCapacity(limitMps, leadMs, s.answers.p99(), this.options.maxInFlight, this.policy),
    );
  }
}

/** Consecutive slots grouped so that each group spans less than `spanMs` from its first slot. */
export function groupSlots(slots: readonly number[], spanMs: number): number[][] {
  const out: number[][] = [];
  for (const slot of slots) {
    const last = out[out.length - 1];
    if (last && slot - (last[0] as number) < spanMs) {
      last.push(slot);
    } else {
      out.push([slot]);
    }
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
