import type Redis from 'ioredis';
import { type Clock, InvalidInputError } from '@app/common';
import {
  type AimdPolicy,
  DEFAULT_AIMD_POLICY,
  effectiveRateMilli,
  minRateMilli,
  toMilliMps,
} from './domain/adaptive-rate';
import { type Admission, MESSAGING_LIMIT_WINDOW_MS } from './domain/messaging-limit';
import {
  DEFAULT_PAIR_RATE_POLICY,
  type PairDecision,
  type PairRatePolicy,
} from './domain/pair-rate';
import {
  DEFAULT_TIMELINE_POLICY,
  headroomFor,
  nextReserveAtUs,
  slotIntervalUs,
  slotTimesMs,
  type TimelinePolicy,
  US_PER_MS,
} from './domain/slot-timeline';
import {
  ADMIT_RECIPIENTS,
  PAIR_RATE_LIMITED,
  RESERVE_SLOTS,
  TAKE_PAIR_TOKENS,
  THROTTLED,
} from './governor.scripts';

export interface GovernorOptions {
  timeline: TimelinePolicy;
  aimd: AimdPolicy;
  pairRate: PairRatePolicy;
  messagingLimitWindowMs: number;
}

export interface SlotGrant {
  /** Epoch ms (fractional) at which each granted send may start, ascending; may be empty. */
  slots: number[];
  /** Spacing of the slots. */
  intervalMs: number;
  /** Effective per-number rate the slots were spaced for (after slow-down, before headroom). */
  rateMps: number;
  /** When asking again can yield slots (now, unless the timeline is booked up to the horizon); whole ms. */
  retryAtMs: number;
}

export type PairRateResult = { recipient: string } & PairDecision;

/** Keys stay this long past the last moment their content matters (covers clock skew). */
const KEEP_MS = 1000;
const SLOT_COUNTS_KEEP_MS = 86_400_000;
/** Recipients per script call: bounds script run time and argument size for any input size. */
const CHUNK = 500;
const MAX_LIMIT_MPS = 10_000;
const MAX_WANT = 1000;

/** Slots of one number whose request left, and slots missed (not sent, capacity lost). */
export interface SlotCounts {
  left: number;
  missed: number;
}

/**
 * Shared throughput state of every phone number and portfolio, kept in Redis so that any number
 * of worker processes obey Meta's limits together. See index.ts for how a sender uses it.
 */
export class ThroughputGovernor {
  private readonly options: GovernorOptions;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly clock: Clock,
    options: Partial<GovernorOptions> = {},
  ) {
    this.options = {
      timeline: options.timeline ?? DEFAULT_TIMELINE_POLICY,
      aimd: options.aimd ?? DEFAULT_AIMD_POLICY,
      pairRate: options.pairRate ?? DEFAULT_PAIR_RATE_POLICY,
      messagingLimitWindowMs: options.messagingLimitWindowMs ?? MESSAGING_LIMIT_WINDOW_MS,
    };
    const h = this.options.timeline.headroom;
    if (!(h > 0 && h < 0.5)) {
      throw new RangeError(`timeline headroom must be in (0, 0.5), got ${h}`);
    }
  }

  /**
   * Books up to `want` send slots for a number on the timeline all processes share. Fire each
   * request at its slot time (not earlier); a slot missed by more than one interval should be
   * dropped rather than fired late in a bunch. `limitMps` is the number's limit, or the
   * campaign's lower `throughputMps`. No slot is earlier than `leadMs` from now (time the
   * sender needs before its first request, e.g. to ask its gate).
   */
  async reserveSlots(
    phoneNumberId: string,
    limitMps: number,
    want: number,
    leadMs = 0,
  ): Promise<SlotGrant> {
    checkId('phoneNumberId', phoneNumberId);
    checkLimit(limitMps);
    if (!Number.isInteger(want) || want < 1 || want > MAX_WANT) {
      throw new InvalidInputError(`want must be an integer in 1..${MAX_WANT}, got ${want}`);
    }
    const now = this.nowMs() + leadMs;
    const { timeline, aimd } = this.options;
    const reply = (await RESERVE_SLOTS.run(
      this.redis,
      [this.numberKey(phoneNumberId)],
      [
        now,
        toMilliMps(limitMps),
        want,
        headroomFor(timeline, limitMps),
        timeline.horizonMs,
        aimd.recoverPerSecond,
        KEEP_MS,
      ],
    )) as [number, string, number, number, string];
    const [granted, firstUs, intervalUs, rateMilli, tatUs] = reply;
    return {
      slots: slotTimesMs(Number(firstUs), intervalUs, granted),
      intervalMs: intervalUs / US_PER_MS,
      rateMps: rateMilli / 1000,
      retryAtMs: Math.ceil(
        nextReserveAtUs(Number(tatUs), now * US_PER_MS, timeline.horizonMs * US_PER_MS) / US_PER_MS,
      ),
    };
  }

  /**
   * Meta answered 130429 for this number: cut its rate for every process (once per cooldown,
   * however many in-flight requests report it). Returns the rate now in force.
   */
  async onThrottled(
    phoneNumberId: string,
    limitMps: number,
  ): Promise<{ rateMps: number; decreased: boolean }> {
    checkId('phoneNumberId', phoneNumberId);
    checkLimit(limitMps);
    const now = this.nowMs();
    const { aimd } = this.options;
    const limitMilli = toMilliMps(limitMps);
    const [rateMilli, atMs, decreased] = (await THROTTLED.run(
      this.redis,
      [this.numberKey(phoneNumberId)],
      [
        now,
        limitMilli,
        aimd.decreaseFactor,
        minRateMilli(limitMilli, aimd),
        aimd.cooldownMs,
        aimd.recoverPerSecond,
        KEEP_MS,
      ],
    )) as [number, number, number];
    const rate = effectiveRateMilli({ rateMilli, atMs }, limitMilli, now, aimd);
    return { rateMps: rate / 1000, decreased: decreased === 1 };
  }

  /**
   * The slot rate a number gets now (after slow-down and headroom): what an ETA should divide by.
   */
  async currentRateMps(phoneNumberId: string, limitMps: number): Promise<number> {
    checkId('phoneNumberId', phoneNumberId);
    checkLimit(limitMps);
    const [r, at] = await this.redis.hmget(this.numberKey(phoneNumberId), 'r', 'at');
    const state = r !== null && at !== null ? { rateMilli: Number(r), atMs: Number(at) } : null;
    const rate = effectiveRateMilli(state, toMilliMps(limitMps), this.nowMs(), this.options.aimd);
    return 1e6 / slotIntervalUs(rate, headroomFor(this.options.timeline, limitMps));
  }

  /**
   * Pair rate (1 per 6 s, bursts of 45, 4^X after 131056): for each recipient, in order, either
   * takes one message of its quota (allowed) or says when it may be sent. A taken token that is
   * not used is simply lost, which errs on the safe side.
   */
  async takePairTokens(phoneNumberId: string, recipients: string[]): Promise<PairRateResult[]> {
    checkId('phoneNumberId', phoneNumberId);
    recipients.forEach((r) => checkId('recipient', r));
    const { pairRate } = this.options;
    const out: PairRateResult[] = [];
    for (const chunk of chunked(recipients, CHUNK)) {
      const reply = (await TAKE_PAIR_TOKENS.run(
        this.redis,
        chunk.map((r) => this.pairKey(phoneNumberId, r)),
        [this.nowMs(), pairRate.intervalMs, pairRate.burst, KEEP_MS],
      )) as number[];
      chunk.forEach((recipient, j) => {
        const notBefore = reply[j] ?? 0;
        out.push(
          notBefore === 0
            ? { recipient, allowed: true }
            : { recipient, allowed: false, notBeforeMs: notBefore },
        );
      });
    }
    return out;
  }

  /**
   * Meta answered 131056 for this recipient: blocks the pair for 4^X s (X = consecutive failures,
   * from 0) for every process, and returns X and when to retry.
   */
  async onPairRateLimited(
    phoneNumberId: string,
    recipient: string,
  ): Promise<{ attempt: number; retryAtMs: number }> {
    checkId('phoneNumberId', phoneNumberId);
    checkId('recipient', recipient);
    const [attempt, retryAtMs] = (await PAIR_RATE_LIMITED.run(
      this.redis,
      [this.pairKey(phoneNumberId, recipient)],
      [this.nowMs(), this.options.pairRate.maxBackoffMs, KEEP_MS],
    )) as [number, number];
    return { attempt, retryAtMs };
  }

  /**
   * Messaging limit of a business portfolio (shared by all its numbers): admits recipients while
   * the moving-24 h count of unique recipients stays within `limitPerDay` (null = unlimited,
   * nothing stored); the rest are held until `heldUntilMs`. A recipient already counted in the
   * window is always admitted and not counted twice. Pass only recipients outside a service
   * window. Admission counts the recipient even if the send then fails (safe side).
   */
  async admitRecipients(
    portfolioKey: string,
    limitPerDay: number | null,
    recipients: string[],
  ): Promise<Admission> {
    checkId('portfolioKey', portfolioKey);
    recipients.forEach((r) => checkId('recipient', r));
    if (limitPerDay === null) {
      return { admitted: [...recipients], held: [], heldUntilMs: null, remaining: null };
    }
    if (!Number.isInteger(limitPerDay) || limitPerDay < 1) {
      throw new InvalidInputError(
        `limitPerDay must be a positive integer or null, got ${limitPerDay}`,
      );
    }
    const admitted: string[] = [];
    const held: string[] = [];
    let heldUntilMs: number | null = null;
    let count = 0;
    // An empty list still runs once: it reports the remaining allowance.
    const chunks = recipients.length === 0 ? [[]] : chunked(recipients, CHUNK);
    for (const chunk of chunks) {
      const [until, inWindow, ...flags] = (await ADMIT_RECIPIENTS.run(
        this.redis,
        [this.portfolioKey(portfolioKey)],
        [this.nowMs(), this.options.messagingLimitWindowMs, limitPerDay, KEEP_MS, ...chunk],
      )) as number[];
      chunk.forEach((r, j) => (flags[j] === 1 ? admitted : held).push(r));
      if (until !== undefined && until >= 0) {
        heldUntilMs = heldUntilMs === null ? until : Math.min(heldUntilMs, until);
      }
      count = inWindow ?? 0;
    }
    return { admitted, held, heldUntilMs, remaining: Math.max(0, limitPerDay - count) };
  }

  /**
   * Adds to each number's count of slots used (the request left) and missed (not sent: its
   * writer got to it past its deadline, so the slot's capacity was lost). One round trip.
   */
  async countSlots(counts: ReadonlyMap<string, SlotCounts>): Promise<void> {
    const p = this.redis.pipeline();
    for (const [phoneNumberId, c] of counts) {
      checkId('phoneNumberId', phoneNumberId);
      if (c.left > 0) {
        p.hincrby(this.slotCountsKey(), `${phoneNumberId}:left`, c.left);
      }
      if (c.missed > 0) {
        p.hincrby(this.slotCountsKey(), `${phoneNumberId}:missed`, c.missed);
      }
    }
    // Like every governor key it expires (a day after the last count): no send of any number
    // for a day starts the counts again from 0, which Prometheus reads as a counter reset.
    p.pexpire(this.slotCountsKey(), SLOT_COUNTS_KEEP_MS);
    for (const [err] of (await p.exec()) ?? []) {
      if (err) {
        throw err;
      }
    }
  }

  /** Every number's slot counts since the Redis state began (all processes together). */
  async slotCounts(): Promise<Map<string, SlotCounts>> {
    const raw = await this.redis.hgetall(this.slotCountsKey());
    const out = new Map<string, SlotCounts>();
    for (const [field, value] of Object.entries(raw)) {
      const at = field.lastIndexOf(':');
      const kind = field.slice(at + 1);
      if (at <= 0 || (kind !== 'left' && kind !== 'missed')) {
        continue;
      }
      const id = field.slice(0, at);
      const c = out.get(id) ?? { left: 0, missed: 0 };
      c[kind] = Number(value);
      out.set(id, c);
    }
    return out;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }

  // Hash tags keep a number's keys in one cluster slot; the prefix isolates apps and tests.
  private numberKey(phoneNumberId: string): string {
    return `${this.keyPrefix}:gov:{${phoneNumberId}}:tp`;
  }

  private pairKey(phoneNumberId: string, recipient: string): string {
    return `${this.keyPrefix}:gov:{${phoneNumberId}}:pair:${recipient}`;
  }

  private slotCountsKey(): string {
    return `${this.keyPrefix}:gov:slot-counts`;
  }

  private portfolioKey(portfolioKey: string): string {
    return `${this.keyPrefix}:gov:{ml:${portfolioKey}}`;
  }
}

function checkId(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new InvalidInputError(`${what} must be a non-empty string of at most 128 characters`);
  }
}

function checkLimit(limitMps: number): void {
  if (!Number.isFinite(limitMps) || limitMps < 0.001 || limitMps > MAX_LIMIT_MPS) {
    throw new InvalidInputError(`limitMps must be in 0.001..${MAX_LIMIT_MPS}, got ${limitMps}`);
  }
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
