// Campaign send-rate benchmark: the whole engine (built sandbox, API and worker processes) sending
// real campaigns over loopback, measured at the sandbox, which counts every request per number.
//
//   npm run build && node dist/scripts/bench/campaign-send.js [options]
//     --scenarios b,a,c,d,e   which scenarios, in this order (default: all of them)
//     --a-recipients 100000   size of the campaign of scenario a
//     --b-seconds 20          scenario b sends this many seconds' worth at 80 mps
//     --c-seconds 30          scenario c (two workers) sends this long at 1,000 mps
//     --d-seconds 30          scenario d (five numbers at once) sends this long
//     --e-seconds 60          scenario e sends this long from a 1,000,000-recipient campaign
//     --e-recipients 1000000
//     --f-recipients 50000    scenario f: like a, with a workspace frequency cap in force
//     --wire meta|off         the sandbox's answers: Meta-like (default: p50 150 ms, p99 800 ms,
//                             max 2 s, a few answers lost or 500) or at once
//     --no-webhooks           no status webhooks (only sound with --wire off: a lost answer is
//                             settled by its webhook, without one it is resent after 120 s)
//     --keep-db               keep the database afterwards (default: dropped)
//     --status-workers 1      worker processes that apply status webhooks (WORKER_ROLES=statuses,
//                             imports) beside the sending workers (WORKER_ROLES=campaigns);
//                             0: every worker does everything (WORKER_ROLES unset)
//   env: CAMPAIGN_LANES, CAMPAIGN_BATCH_SIZE are passed to the workers, WORKER_NODE_ARGS (space-
//        separated) to their node, SANDBOX_NODE_ARGS to the sandbox's (tuning experiments,
//        e.g. WORKER_NODE_ARGS=--cpu-prof);
//        SANDBOX_NICE=off keeps the sandbox at the engine's priority (default: raised to nice -10);
//        BENCH_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL.
//
// Scenarios (targets from the campaigns issue):
//   a. 100,000 recipients, one number at 1,000 mps: sustained messages/s ≥ 950, never more than
//      1,000 requests in any one-second window at the sandbox;
//   b. one number at 80 mps: ≥ 78/s;
//   c. like a with two worker processes: together still ≤ 1,000 in any second;
//   d. five numbers at 1,000 mps, five campaigns at once: total messages/s, and CPU per process;
//   e. a 1,000,000-recipient campaign: snapshot (targeting) time, and the worker's RSS (< 300 MB)
//      sampled over a bounded stretch of sending (the campaign is cancelled afterwards);
//   f. like a, with a frequency cap in force (every claim locks its contacts and counts their
//      messages in the window): sustained rate, and how much below a's it is (≤ 5 %).
//
// By default the sandbox answers like Meta on the wire (SANDBOX_LATENCY=meta) and posts sent and
// delivered statuses to the API (batched up to 50 a POST, as Meta batches), which a statuses
// worker applies on the same two cores: lost answers are settled by those webhooks, as in
// production. The sending workers run WORKER_ROLES=campaigns, so parsing and applying statuses
// (half the sender's garbage) happens elsewhere (--status-workers 0: every worker does both).
// Throughput is measured at the sandbox, at arrival: per sliding 1-s window (the sandbox's exact
// maximum) and per aligned second. "Sustained" is the mean rate over the seconds between the first
// and the last second that carried at least 10 % of the limit (the retries of a few 500s and
// lost answers trickle in after the bulk; they are reported as the tail, not averaged in).
//
// Data is built set-based (INSERT … SELECT generate_series) straight into the benchmark's own
// database: opted-in contacts with their consent-ledger entries and audiences; the campaigns are
// then created and launched through the REST API as a user would. Each scenario uses its own
// sandbox phone numbers, so the sandbox's per-number counters belong to that scenario alone.
// The last line printed is `BENCH_RESULT <json>` for scripts/bench/run-all.ts.
import {
  ADMIN_URL,
  cpuSeconds,
  databaseUrl,
  freePort,
  readProc,
  ROOT,
  rssMb,
  sleep,
  waitUp,
} from './bench-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg, setPriority } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { SlotCounts } from '@app/governor';

const DB_NAME = 'mmlite_bench_campaign';
const API_KEY = 'bench-campaign-key-0123456789';
const WABA = '100000000000001';
const TOKEN = 'sandbox-token';
const TEMPLATE = 'bench_campaign_promo';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function argNumber(name: string, fallback: number): number {
  const v = Number(argValue(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const SCENARIOS = (argValue('scenarios') ?? 'b,a,c,d,e').split(',').map((s) => s.trim());
const A_RECIPIENTS = argNumber('a-recipients', 100_000);
const B_SECONDS = argNumber('b-seconds', 20);
const C_SECONDS = argNumber('c-seconds', 30);
const D_SECONDS = argNumber('d-seconds', 30);
const E_SECONDS = argNumber('e-seconds', 60);
const E_RECIPIENTS = argNumber('e-recipients', 1_000_000);
const F_RECIPIENTS = argNumber('f-recipients', 50_000);
/** Scenario f's cap: checked on every claim, but high enough to hold nobody back. */
const F_CAP = { maxMessages: 10, perDays: 7 };
const WIRE = argValue('wire') ?? 'meta';
const WEBHOOKS = !process.argv.includes('--no-webhooks');
const KEEP_DB = process.argv.includes('--keep-db');
const STATUS_WORKERS = argValue('status-workers') === '0' ? 0 : argNumber('status-workers', 1);

// Sandbox numbers: scenario → its own numbers (fresh counters). All at 1,000 mps except b's.
const NUMBERS: Record<string, { ids: string[]; mps: number }> = {
  a: { ids: ['100000000000002'], mps: 1000 },
  b: { ids: ['100000000000080'], mps: 80 },
  c: { ids: ['100000000000003'], mps: 1000 },
  d: {
    ids: [
      '100000000000011',
      '100000000000012',
      '100000000000013',
      '100000000000014',
      '100000000000015',
    ],
    mps: 1000,
  },
  e: { ids: ['100000000000004'], mps: 1000 },
  f: { ids: ['100000000000005'], mps: 1000 },
};

// ---------------------------------------------------------------- processes and /proc sampling

interface Proc {
  name: string;
  child: ChildProcess;
}

function start(name: string, script: string, env: NodeJS.ProcessEnv, readyLine?: string): Proc {
  const nodeArgs = (
    (name.includes('worker')
      ? process.env.WORKER_NODE_ARGS
      : name === 'sandbox'
        ? process.env.SANDBOX_NODE_ARGS
        : undefined) ?? ''
  )
    .split(' ')
    .filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], {
    env,
    stdio: ['ignore', readyLine ? 'pipe' : 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal !== 'SIGTERM') {
      process.stderr.write(`${name} exited (${code})\n`);
    }
  });
  if (name === 'sandbox' && child.pid !== undefined && process.env.SANDBOX_NICE !== 'off') {
    // Meta's servers do not share our two cores: ahead of the engine's processes, the sandbox
    // stamps arrivals when they arrive, not after a stall caused by the engine under test.
    try {
      setPriority(child.pid, -10);
    } catch {
      process.stderr.write('sandbox: could not raise its priority (needs CAP_SYS_NICE)\n');
    }
  }
  return { name, child };
}

/** Resolves when the process prints `line` on stdout (then keeps draining it). */
function readyOn(p: Proc, line: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${p.name} did not start`)), ms);
    p.child.stdout?.on('data', (b: Buffer) => {
      if (seen !== null && (seen += b.toString()).includes(line)) {
        clearTimeout(timer);
        seen = '';
        resolve();
      }
      if (seen.length > 100_000) {
        seen = seen.slice(-1000);
      }
    });
    p.child.once('exit', () => reject(new Error(`${p.name} exited during start-up`)));
  });
}

async function stop(p: Proc, ms = 30_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) {
    return;
  }
  const exited = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(t);
}

/** Postgres backends serving the benchmark's database, and Redis, by /proc scan. */
function servicePids(): { pgBackends: number[]; redis: number[] } {
  const pgBackends: number[] = [];
  const redis: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) {
      continue;
    }
    const pid = Number(d);
    const comm = readProc(pid, 'comm').trim();
    if (comm === 'postgres' && readProc(pid, 'cmdline').includes(DB_NAME)) {
      pgBackends.push(pid);
    } else if (comm === 'redis-server') {
      redis.push(pid);
    }
  }
  return { pgBackends, redis };
}

/**
 * Slots the workers counted per number (`mmlite_send_slots_total` on the API's /metrics): whose
 * request left, and missed (not sent: its writer reached it past its deadline, so its capacity
 * was lost). What the engine lost to a loaded host, apart from what the sandbox measured.
 */
async function slotCounts(api: string): Promise<Map<string, SlotCounts>> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const out = new Map<string, SlotCounts>();
  const line =
    /^mmlite_send_slots_total\{phone_number_id="([^"]+)",outcome="(left|missed)"\} (\d+)$/gm;
  for (const m of text.matchAll(line)) {
    const c = out.get(m[1]!) ?? { left: 0, missed: 0 };
    c[m[2] as keyof SlotCounts] = Number(m[3]);
    out.set(m[1]!, c);
  }
  return out;
}

/** Microseconds some task has waited for a core (Linux PSI), or null where not available. */
function cpuWaitedUs(): number | null {
  try {
    const m = /^some .*total=(\d+)$/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

type CpuSample = Map<string, Map<number, number>>;

/** CPU seconds per process, by name, then by pid (Postgres backends and Redis come and go). */
function sampleCpu(procs: Proc[]): CpuSample {
  const out: CpuSample = new Map();
  const each = (pids: number[]) => new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
  for (const p of procs) {
    if (p.child.pid) {
      out.set(p.name, each([p.child.pid]));
    }
  }
  const svc = servicePids();
  out.set(`postgres (${DB_NAME} backends)`, each(svc.pgBackends));
  out.set('redis', each(svc.redis));
  const own = process.cpuUsage();
  out.set('this benchmark', new Map([[process.pid, (own.user + own.system) / 1e6]]));
  return out;
}

/**
 * CPU use per process over a stretch, in percent of one core. A backend that exited in between
 * is not counted (it would subtract its whole life); one that started counts from zero.
 */
function cpuPercent(a: CpuSample, b: CpuSample, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, pids] of b) {
    let used = 0;
    for (const [pid, v] of pids) {
      used += v - (a.get(k)?.get(pid) ?? 0);
    }
    out[k] = Math.round((used / seconds) * 100);
  }
  return out;
}

// ---------------------------------------------------------------- HTTP

async function request(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      // The API wants its key; the sandbox's control routes take no credentials.
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) {
    throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  }
  return text ? JSON.parse(text) : null;
}

// ---------------------------------------------------------------- data

/** E.164 phone of contact i: fixed width, so phone order is i order (ranges select slices). */
const phoneOf = (i: number) => `+55119${String(i).padStart(8, '0')}`;

async function buildContacts(db: Client, workspaceId: string, n: number): Promise<void> {
  await db.query(
    `INSERT INTO contacts (workspace_id, phone, attributes, consent_status, consent_changed_at, consent_recorded_via)
     SELECT $1, '+55119' || lpad(i::text, 8, '0'), jsonb_build_object('firstName', 'Ana ' || (i % 1000)),
            'opted_in', now(), 'system'
       FROM generate_series(0, $2::int - 1) i`,
    [workspaceId, n],
  );
  // The ledger entry behind each opt-in, as an import with ?optInSource= would write it. Its
  // row-level foreign keys cost two trigger calls a row (~half the build time); the ids come from
  // the very rows referenced, so this bulk load skips them (replica role, this session only).
  await db.query(`SET session_replication_role = replica`);
  await db.query(
    `INSERT INTO consent_ledger (workspace_id, contact_id, status, source, occurred_at, recorded_by_kind, effective)
     SELECT workspace_id, id, 'opted_in', 'bench', now(), 'system', true FROM contacts WHERE workspace_id = $1`,
    [workspaceId],
  );
  await db.query(`SET session_replication_role = DEFAULT`);
  await db.query(`ANALYZE contacts`);
}

/** An audience holding contacts [from, from + n). */
async function buildAudience(
  db: Client,
  workspaceId: string,
  name: string,
  from: number,
  n: number,
): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO audiences (workspace_id, name) VALUES ($1, $2) RETURNING id`,
    [workspaceId, name],
  );
  const id = r.rows[0]!.id;
  await db.query(
    `INSERT INTO audience_members (audience_id, contact_id)
     SELECT $1, id FROM contacts WHERE workspace_id = $2 AND phone >= $3 AND phone < $4`,
    [id, workspaceId, phoneOf(from), phoneOf(from + n)],
  );
  return id;
}

// ---------------------------------------------------------------- scenarios

interface Env {
  api: string;
  sandbox: string;
  db: Client;
  workerEnv: NodeJS.ProcessEnv;
  services: Proc[];
  templateId: string;
  /** Sandbox phone number id → our id. */
  phoneIds: Map<string, string>;
}

interface NumberResult {
  metaId: string;
  limitMps: number;
  requests: number;
  /** Sliding window, exact (the sandbox's own maximum over the number's life). */
  maxInAnyOneSecond: number;
  /** Aligned whole seconds. */
  maxInAlignedSecond: number;
  tailSeconds: number;
  sustainedPerSecond: number;
  sendingSeconds: number;
  minSecond: number;
}

interface ScenarioResult {
  scenario: string;
  workers: number;
  /** Sandbox: messages accepted during the scenario, and accepts of a recipient already accepted. */
  accepted: number;
  repeatAccepts: number;
  wire: Record<string, number>;
  numbers: NumberResult[];
  totalSustainedPerSecond: number;
  sent: number;
  targeted: number;
  syncErrors: Record<string, number>;
  snapshotSeconds: number | null;
  completedSeconds: number | null;
  cpuPercent: Record<string, number>;
  /** Share of the sending time in which some task waited for a core (PSI "some"), or null. */
  cpuPressurePercent: number | null;
  /** Slots of the scenario's numbers, as the workers counted them. */
  slots: SlotCounts;
  workerRssMaxMb: number;
  workerRssStartMb: number;
  stoppedEarly: boolean;
}

/** Per-number arrivals per second, merged across polls (the sandbox keeps the last 60 s). */
class SeriesCollector {
  readonly perNumber = new Map<string, Map<number, number>>();
  counters: any = null;

  constructor(private readonly ids: string[]) {
    for (const id of ids) {
      this.perNumber.set(id, new Map());
    }
  }

  async poll(sandbox: string): Promise<void> {
    this.counters = await request(sandbox, 'GET', '/_sandbox/counters');
    for (const id of this.ids) {
      const m = this.perNumber.get(id)!;
      for (const x of this.counters.phoneNumbers[id]?.requestsPerSecond ?? []) {
        m.set(x.second, x.count);
      }
    }
  }

  /**
   * Mean over the whole seconds strictly between the first and the last second that carried at
   * least 10 % of the limit; the seconds with sends after that are the tail (retries trickling).
   */
  stats(
    id: string,
    limitMps: number,
  ): { sustained: number; seconds: number; min: number; maxAligned: number; tail: number } {
    const m = this.perNumber.get(id)!;
    const any = [...m.keys()].filter((s) => (m.get(s) ?? 0) > 0).sort((a, b) => a - b);
    const bulk = any.filter((s) => (m.get(s) ?? 0) >= limitMps * 0.1);
    const maxAligned = Math.max(0, ...any.map((s) => m.get(s) ?? 0));
    if (bulk.length < 3) {
      return { sustained: 0, seconds: bulk.length, min: 0, maxAligned, tail: 0 };
    }
    const first = bulk[0]!;
    const last = bulk[bulk.length - 1]!;
    let sum = 0;
    let min = Infinity;
    for (let s = first + 1; s < last; s++) {
      const c = m.get(s) ?? 0;
      sum += c;
      min = Math.min(min, c);
    }
    const n = last - first - 1;
    const tail = (any[any.length - 1] ?? last) - last;
    if (process.env.BENCH_SERIES) {
      const series: number[] = [];
      for (let t = first; t <= last; t++) {
        series.push(m.get(t) ?? 0);
      }
      process.stderr.write(`series ${id}: ${series.join(' ')}\n`);
    }
    return { sustained: sum / n, seconds: last - first + 1, min, maxAligned, tail };
  }

  /** Seconds (epoch) in which this number got its first request. */
  firstSecond(id: string): number | null {
    const m = this.perNumber.get(id)!;
    const secs = [...m.keys()].filter((s) => (m.get(s) ?? 0) > 0);
    return secs.length ? Math.min(...secs) : null;
  }
}

async function runScenario(
  e: Env,
  scenario: string,
  opts: {
    workers: number;
    audiences: string[];
    /** Stop this long after the first request reached the sandbox (null: run to completion). */
    sendSeconds: number | null;
    deadlineSeconds: number;
    last: boolean;
  },
): Promise<ScenarioResult> {
  const numbers = NUMBERS[scenario]!;
  const workers: Proc[] = [];
  const split = STATUS_WORKERS > 0;
  for (let w = 0; w < opts.workers; w++) {
    const env = split ? { ...e.workerEnv, WORKER_ROLES: 'campaigns' } : e.workerEnv;
    workers.push(start(`worker ${w + 1}`, 'dist/apps/worker/src/main.js', env, 'worker started'));
  }
  for (let w = 0; w < STATUS_WORKERS; w++) {
    const env = { ...e.workerEnv, WORKER_ROLES: 'statuses,imports' };
    const name = `statuses worker${STATUS_WORKERS > 1 ? ` ${w + 1}` : ''}`;
    workers.push(start(name, 'dist/apps/worker/src/main.js', env, 'worker started'));
  }
  await Promise.all(workers.map((w) => readyOn(w, 'worker started')));
  const collector = new SeriesCollector(numbers.ids);
  await collector.poll(e.sandbox);
  const errorsBefore = { ...collector.counters.errors.sync };
  const acceptedBefore = { ...collector.counters.accepted };
  const wireBefore = { ...collector.counters.wire };

  const campaignIds: string[] = [];
  for (let i = 0; i < numbers.ids.length; i++) {
    const c = await request(e.api, 'POST', '/v1/campaigns', {
      name: `bench ${scenario} ${i + 1}`,
      templateId: e.templateId,
      audienceId: opts.audiences[i],
      phoneNumberId: e.phoneIds.get(numbers.ids[i]!),
      parameters: { body: ['{{contact.attributes.firstName}}', '20%'] },
    });
    campaignIds.push(c.id);
  }
  const workerPids = workers.map((w) => w.child.pid as number);
  const rssStart = Math.max(...workerPids.map(rssMb));
  let rssMax = rssStart;
  const rssTimer = setInterval(() => {
    rssMax = Math.max(rssMax, ...workerPids.map(rssMb));
  }, 200);
  const slots0 = await slotCounts(e.api);
  const cpu0 = sampleCpu([...e.services, ...workers]);
  const waited0 = cpuWaitedUs();
  const t0 = Date.now();
  await Promise.all(campaignIds.map((id) => request(e.api, 'POST', `/v1/campaigns/${id}/launch`)));

  let stoppedEarly = false;
  for (;;) {
    await sleep(1000);
    await collector.poll(e.sandbox);
    const firsts = numbers.ids.map((id) => collector.firstSecond(id)).filter((x) => x !== null);
    const firstSend = firsts.length ? Math.min(...firsts) * 1000 : null;
    const states = await e.db.query<{ status: string }>(
      `SELECT status FROM campaigns WHERE id = ANY($1::uuid[])`,
      [campaignIds],
    );
    if (states.rows.every((r) => r.status !== 'running')) {
      break;
    }
    if (
      (opts.sendSeconds !== null &&
        firstSend !== null &&
        Date.now() - firstSend >= (opts.sendSeconds + 1) * 1000) ||
      Date.now() - t0 > opts.deadlineSeconds * 1000
    ) {
      stoppedEarly = true;
      break;
    }
  }
  const cpu1 = sampleCpu([...e.services, ...workers]);
  const waited1 = cpuWaitedUs();
  const elapsed = (Date.now() - t0) / 1000;
  clearInterval(rssTimer);
  await sleep(1100); // the current second completes at the sandbox
  await collector.poll(e.sandbox);

  if (!opts.last || stoppedEarly) {
    // So the next scenario's workers do not pick these up (the last one's database is dropped).
    for (const id of campaignIds) {
      await request(e.api, 'POST', `/v1/campaigns/${id}/cancel`).catch(() => undefined);
    }
  }
  // Sends in flight at a cancel, and statuses still on their way, settle before the counts are read.
  await sleep(stoppedEarly ? 5000 : 2000);
  await collector.poll(e.sandbox);
  const rows = await e.db.query<{
    started_at: Date;
    targeted_at: Date | null;
    completed_at: Date | null;
    sent: string;
    targeted: string;
  }>(
    `SELECT c.started_at, c.targeted_at, c.completed_at, k.sent::text, k.targeted::text
       FROM campaigns c JOIN campaign_counts k ON k.campaign_id = c.id WHERE c.id = ANY($1::uuid[])`,
    [campaignIds],
  );
  await Promise.all(workers.map((w) => stop(w)));
  // Each worker added its last counts as it stopped.
  const slots1 = await slotCounts(e.api);
  const slots = { left: 0, missed: 0 };
  for (const id of numbers.ids) {
    const [a, b] = [slots0.get(id), slots1.get(id)];
    slots.left += (b?.left ?? 0) - (a?.left ?? 0);
    slots.missed += (b?.missed ?? 0) - (a?.missed ?? 0);
  }

  const syncErrors: Record<string, number> = {};
  for (const [code, n] of Object.entries(
    collector.counters.errors.sync as Record<string, number>,
  )) {
    const d = n - (errorsBefore[code] ?? 0);
    if (d > 0) {
      syncErrors[code] = d;
    }
  }
  const perNumber: NumberResult[] = numbers.ids.map((id) => {
    const c = collector.counters.phoneNumbers[id];
    const st = collector.stats(id, c.throughputMps);
    return {
      metaId: id,
      limitMps: c.throughputMps,
      requests: c.requests,
      maxInAnyOneSecond: c.maxRequestsInAnyOneSecond,
      maxInAlignedSecond: st.maxAligned,
      tailSeconds: st.tail,
      sustainedPerSecond: Math.round(st.sustained * 10) / 10,
      sendingSeconds: st.seconds,
      minSecond: st.min,
    };
  });
  const maxTime = (f: (r: (typeof rows.rows)[number]) => Date | null): number | null => {
    const ms = rows.rows.map((r) => {
      const t = f(r);
      return t ? t.getTime() - r.started_at.getTime() : null;
    });
    return ms.some((x) => x === null) ? null : Math.max(...(ms as number[])) / 1000;
  };
  const wire: Record<string, number> = {};
  for (const [k, v] of Object.entries(collector.counters.wire as Record<string, number>)) {
    wire[k] = v - ((wireBefore as Record<string, number>)[k] ?? 0);
  }
  return {
    scenario,
    workers: opts.workers,
    accepted: collector.counters.accepted.total - acceptedBefore.total,
    repeatAccepts: collector.counters.accepted.repeatAccepts - acceptedBefore.repeatAccepts,
    wire,
    numbers: perNumber,
    totalSustainedPerSecond: Math.round(perNumber.reduce((s, n) => s + n.sustainedPerSecond, 0)),
    sent: rows.rows.reduce((s, r) => s + Number(r.sent), 0),
    targeted: rows.rows.reduce((s, r) => s + Number(r.targeted), 0),
    syncErrors,
    snapshotSeconds: maxTime((r) => r.targeted_at),
    completedSeconds: maxTime((r) => r.completed_at),
    cpuPercent: cpuPercent(cpu0, cpu1, elapsed),
    cpuPressurePercent:
      waited0 === null || waited1 === null
        ? null
        : Math.round((waited1 - waited0) / (elapsed * 10_000)),
    slots,
    workerRssMaxMb: Math.round(rssMax),
    workerRssStartMb: Math.round(rssStart),
    stoppedEarly,
  };
}

// ---------------------------------------------------------------- report

interface Row {
  figure: string;
  value: string;
  target: string;
  ok: boolean | null;
}

/** Every scenario: Meta's one-second limit at arrival, and exactly once. */
function commonRows(r: ScenarioResult): Row[] {
  const n = r.numbers;
  const limit = Math.min(...n.map((x) => x.limitMps));
  const sliding = Math.max(...n.map((x) => x.maxInAnyOneSecond));
  const aligned = Math.max(...n.map((x) => x.maxInAlignedSecond));
  const wire = Object.entries(r.wire)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return [
    {
      figure: `${r.scenario}. max arrivals at the sandbox in a 1-s window (sliding / aligned)`,
      value: `${sliding} / ${aligned}`,
      target: `≤ ${limit}`,
      ok: sliding <= limit && aligned <= limit,
    },
    {
      figure: `${r.scenario}. exactly once: accepted by the sandbox vs counted sent`,
      value: `${r.accepted.toLocaleString('en')} accepted, ${r.sent.toLocaleString('en')} sent, ${r.repeatAccepts} recipients twice${wire ? ` (answers ${wire})` : ''}`,
      target: 'equal, 0 twice',
      ok: r.repeatAccepts === 0 && r.accepted === r.sent,
    },
  ];
}

function rowsOf(r: ScenarioResult): Row[] {
  return [...scenarioRows(r), ...commonRows(r)];
}

/** What the engine's side lost, and how loaded the host was: the conditions of the row above. */
function hostRow(label: string, r: ScenarioResult): Row {
  const total = r.slots.left + r.slots.missed;
  const missed = total ? ((100 * r.slots.missed) / total).toFixed(1) : '0';
  const pressure =
    r.cpuPressurePercent === null
      ? 'CPU pressure not available'
      : `a task waited for a core ${r.cpuPressurePercent} % of the time`;
  return {
    figure: `${label}. slots the workers missed (not sent, too late); host load`,
    value: `${missed} % of ${total.toLocaleString('en')} slots; ${pressure}`,
    target: '—',
    ok: null,
  };
}

function scenarioRows(r: ScenarioResult): Row[] {
  const n = r.numbers;
  const errs = Object.keys(r.syncErrors).length
    ? ` (sandbox errors ${JSON.stringify(r.syncErrors)})`
    : '';
  const tail = n[0]!.tailSeconds ? `, tail ${n[0]!.tailSeconds} s` : '';
  switch (r.scenario) {
    case 'a':
      return [
        {
          figure: `a. ${r.targeted.toLocaleString('en')} recipients, 1 number @1000 mps: sustained`,
          value: `${n[0]!.sustainedPerSecond} msg/s over ${n[0]!.sendingSeconds} s (slowest second ${n[0]!.minSecond}${tail})${errs}`,
          target: '≥ 950 msg/s',
          ok: n[0]!.sustainedPerSecond >= 950,
        },
        {
          figure: 'a. launch → completed (incl. snapshot)',
          value:
            r.completedSeconds === null
              ? `not completed (${r.sent} sent)`
              : `${r.completedSeconds.toFixed(1)} s (snapshot ${r.snapshotSeconds?.toFixed(1)} s), ${r.sent} sent`,
          target: '—',
          ok: null,
        },
        hostRow('a', r),
      ];
    case 'b':
      return [
        {
          figure: `b. 1 number @80 mps (${r.targeted} recipients): sustained`,
          value: `${n[0]!.sustainedPerSecond} msg/s over ${n[0]!.sendingSeconds} s${errs}`,
          target: '≥ 78 msg/s',
          ok: n[0]!.sustainedPerSecond >= 78,
        },
      ];
    case 'c':
      return [
        {
          figure: 'c. 2 workers: sustained',
          value: `${n[0]!.sustainedPerSecond} msg/s over ${n[0]!.sendingSeconds} s${errs}`,
          target: '≥ 950 msg/s',
          ok: n[0]!.sustainedPerSecond >= 950,
        },
        hostRow('c', r),
      ];
    case 'd':
      return [
        {
          figure: `d. 5 numbers @1000 mps at once: total sustained`,
          value: `${r.totalSustainedPerSecond} msg/s (per number ${n.map((x) => Math.round(x.sustainedPerSecond)).join('/')})${errs}`,
          target: '5000 msg/s (report)',
          ok: null,
        },
        {
          figure: 'd. CPU, % of one core (2 cores total)',
          value: Object.entries(r.cpuPercent)
            .map(([k, v]) => `${k} ${v}%`)
            .join(', '),
          target: '—',
          ok: null,
        },
        hostRow('d', r),
      ];
    case 'f':
      return [
        {
          figure: `f. ${r.targeted.toLocaleString('en')} recipients @1000 mps, frequency cap ${F_CAP.maxMessages}/${F_CAP.perDays} d: sustained`,
          value: `${n[0]!.sustainedPerSecond} msg/s over ${n[0]!.sendingSeconds} s (slowest second ${n[0]!.minSecond}${tail})${errs}`,
          target: '≥ 950 msg/s',
          ok: n[0]!.sustainedPerSecond >= 950,
        },
        hostRow('f', r),
      ];
    case 'e':
      return [
        {
          figure: `e. ${r.targeted.toLocaleString('en')}-recipient campaign: snapshot (targeting) time`,
          value: r.snapshotSeconds === null ? 'not finished' : `${r.snapshotSeconds.toFixed(1)} s`,
          target: '—',
          ok: null,
        },
        {
          figure: `e. worker RSS max while sending ${n[0]!.sendingSeconds} s`,
          value: `${r.workerRssMaxMb} MB (${r.workerRssStartMb} MB idle; ${r.sent.toLocaleString('en')} sent, ${n[0]!.sustainedPerSecond} msg/s)`,
          target: '< 300 MB',
          ok: r.workerRssMaxMb < 300,
        },
      ];
    default:
      return [];
  }
}

/** The frequency cap's cost: scenario f's sustained rate against a's (same wire, same run). */
function capCostRows(results: ScenarioResult[]): Row[] {
  const a = results.find((r) => r.scenario === 'a')?.numbers[0];
  const f = results.find((r) => r.scenario === 'f')?.numbers[0];
  if (!a || !f) {
    return [];
  }
  const lower = ((a.sustainedPerSecond - f.sustainedPerSecond) / a.sustainedPerSecond) * 100;
  return [
    {
      figure: 'f vs a. send rate with the frequency cap in force',
      value: `${f.sustainedPerSecond} vs ${a.sustainedPerSecond} msg/s: ${lower >= 0 ? `${lower.toFixed(1)} % lower` : `${(-lower).toFixed(1)} % higher`}`,
      target: '≤ 5 % lower',
      ok: lower <= 5,
    },
  ];
}

function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r.figure.length));
  const w1 = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) {
    const mark = r.ok === null ? '' : r.ok ? 'ok' : 'MISSED';
    console.log(`  ${r.figure.padEnd(w0)}  ${r.value.padEnd(w1)}  ${r.target.padEnd(20)} ${mark}`);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const unknown = SCENARIOS.filter((s) => !(s in NUMBERS));
  if (unknown.length) {
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: a, b, c, d, e`);
  }
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();

  const [apiPort, sandboxPort] = [await freePort(), await freePort()];
  const sandbox = `http://127.0.0.1:${sandboxPort}`;
  const api = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(DB_NAME),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-campaign-${process.pid}`,
    PORT: String(apiPort),
    API_KEY,
    APP_SECRET: 'bench-app-secret',
    WEBHOOK_VERIFY_TOKEN: 'bench-verify',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    GRAPH_API_BASE_URL: sandbox,
    SANDBOX_PORT: String(sandboxPort),
    WEBHOOK_CALLBACK_URL: `${api}/webhooks/whatsapp`,
    SANDBOX_LATENCY: WIRE,
    LOG_LEVEL: 'warn',
  };
  const workerEnv: NodeJS.ProcessEnv = {
    ...env,
    LOG_LEVEL: 'log',
    ...(process.env.CAMPAIGN_LANES ? { CAMPAIGN_LANES: process.env.CAMPAIGN_LANES } : {}),
    ...(process.env.CAMPAIGN_BATCH_SIZE
      ? { CAMPAIGN_BATCH_SIZE: process.env.CAMPAIGN_BATCH_SIZE }
      : {}),
  };
  const migrate = spawn(process.execPath, [join(ROOT, 'dist/libs/db/src/migrate.js')], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(migrate, 'exit')) as [number];
  if (code !== 0) {
    throw new Error('migration failed');
  }

  const services: Proc[] = [];
  const db = new Client({ connectionString: databaseUrl(DB_NAME) });
  const results: ScenarioResult[] = [];
  try {
    services.push(start('sandbox', 'dist/apps/sandbox/src/main.js', env));
    services.push(start('api', 'dist/apps/api/src/main.js', env));
    await Promise.all([
      waitUp(`${sandbox}/_sandbox/health`, 'sandbox'),
      waitUp(`${api}/health`, 'API'),
    ]);
    await db.connect();

    // Sandbox: the numbers of every scenario, webhooks per --webhooks, no random user behaviour.
    await request(sandbox, 'POST', '/_sandbox/wabas', {
      id: WABA,
      accessToken: TOKEN,
      phoneNumbers: Object.values(NUMBERS).flatMap((g) =>
        g.ids.map((id) => ({
          id,
          throughputMps: g.mps,
          throughputLevel: g.mps >= 1000 ? 'HIGH' : 'STANDARD',
          messagingLimitTier: 'TIER_UNLIMITED',
        })),
      ),
    });
    await request(sandbox, 'PATCH', '/_sandbox/settings', {
      webhookUrl: WEBHOOKS ? `${api}/webhooks/whatsapp` : null,
      chaos: { maxStatusesPerPayload: 50, batchWindowMs: 100 },
      probabilities: {
        delivered: 1,
        read: 0,
        perUserCap: 0,
        undeliverable: 0,
        stopReply: 0,
        buttonReply: 0,
        urlClick: 0,
        conversion: 0,
      },
    });
    await request(sandbox, 'POST', '/_sandbox/templates', {
      wabaId: WABA,
      name: TEMPLATE,
      language: 'en_US',
      category: 'MARKETING',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, {{2}} off everything this week.',
          example: { body_text: [['Ana', '20%']] },
        },
      ],
    });

    // Engine: the account (reads the numbers and their throughput from the sandbox), the template.
    const account = await request(api, 'POST', '/v1/business-accounts', {
      wabaId: WABA,
      accessToken: TOKEN,
    });
    const phoneIds = new Map<string, string>();
    for (const p of account.phoneNumbers as Array<{
      id: string;
      phoneNumberId: string;
      throughputMps: number;
    }>) {
      phoneIds.set(p.phoneNumberId, p.id);
      const want = Object.values(NUMBERS).find((g) => g.ids.includes(p.phoneNumberId))?.mps;
      if (want !== undefined && p.throughputMps !== want) {
        throw new Error(
          `engine sees ${p.phoneNumberId} at ${p.throughputMps} mps, expected ${want}`,
        );
      }
    }
    await request(api, 'POST', '/v1/templates/sync', { businessAccountId: account.id });
    const templates = await request(api, 'GET', '/v1/templates?limit=1000');
    const template = templates.data.find((t: { name: string }) => t.name === TEMPLATE);
    if (!template || template.status !== 'APPROVED') {
      throw new Error('the benchmark template did not sync as APPROVED');
    }

    // Data, set-based.
    const ws = (
      await db.query<{ workspace_id: string }>(`SELECT workspace_id FROM api_keys LIMIT 1`)
    ).rows[0]!.workspace_id;
    const want = SCENARIOS.includes('e') ? E_RECIPIENTS : 0;
    const sizes = {
      a: A_RECIPIENTS,
      b: B_SECONDS * 80,
      c: C_SECONDS * 1000,
      d: D_SECONDS * 1000,
      f: SCENARIOS.includes('f') ? F_RECIPIENTS : 0,
    };
    // Every scenario its own recipients (the sandbox's exactly-once counter is per recipient).
    const slices = sizes.a + sizes.b + sizes.c + 5 * sizes.d + sizes.f;
    const total = slices + want;
    const d0 = Date.now();
    await buildContacts(db, ws, total);
    const audiences: Record<string, string[]> = {};
    let at = 0;
    for (const s of ['a', 'b', 'c'] as const) {
      if (SCENARIOS.includes(s)) {
        audiences[s] = [await buildAudience(db, ws, `bench ${s}`, at, sizes[s])];
      }
      at += sizes[s];
    }
    if (SCENARIOS.includes('d')) {
      audiences.d = [];
      for (let i = 0; i < 5; i++) {
        audiences.d.push(await buildAudience(db, ws, `bench d${i + 1}`, at, sizes.d));
        at += sizes.d;
      }
    }
    if (SCENARIOS.includes('f')) {
      audiences.f = [await buildAudience(db, ws, 'bench f', at, sizes.f)];
    }
    at += sizes.f;
    if (SCENARIOS.includes('e')) {
      audiences.e = [await buildAudience(db, ws, 'bench e', slices, E_RECIPIENTS)];
    }
    await db.query(`ANALYZE`);
    console.log(
      `data: ${total.toLocaleString('en')} opted-in contacts with ledger entries and ${Object.values(audiences).flat().length} audiences in ${((Date.now() - d0) / 1000).toFixed(1)} s; ` +
        `wire ${WIRE === 'meta' ? 'Meta-like (p50 150 ms, p99 800 ms, max 2 s, answers lost or 500 now and then)' : 'off (answers at once)'}; ` +
        `webhooks ${WEBHOOKS ? 'on (sent + delivered, sandbox → API → worker)' : 'off (send path only)'}; ` +
        `${STATUS_WORKERS > 0 ? `sending workers WORKER_ROLES=campaigns + ${STATUS_WORKERS} statuses worker(s)` : 'every worker sends and applies statuses'}; load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(
            ' ',
          )}; lanes ${process.env.CAMPAIGN_LANES ?? 'default'}, batch ${process.env.CAMPAIGN_BATCH_SIZE ?? 'default'}`,
    );

    const env2: Env = { api, sandbox, db, workerEnv, services, templateId: template.id, phoneIds };
    for (const s of SCENARIOS) {
      if (s === 'f') {
        await request(api, 'PATCH', '/v1/settings/frequency-cap', F_CAP);
      }
      const r = await runScenario(env2, s, {
        workers: s === 'c' ? 2 : 1,
        audiences: audiences[s]!,
        sendSeconds: s === 'd' ? D_SECONDS : s === 'e' ? E_SECONDS : null,
        deadlineSeconds:
          s === 'a'
            ? Math.max(60, (A_RECIPIENTS / 1000) * 2)
            : s === 'f'
              ? Math.max(60, (F_RECIPIENTS / 1000) * 2)
              : s === 'e'
                ? E_SECONDS + 180
                : 120,
        last: s === SCENARIOS[SCENARIOS.length - 1] && !KEEP_DB,
      });
      if (s === 'f') {
        await request(api, 'PATCH', '/v1/settings/frequency-cap', null);
      }
      results.push(r);
      printTable(rowsOf(r));
      console.log(`    cpu % of one core: ${JSON.stringify(r.cpuPercent)}`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all(services.map((p) => stop(p)));
    if (!KEEP_DB) {
      const a = new Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      await a.end();
    }
  }
  console.log('\ncampaign send benchmark: figure vs target');
  const all = [...results.flatMap(rowsOf), ...capCostRows(results)];
  printTable(all);
  console.log(`BENCH_RESULT ${JSON.stringify({ rows: all, results })}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(
      `campaign send benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`,
    );
    process.exit(1);
  },
);
