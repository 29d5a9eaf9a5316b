import type { DataSource } from 'typeorm';

export interface CampaignFixture {
  workspaceId: string;
  phoneNumberId: string;
  templateId: string;
  audienceId: string;
}

let fixtureSeq = 0;

/**
 * For db specs: a workspace with an account, a number, an approved MARKETING template and an
 * audience of `contacts` contacts (the first `optedOut` opted out, the rest opted in), written
 * set-based. Phones are unique per call.
 */
export async function seedCampaignFixture(
  ds: DataSource,
  contacts: number,
  opts: { optedOut?: number; metaPhoneNumberId?: string } = {},
): Promise<CampaignFixture> {
  const one = async (sql: string, params: unknown[] = []): Promise<string> =>
    (await ds.query<Array<{ id: string }>>(sql, params))[0]!.id;
  const workspaceId = await one(`INSERT INTO workspaces (name) VALUES ('fixture') RETURNING id`);
  const account = await one(
    `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed)
     VALUES ($1, '100000000000001', 'sealed') RETURNING id`,
    [workspaceId],
  );
  const phoneNumberId = await one(
    `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number, graph_throughput_mps)
     VALUES ($1, $2, $3, '+1 555 010 0002', 1000) RETURNING id`,
    [workspaceId, account, opts.metaPhoneNumberId ?? '100000000000002'],
  );
  const templateId = await one(
    `INSERT INTO templates (workspace_id, business_account_id, name, language, category, components, status)
     VALUES ($1, $2, 'promo', 'en_US', 'MARKETING', '[]', 'APPROVED') RETURNING id`,
    [workspaceId, account],
  );
  const audienceId = await one(
    `INSERT INTO audiences (workspace_id, name) VALUES ($1, 'all') RETURNING id`,
    [workspaceId],
  );
  fixtureSeq++;
  await ds.query(
    `INSERT INTO contacts (workspace_id, phone, consent_status, consent_changed_at)
     SELECT $1, '+55' || lpad(($3::int % 90 + 10)::text, 2, '0') || '9' || lpad(($3::int / 90)::text, 2, '0')
                || lpad(i::text, 6, '0'),
            CASE WHEN i <= $4 THEN 'opted_out' ELSE 'opted_in' END, now()
       FROM generate_series(1, $2::int) i`,
    [workspaceId, contacts, fixtureSeq + (process.pid % 1000), opts.optedOut ?? 0],
  );
  await ds.query(
    `INSERT INTO audience_members (audience_id, contact_id) SELECT $1, id FROM contacts WHERE workspace_id = $2`,
    [audienceId, workspaceId],
  );
  return { workspaceId, phoneNumberId, templateId, audienceId };
}

/** What CampaignsRepository.snapshotChunk needs to snapshot a campaign of a whole audience. */
export function audienceSnapshot(
  c: { id: string; audienceId: string; workspaceId: string },
  boundPaths: string[][] = [],
): {
  campaignId: string;
  workspaceId: string;
  filter: { audience: string };
  referenceAt: Date;
  boundPaths: string[][];
  holdoutPercent: number;
} {
  return {
    campaignId: c.id,
    workspaceId: c.workspaceId,
    filter: { audience: c.audienceId },
    referenceAt: new Date(),
    boundPaths,
    holdoutPercent: 0,
  };
}

/** Sets a campaign running as launching does (lanes claim only from running campaigns). */
export async function markRunning(ds: DataSource, campaignId: string): Promise<void> {
  await ds.query(
    `UPDATE campaigns SET status = 'running', started_at = coalesce(started_at, now()) WHERE id = $1`,
    [campaignId],
  );
}

/**
 * Deletes every message in doubt, sending or claimed, whichever earlier test file left it. The
 * reconciler reads the oldest of those first: left behind, they delay a test's own.
 */
export async function deleteUnsettledMessages(db: {
  query(sql: string): Promise<unknown>;
}): Promise<void> {
  await db.query(
    `DELETE FROM campaign_messages WHERE status IN ('sending', 'in_doubt') OR claimed_by IS NOT NULL`,
  );
}
