// A campaign of a million messages built directly in Postgres, the way the report and web
// benchmarks measure the engine at size: a workspace with an account, a number, an approved
// template and an audience; contacts; and one INSERT … SELECT of messages whose insert trigger
// fills the counters and report aggregates. Each benchmark uses its own database.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client } from 'pg';
import { ADMIN_URL, databaseUrl, ROOT } from './bench-support';

/** The environment of the built API (and migrations) for a benchmark's own database. */
export function benchEnv(dbName: string, port: number, apiKey: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-${dbName}-${process.pid}`,
    PORT: String(port),
    API_KEY: apiKey,
    APP_SECRET: 'bench-app-secret',
    WEBHOOK_VERIFY_TOKEN: 'bench-verify',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    LOG_LEVEL: 'warn',
  };
}

/** Drops and re-creates the database, then runs the migrations from zero; answers a client. */
export async function freshDatabase(dbName: string, env: NodeJS.ProcessEnv): Promise<Client> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const migrate = spawn(process.execPath, [join(ROOT, 'dist/libs/db/src/migrate.js')], {
    env,
    stdio: 'inherit',
  });
  const [code] = (await once(migrate, 'exit')) as [number];
  if (code !== 0) {
    throw new Error('migrations failed');
  }
  const db = new Client({ connectionString: databaseUrl(dbName) });
  await db.connect();
  return db;
}

export async function seedAccount(
  db: Client,
): Promise<{ ws: string; templateId: string; campaign: () => Promise<string> }> {
  const ws = (await db.query(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`)).rows[0]
    .id;
  const ba = (
    await db.query(
      `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed) VALUES ($1, '1', 'unused') RETURNING id`,
      [ws],
    )
  ).rows[0].id;
  const phone = (
    await db.query(
      `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number, graph_throughput_mps)
       VALUES ($1, $2, '2', '+1 555 0100', 80) RETURNING id`,
      [ws, ba],
    )
  ).rows[0].id;
  const templateId = (
    await db.query(
      `INSERT INTO templates (workspace_id, business_account_id, meta_template_id, name, language, category, components, status)
       VALUES ($1, $2, '3', 'bench_promo', 'en_US', 'MARKETING', '[]', 'APPROVED') RETURNING id`,
      [ws, ba],
    )
  ).rows[0].id;
  const audience = (
    await db.query(`INSERT INTO audiences (workspace_id, name) VALUES ($1, 'bench') RETURNING id`, [
      ws,
    ])
  ).rows[0].id;
  const campaign = async (): Promise<string> => {
    const id = (
      await db.query(
        `INSERT INTO campaigns (workspace_id, name, template_id, audience_id, phone_number_id, status, started_at,
            targeted_at, target_filter, target_reference_at)
         VALUES ($1, 'bench', $2, $3, $4, 'running', now() - interval '2 days', now(),
                 jsonb_build_object('audience', $3::uuid), now()) RETURNING id`,
        [ws, templateId, audience, phone],
      )
    ).rows[0].id;
    await db.query(`INSERT INTO campaign_counters (campaign_id) VALUES ($1)`, [id]);
    return id;
  };
  return { ws, templateId, campaign };
}

export async function contacts(db: Client, ws: string, n: number): Promise<void> {
  await db.query(
    `INSERT INTO contacts (workspace_id, phone)
     SELECT $1, '+5511' || (900000000 + g)::text FROM generate_series(1, $2) g`,
    [ws, n],
  );
}

/**
 * Messages of one campaign for every contact of the workspace: `pending` (at most `limit`), or
 * the spread of final outcomes (3 % skipped, 1.5 % failed 131026, 1 % failed 131049, the rest
 * sent, delivered or read, with clicks).
 */
export async function messages(
  db: Client,
  ws: string,
  campaignId: string,
  final: boolean,
  limit: number,
): Promise<void> {
  await db.query(
    final
      ? `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, skip_reason, wamid, error_code,
           error_title, billable, sent_at, delivered_at, read_at, clicked_at, failed_at)
         SELECT $2, c.id, c.phone, s.status, s.skip, CASE WHEN s.sent THEN 'wamid.' || c.phone END,
                s.code, s.title, s.billable,
                CASE WHEN s.sent THEN t END,
                CASE WHEN s.status IN ('delivered', 'read') THEN t + interval '5 seconds' END,
                CASE WHEN s.status = 'read' THEN t + (r % 600) * interval '1 minute' END,
                CASE WHEN s.status = 'read' AND r % 5 = 0 THEN t + (r % 900) * interval '1 minute' END,
                CASE WHEN s.status = 'failed' THEN t + interval '2 seconds' END
           FROM (SELECT id, phone, hashtext(phone) & 1023 AS r,
                        now() - interval '2 days' + (row_number() OVER (ORDER BY id)) * interval '100 milliseconds' AS t
                   FROM contacts WHERE workspace_id = $1) c
           JOIN (VALUES (0, 30, 'skipped', 'no_opt_in', NULL::int, NULL::text, NULL::boolean, false),
                        (30, 45, 'failed', NULL, 131026, 'Message undeliverable', NULL, false),
                        (45, 55, 'failed', NULL, 131049,
                         'This message was not delivered to maintain healthy ecosystem engagement.', NULL, true),
                        (55, 100, 'sent', NULL, NULL, NULL, NULL, true),
                        (100, 400, 'delivered', NULL, NULL, NULL, true, true),
                        (400, 1024, 'read', NULL, NULL, NULL, true, true))
                AS s(lo, hi, status, skip, code, title, billable, sent) ON c.r >= s.lo AND c.r < s.hi`
      : `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status)
         SELECT $2, id, phone, 'pending' FROM contacts WHERE workspace_id = $1 ORDER BY id LIMIT $3`,
    final ? [ws, campaignId] : [ws, campaignId, limit],
  );
}
