import { DataSource } from 'typeorm';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { TemplateInsightsRepository } from './template-insights.repository';

let db: DataSource;
let repo: TemplateInsightsRepository;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 8)).initialize();
  repo = new TemplateInsightsRepository(new Database(db));
});

afterAll(async () => {
  await db?.destroy();
});

async function one(sql: string, params: unknown[]): Promise<string> {
  const rows: Array<{ id: string }> = await db.query(sql, params);
  return rows[0]!.id;
}

/** A workspace with `n` MM templates, each used by a campaign started `startedDaysAgo` ago. */
async function templatesWithCampaigns(n: number, startedDaysAgo: number): Promise<string[]> {
  const ws = await one(`INSERT INTO workspaces (name) VALUES ('insights') RETURNING id`, []);
  const ba = await one(
    `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed) VALUES ($1, '9', 'x') RETURNING id`,
    [ws],
  );
  const phone = await one(
    `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number, graph_throughput_mps)
     VALUES ($1, $2, '8', '+1 555', 80) RETURNING id`,
    [ws, ba],
  );
  const audience = await one(
    `INSERT INTO audiences (workspace_id, name) VALUES ($1, 'a') RETURNING id`,
    [ws],
  );
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = await one(
      `INSERT INTO templates (workspace_id, business_account_id, meta_template_id, name, language, category, components, status)
       VALUES ($1, $2, $3, $4, 'en_US', 'MARKETING', '[]', 'APPROVED') RETURNING id`,
      [ws, ba, `${Date.now()}${i}${Math.floor(Math.random() * 1e6)}`, `t_${i}`],
    );
    await db.query(
      `INSERT INTO campaigns (workspace_id, name, template_id, audience_id, phone_number_id, status, started_at)
       VALUES ($1, 'c', $2, $3, $4, 'completed', now() - make_interval(days => $5))`,
      [ws, t, audience, phone, startedDaysAgo],
    );
    ids.push(t);
  }
  return ids;
}

describe('template insights schedule', () => {
  it('lets concurrent workers claim each due template once per refresh period', async () => {
    const mine = new Set(await templatesWithCampaigns(6, 1));
    const claims = await Promise.all(Array.from({ length: 4 }, () => repo.claimDue(100, 60_000)));
    const claimed = claims.flat().filter((t) => mine.has(t.templateId));
    expect(claimed.map((t) => t.templateId).sort()).toEqual([...mine].sort());
    expect(new Set(claimed.map((t) => t.templateId)).size).toBe(claimed.length);
    const again = await repo.claimDue(100, 60_000);
    expect(again.filter((t) => mine.has(t.templateId))).toEqual([]);
  });

  it('leaves out templates whose campaigns started beyond the analytics lookback', async () => {
    const old = new Set(await templatesWithCampaigns(1, 120));
    const claimed = await repo.claimDue(100, 60_000);
    expect(claimed.filter((t) => old.has(t.templateId))).toEqual([]);
  });
});
