// Builds campaigns with known outcomes directly in the database (the way the report benchmark
// does at scale): contacts, a draft campaign made through the API, and campaign_messages rows.
import { DataSource } from 'typeorm';
import type { Engine } from './engine';

export function dbOf(e: Engine): DataSource {
  return e.api.app.get(DataSource);
}

export async function draftCampaign(
  e: Engine,
  templateId: string,
  name = 'report',
): Promise<string> {
  const aud = await e.v1('POST', '/audiences', { name: `empty ${Math.random()}` });
  const res = await e.v1('POST', '/campaigns', {
    name,
    templateId,
    audienceId: aud.body.id,
    phoneNumberId: e.phoneId,
    parameters: { body: ['x', 'y'] },
  });
  if (res.status !== 201) {
    throw new Error(`create campaign: ${res.status} ${res.text}`);
  }
  return res.body.id;
}

export async function contacts(
  db: DataSource,
  workspaceId: string,
  list: string[],
): Promise<Map<string, string>> {
  const rows: Array<{ id: string; phone: string }> = await db.query(
    `INSERT INTO contacts (workspace_id, phone) SELECT $1, unnest($2::text[])
     ON CONFLICT (workspace_id, phone) DO UPDATE SET updated_at = now() RETURNING id, phone`,
    [workspaceId, list],
  );
  return new Map(rows.map((r) => [r.phone, r.id]));
}

export interface MessageSpec {
  contactId: string;
  phone: string;
  status: string;
  skipReason?: string;
  wamid?: string;
  sentAt?: Date;
  deliveredAt?: Date;
  readAt?: Date;
  clickedAt?: Date;
  failedAt?: Date;
  errorCode?: number;
  errorTitle?: string;
  billable?: boolean;
}

export async function insertMessage(
  db: DataSource,
  campaignId: string,
  m: MessageSpec,
): Promise<string> {
  const rows: Array<{ id: string }> = await db.query(
    `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, skip_reason, wamid, sent_at,
       delivered_at, read_at, clicked_at, failed_at, error_code, error_title, billable)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      campaignId,
      m.contactId,
      m.phone,
      m.status,
      m.skipReason ?? null,
      m.wamid ?? null,
      m.sentAt ?? null,
      m.deliveredAt ?? null,
      m.readAt ?? null,
      m.clickedAt ?? null,
      m.failedAt ?? null,
      m.errorCode ?? null,
      m.errorTitle ?? null,
      m.billable ?? null,
    ],
  );
  return String(rows[0]!.id);
}

export async function setCounters(
  db: DataSource,
  campaignId: string,
  c: Partial<
    Record<
      'targeted' | 'skipped' | 'sent' | 'delivered' | 'read' | 'clicked' | 'failed' | 'billable',
      number
    >
  >,
): Promise<void> {
  const cols = Object.keys(c);
  // The counts are the row plus its unfolded deltas: set, they are the row alone.
  await db.query(`DELETE FROM campaign_counter_deltas WHERE campaign_id = $1`, [campaignId]);
  await db.query(
    `UPDATE campaign_counters SET ${cols.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE campaign_id = $1`,
    [campaignId, ...cols.map((k) => c[k as keyof typeof c])],
  );
}

export async function markStarted(db: DataSource, campaignId: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE campaigns SET status = 'completed', started_at = $2, completed_at = $2, targeted_at = $2,
            target_filter = jsonb_build_object('audience', audience_id), target_reference_at = $2 WHERE id = $1`,
    [campaignId, at],
  );
}
