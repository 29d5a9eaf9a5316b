// Benchmark of the throughput governor against the local Redis (loopback, bounded in time).
//
//   npm run build && node dist/scripts/bench/governor.js
//   (env: REDIS_URL, default redis://127.0.0.1:6379; BENCH_SECONDS, default 5)
//
// 1. reservation calls/s from one process and from two processes at once (256 calls in flight
//    per process, want = 50 slots, spread over 1,000 numbers so the horizon rarely refuses);
// 2. real timers: 2 and 5 processes share one 1,000 mps number (and 2 one 80 mps number) for
//    BENCH_SECONDS; each waits for every slot it got (waitForSlot) and records the fire time. Reports the achieved rate, the most fires
//    in any one-second window (slot times and actual fire times), and the lateness of fires.
// Keys live under a fresh `bench-gov-<pid>` prefix and are deleted at the end.
import { percentile, sleep } from './bench-support';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { SystemClock } from '@app/common';
import { maxInAnyWindow, ThroughputGovernor, waitForSlot } from '@app/governor';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

type ChildRequest =
  | { kind: 'calls'; prefix: string; seconds: number; startAt: number }
  | { kind: 'fire'; prefix: string; seconds: number; startAt: number; limitMps: number };
type ChildResult =
  | { kind: 'calls'; calls: number; slots: number; elapsedMs: number }
  | { kind: 'fire'; slots: number[]; fired: number[]; dropped: number };

const preciseNow = (): number => performance.timeOrigin + performance.now();

function newGovernor(prefix: string): { gov: ThroughputGovernor; redis: Redis } {
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  return { gov: new ThroughputGovernor(redis, prefix, new SystemClock()), redis };
}

async function runCalls(req: Extract<ChildRequest, { kind: 'calls' }>): Promise<ChildResult> {
  const { gov, redis } = newGovernor(req.prefix);
  await gov.reserveSlots('warm-up', 1000, 1); // loads the script
  await sleep(req.startAt - Date.now());
  const t0 = preciseNow();
  const end = t0 + req.seconds * 1000;
  let calls = 0;
  let slots = 0;
  let n = 0;
  const lane = async () => {
    while (preciseNow() < end) {
      const g = await gov.reserveSlots(`pn-${process.pid}-${n++ % 1000}`, 1000, 50);
      calls++;
      slots += g.slots.length;
    }
  };
  await Promise.all(Array.from({ length: 256 }, lane));
  const elapsedMs = preciseNow() - t0;
  await redis.quit();
  return { kind: 'calls', calls, slots, elapsedMs };
}

async function runFire(req: Extract<ChildRequest, { kind: 'fire' }>): Promise<ChildResult> {
  const { gov, redis } = newGovernor(req.prefix);
  await gov.reserveSlots('warm-up', 1000, 1);
  await sleep(req.startAt - Date.now());
  const end = Date.now() + req.seconds * 1000;
  const slots: number[] = [];
  const fired: number[] = [];
  let dropped = 0;
  const pending: Promise<void>[] = [];
  while (Date.now() < end) {
    const g = await gov.reserveSlots('pn-shared', req.limitMps, 50);
    if (g.slots.length === 0) {
      await sleep(g.retryAtMs - Date.now());
      continue;
    }
    for (const slot of g.slots) {
      pending.push(
        waitForSlot(slot).then((onTime) => {
          if (onTime) {
            slots.push(slot);
            fired.push(preciseNow());
          } else {
            dropped++;
          }
        }),
      );
    }
  }
  await Promise.all(pending);
  await redis.quit();
  return { kind: 'fire', slots, fired, dropped };
}

function spawn(n: number, req: ChildRequest): Promise<ChildResult[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ChildResult>((resolve, reject) => {
          const child = fork(__filename, ['child']);
          child.once('message', (m) => resolve(m as ChildResult));
          child.once('error', reject);
          child.once('exit', (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
          child.send(req);
        }),
    ),
  );
}

async function benchCalls(prefix: string, processes: number): Promise<void> {
  const results = await spawn(processes, {
    kind: 'calls',
    prefix,
    seconds: Math.min(SECONDS, 3),
    startAt: Date.now() + 1500,
  });
  let calls = 0;
  let slots = 0;
  let seconds = 0;
  for (const r of results) {
    if (r.kind === 'calls') {
      calls += r.calls;
      slots += r.slots;
      seconds = Math.max(seconds, r.elapsedMs / 1000);
    }
  }
  console.log(
    `reserveSlots, ${processes} process(es): ${Math.round(calls / seconds)} calls/s, ` +
      `${Math.round(slots / seconds)} slots/s granted`,
  );
}

async function benchFire(prefix: string, processes: number, limitMps: number): Promise<void> {
  const results = await spawn(processes, {
    kind: 'fire',
    prefix,
    seconds: SECONDS,
    limitMps,
    startAt: Date.now() + 1500,
  });
  const slots: number[] = [];
  const fired: number[] = [];
  let dropped = 0;
  for (const r of results) {
    if (r.kind === 'fire') {
      slots.push(...r.slots);
      fired.push(...r.fired);
      dropped += r.dropped;
    }
  }
  slots.sort((a, b) => a - b);
  const lateness = results
    .flatMap((r) => (r.kind === 'fire' ? r.fired.map((f, i) => f - (r.slots[i] ?? f)) : []))
    .sort((a, b) => a - b);
  const first = slots[0] ?? 0;
  const last = slots[slots.length - 1] ?? 0;
  // Steady state: skip the first and last half second.
  const steady = fired.filter((t) => t >= first + 500 && t < last - 500).length;
  const steadySeconds = Math.max(0.001, (last - first - 1000) / 1000);
  console.log(
    `${processes} processes at ${limitMps} mps for ${SECONDS} s: ${fired.length} fired, ${dropped} late slots dropped, ` +
      `${(steady / steadySeconds).toFixed(1)}/s steady (${((steady / steadySeconds / limitMps) * 100).toFixed(1)} % of limit); ` +
      `max in any 1 s window: slots ${maxInAnyWindow(slots, 1000)}, actual fires ${maxInAnyWindow(fired, 1000)}; ` +
      `lateness ms p50 ${percentile(lateness, 50).toFixed(2)} p99 ${percentile(lateness, 99).toFixed(2)} ` +
      `max ${percentile(lateness, 100).toFixed(2)}`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') {
    process.once('message', (req: ChildRequest) => {
      const run = req.kind === 'calls' ? runCalls(req) : runFire(req);
      run.then(
        (result) => process.send?.(result, () => process.exit(0)),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
    });
    return;
  }
  const prefix = `bench-gov-${process.pid}`;
  try {
    await benchCalls(prefix, 1);
    await benchCalls(prefix, 2);
    await benchFire(`${prefix}-a`, 2, 1000);
    await benchFire(`${prefix}-b`, 5, 1000);
    await benchFire(`${prefix}-c`, 2, 80);
  } finally {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) {
      await redis.del(...keys.slice(i, i + 1000));
    }
    await redis.quit();
  }
}

void main();
