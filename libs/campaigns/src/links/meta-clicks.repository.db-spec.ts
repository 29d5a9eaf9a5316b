// Meta's link clicks (user_actions) against real Postgres: the join from tracking token to campaign
// message, campaign and template, unattributed clicks kept per number, Meta's redelivery stored
// once, and the aggregates the trigger keeps.
import { DataSource } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import { audienceSnapshot, seedCampaignFixture, workerDatabaseUrl } from '@app/testing';
import { CampaignsRepository } from '../campaigns.repository';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryService } from '../delivery/delivery.service';
import { callbackDataOf } from '../delivery/domain/delivery-status';
import type { MetaLinkClick } from '../domain/meta-click';
import { MetaClicksRepository } from './meta-clicks.repository';

let ds: DataSource;
let db: Database;
let campaigns: CampaignsRepository;
let delivery: DeliveryService;

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 4)).initialize();
  db = new Database(ds);
  campaigns = new CampaignsRepository(db);
  delivery = new DeliveryService(new DeliveryRepository(db), new MetaClicksRepository());
});

afterAll(async () => {
  await ds?.destroy();
});

let seq = 0;
/** A Meta phone number id no other test uses (clicks are routed by it). */
const freshNumber = () => `10000000${process.pid % 10000}${String(++seq).padStart(3, '0')}`;

interface Sent {
  workspaceId: string;
  phoneNumberId: string;
  templateId: string;
  campaignId: string;
  messageIds: string[];
}

async function sentCampaign(number: string, recipients = 3): Promise<Sent> {
  const f = await seedCampaignFixture(ds, recipients, { metaPhoneNumberId: number });
  const c = await campaigns.insert(asWorkspaceId(f.workspaceId), {
    name: 'meta clicks',
    templateId: f.templateId,
    audienceId: f.audienceId,
    phoneNumberId: f.phoneNumberId,
    parameters: {},
  });
  await campaigns.snapshotChunk(
    audienceSnapshot({ id: c.id, audienceId: f.audienceId, workspaceId: f.workspaceId }),
    null,
    1000,
  );
  const rows = await ds.query<Array<{ id: string }>>(
    `SELECT id::text FROM campaign_messages WHERE campaign_id = $1 ORDER BY id`,
    [c.id],
  );
  return { ...f, campaignId: c.id, messageIds: rows.map((r) => r.id) };
}

let clickSeq = 0;
function click(number: string, extra: Partial<MetaLinkClick> = {}): MetaLinkClick {
  return {
    phoneNumberId: number,
    at: new Date(Date.UTC(2030, 0, 2, 10, 0, 0)),
    component: 'cta',
    productId: null,
    clickId: `clk-${process.pid}-${++clickSeq}`,
    trackingToken: null,
    eventId: '1',
    ...extra,
  };
}

const apply = (clicks: MetaLinkClick[]) => db.tx((tx) => delivery.applyMetaClicks(tx, clicks));

async function campaignCounts(campaignId: string): Promise<unknown[]> {
  return ds.query(
    `SELECT template_id, clicks::int, cta::int, body::int FROM campaign_meta_clicks
      WHERE campaign_id = $1 ORDER BY template_id`,
    [campaignId],
  );
}

async function numberCounts(phoneNumberId: string): Promise<unknown[]> {
  return ds.query(
    `SELECT day::text, clicks::int, unattributed::int FROM phone_number_meta_clicks
      WHERE phone_number_id = $1 ORDER BY day`,
    [phoneNumberId],
  );
}

describe("Meta's link clicks (user_actions)", () => {
  it('joins a click to the message, campaign and template its tracking token names', async () => {
    const number = freshNumber();
    const s = await sentCampaign(number);
    const [m1, m2] = s.messageIds as [string, string];
    const r = await apply([
      click(number, { trackingToken: callbackDataOf(m1, 0), clickId: 'a', productId: 'sku_1' }),
      click(number, { trackingToken: callbackDataOf(m2, 1), clickId: 'b', component: 'body' }),
      click(number, { trackingToken: callbackDataOf(m2, 1), clickId: 'c', component: null }),
    ]);
    expect(r).toEqual({ stored: 3, attributed: 3 });
    const rows = await ds.query(
      `SELECT click_id, campaign_id, campaign_message_id::text AS message_id, template_id, component,
              product_id, workspace_id, phone_number_id, clicked_at
         FROM meta_link_clicks WHERE phone_number_id = $1 ORDER BY click_id`,
      [s.phoneNumberId],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        click_id: 'a',
        campaign_id: s.campaignId,
        message_id: m1,
        template_id: s.templateId,
        component: 'cta',
        product_id: 'sku_1',
        workspace_id: s.workspaceId,
        clicked_at: new Date(Date.UTC(2030, 0, 2, 10, 0, 0)),
      }),
      expect.objectContaining({ click_id: 'b', message_id: m2, component: 'body' }),
      expect.objectContaining({ click_id: 'c', message_id: m2, component: null }),
    ]);
    expect(await campaignCounts(s.campaignId)).toEqual([
      { template_id: s.templateId, clicks: 3, cta: 1, body: 1 },
    ]);
    expect(await numberCounts(s.phoneNumberId)).toEqual([
      { day: '2030-01-02', clicks: 3, unattributed: 0 },
    ]);
  });

  it("stores Meta's redelivery of a click once, in one batch or across batches", async () => {
    const number = freshNumber();
    const s = await sentCampaign(number);
    const one = click(number, { trackingToken: s.messageIds[0] as string });
    expect(await apply([one, { ...one, eventId: '2' }])).toEqual({ stored: 1, attributed: 1 });
    expect(await apply([{ ...one, eventId: '3' }])).toEqual({ stored: 0, attributed: 0 });
    expect(await campaignCounts(s.campaignId)).toEqual([
      { template_id: s.templateId, clicks: 1, cta: 1, body: 0 },
    ]);
    expect(await numberCounts(s.phoneNumberId)).toEqual([
      { day: '2030-01-02', clicks: 1, unattributed: 0 },
    ]);
  });

  it('keeps clicks with unknown tokens, none, or a message sent from another number, unattributed per number', async () => {
    const number = freshNumber();
    const s = await sentCampaign(number);
    const other = await sentCampaign(freshNumber());
    const r = await apply([
      click(number, { trackingToken: 'example_token' }),
      click(number, { trackingToken: null, component: 'body' }),
      click(number, { trackingToken: '999999999999' }),
      click(number, { trackingToken: other.messageIds[0] as string }),
      click(number, { trackingToken: s.messageIds[0] as string }),
    ]);
    expect(r).toEqual({ stored: 5, attributed: 1 });
    const rows = await ds.query<
      Array<{ tracking_token: string | null; campaign_id: string | null }>
    >(
      `SELECT tracking_token, campaign_id FROM meta_link_clicks WHERE phone_number_id = $1
        ORDER BY id`,
      [s.phoneNumberId],
    );
    expect(rows.map((x) => x.campaign_id)).toEqual([null, null, null, null, s.campaignId]);
    expect(rows.map((x) => x.tracking_token)).toEqual([
      'example_token',
      null,
      '999999999999',
      other.messageIds[0],
      s.messageIds[0],
    ]);
    expect(await campaignCounts(other.campaignId)).toEqual([]);
    expect(await numberCounts(s.phoneNumberId)).toEqual([
      { day: '2030-01-02', clicks: 5, unattributed: 4 },
    ]);
  });

  it('gives an unattributed click to every workspace holding the number, an attributed one to its owner only', async () => {
    const number = freshNumber();
    const a = await sentCampaign(number);
    const b = await sentCampaign(number);
    await apply([
      click(number, { clickId: 'unknown', trackingToken: 'meta-internal' }),
      click(number, { clickId: 'known', trackingToken: a.messageIds[1] as string }),
    ]);
    const rows = await ds.query(
      `SELECT workspace_id, click_id, campaign_id FROM meta_link_clicks
        WHERE phone_number_id = ANY($1::uuid[]) ORDER BY click_id, workspace_id`,
      [[a.phoneNumberId, b.phoneNumberId]],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { workspace_id: a.workspaceId, click_id: 'known', campaign_id: a.campaignId },
        { workspace_id: a.workspaceId, click_id: 'unknown', campaign_id: null },
        { workspace_id: b.workspaceId, click_id: 'unknown', campaign_id: null },
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it('counts an A/B message under its variant’s template, and the rest under the winner’s', async () => {
    const number = freshNumber();
    const s = await sentCampaign(number, 3);
    const [tb] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO templates (workspace_id, business_account_id, name, language, category, components, status)
       SELECT workspace_id, business_account_id, 'promo_b', language, category, components, status
         FROM templates WHERE id = $1 RETURNING id`,
      [s.templateId],
    );
    await ds.query(
      `INSERT INTO campaign_variants (campaign_id, key, position, template_id, weight)
       VALUES ($1, 'A', 0, $2, 1), ($1, 'B', 1, $3, 1)`,
      [s.campaignId, s.templateId, tb!.id],
    );
    const [ma, mb, rest] = s.messageIds as [string, string, string];
    await ds.query(`UPDATE campaign_messages SET variant = 'A' WHERE id = $1`, [ma]);
    await ds.query(`UPDATE campaign_messages SET variant = 'B' WHERE id = $1`, [mb]);
    await ds.query(
      `UPDATE campaigns SET winner_key = 'B', winner_decided_at = now(),
              winner_decision = '{"by":"hand"}' WHERE id = $1`,
      [s.campaignId],
    );
    await apply([
      click(number, { trackingToken: ma }),
      click(number, { trackingToken: mb }),
      click(number, { trackingToken: rest, component: 'body' }),
    ]);
    const counts = await campaignCounts(s.campaignId);
    expect(counts).toEqual(
      expect.arrayContaining([
        { template_id: s.templateId, clicks: 1, cta: 1, body: 0 },
        { template_id: tb!.id, clicks: 2, cta: 1, body: 1 },
      ]),
    );
    expect(counts).toHaveLength(2);
  });

  it('stores nothing for a number no workspace holds, and refuses to rewrite a stored click', async () => {
    expect(await apply([click(freshNumber())])).toEqual({ stored: 0, attributed: 0 });
    const number = freshNumber();
    const s = await sentCampaign(number, 1);
    await apply([click(number)]);
    await expect(
      ds.query(`UPDATE meta_link_clicks SET component = 'body' WHERE phone_number_id = $1`, [
        s.phoneNumberId,
      ]),
    ).rejects.toThrow(/never updated/);
    await expect(
      ds.query(
        `INSERT INTO meta_link_clicks (workspace_id, phone_number_id, click_id, clicked_at, campaign_id, webhook_event_id)
         VALUES ($1, $2, 'x', now(), $3, 1)`,
        [s.workspaceId, s.phoneNumberId, s.campaignId],
      ),
    ).rejects.toThrow(/meta_link_clicks_attribution_ck/);
  });

  it('prunes clicks stored before a time, a batch at a time, and keeps the counts', async () => {
    const number = freshNumber();
    const s = await sentCampaign(number);
    const [m1] = s.messageIds as [string];
    await apply([click(number, { trackingToken: callbackDataOf(m1, 0), clickId: 'recent' })]);
    // Three clicks stored 40 days ago, as the webhook apply would have stored them then.
    await ds.query(
      `INSERT INTO meta_link_clicks (workspace_id, phone_number_id, click_id, clicked_at, component,
                                     campaign_id, campaign_message_id, template_id, webhook_event_id,
                                     received_at)
       SELECT $1, p.id, 'old-' || n, now() - interval '40 days', 'cta', $3, $4, $5, 1,
              now() - interval '40 days' + n * interval '1 second'
         FROM phone_numbers p, generate_series(1, 3) n
        WHERE p.id = $2`,
      [s.workspaceId, s.phoneNumberId, s.campaignId, m1, s.templateId],
    );
    const campaignBefore = await campaignCounts(s.campaignId);
    const numberBefore = await numberCounts(s.phoneNumberId);
    expect(campaignBefore).toEqual([{ template_id: s.templateId, clicks: 4, cta: 4, body: 0 }]);

    const before = new Date(Date.now() - 30 * 86_400_000);
    const clickIds = async () =>
      (
        await ds.query<Array<{ click_id: string }>>(
          `SELECT click_id FROM meta_link_clicks WHERE phone_number_id = $1 ORDER BY click_id`,
          [s.phoneNumberId],
        )
      ).map((r) => r.click_id);
    // Oldest first, at most a batch.
    expect(await delivery.pruneMetaClicks(db, before, 1)).toBe(1);
    expect(await clickIds()).toEqual(['old-2', 'old-3', 'recent']);
    let n: number;
    do {
      n = await delivery.pruneMetaClicks(db, before, 100);
    } while (n === 100);
    expect(await clickIds()).toEqual(['recent']);
    expect(await campaignCounts(s.campaignId)).toEqual(campaignBefore);
    expect(await numberCounts(s.phoneNumberId)).toEqual(numberBefore);
  });
});
