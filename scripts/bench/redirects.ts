// Tracked-link redirect benchmark. Uses its own database (dropped and re-created), migrated from
// zero, and the built API on loopback:
//  1. GET /r/:token with a phone browser's user agent from 48 keep-alive connections for
//     --seconds: redirects per second and answer time p50/p99 (every click stored before its
//     302 leaves: one group-committed statement per batch of redirects in flight);
//  2. durability: the same load on fresh tokens, the API killed (SIGKILL) mid-run; every token
//     answered 302 must have its click stored.
//
//   npm run build && node dist/scripts/bench/redirects.js [--seconds 10] [--messages 20000]
// The last line printed is `BENCH_RESULT <json>` for scripts/bench/run-all.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { encodeLinkToken, linkSigningKey } from '@app/campaigns';
import { percentile, ROOT, sleep, waitUp } from './bench-support';
import { benchEnv, contacts, freshDatabase, seedAccount } from './report-fixture';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const SECONDS = arg('--seconds', 10);
const MESSAGES = arg('--messages', 20_000);
const CONNECTIONS = 48;
const DB_NAME = 'mmlite_bench_redirects';
const PORT = Number(process.env.BENCH_PORT ?? 3921);
const API_KEY = 'bench-redirects-key-0123456789';
const UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36';

function startApi(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Fires GETs from CONNECTIONS loops until `stop()` says so; returns per-request outcomes. */
async function load(
  base: string,
  tokens: string[],
  stop: () => boolean,
): Promise<{ ok: number[]; times: number[]; errors: number }> {
  const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 30_000 });
  const ok: number[] = [];
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (!stop()) {
        const i = next++ % tokens.length;
        const t0 = process.hrtime.bigint();
        try {
          const res = await request(`${base}/r/${tokens[i]}`, {
            dispatcher: agent,
            headers: { 'user-agent': UA },
          });
          await res.body.dump();
          if (res.statusCode === 302) {
            ok.push(i);
            times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          } else {
            errors++;
          }
        } catch {
          errors++;
          if (stop()) {
            break;
          }
          await sleep(5);
        }
      }
    }),
  );
  await agent.close().catch(() => undefined);
  return { ok, times, errors };
}

async function main(): Promise<void> {
  const env = benchEnv(DB_NAME, PORT, API_KEY);
  const db = await freshDatabase(DB_NAME, env);
  const api = startApi(env);
  const base = `http://127.0.0.1:${PORT}`;
  const rows: Array<{ figure: string; value: string; target: string; ok: boolean | null }> = [];
  try {
    await waitUp(`${base}/health`, 'api');
    const seed = await seedAccount(db);
    await contacts(db, seed.ws, MESSAGES * 2);
    const campaignId = await seed.campaign();
    await db.query(`UPDATE campaigns SET name = 'Redirect bench', parameters = $2 WHERE id = $1`, [
      campaignId,
      JSON.stringify({ body: ['{{link:https://shop.example.com/sale?ref=wa}}'] }),
    ]);
    await db.query(
      `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, wamid, sent_at, delivered_at, last_request_at)
       SELECT $1, id, phone, 'delivered', 'wamid.' || phone, now(), now(), now()
         FROM contacts WHERE workspace_id = $2 ORDER BY id`,
      [campaignId, seed.ws],
    );
    const ids: string[] = (
      await db.query(`SELECT id::text FROM campaign_messages WHERE campaign_id = $1 ORDER BY id`, [
        campaignId,
      ])
    ).rows.map((r: { id: string }) => r.id);
    const key = linkSigningKey(env.ENCRYPTION_KEY as string);
    const tokens = ids.map((id) => encodeLinkToken(key, id, 0));
    const [first, second] = [tokens.slice(0, MESSAGES), tokens.slice(MESSAGES)];

    // 1. Throughput and answer times.
    await load(
      base,
      first.slice(0, 500),
      (() => {
        const end = Date.now() + 1000;
        return () => Date.now() > end;
      })(),
    ); // warm-up
    const t0 = Date.now();
    const r = await load(base, first, () => Date.now() - t0 > SECONDS * 1000);
    const seconds = (Date.now() - t0) / 1000;
    const times = [...r.times].sort((a, b) => a - b);
    const rate = r.ok.length / seconds;
    process.stdout.write(
      `redirects: ${r.ok.length} in ${seconds.toFixed(1)} s = ${Math.round(rate)}/s, p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms, ${r.errors} errors\n`,
    );
    rows.push({
      figure: `GET /r/:token, one API process (${CONNECTIONS} connections, ${SECONDS} s)`,
      value: `${Math.round(rate).toLocaleString('en-US')} redirects/s, p99 ${percentile(times, 99).toFixed(1)} ms (p50 ${percentile(times, 50).toFixed(1)} ms), ${r.errors} errors`,
      target: '≥ 5,000/s, p99 < 20 ms',
      ok: rate >= 5000 && percentile(times, 99) < 20,
    });
    const stored = Number(
      (
        await db.query(
          `SELECT coalesce(sum(clicks), 0) AS n FROM link_clicks WHERE campaign_id = $1`,
          [campaignId],
        )
      ).rows[0].n,
    );
    process.stdout.write(
      `clicks stored ${stored} for ${r.ok.length} redirects answered (+ warm-up)\n`,
    );

    // 2. Killed mid-run: every answered click is stored.
    const t1 = Date.now();
    let killedAt = 0;
    const killer = (async () => {
      await sleep(2000);
      api.kill('SIGKILL');
      killedAt = Date.now();
    })();
    const d = await load(base, second, () => killedAt > 0 && Date.now() > killedAt + 200);
    await killer;
    const answered = new Map<string, number>();
    for (const i of d.ok) {
      const id = ids[MESSAGES + i] as string;
      answered.set(id, (answered.get(id) ?? 0) + 1);
    }
    const have = new Map<string, number>(
      (
        await db.query(
          `SELECT campaign_message_id::text AS id, clicks FROM link_clicks WHERE campaign_message_id = ANY($1::bigint[])`,
          [[...answered.keys()]],
        )
      ).rows.map((x: { id: string; clicks: number }) => [x.id, x.clicks]),
    );
    const lost = [...answered].filter(([id, n]) => (have.get(id) ?? 0) < n).length;
    process.stdout.write(
      `killed after ${((killedAt - t1) / 1000).toFixed(1)} s: ${d.ok.length} redirects answered, clicks of ${lost} answered tokens missing\n`,
    );
    rows.push({
      figure: 'API SIGKILLed under load: answered redirects whose click is not stored',
      value: `${lost} of ${answered.size} tokens (${d.ok.length} redirects answered before the kill)`,
      target: '0',
      ok: lost === 0 && d.ok.length > 0,
    });
  } finally {
    if (api.exitCode === null && api.signalCode === null) {
      const exited = once(api, 'exit');
      api.kill('SIGTERM');
      await exited;
    }
    await db.end().catch(() => undefined);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ rows })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(
      `redirect benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`,
    );
    process.exit(1);
  },
);
