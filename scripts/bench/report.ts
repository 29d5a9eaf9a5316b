// Report benchmark. Uses its own database (dropped and re-created), migrated from zero.
//  1. Trigger cost: 500-message UPDATEs (status → delivered, timestamps, billable) timed with the
//     aggregate trigger (live counters and report aggregates) enabled and disabled, same table.
//  2. Builds a 1,000,000-message campaign directly in the database (set-based INSERTs; the insert
//     trigger fills the report aggregates), starts the built API, posts 20,000 conversions through
//     it (1000 per call), then measures GET /v1/campaigns/:id/report latency p50/p99 over repeated
//     calls, and the time and API RSS of one full messages.csv export.
//
//   npm run build && node dist/scripts/bench/report.js [--messages 1000000] [--calls 300]
import { percentile, ROOT, rssMb, waitUp } from './bench-support';
import { benchEnv, contacts, freshDatabase, messages, seedAccount } from './report-fixture';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from 'pg';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const MESSAGES = arg('--messages', 1_000_000);
const CALLS = arg('--calls', 300);
const DB_NAME = 'mmlite_bench_report';
const PORT = Number(process.env.BENCH_PORT ?? 3918);
const API_KEY = 'bench-report-key-0123456789';

const env = (): NodeJS.ProcessEnv => benchEnv(DB_NAME, PORT, API_KEY);

/** applyUpdates-shaped statements: 500 messages per UPDATE … FROM unnest(ids, timestamps). */
async function updateBatches(db: Client, campaignId: string, batches: number): Promise<number> {
  const ids: string[] = (
    await db.query(
      `SELECT id FROM campaign_messages WHERE campaign_id = $1 AND status = 'pending' ORDER BY id LIMIT $2`,
      [campaignId, batches * 500],
    )
  ).rows.map((r: { id: string }) => r.id);
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const chunk = ids.slice(b * 500, (b + 1) * 500);
    const now = new Date();
    await db.query('BEGIN');
    await db.query(
      `UPDATE campaign_messages cm SET status = 'delivered', billable = true, wamid = 'wamid.' || cm.id,
              sent_at = coalesce(cm.sent_at, u.t), delivered_at = coalesce(cm.delivered_at, u.t), updated_at = now()
         FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, t) WHERE cm.id = u.id`,
      [chunk, chunk.map(() => now)],
    );
    await db.query('COMMIT');
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function triggerCost(db: Client, campaign: () => Promise<string>, ws: string): Promise<void> {
  const BATCHES = 200;
  const rounds: Array<{ on: number; off: number }> = [];
  for (let round = 0; round < 4; round++) {
    const on = await campaign();
    const off = await campaign();
    await messages(db, ws, on, false, BATCHES * 500);
    await messages(db, ws, off, false, BATCHES * 500);
    await db.query('VACUUM ANALYZE campaign_messages');
    // Alternate which runs first, so cache warmth and background load do not favour one side.
    const timeOn = () => updateBatches(db, on, BATCHES);
    const timeOff = async () => {
      await db.query(
        'ALTER TABLE campaign_messages DISABLE TRIGGER campaign_messages_aggregates_update',
      );
      const ms = await updateBatches(db, off, BATCHES);
      await db.query(
        'ALTER TABLE campaign_messages ENABLE TRIGGER campaign_messages_aggregates_update',
      );
      return ms;
    };
    let tOn: number;
    let tOff: number;
    if (round % 2 === 0) {
      tOn = await timeOn();
      tOff = await timeOff();
    } else {
      tOff = await timeOff();
      tOn = await timeOn();
    }
    rounds.push({ on: tOn, off: tOff });
    await db.query(`DELETE FROM campaigns WHERE id = ANY($1::uuid[])`, [[on, off]]);
  }
  for (const [i, r] of rounds.entries()) {
    process.stdout.write(
      `trigger cost, round ${i + 1}: ${BATCHES} UPDATEs × 500 messages — with triggers ${(r.on / BATCHES).toFixed(2)} ms/batch ` +
        `(${Math.round((BATCHES * 500) / (r.on / 1000))} msg/s), without ${(r.off / BATCHES).toFixed(2)} ms/batch ` +
        `(${Math.round((BATCHES * 500) / (r.off / 1000))} msg/s): ${r.on >= r.off ? '+' : ''}${(((r.on - r.off) / r.off) * 100).toFixed(1)}%\n`,
    );
  }
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, text: await res.text() };
}

async function main(): Promise<void> {
  const db = await freshDatabase(DB_NAME, env());
  const children: ChildProcess[] = [];
  try {
    const seed = await seedAccount(db);
    let t = Date.now();
    await contacts(db, seed.ws, MESSAGES);
    process.stdout.write(`${MESSAGES} contacts in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    await triggerCost(db, seed.campaign, seed.ws);

    t = Date.now();
    const campaignId = await seed.campaign();
    await messages(db, seed.ws, campaignId, true, MESSAGES);
    await db.query('VACUUM ANALYZE');
    process.stdout.write(
      `campaign of ${MESSAGES} messages built (one INSERT … SELECT, aggregates by the insert trigger) in ${((Date.now() - t) / 1000).toFixed(1)} s\n`,
    );

    const api = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
      env: { ...env(), API_KEY },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(api);
    await waitUp(`http://127.0.0.1:${PORT}/health`, 'API');
    // The API seeded its key into a default workspace; move the bench data there.
    await db.query(`UPDATE api_keys SET workspace_id = $1 WHERE workspace_id <> $1`, [seed.ws]);

    // Conversions through the API: 20 calls × 1000 events, attributed against the 1M messages.
    const phones: string[] = (
      await db.query(
        `SELECT phone FROM campaign_messages WHERE campaign_id = $1 AND status = 'read' ORDER BY id LIMIT 20000`,
        [campaignId],
      )
    ).rows.map((r: { phone: string }) => r.phone);
    t = Date.now();
    let accepted = 0;
    for (let b = 0; b < phones.length; b += 1000) {
      const events = phones.slice(b, b + 1000).map((phone, i) => ({
        eventId: `ev-${b + i}`,
        eventName: (b + i) % 3 === 0 ? 'purchase' : 'add_to_cart',
        phone,
        ...((b + i) % 3 === 0 ? { value: 25, currency: 'USD' } : {}),
        occurredAt: new Date().toISOString(),
      }));
      const res = await call('POST', '/v1/conversions', { events });
      accepted += (JSON.parse(res.text) as { accepted: number }).accepted;
    }
    process.stdout.write(
      `conversions: ${accepted} accepted in ${((Date.now() - t) / 1000).toFixed(2)} s (${Math.round(accepted / ((Date.now() - t) / 1000))} events/s through the API)\n`,
    );

    for (let i = 0; i < 20; i++) {
      await call('GET', `/v1/campaigns/${campaignId}/report`); // warm-up
    }
    const lat: number[] = [];
    let sample = '';
    for (let i = 0; i < CALLS; i++) {
      const s = process.hrtime.bigint();
      const res = await call('GET', `/v1/campaigns/${campaignId}/report`);
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (res.status !== 200) {
        throw new Error(`report answered ${res.status}: ${res.text}`);
      }
      sample = res.text;
    }
    lat.sort((a, b) => a - b);
    const r = JSON.parse(sample) as { funnel: Record<string, number>; hourly: unknown[] };
    process.stdout.write(
      `report of a ${MESSAGES}-message campaign over ${CALLS} calls: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms, max ${lat[lat.length - 1]!.toFixed(2)} ms\n` +
        `  funnel ${JSON.stringify(r.funnel)}; ${r.hourly.length} hourly points\n`,
    );

    const rss0 = rssMb(api.pid as number);
    let rssMax = rss0;
    const timer = setInterval(() => {
      rssMax = Math.max(rssMax, rssMb(api.pid as number));
    }, 50);
    t = Date.now();
    const res = await fetch(`http://127.0.0.1:${PORT}/v1/campaigns/${campaignId}/messages.csv`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) {
        if (b === 10) {
          lines++;
        }
      }
    }
    clearInterval(timer);
    process.stdout.write(
      `messages.csv: ${lines - 1} rows, ${(bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s; API RSS ${rss0.toFixed(0)} → max ${rssMax.toFixed(0)} MB\n`,
    );
  } finally {
    for (const c of children) {
      c.kill('SIGTERM');
    }
    await db.end();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
