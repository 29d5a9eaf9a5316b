// Segment benchmark. Uses its own database (dropped and re-created), migrated from zero:
//  1. 1,200,000 contacts in one workspace (1,000,000 Brazilian, the rest Mexican, British and
//     US), with attributes (tier, orders, city) and consent, written set-based; then ANALYZE.
//  2. The built API: a 3-condition segment (attributes.tier = gold, consent = opted_in,
//     countryCode in 55/52) counted over and over through GET /v1/segments/:id/count (p50/p99),
//     and one more condition (orders ≥ 3) for comparison.
//  3. The built worker: a campaign targeting a 1,000,000-contact segment (countryCode = 55) is
//     launched through the API; the figure is its snapshot time (launch → targeted) and the
//     worker's RSS. Nothing is sent: the Graph API URL points at a closed port and the campaign
//     is cancelled once targeted.
//
//   npm run build && node dist/scripts/bench/segments.js [--contacts 1200000] [--calls 15]
// The last line printed is `BENCH_RESULT <json>` for scripts/bench/run-all.ts.
import {
  ADMIN_URL,
  databaseUrl,
  freePort,
  percentile,
  ROOT,
  rssMb,
  sleep,
  waitUp,
} from './bench-support';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client } from 'pg';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const CONTACTS = arg('--contacts', 1_200_000);
const BR = Math.min(1_000_000, Math.round(CONTACTS * (5 / 6)));
const CALLS = arg('--calls', 15);
const DB_NAME = 'mmlite_bench_segments';
const API_KEY = 'bench-segments-key-0123456789';

function env(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(DB_NAME),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-segments-${process.pid}`,
    PORT: String(port),
    API_KEY,
    APP_SECRET: 'bench-app-secret',
    WEBHOOK_VERIFY_TOKEN: 'bench-verify',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    GRAPH_API_BASE_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'warn',
  };
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

async function seed(db: Client): Promise<{ templateId: string; phoneId: string }> {
  // The API seeds the workspace of API_KEY; everything else goes straight into that workspace.
  const ws = (await db.query(`SELECT workspace_id FROM api_keys LIMIT 1`)).rows[0].workspace_id;
  const ba = (
    await db.query(
      `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed) VALUES ($1, '1', 'unused') RETURNING id`,
      [ws],
    )
  ).rows[0].id;
  const phoneId = (
    await db.query(
      `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number, graph_throughput_mps)
       VALUES ($1, $2, '2', '+1 555 0100', 1000) RETURNING id`,
      [ws, ba],
    )
  ).rows[0].id;
  const templateId = (
    await db.query(
      `INSERT INTO templates (workspace_id, business_account_id, meta_template_id, name, language, category, components, status)
       VALUES ($1, $2, '3', 'bench_promo', 'en_US', 'MARKETING',
               '[{"type":"BODY","text":"Hi there, a treat for you today"}]', 'APPROVED') RETURNING id`,
      [ws, ba],
    )
  ).rows[0].id;
  const t0 = Date.now();
  await db.query(
    `INSERT INTO contacts (workspace_id, phone, attributes, consent_status, consent_changed_at, consent_recorded_via)
     SELECT $1,
            CASE WHEN g <= $3 THEN '+5511' || (900000000 + g)::text
                 WHEN g % 3 = 0 THEN '+52155' || (10000000 + g)::text
                 WHEN g % 3 = 1 THEN '+447911' || (100000 + g)::text
                 ELSE '+1212' || lpad(g::text, 7, '0') END,
            jsonb_build_object('tier', (ARRAY['gold', 'silver', 'bronze', 'none'])[g % 4 + 1],
                               'orders', g % 11, 'city', (ARRAY['Recife', 'Lisboa', 'Monterrey'])[g % 3 + 1]),
            CASE WHEN g % 10 < 8 THEN 'opted_in' WHEN g % 10 = 8 THEN 'opted_out' ELSE 'none' END,
            CASE WHEN g % 10 < 9 THEN now() END,
            CASE WHEN g % 10 < 9 THEN 'import' END
       FROM generate_series(1, $2::int) g
     ON CONFLICT (workspace_id, phone) DO NOTHING`,
    [ws, CONTACTS, BR],
  );
  await db.query('VACUUM ANALYZE contacts');
  const n = (await db.query(`SELECT count(*)::int AS n FROM contacts`)).rows[0].n;
  process.stdout.write(`data: ${n} contacts in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return { templateId, phoneId };
}

function start(script: string, e: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(ROOT, script)], {
    env: e,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode === null) {
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    await exited;
  }
}

async function timeCount(
  base: string,
  id: string,
): Promise<{ p50: number; p99: number; count: number; eligible: number }> {
  const times: number[] = [];
  let last: any = null;
  for (let i = 0; i < CALLS + 2; i++) {
    const t = process.hrtime.bigint();
    last = await api(base, 'GET', `/v1/segments/${id}/count`);
    if (i >= 2) {
      times.push(Number(process.hrtime.bigint() - t) / 1e6); // the first two warm the caches
    }
  }
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    count: last.count,
    eligible: last.eligible,
  };
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const db = new Client({ connectionString: databaseUrl(DB_NAME) });
  const rows: Array<{ figure: string; value: string; target: string; ok: boolean | null }> = [];
  try {
    const migrate = start('dist/libs/db/src/migrate.js', env(port));
    if (((await once(migrate, 'exit')) as [number])[0] !== 0) {
      throw new Error('migrations failed');
    }
    children.push(start('dist/apps/api/src/main.js', env(port)));
    await waitUp(`${base}/health`, 'api');
    await db.connect();
    const { templateId, phoneId } = await seed(db);

    const three = await api(base, 'POST', '/v1/segments', {
      name: 'gold, opted in, BR or MX',
      filter: {
        all: [
          { field: 'attributes.tier', op: 'eq', value: 'gold' },
          { field: 'consent', op: 'eq', value: 'opted_in' },
          { field: 'countryCode', op: 'in', value: ['55', '52'] },
        ],
      },
    });
    const c3 = await timeCount(base, three.id);
    process.stdout.write(
      `count of a 3-condition segment over ${CONTACTS} contacts: p50 ${c3.p50.toFixed(1)} ms, p99 ${c3.p99.toFixed(1)} ms (${c3.count} match, ${c3.eligible} eligible)\n`,
    );
    rows.push({
      figure: `count of a 3-condition segment, ${CONTACTS.toLocaleString('en-US')} contacts (${c3.count.toLocaleString('en-US')} match)`,
      value: `p50 ${c3.p50.toFixed(0)} ms (p99 ${c3.p99.toFixed(0)} ms)`,
      target: 'p50 < 1000 ms',
      ok: c3.p50 < 1000,
    });
    const four = await api(base, 'POST', '/v1/segments', {
      name: '+ orders ≥ 3',
      filter: { all: [...three.filter.all, { field: 'attributes.orders', op: 'gte', value: 3 }] },
    });
    const c4 = await timeCount(base, four.id);
    rows.push({
      figure: 'count with a fourth condition (attributes.orders ≥ 3, a numeric range)',
      value: `p50 ${c4.p50.toFixed(0)} ms (p99 ${c4.p99.toFixed(0)} ms)`,
      target: '—',
      ok: null,
    });

    // The snapshot of a 1,000,000-contact segment, by the worker.
    const worker = start('dist/apps/worker/src/main.js', env(port));
    children.push(worker);
    const brazil = await api(base, 'POST', '/v1/segments', {
      name: 'Brazil',
      filter: { field: 'countryCode', op: 'eq', value: '55' },
    });
    const campaign = await api(base, 'POST', '/v1/campaigns', {
      name: 'segment snapshot',
      templateId,
      segmentId: brazil.id,
      phoneNumberId: phoneId,
      parameters: {},
      throughputMps: 1,
    });
    await sleep(3000); // the worker is up
    const rssBefore = worker.pid ? rssMb(worker.pid) : 0;
    let rssMax = rssBefore;
    await api(base, 'POST', `/v1/campaigns/${campaign.id}/launch`);
    let targeted: { started_at: Date; targeted_at: Date | null; targeted: string } | undefined;
    for (;;) {
      targeted = (
        await db.query(
          `SELECT c.started_at, c.targeted_at, k.targeted::text FROM campaigns c JOIN campaign_counts k ON k.campaign_id = c.id WHERE c.id = $1`,
          [campaign.id],
        )
      ).rows[0];
      rssMax = Math.max(rssMax, worker.pid ? rssMb(worker.pid) : 0);
      if (targeted?.targeted_at) {
        break;
      }
      await sleep(200);
    }
    await api(base, 'POST', `/v1/campaigns/${campaign.id}/cancel`);
    const seconds = (targeted.targeted_at.getTime() - targeted.started_at.getTime()) / 1000;
    process.stdout.write(
      `snapshot of a ${targeted.targeted}-recipient segment: ${seconds.toFixed(1)} s, worker RSS max ${rssMax} MB (${rssBefore} MB before)\n`,
    );
    rows.push({
      figure: `snapshot of a ${Number(targeted.targeted).toLocaleString('en-US')}-recipient segment`,
      value: `${seconds.toFixed(1)} s`,
      target: '< 30 s',
      ok: seconds < 30,
    });
    rows.push({
      figure: 'worker RSS max during that snapshot',
      value: `${rssMax} MB (${rssBefore} MB before)`,
      target: '< 300 MB',
      ok: rssMax < 300,
    });
  } finally {
    await db.end().catch(() => undefined);
    for (const c of children.reverse()) {
      await stop(c);
    }
    if (!process.argv.includes('--keep-db')) {
      const a = new Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      await a.end();
    }
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ rows })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`segments benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
