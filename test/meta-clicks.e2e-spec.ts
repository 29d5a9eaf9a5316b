// Meta's link clicks (user_actions, issue 18) end to end: a campaign goes out through the sandbox,
// the sandbox reports clicks on its messages with the tracking token the engine sent (some
// redelivered, one with a token that names none of our messages), and a payload carries a click
// without click data beside a status. The report and the overview count each click exactly once;
// the status beside the malformed click is applied.
import { DataSource } from 'typeorm';
import { TEST_APP_SECRET } from '@app/testing';
import { signWebhookBody, WebhookEventsService } from '@app/webhooks';
import { http } from './support/apps';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  PHONE_NUMBER_ID,
  phones,
  startEngine,
  until,
  WABA,
  type Engine,
} from './support/engine';

describe("Meta's link clicks (sandbox, API, worker)", () => {
  let e: Engine;
  let db: DataSource;

  beforeAll(async () => {
    e = await startEngine();
    db = e.api.app.get(DataSource);
    // Delivered, not read: the test reads one message itself, beside a malformed click.
    await e.control('PATCH', '/settings', { probabilities: { read: 0 } });
  });

  afterAll(async () => {
    await e?.close();
  });

  /** Every webhook the sandbox sent has been answered and applied. */
  async function settled(): Promise<void> {
    await until('webhooks delivered and applied', async () => {
      const c = await e.control('GET', '/counters');
      const [j] = await db.query<Array<{ waiting: string }>>(
        // Not yet tried: an event another file left failing (parked for a retry) is not ours.
        `SELECT count(*) AS waiting FROM webhook_events
          WHERE processed_at IS NULL AND dead_at IS NULL AND attempts = 0`,
      );
      return c.webhooks.pending === 0 && Number(j?.waiting) === 0;
    });
  }

  it('counts each click once per campaign, template and number; applies the status beside a malformed click', async () => {
    const template = await approvedTemplate(e, 'promo_meta_clicks');
    const list = phones(3, 901);
    const audience = await audienceOf(e, optedIn(list));
    const id = await createCampaign(e, template.id, audience);
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    await until('all delivered', async () => {
      const c = await e.v1('GET', `/campaigns/${id}`);
      return c.body.counts.delivered === 3;
    });
    const messages = (await e.v1('GET', `/campaigns/${id}/messages`)).body.data as Array<{
      id: string;
      phone: string;
      wamid: string;
    }>;
    const [m1, m2, m3] = list.map((p) => messages.find((m) => m.phone === p)!);

    // m1: a button click Meta delivers twice, and a click in the body.
    const first = await e.control('POST', '/clicks', { wamid: m1!.wamid, copies: 2 });
    expect(first.trackingToken).toBe(m1!.id);
    await e.control('POST', '/clicks', { wamid: m1!.wamid, component: 'body' });
    // m2: the same click redelivered in a later payload.
    await e.control('POST', '/clicks', { wamid: m2!.wamid, clickId: 'clk-m2', productId: 'sku_9' });
    await e.control('POST', '/clicks', { wamid: m2!.wamid, clickId: 'clk-m2', productId: 'sku_9' });
    // m3: a token that names none of our messages (Meta's own): kept, counted for the number only.
    await e.control('POST', '/clicks', { wamid: m3!.wamid, trackingToken: 'meta-internal-token' });
    // A click without click data beside m3's read status, in one signed payload.
    const raw = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550100002', phone_number_id: PHONE_NUMBER_ID },
                statuses: [
                  {
                    id: m3!.wamid,
                    status: 'read',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: m3!.phone.slice(1),
                  },
                ],
                user_actions: [
                  {
                    action_type: 'marketing_messages_link_click',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const posted = await http(e.api.url, 'POST', '/webhooks/whatsapp', {
      raw,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(raw, TEST_APP_SECRET),
        'x-request-id': 'meta-clicks-malformed',
      },
    });
    expect(posted.status).toBe(200);
    await settled();

    const report = (await e.v1('GET', `/campaigns/${id}/report`)).body;
    expect(report.metaClicks).toEqual({
      total: 3,
      cta: 2,
      body: 1,
      templates: [
        {
          templateId: template.id,
          templateName: 'promo_meta_clicks',
          language: 'en_US',
          total: 3,
          cta: 2,
          body: 1,
        },
      ],
    });
    // Ours (tracked links) stay ours: Meta's clicks are beside them, not in them.
    expect(report.funnel.clicked).toBe(0);
    // The status beside the malformed click was applied.
    expect(report.funnel.read).toBe(1);
    expect(
      (await e.v1('GET', `/campaigns/${id}/messages`)).body.data.find(
        (m: { id: string }) => m.id === m3!.id,
      ).status,
    ).toBe('read');

    const overview = (await e.v1('GET', '/reports/overview')).body;
    expect(overview.totals.metaClicks).toEqual({ total: 3, cta: 2, body: 1 });
    expect(
      overview.templates.find((t: { templateId: string }) => t.templateId === template.id)
        .metaClicks,
    ).toEqual({ total: 3, cta: 2, body: 1 });
    expect(overview.metaClicksByNumber).toEqual([
      {
        phoneNumberId: e.phoneId,
        displayPhoneNumber: expect.any(String),
        clicks: 4,
        unattributed: 1,
      },
    ]);

    // Stored once each, with the message the token named; the malformed payload is flagged.
    const stored = await db.query<Array<{ message: string | null; product_id: string | null }>>(
      `SELECT campaign_message_id::text AS message, product_id FROM meta_link_clicks
        WHERE workspace_id = $1 ORDER BY id`,
      [e.workspaceId],
    );
    expect(stored.map((s) => s.message).sort()).toEqual([m1!.id, m1!.id, m2!.id, null].sort());
    expect(stored.map((s) => s.product_id)).toContain('sku_9');
    const [flagged] = await db.query<Array<{ unknown: boolean; error: string }>>(
      `SELECT unknown, error FROM webhook_events WHERE request_id = 'meta-clicks-malformed'`,
    );
    expect(flagged).toMatchObject({ unknown: true });
    expect(flagged!.error).toMatch(/user_actions\[0\] lacks click data/);
  });

  it('the sandbox refuses a click on a message it did not send, and bad click options, with a 400', async () => {
    const bad = async (body: unknown) =>
      (await http(e.sandbox.url, 'POST', '/_sandbox/clicks', { body })).status;
    expect(await bad({ wamid: 'wamid.nope' })).toBe(400);
    expect(await bad({})).toBe(400);
    const sent = (await e.control('GET', '/messages?limit=1')).data[0] as { wamid: string };
    expect(await bad({ wamid: sent.wamid, component: 'image' })).toBe(400);
    expect(await bad({ wamid: sent.wamid, copies: 9 })).toBe(400);
    expect(await bad({ wamid: sent.wamid, clickId: '' })).toBe(400);
  });

  it('keeps a stored click at least 8 days, however short the webhook retention', async () => {
    // Two copies of the first test's stored click, as the webhook apply would have stored them an
    // hour more and an hour less than 8 days ago (Meta redelivers a webhook for up to 7 days: a
    // pruned click would count twice).
    const hour = 1 / 24;
    for (const [id, days] of [
      ['floor-9d', 8 + hour],
      ['floor-7d', 8 - hour],
    ] as const) {
      await db.query(
        `INSERT INTO meta_link_clicks (workspace_id, phone_number_id, click_id, clicked_at, component,
                                       campaign_id, campaign_message_id, template_id, webhook_event_id,
                                       received_at)
         SELECT workspace_id, phone_number_id, $1, clicked_at, component, campaign_id,
                campaign_message_id, template_id, webhook_event_id, $2::timestamptz
           FROM meta_link_clicks WHERE click_id = 'clk-m2'`,
        [id, new Date(e.clock.now().getTime() - days * 86_400_000)],
      );
    }
    const ids = async (): Promise<string[]> =>
      (
        await db.query<Array<{ click_id: string }>>(
          `SELECT click_id FROM meta_link_clicks WHERE click_id IN ('clk-m2', 'floor-9d', 'floor-7d')
            ORDER BY click_id`,
        )
      ).map((r) => r.click_id);
    expect(await ids()).toEqual(['clk-m2', 'floor-7d', 'floor-9d']);
    // WEBHOOK_RETENTION_DAYS=1 would take both; the 8-day floor keeps the younger one.
    const pruned = await e.worker!.get(WebhookEventsService).pruneMetaClicks(86_400_000);
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await ids()).toEqual(['clk-m2', 'floor-7d']);
  });
});
