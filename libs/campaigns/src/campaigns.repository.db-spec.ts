import { DataSource } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import {
  audienceSnapshot,
  seedCampaignFixture,
  workerDatabaseUrl,
  markRunning,
} from '@app/testing';
import { ANALYZE_AFTER_SNAPSHOT_ROWS, CampaignsRepository } from './campaigns.repository';

let db: DataSource;
let repo: CampaignsRepository;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 4)).initialize();
  repo = new CampaignsRepository(new Database(db));
});

afterAll(async () => {
  await db?.destroy();
});

/** A campaign over an audience of `n` opted-in contacts. */
async function campaignOf(
  n: number,
): Promise<{ id: string; audienceId: string; workspaceId: string }> {
  const f = await seedCampaignFixture(db, n);
  const c = await repo.insert(asWorkspaceId(f.workspaceId), {
    name: 'big',
    templateId: f.templateId,
    audienceId: f.audienceId,
    phoneNumberId: f.phoneNumberId,
    parameters: {},
  });
  await markRunning(db, c.id);
  return { id: c.id, audienceId: f.audienceId, workspaceId: f.workspaceId };
}

async function snapshot(c: {
  id: string;
  audienceId: string;
  workspaceId: string;
}): Promise<number> {
  let after: string | null = null;
  let inserted = 0;
  for (;;) {
    const chunk = await repo.snapshotChunk(audienceSnapshot(c), after, 5000);
    inserted += chunk.inserted;
    if (!chunk.lastContactId) {
      return inserted;
    }
    after = chunk.lastContactId;
  }
}

const rowEstimate = async (): Promise<number> => {
  const rows = await db.query<Array<{ reltuples: number }>>(
    `SELECT reltuples FROM pg_class WHERE relname = 'campaign_messages'`,
  );
  return Number(rows[0]!.reltuples);
};

describe('planner statistics after a snapshot', () => {
  it('refreshes them after a large snapshot, so the claim plans for the real size', async () => {
    const n = ANALYZE_AFTER_SNAPSHOT_ROWS + 2000;
    const c = await campaignOf(n);
    const inserted = await snapshot(c);
    expect(inserted).toBe(n);

    await expect(repo.refreshStatsAfterSnapshot(inserted)).resolves.toBe(true);
    expect(await rowEstimate()).toBeGreaterThanOrEqual(n * 0.9);

    // The claim walks the pending index in id order: a batch comes back in order, from the start.
    const claimed = await repo.claim(c.id, 'bench-worker', 500, null, new Date());
    expect(claimed).toHaveLength(500);
    const ids = claimed.map((m) => BigInt(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('leaves them alone after a small snapshot', async () => {
    await expect(repo.refreshStatsAfterSnapshot(ANALYZE_AFTER_SNAPSHOT_ROWS - 1)).resolves.toBe(
      false,
    );
  });
});

/** The campaign's live counts, as the trigger keeps them (zero counters left out). */
async function counts(campaignId: string): Promise<Record<string, number>> {
  const rows = await db.query<Array<Record<string, string>>>(
    `SELECT targeted, skipped, queued, sending, in_doubt, sent, delivered, read, clicked, failed, billable
       FROM campaign_counts WHERE campaign_id = $1`,
    [campaignId],
  );
  return Object.fromEntries(
    Object.entries(rows[0]!)
      .map(([k, v]) => [k, Number(v)] as const)
      .filter(([, v]) => v !== 0),
  );
}

describe('snapshot chunks', () => {
  it('resume past chunks already inserted, counting only new messages', async () => {
    const c = await campaignOf(120);
    const first = await repo.snapshotChunk(audienceSnapshot(c), null, 50);
    expect(first.inserted).toBe(50);
    expect(await counts(c.id)).toEqual({ targeted: 50, queued: 50 });
    // A restarted snapshot walks from the start again: nothing doubles, the cursor still moves.
    const again = await repo.snapshotChunk(audienceSnapshot(c), null, 80);
    expect(again.inserted).toBe(30);
    expect(await counts(c.id)).toEqual({ targeted: 80, queued: 80 });
    const rest = await repo.snapshotChunk(audienceSnapshot(c), again.lastContactId, 80);
    expect(rest.inserted).toBe(40);
    const end = await repo.snapshotChunk(audienceSnapshot(c), rest.lastContactId, 80);
    expect(end).toEqual({ inserted: 0, lastContactId: null });
    expect(await counts(c.id)).toEqual({ targeted: 120, queued: 120 });
    const rows = await db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM campaign_messages WHERE campaign_id = $1`,
      [c.id],
    );
    expect(rows[0]!.n).toBe(120);
  });

  it('skip contacts missing a bound field, counted as skipped', async () => {
    const c = await campaignOf(10);
    await db.query(
      `UPDATE contacts SET attributes = '{"firstName":"Ana"}' WHERE id IN (
         SELECT contact_id FROM audience_members WHERE audience_id = $1 ORDER BY contact_id LIMIT 4)`,
      [c.audienceId],
    );
    const chunk = await repo.snapshotChunk(
      audienceSnapshot(c, [['attributes', 'firstName']]),
      null,
      100,
    );
    expect(chunk.inserted).toBe(10);
    expect(await counts(c.id)).toEqual({ targeted: 10, queued: 4, skipped: 6 });
  });
});

describe('campaign_messages references (checked per statement)', () => {
  const insertMessage = (campaignId: string, contactId: string): Promise<unknown> =>
    db.query(
      `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status)
       VALUES ($1, $2, '+5511900000001', 'pending')`,
      [campaignId, contactId],
    );

  it('refuse an unknown campaign or contact', async () => {
    const c = await campaignOf(1);
    const found = await db.query<Array<{ id: string }>>(
      `SELECT contact_id AS id FROM audience_members WHERE audience_id = $1`,
      [c.audienceId],
    );
    const contactId = found[0]!.id;
    await expect(insertMessage('00000000-0000-4000-8000-00000000dead', contactId)).rejects.toThrow(
      /campaign that does not exist/,
    );
    await expect(insertMessage(c.id, '00000000-0000-4000-8000-00000000dead')).rejects.toThrow(
      /contact that does not exist/,
    );
  });

  it('keep a message on its campaign and contact, cascade campaign deletes, refuse contact deletes', async () => {
    const c = await campaignOf(3);
    await snapshot(c);
    const found = await db.query<Array<{ id: string }>>(
      `SELECT contact_id AS id FROM campaign_messages WHERE campaign_id = $1 LIMIT 1`,
      [c.id],
    );
    const contactId = found[0]!.id;
    await expect(
      db.query(
        `UPDATE campaign_messages SET contact_id = gen_random_uuid() WHERE campaign_id = $1`,
        [c.id],
      ),
    ).rejects.toThrow(/cannot change its campaign or contact/);
    await expect(db.query(`DELETE FROM contacts WHERE id = $1`, [contactId])).rejects.toThrow(
      /still referenced by campaign_messages/,
    );
    // Some of them delivered and billable: aggregates exist for the campaign when it goes.
    await db.query(
      `UPDATE campaign_messages SET status = 'delivered', wamid = 'wamid.del.' || id, billable = true,
              sent_at = now(), delivered_at = now() WHERE campaign_id = $1`,
      [c.id],
    );
    await db.query(`DELETE FROM campaigns WHERE id = $1`, [c.id]);
    const left = await db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM campaign_messages WHERE campaign_id = $1`,
      [c.id],
    );
    expect(left[0]!.n).toBe(0);
    await db.query(`DELETE FROM contacts WHERE id = $1`, [contactId]);
  });
});

describe('listings for the web app', () => {
  it('list campaigns oldest or newest first, page by page', async () => {
    const f = await seedCampaignFixture(db, 1);
    const ws = asWorkspaceId(f.workspaceId);
    const names = ['first', 'second', 'third'];
    for (const name of names) {
      await repo.insert(ws, { ...f, name, parameters: {} });
    }
    const oldest = await repo.list(ws, 2);
    expect(oldest.data.map((c) => c.name)).toEqual(['first', 'second']);
    const newest = await repo.list(ws, 2, undefined, undefined, 'desc');
    expect(newest.data.map((c) => c.name)).toEqual(['third', 'second']);
    const rest = await repo.list(ws, 2, newest.nextCursor!, undefined, 'desc');
    expect(rest.data.map((c) => c.name)).toEqual(['first']);
    expect(rest.nextCursor).toBeNull();
  });

  it("filter a campaign's failed messages by error code (0: failed without one), through the failed index", async () => {
    const c = await campaignOf(8);
    await snapshot(c);
    const ws = asWorkspaceId(
      (
        await db.query<Array<{ id: string }>>(
          `SELECT workspace_id AS id FROM campaigns WHERE id = $1`,
          [c.id],
        )
      )[0]!.id,
    );
    // Two 131026, one 131049, one without a code; one pending message keeps a retry's code.
    await db.query(
      `UPDATE campaign_messages m SET status = x.status, error_code = x.code, failed_at = now()
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM campaign_messages WHERE campaign_id = $1) r
         JOIN (VALUES (1, 'failed', 131026), (2, 'failed', 131049), (3, 'failed', 131026),
                      (4, 'failed', NULL), (5, 'pending', 131026)) AS x(n, status, code) ON x.n = r.n
        WHERE m.id = r.id`,
      [c.id],
    );
    const codes = async (errorCode: number, status?: string) =>
      (await repo.messages(ws, c.id, 50, null, { errorCode, status })).data.map((m) => [
        m.status,
        m.errorCode,
      ]);
    expect(await codes(131026)).toEqual([
      ['failed', 131026],
      ['failed', 131026],
    ]);
    expect(await codes(0)).toEqual([['failed', null]]);
    expect(await codes(131049, 'failed')).toEqual([['failed', 131049]]);
    expect(await codes(131026, 'pending')).toEqual([]);
    const page = await repo.messages(ws, c.id, 1, null, { errorCode: 131026 });
    const next = await repo.messages(ws, c.id, 1, page.nextCursor, { errorCode: 131026 });
    expect(next.data).toHaveLength(1);
    expect(next.data[0]!.id).not.toBe(page.data[0]!.id);

    // The planner's choice on a table this small is not the point: with sequential scans off it
    // must have the failed index to use (it would pick a wider index otherwise, or sort).
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL enable_seqscan = off');
      const plan: Array<{ 'QUERY PLAN': string }> = await runner.query(
        `EXPLAIN SELECT id FROM campaign_messages
          WHERE campaign_id = $1 AND status = 'failed' AND coalesce(error_code, 0) = 131026
          ORDER BY id LIMIT 51`,
        [c.id],
      );
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('campaign_messages_failed_idx');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
