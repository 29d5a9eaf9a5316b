// SendGate's protocol against the real governor on Redis, on the real clock (slots are wall-clock
// times): requests leave at their slots whatever the gate's latency, a stale verdict is never
// used, and a fence is exact — nothing leaves after a writer that waited FENCE_SETTLE_MS answers.
import Redis from 'ioredis';
import { SystemClock } from '@app/common';
import { runPrefix, testRedisUrl, workerIndex } from '@app/testing';
import {
  FENCE_SETTLE_MS,
  groupSlots,
  GATE_LEAD_MS,
  GATE_VERDICT_MAX_AGE_MS,
  MISSED_SLOT_REBOOKINGS,
  SendGate,
  type DispatchLane,
  type SendGateOptions,
  type DispatchOutcome,
} from './send-gate';
import { ThroughputGovernor, type SlotGrant } from './throughput-governor';
import { DEFAULT_MAX_SLOT_LATENESS_MS } from './wait-for-slot';

// Wall-clock timing on two cores shared with the e2e suite: a loaded moment can make timers late
// and drop slots that the gate did not make late (CI once saw 75 of 120 answered). A test is run
// again up to twice; a gate that really made requests late (asked at the slot: about half of
// them dropped) fails every time.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

const clock = new SystemClock();
let redis: Redis;
let seq = 0;

/** The governor, recording every slot it grants (item k of a dispatch gets the k-th slot). */
class RecordingGovernor extends ThroughputGovernor {
  readonly slots: number[] = [];
  override async reserveSlots(
    id: string,
    limitMps: number,
    want: number,
    leadMs?: number,
  ): Promise<SlotGrant> {
    const g = await super.reserveSlots(id, limitMps, want, leadMs);
    this.slots.push(...g.slots);
    return g;
  }
}

function setup(options: Partial<SendGateOptions> = {}): {
  governor: RecordingGovernor;
  gate: SendGate;
  lane: DispatchLane;
} {
  seq += 1;
  const governor = new RecordingGovernor(
    redis,
    `${runPrefix()}-w${workerIndex()}-gate${seq}`,
    clock,
  );
  return {
    governor,
    gate: new SendGate(governor, clock, { maxInFlight: 1000, ...options }),
    lane: {
      phoneNumberId: `10000000000${seq}`,
      limitMps: 200,
      portfolioKey: `waba-${seq}`,
      messagingLimitPerDay: null,
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Outcome = DispatchOutcome<number, number, 'stopped'>;

async function run(
  gate: SendGate,
  lane: DispatchLane,
  n: number,
  gateVerdict: (items: readonly number[]) => Promise<Array<'go' | 'stopped'>>,
): Promise<{ outcomes: Outcome[]; sentAt: Map<number, number> }> {
  const outcomes: Outcome[] = [];
  const sentAt = new Map<number, number>();
  const d = gate.dispatch(
    lane,
    Array.from({ length: n }, (_, i) => ({
      item: i,
      recipient: `4477009${String(i).padStart(5, '0')}`,
    })),
    {
      send: (i) => {
        sentAt.set(i, Date.now());
        return Promise.resolve(i);
      },
      gate: gateVerdict,
      halted: () => false,
      onOutcome: (o) => outcomes.push(o),
    },
  );
  await d.settled;
  return { outcomes, sentAt };
}

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { enableAutoPipelining: true });
});

afterAll(async () => {
  const keys = await redis.keys(`${runPrefix()}-w${workerIndex()}-gate*`);
  if (keys.length) {
    await redis.del(...keys);
  }
  await redis.quit();
});

describe('SendGate', () => {
  it('keeps requests at their slots when the gate answers slowly and unevenly', async () => {
    // Item k's slot is the k-th granted: a missed slot booked again would break that.
    const { governor, gate, lane } = setup({ missedSlotRebookings: 0 });
    // Script loading and first calls are a start-up cost, not what this measures.
    await run(gate, { ...lane, phoneNumberId: `${lane.phoneNumberId}9` }, 3, (xs) =>
      Promise.resolve(xs.map(() => 'go' as const)),
    );
    governor.slots.length = 0;
    // Asked at the slot (as before), every other group of requests left about 25 ms late.
    expect(GATE_LEAD_MS).toBeGreaterThan(25 + 2);
    let calls = 0;
    const { outcomes, sentAt } = await run(gate, lane, 120, async (xs) => {
      await sleep(calls++ % 2 === 0 ? 25 : 1);
      return xs.map(() => 'go' as const);
    });
    expect(calls).toBeLessThan(120 / 2);
    // Asked at the slot, half of them would have been dropped as late (or sent late). A loaded
    // machine may still make a few timers late: those are dropped, never sent late.
    expect(outcomes.filter((o) => o.kind === 'answered').length).toBeGreaterThanOrEqual(100);
    expect(outcomes.filter((o) => o.kind !== 'answered' && o.kind !== 'unsent')).toEqual([]);
    const lateness = [...sentAt.entries()].map(([i, at]) => at - (governor.slots[i] as number));
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(DEFAULT_MAX_SLOT_LATENESS_MS);
  });

  it('does not send on a verdict older than GATE_VERDICT_MAX_AGE_MS', async () => {
    // Without another slot for a missed one, each stale verdict is a request reported late.
    const { governor, gate, lane } = setup({ missedSlotRebookings: 0 });
    const slow: number[] = [];
    const { outcomes, sentAt } = await run(gate, lane, 20, async (xs) => {
      if ((xs[0] as number) < 6) {
        slow.push(...xs);
        await sleep(GATE_VERDICT_MAX_AGE_MS + 5);
      }
      return xs.map(() => 'go' as const);
    });
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.filter((i) => sentAt.has(i))).toEqual([]);
    const late = outcomes.flatMap((o) => (o.kind === 'unsent' && o.why === 'late' ? [o.item] : []));
    expect(slow.filter((i) => !late.includes(i))).toEqual([]);
    expect(sentAt.size).toBeGreaterThan(0);
    // Counted for /metrics: what left, and the slots lost (shared by every process in Redis).
    await gate.flushCounts();
    expect((await governor.slotCounts()).get(lane.phoneNumberId)).toEqual({
      left: sentAt.size,
      missed: late.length,
    });
  });

  it('books another slot, with a fresh verdict, for a request whose slot was missed', async () => {
    const { governor, gate, lane } = setup();
    // The first group's verdict comes too late to use: its requests miss their slots once.
    let calls = 0;
    const slow: number[] = [];
    const asked = new Map<number, number>();
    const { outcomes, sentAt } = await run(gate, lane, 20, async (xs) => {
      xs.forEach((x) => asked.set(x, (asked.get(x) ?? 0) + 1));
      if (calls++ === 0) {
        slow.push(...xs);
        await sleep(GATE_VERDICT_MAX_AGE_MS + 5);
      }
      return xs.map(() => 'go' as const);
    });
    expect(slow.length).toBeGreaterThan(0);
    // Each slow request was asked about again for its new slot (a stale verdict is never reused).
    expect(slow.every((i) => (asked.get(i) as number) >= 2)).toBe(true);
    // Every request left, each exactly once and with one outcome; the slow ones at a later slot.
    expect(outcomes.map((o) => o.kind)).toEqual(Array(20).fill('answered'));
    expect(new Set(outcomes.map((o) => o.item)).size).toBe(20);
    expect(sentAt.size).toBe(20);
    // One more slot per missed request, booked once the first pass had left.
    expect(governor.slots).toHaveLength(20 + slow.length);
    const at = (xs: number[]) => xs.map((i) => sentAt.get(i) as number);
    const others = [...sentAt.keys()].filter((i) => !slow.includes(i));
    expect(Math.min(...at(slow))).toBeGreaterThanOrEqual(Math.max(...at(others)));
    await gate.flushCounts();
    expect((await governor.slotCounts()).get(lane.phoneNumberId)).toEqual({
      left: 20,
      missed: slow.length,
    });
  });

  it('still gives every request one outcome when Redis fails while booking missed ones again', async () => {
    const { governor, gate, lane } = setup();
    const reserve = governor.reserveSlots.bind(governor);
    let reservations = 0;
    // The first pass books; booking its missed requests again fails.
    governor.reserveSlots = (...a) =>
      reservations++ === 0 ? reserve(...a) : Promise.reject(new Error('redis down'));
    let calls = 0;
    const outcomes: Outcome[] = [];
    const d = gate.dispatch<number, number, 'stopped'>(
      lane,
      Array.from({ length: 5 }, (_, i) => ({ item: i, recipient: `44770090000${i}` })),
      {
        send: (i) => Promise.resolve(i),
        gate: async (xs) => {
          if (calls++ === 0) {
            await sleep(GATE_VERDICT_MAX_AGE_MS + 5);
          }
          return xs.map(() => 'go' as const);
        },
        halted: () => false,
        onOutcome: (o) => outcomes.push(o),
      },
    );
    await expect(d.settled).rejects.toThrow('redis down');
    await sleep(50);
    expect(outcomes.map((o) => o.item).sort()).toEqual([0, 1, 2, 3, 4]);
    // The first group missed its slots and could not be booked again: given back, none sent.
    expect(outcomes.filter((o) => o.kind !== 'answered').every((o) => o.kind === 'unsent')).toBe(
      true,
    );
    expect(outcomes.filter((o) => o.kind === 'unsent').length).toBeGreaterThan(0);
    expect(gate.inFlight(lane.phoneNumberId)).toBe(0);
  });

  it('reports a request late once it has missed its slot and every slot booked again', async () => {
    const { governor, gate, lane } = setup({ missedSlotRebookings: 2 });
    // Item 0's verdicts always come too late; everything else goes.
    const { outcomes, sentAt } = await run(gate, lane, 5, async (xs) => {
      if (xs.includes(0)) {
        await sleep(GATE_VERDICT_MAX_AGE_MS + 5);
      }
      return xs.map(() => 'go' as const);
    });
    expect(MISSED_SLOT_REBOOKINGS).toBeGreaterThan(2);
    expect(sentAt.has(0)).toBe(false);
    expect(outcomes.filter((o) => o.item === 0)).toEqual([
      { kind: 'unsent', item: 0, why: 'late' },
    ]);
    expect(outcomes).toHaveLength(5);
    await gate.flushCounts();
    const counts = (await governor.slotCounts()).get(lane.phoneNumberId);
    // Item 0 missed three slots (its own and two more); others of its first group may have too.
    expect(counts?.left).toBe(sentAt.size);
    expect(counts?.missed).toBeGreaterThanOrEqual(3);
  });

  it('lets nothing leave after a fence writer that waited FENCE_SETTLE_MS answers', async () => {
    const { gate, lane } = setup();
    let fencedAt = Number.POSITIVE_INFINITY;
    let answeredAt = Number.POSITIVE_INFINITY;
    // The fence goes up while requests are being asked about and sent; verdicts take 0–35 ms.
    const writer = (async () => {
      await sleep(150);
      fencedAt = Date.now();
      await sleep(FENCE_SETTLE_MS);
      answeredAt = Date.now();
    })();
    let calls = 0;
    const { outcomes, sentAt } = await run(gate, lane, 100, async (xs) => {
      const askedAt = Date.now();
      await sleep((calls++ * 7) % 36);
      return xs.map(() => (askedAt >= fencedAt ? 'stopped' : 'go'));
    });
    await writer;
    expect(sentAt.size).toBeGreaterThan(10);
    expect(outcomes.some((o) => o.kind === 'gated')).toBe(true);
    expect([...sentAt.values()].filter((at) => at >= answeredAt)).toEqual([]);
  });
});

describe('groupSlots', () => {
  it('groups consecutive slots spanning less than the span from their first', () => {
    expect(groupSlots([0, 5, 10, 19.9, 20, 39, 41], 20)).toEqual([
      [0, 5, 10, 19.9],
      [20, 39],
      [41],
    ]);
    expect(groupSlots([], 20)).toEqual([]);
  });
});
