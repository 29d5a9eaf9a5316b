import Redis from 'ioredis';
import { FakeClock } from '@app/common';
import { runPrefix, testRedisUrl, workerIndex } from '@app/testing';
import {
  DEFAULT_AIMD_POLICY,
  decreaseRate,
  effectiveRateMilli,
  type AimdState,
} from './domain/adaptive-rate';
import { admitToWindow, MESSAGING_LIMIT_WINDOW_MS as DAY } from './domain/messaging-limit';
import { DEFAULT_PAIR_RATE_POLICY, type PairState, takePairToken } from './domain/pair-rate';
import {
  DEFAULT_TIMELINE_POLICY,
  maxInAnyWindow,
  reserveOnTimeline,
  headroomFor,
  slotIntervalUs,
  slotTimesMs,
} from './domain/slot-timeline';
import { ThroughputGovernor } from './throughput-governor';

const T0 = Date.UTC(2030, 0, 1);
let seq = 0;
const connections: Redis[] = [];

/** Separate connections per governor, as separate worker processes would have. */
function processes(n: number, clock: FakeClock, prefix = newPrefix()): ThroughputGovernor[] {
  return Array.from({ length: n }, () => {
    const redis = new Redis(testRedisUrl(), { enableAutoPipelining: true });
    connections.push(redis);
    return new ThroughputGovernor(redis, prefix, clock);
  });
}

function newPrefix(): string {
  seq += 1;
  return `${runPrefix()}-w${workerIndex()}-gov${seq}`;
}

async function keysOf(prefix: string): Promise<string[]> {
  const redis = connections[0] as Redis;
  return redis.keys(`${prefix}:*`);
}

afterAll(async () => {
  const redis = connections[0];
  if (redis) {
    const keys = await redis.keys(`${runPrefix()}-w${workerIndex()}-gov*`);
    if (keys.length) {
      await redis.del(...keys);
    }
  }
  await Promise.all(connections.map((c) => c.quit()));
});

/**
 * Simulated busy senders: every `stepMs` of fake time each process asks `callsPerStep` times for
 * `want` slots, all concurrently, for `forMs`. Returns every slot granted.
 */
async function hammer(
  govs: ThroughputGovernor[],
  clock: FakeClock,
  number: string,
  limitMps: number,
  opts: { want: number; callsPerStep: number; stepMs: number; forMs: number },
): Promise<number[]> {
  const slots: number[] = [];
  for (let t = 0; t < opts.forMs; t += opts.stepMs) {
    const grants = await Promise.all(
      govs.flatMap((g) =>
        Array.from({ length: opts.callsPerStep }, () =>
          g.reserveSlots(number, limitMps, opts.want),
        ),
      ),
    );
    grants.forEach((g) => slots.push(...g.slots));
    clock.advance(opts.stepMs);
  }
  return slots;
}

describe('ThroughputGovernor on Redis', () => {
  it.each([
    [1000, 950],
    [80, 78],
  ])(
    'keeps two processes together within %i mps in every one-second window, at ≥ %i/s',
    async (limit, floor) => {
      const clock = new FakeClock(T0);
      const govs = processes(3, clock);
      const slots = await hammer(govs, clock, 'pn-1', limit, {
        want: 50,
        callsPerStep: 3,
        stepMs: 10,
        forMs: 5000,
      });
      expect(new Set(slots).size).toBe(slots.length); // no slot handed out twice
      expect(maxInAnyWindow(slots, 1000)).toBeLessThanOrEqual(limit);
      const steady = slots.filter((s) => s >= T0 + 1000 && s < T0 + 4000);
      expect(steady.length / 3).toBeGreaterThanOrEqual(floor);
    },
  );

  it('computes exactly what the pure timeline and AIMD rules compute', async () => {
    const clock = new FakeClock(T0);
    const [gov] = processes(1, clock) as [ThroughputGovernor];
    const limitMilli = 80_000;
    let tat: number | null = null;
    let aimd: AimdState | null = null;
    const script: Array<['reserve', number] | ['throttle'] | ['wait', number]> = [
      ['reserve', 50],
      ['reserve', 50],
      ['wait', 300],
      ['throttle'],
      ['reserve', 7],
      ['wait', 400],
      ['throttle'], // inside the cooldown: no second decrease
      ['wait', 2500],
      ['reserve', 50],
      ['throttle'],
      ['wait', 30_000],
      ['reserve', 3],
    ];
    for (const step of script) {
      const now = clock.nowMs();
      if (step[0] === 'wait') {
        clock.advance(step[1]);
      } else if (step[0] === 'throttle') {
        aimd = decreaseRate(aimd, limitMilli, now, DEFAULT_AIMD_POLICY);
        const got = await gov.onThrottled('pn-parity', 80);
        expect(got.rateMps).toBe(
          effectiveRateMilli(aimd, limitMilli, now, DEFAULT_AIMD_POLICY) / 1000,
        );
      } else {
        const rate = effectiveRateMilli(aimd, limitMilli, now, DEFAULT_AIMD_POLICY);
        const expected = reserveOnTimeline(
          tat,
          now * 1000,
          slotIntervalUs(rate, headroomFor(DEFAULT_TIMELINE_POLICY, 80)),
          step[1],
          DEFAULT_TIMELINE_POLICY.horizonMs * 1000,
        );
        tat = expected.tatUs;
        const got = await gov.reserveSlots('pn-parity', 80, step[1]);
        expect(got.slots).toEqual(
          slotTimesMs(expected.firstUs, expected.intervalUs, expected.granted),
        );
        expect(got.rateMps).toBe(rate / 1000);
      }
    }
  });

  it('slows every process down after a 130429, once however many requests report it', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = processes(2, clock) as [ThroughputGovernor, ThroughputGovernor];
    const reports = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).onThrottled('pn-2', 1000)),
    );
    expect(reports.filter((r) => r.decreased)).toHaveLength(1);
    expect(new Set(reports.map((r) => r.rateMps))).toEqual(new Set([700]));
    const grant = await b.reserveSlots('pn-2', 1000, 10);
    expect(grant.rateMps).toBe(700);
    expect(grant.intervalMs).toBeCloseTo(
      1000 / (700 * (1 - headroomFor(DEFAULT_TIMELINE_POLICY, 1000))),
      2,
    );
    clock.advance(2000);
    expect((await a.reserveSlots('pn-2', 1000, 1)).rateMps).toBe(800);
    expect(await a.currentRateMps('pn-2', 1000)).toBeCloseTo(
      800 * (1 - headroomFor(DEFAULT_TIMELINE_POLICY, 1000)),
      -1, // the slot interval is rounded up to whole microseconds
    );
    clock.advance(4000);
    expect((await b.reserveSlots('pn-2', 1000, 1)).rateMps).toBe(1000);
  });

  it('refuses slots beyond the horizon and says when to come back', async () => {
    const clock = new FakeClock(T0);
    const [gov] = processes(1, clock) as [ThroughputGovernor];
    let granted = 0;
    for (let i = 0; i < 10; i++) {
      granted += (await gov.reserveSlots('pn-3', 20, 50)).slots.length;
    }
    expect(granted).toBe(20); // one second of slots at 19.6/s, plus the one on the horizon's edge
    const refused = await gov.reserveSlots('pn-3', 20, 50);
    expect(refused.slots).toEqual([]);
    expect(refused.retryAtMs).toBeGreaterThan(T0);
    clock.set(refused.retryAtMs);
    expect((await gov.reserveSlots('pn-3', 20, 50)).slots.length).toBeGreaterThan(0);
  });

  it('shares the pair rate between processes: 45 at once, then 1 per 6 s', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = processes(2, clock) as [ThroughputGovernor, ThroughputGovernor];
    const taken = await Promise.all(
      Array.from({ length: 46 }, (_, i) =>
        (i % 2 ? a : b).takePairTokens('pn-4', ['+4915100000001']),
      ),
    );
    const results = taken.flat();
    expect(results.filter((r) => r.allowed)).toHaveLength(45);
    expect(results.find((r) => !r.allowed)).toEqual({
      recipient: '+4915100000001',
      allowed: false,
      notBeforeMs: T0 + 6000,
    });
    // Other recipients and other numbers are unaffected.
    expect(await a.takePairTokens('pn-4', ['+4915100000002'])).toEqual([
      { recipient: '+4915100000002', allowed: true },
    ]);
    expect((await b.takePairTokens('pn-5', ['+4915100000001']))[0]?.allowed).toBe(true);
  });

  it('matches the pure pair-rate rule and blocks a recipient for 4^X s after each 131056', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = processes(2, clock) as [ThroughputGovernor, ThroughputGovernor];
    const waits: number[] = [];
    for (let x = 0; x < 4; x++) {
      const r = await (x % 2 ? a : b).onPairRateLimited('pn-6', '+4915100000009');
      expect(r.attempt).toBe(x);
      waits.push(r.retryAtMs - clock.nowMs());
      const blocked = await (x % 2 ? b : a).takePairTokens('pn-6', ['+4915100000009']);
      expect(blocked[0]).toEqual({
        recipient: '+4915100000009',
        allowed: false,
        notBeforeMs: r.retryAtMs,
      });
      clock.set(r.retryAtMs);
    }
    expect(waits).toEqual([1000, 4000, 16_000, 64_000]);
    expect((await a.takePairTokens('pn-6', ['+4915100000009']))[0]?.allowed).toBe(true);

    // A mixed sequence gives the same answers as the pure rule.
    let state: PairState | null = null;
    for (const dt of [0, 0, 100, 5000, 0, 7000, 1, 0]) {
      clock.advance(dt);
      const pure = takePairToken(state, clock.nowMs(), DEFAULT_PAIR_RATE_POLICY);
      state = pure.state;
      const got = await b.takePairTokens('pn-7', ['+4915100000010']);
      expect(got[0]).toEqual({ recipient: '+4915100000010', ...pure.decision });
    }
  });

  it('admits a portfolio up to its messaging limit across two numbers and processes', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = processes(2, clock) as [ThroughputGovernor, ThroughputGovernor];
    const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `+49${p}${1e6 + i}`);
    // Two numbers of one portfolio send concurrently from two processes, 200 recipients each.
    const [ra, rb] = await Promise.all([
      a.admitRecipients('portfolio-1', 250, ids('151', 200)),
      b.admitRecipients('portfolio-1', 250, ids('152', 200)),
    ]);
    expect(ra.admitted.length + rb.admitted.length).toBe(250);
    expect(ra.held.length + rb.held.length).toBe(150);
    const heldUntil = [ra.heldUntilMs, rb.heldUntilMs].filter((x) => x !== null);
    expect(heldUntil).toEqual([T0 + DAY]);

    // Already counted recipients go through and are not counted twice; new ones wait.
    clock.advance(3600_000);
    const again = await b.admitRecipients('portfolio-1', 250, [
      ...ra.admitted.slice(0, 5),
      '+49999',
    ]);
    expect(again.admitted).toEqual(ra.admitted.slice(0, 5));
    expect(again.held).toEqual(['+49999']);
    expect(again.remaining).toBe(0);

    // Another portfolio is independent; unlimited stores nothing.
    expect((await a.admitRecipients('portfolio-2', 2000, ids('153', 300))).held).toEqual([]);
    expect((await a.admitRecipients('portfolio-3', null, ids('154', 300))).admitted).toHaveLength(
      300,
    );

    // 24 h after the first batch, everyone not re-sent since has left the window.
    clock.set(T0 + DAY);
    const later = await a.admitRecipients('portfolio-1', 250, ids('155', 300));
    expect(later.admitted).toHaveLength(245); // the five re-sent at T0 + 1 h still count
    expect(later.heldUntilMs).toBe(T0 + 3600_000 + DAY);
  });

  it('admits exactly what the pure window rule admits over a day of batches', async () => {
    const clock = new FakeClock(T0);
    const [gov] = processes(1, clock) as [ThroughputGovernor];
    const window = new Map<string, number>();
    for (let hour = 0; hour < 30; hour++) {
      const batch = Array.from({ length: 40 }, (_, i) => `r${(hour * 17 + i * 7) % 300}`);
      const pure = admitToWindow(window, 500, batch, clock.nowMs());
      expect(await gov.admitRecipients('portfolio-parity', 500, batch)).toEqual(pure);
      clock.advance(3600_000);
    }
  });

  it('lets every key it writes expire', async () => {
    const clock = new FakeClock(T0);
    const prefix = newPrefix();
    const [gov] = processes(1, clock, prefix) as [ThroughputGovernor];
    await gov.reserveSlots('pn-ttl', 80, 10);
    await gov.onThrottled('pn-ttl', 80);
    await gov.takePairTokens('pn-ttl', ['+4915100000001', '+4915100000002']);
    await gov.onPairRateLimited('pn-ttl', '+4915100000003');
    await gov.admitRecipients('portfolio-ttl', 250, ['+4915100000001']);
    await gov.countSlots(new Map([['pn-ttl', { left: 3, missed: 1 }]]));
    const keys = await keysOf(prefix);
    expect(keys).toHaveLength(6);
    const redis = connections[0] as Redis;
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(DAY + 1000);
    }
  });

  it('adds up the slot counts of every process, per number', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = processes(2, clock) as [ThroughputGovernor, ThroughputGovernor];
    expect(await a.slotCounts()).toEqual(new Map());
    await a.countSlots(
      new Map([
        ['pn-a', { left: 950, missed: 10 }],
        ['pn-b', { left: 0, missed: 2 }],
      ]),
    );
    await b.countSlots(new Map([['pn-a', { left: 40, missed: 0 }]]));
    expect(await b.slotCounts()).toEqual(
      new Map([
        ['pn-a', { left: 990, missed: 10 }],
        ['pn-b', { left: 0, missed: 2 }],
      ]),
    );
    await expect(a.countSlots(new Map([['', { left: 1, missed: 0 }]]))).rejects.toThrow(
      'phoneNumberId',
    );
  });

  it('rejects input that cannot be governed', async () => {
    const clock = new FakeClock(T0);
    const [gov] = processes(1, clock) as [ThroughputGovernor];
    await expect(gov.reserveSlots('pn', 0, 1)).rejects.toThrow('limitMps');
    await expect(gov.reserveSlots('pn', 80, 0)).rejects.toThrow('want');
    await expect(gov.reserveSlots('', 80, 1)).rejects.toThrow('phoneNumberId');
    await expect(gov.admitRecipients('p', 0, ['x'])).rejects.toThrow('limitPerDay');
  });
});
