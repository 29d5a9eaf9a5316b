// Webhook ingestion benchmark: `npm run build && node dist/scripts/bench/webhooks-bench.js`
// Options (env): BENCH_SECONDS=10, BENCH_CONNECTIONS=64, BENCH_WORKERS=1 (worker processes),
// BENCH_CONCURRENT=1 (workers run during the load), BENCH_DB=mmlite_bench_webhooks (dropped and re-created; its name must contain "bench").
//
// 1. Spawns the built API (one process) against a fresh database.
// 2. Load: this process is the load generator — undici, BENCH_CONNECTIONS keep-alive connections,
//    each request a Meta-shaped, correctly signed payload of 1–3 statuses; bounded in time.
//    Reports requests/s, status events/s, p50/p99/max answer time, and checks every 200 is stored.
// 3. Apply: spawns BENCH_WORKERS built worker processes and times how fast they drain the journal
//    into message_statuses (events/s), then checks the final states.
import { ADMIN_URL, databaseUrl, freePort, percentile, ROOT, waitUp } from './bench-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { Pool } from 'undici';
import { signWebhookBody } from '@app/webhooks';
import { ensureDatabase, runMigrations } from '../../libs/db/src/migrate';
import { statusPayload, type StatusSpec } from './webhooks-payloads';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/** 1: workers apply while the load runs (sharing the 2 cores); default: load first, then apply. */
const CONCURRENT = process.env.BENCH_CONCURRENT === '1';
const DB = process.env.BENCH_DB ?? 'mmlite_bench_webhooks';
const SECRET = 'bench-app-secret';
// Run from dist/scripts/bench/ (compiled); the repository root is three levels up.

function env(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    PORT: String(port),
    DATABASE_URL: databaseUrl(DB),
    REDIS_PREFIX: `bench-${process.pid}`,
    APP_SECRET: SECRET,
    WEBHOOK_VERIFY_TOKEN: 'bench-verify',
    LOG_LEVEL: 'warn',
  };
}

function start(app: 'api' | 'worker', port: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, `dist/apps/${app}/src/main.js`)], {
    env: env(port),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Event e is status (sent, delivered, read)[e % 3] of message ⌊e / 3⌋: wamids overlap across requests. */
const STAGES = ['sent', 'delivered', 'read'] as const;
function eventSpec(e: number, t0: number): StatusSpec {
  return {
    wamid: `wamid.bench.${Math.floor(e / 3)}`,
    status: STAGES[e % 3]!,
    at: t0 + (e % 3),
    callbackData: `cb-${Math.floor(e / 3)}`,
  };
}

async function load(base: string): Promise<{ requests: number; events: number; ids: string[] }> {
  const pool = new Pool(base, {
    connections: CONNECTIONS,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const latencies = new Float64Array(2_000_000);
  let done = 0;
  let nextEvent = 0;
  let errors = 0;
  const acked: string[] = [];
  const t0 = 1_900_000_000;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const loop = async (c: number): Promise<void> => {
    let k = 0;
    while (performance.now() < deadline) {
      const n = 1 + ((c + k++) % 3);
      const specs: StatusSpec[] = [];
      for (let j = 0; j < n; j++) {
        specs.push(eventSpec(nextEvent++, t0));
      }
      const raw = JSON.stringify(statusPayload(specs));
      const requestId = `b${c}-${k}`;
      const t = performance.now();
      try {
        const res = await pool.request({
          path: '/webhooks/whatsapp',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': requestId,
            'x-hub-signature-256': signWebhookBody(raw, SECRET),
          },
          body: raw,
        });
        await res.body.dump();
        if (res.statusCode === 200) {
          latencies[done++] = performance.now() - t;
          acked.push(requestId);
        } else {
          errors++;
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => loop(c)));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  const sorted = latencies.slice(0, done).sort();
  const events = nextEvent;
  console.log(
    JSON.stringify({
      phase: 'ingest',
      seconds: +elapsed.toFixed(2),
      connections: CONNECTIONS,
      requests: done,
      errors,
      requestsPerSecond: Math.round(done / elapsed),
      statusEventsPerSecond: Math.round(events / elapsed),
      p50ms: +percentile(sorted, 50).toFixed(2),
      p99ms: +percentile(sorted, 99).toFixed(2),
      maxMs: +percentile(sorted, 100).toFixed(2),
    }),
  );
  return { requests: done, events, ids: acked };
}

async function main(): Promise<void> {
  if (!DB.includes('bench')) {
    throw new Error(`refusing to drop a database whose name lacks "bench": ${DB}`);
  }
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
  await ensureDatabase(databaseUrl(DB));
  await runMigrations(databaseUrl(DB));

  const port = await freePort();
  const api = start('api', port);
  const children: ChildProcess[] = [api];
  const db = new Client({ connectionString: databaseUrl(DB) });
  try {
    await waitUp(`http://127.0.0.1:${port}/health`, 'API', 400, 50);
    await db.connect();
    const startWorkers = async (): Promise<void> => {
      for (let w = 0; w < WORKERS; w++) {
        children.push(start('worker', await freePort()));
      }
    };
    if (CONCURRENT) {
      await startWorkers();
      await new Promise((r) => setTimeout(r, 1500));
    }
    const loadStart = performance.now();
    const { requests, events, ids } = await load(`http://127.0.0.1:${port}`);
    const loadEnd = performance.now();
    const stored = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM webhook_events WHERE request_id = ANY($1::text[])`,
      [ids],
    );
    console.log(
      JSON.stringify({
        phase: 'durability',
        acknowledged: requests,
        stored: Number(stored.rows[0]?.n),
      }),
    );
    api.kill('SIGTERM');

    const applyStart = CONCURRENT ? loadStart : performance.now();
    if (!CONCURRENT) {
      await startWorkers();
    }
    let pending = Infinity;
    while (pending > 0) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM webhook_events WHERE processed_at IS NULL`,
      );
      pending = Number(r.rows[0]?.n);
    }
    const applyEnd = performance.now();
    const applySeconds = (applyEnd - applyStart) / 1000;
    const check = await db.query<{ status: string; n: string }>(
      `SELECT status, count(*)::text AS n FROM message_statuses GROUP BY status ORDER BY status`,
    );
    // Event e is stage e % 3 of message ⌊e/3⌋, so the final states are known exactly.
    const expected: Record<string, number> = { read: Math.floor(events / 3) };
    if (events % 3 > 0) {
      expected[STAGES[(events % 3) - 1]!] = 1;
    }
    const messages = Object.fromEntries(check.rows.map((r) => [r.status, Number(r.n)]));
    console.log(
      JSON.stringify({
        phase: 'apply',
        workers: WORKERS,
        concurrentWithLoad: CONCURRENT,
        seconds: +applySeconds.toFixed(2),
        webhookEventsPerSecond: Math.round(requests / applySeconds),
        statusEventsPerSecond: Math.round(events / applySeconds),
        drainAfterLoadEndedMs: CONCURRENT ? Math.round(applyEnd - loadEnd) : undefined,
        messages,
        finalStatesExact:
          JSON.stringify(messages) ===
          JSON.stringify(Object.fromEntries(Object.entries(expected).sort())),
        note: CONCURRENT ? undefined : 'includes worker start-up (~1 s)',
      }),
    );
  } finally {
    children.forEach((c) => c.kill('SIGTERM'));
    await db.end().catch(() => undefined);
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
