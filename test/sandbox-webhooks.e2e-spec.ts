import type {
  TemplateQualityUpdateValue,
  TemplateStatusUpdateValue,
  UserPreferencesValue,
} from '@app/graph-contract';
import { testConfig, TEST_APP_SECRET } from '@app/testing';
import { http, startSandbox, type RunningApp } from './support/apps';
import { eventually, WebhookReceiver } from './sandbox-webhook-receiver';

const WABA = '100000000000001';
const PHONE = '100000000000002';
const TOKEN = 'sandbox-token';

const FAST = {
  delays: { sentMs: 1, deliveredMs: 5, readMs: 5, failedMs: 1, replyMs: 5, templateReviewMs: 20 },
  probabilities: {
    delivered: 1,
    read: 1,
    perUserCap: 0,
    stopReply: 0,
    buttonReply: 0,
    urlClick: 0,
  },
  webhookDelivery: { retryBaseMs: 5 },
};

const BODY = (text: string) => ({ type: 'BODY', text });

describe('sandbox: templates, webhooks and chaos switches', () => {
  let sandbox: RunningApp;
  let receiver: WebhookReceiver;
  const control = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/_sandbox${path}`, { body });
  const graph = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/v24.0/${path}`, { key: TOKEN, body });
  const sendPromo = async (to: string) => {
    const res = await graph('POST', `${PHONE}/marketing_messages`, {
      messaging_product: 'whatsapp',
      to,
      type: 'template',
      template: {
        name: 'flash_sale',
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });
    expect(res.status).toBe(200);
    return res.body.messages[0].id as string;
  };

  beforeAll(async () => {
    receiver = await new WebhookReceiver(TEST_APP_SECRET).start();
    sandbox = await startSandbox(testConfig({ WEBHOOK_CALLBACK_URL: receiver.url }));
  });

  afterAll(async () => {
    await sandbox?.close();
    await receiver?.stop();
  });

  beforeEach(async () => {
    receiver.clear();
    await control('POST', '/reset');
    expect((await control('PATCH', '/settings', FAST)).status).toBe(200);
    await control('POST', '/templates', {
      name: 'flash_sale',
      language: 'en',
      category: 'MARKETING',
      components: [
        BODY('Hi {{1}}, our flash sale ends tonight.'),
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
      ],
    });
  });

  afterEach(() => {
    expect(receiver.badSignatures).toBe(0);
  });

  it('approves a submitted template after review and announces it by signed webhook', async () => {
    const created = await graph('POST', `${WABA}/message_templates`, {
      name: 'summer_launch',
      language: 'en_US',
      category: 'marketing',
      components: [BODY('Hello {{1}}, the summer range is here.')],
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      status: 'PENDING',
      category: 'MARKETING',
    });
    const id = created.body.id;
    const update = await eventually(
      () => receiver.changes<TemplateStatusUpdateValue>('message_template_status_update')[0],
      'status update',
    );
    expect(update).toEqual({
      event: 'APPROVED',
      message_template_id: Number(id),
      message_template_name: 'summer_launch',
      message_template_language: 'en_US',
      reason: 'NONE',
      message_template_category: 'MARKETING',
    });
    expect(receiver.received[0]?.envelope.entry[0]).toMatchObject({
      id: WABA,
      time: expect.any(Number),
    });
    const read = await graph('GET', `${id}?fields=status,name`);
    expect(read.body).toEqual({ id, status: 'APPROVED', name: 'summer_launch' });
  });

  it('rejects a template matching a configured rule, with the reason', async () => {
    await control('PATCH', '/settings', {
      templateRules: {
        rejections: [
          {
            field: 'body',
            match: 'guaranteed',
            reason: 'PROMOTIONAL',
            detail: 'Too good to be true',
          },
        ],
      },
    });
    const created = await graph('POST', `${WABA}/message_templates`, {
      name: 'too_good',
      language: 'en',
      category: 'MARKETING',
      components: [BODY('Guaranteed riches for {{1}} today only!')],
    });
    const update = await eventually(
      () => receiver.changes<TemplateStatusUpdateValue>('message_template_status_update')[0],
      'rejection',
    );
    expect(update).toMatchObject({
      event: 'REJECTED',
      reason: 'PROMOTIONAL',
      message_template_id: Number(created.body.id),
      rejection_info: { reason: 'Too good to be true', recommendation: expect.any(String) },
    });
    const read = await graph('GET', `${created.body.id}?fields=status,rejected_reason`);
    expect(read.body).toMatchObject({ status: 'REJECTED', rejected_reason: 'PROMOTIONAL' });
  });

  it('refuses malformed templates synchronously with Meta’s creation errors', async () => {
    const bad = async (body: Record<string, unknown>) =>
      (await graph('POST', `${WABA}/message_templates`, body)).body.error;
    expect(
      await bad({
        name: 'Bad Name',
        language: 'en',
        category: 'MARKETING',
        components: [BODY('x')],
      }),
    ).toMatchObject({ code: 100 });
    expect(
      await bad({ name: 'ok_name', language: 'en', category: 'PROMO', components: [BODY('x')] }),
    ).toMatchObject({ code: 100 });
    expect(
      await bad({
        name: 'ok_name',
        language: 'en',
        category: 'MARKETING',
        components: [BODY('{{1}} starts here')],
      }),
    ).toMatchObject({
      code: 100,
      error_subcode: 2388299,
    });
    expect(
      await bad({
        name: 'flash_sale',
        language: 'en',
        category: 'MARKETING',
        components: [BODY('dup {{1}} x')],
      }),
    ).toMatchObject({ code: 100 });
  });

  it('pauses, disables and re-rates templates with status and quality webhooks', async () => {
    const id = (await graph('GET', `${WABA}/message_templates?name=flash_sale`)).body.data[0].id;
    await control('POST', `/templates/${id}/status`, { status: 'PAUSED' });
    await control('POST', `/templates/${id}/status`, { status: 'DISABLED' });
    await control('POST', `/templates/${id}/quality`, { score: 'RED' });
    const updates = await eventually(() => {
      const u = receiver.changes<TemplateStatusUpdateValue>('message_template_status_update');
      return u.length === 2 && u;
    }, 'two status updates');
    expect(updates.map((u) => u.event).sort()).toEqual(['DISABLED', 'PAUSED']);
    expect(updates.find((u) => u.event === 'PAUSED')?.other_info?.title).toBe('FIRST_PAUSE');
    expect(updates.find((u) => u.event === 'DISABLED')?.disable_info?.disable_date).toEqual(
      expect.any(Number),
    );
    const quality = await eventually(
      () => receiver.changes<TemplateQualityUpdateValue>('message_template_quality_update')[0],
      'quality update',
    );
    expect(quality).toEqual({
      previous_quality_score: 'UNKNOWN',
      new_quality_score: 'RED',
      message_template_id: Number(id),
      message_template_name: 'flash_sale',
      message_template_language: 'en',
    });
  });

  it('pages templates with Graph cursors and an absolute next URL', async () => {
    for (let i = 0; i < 7; i++) {
      await control('POST', '/templates', {
        name: `bulk_${i}`,
        language: 'en',
        category: 'UTILITY',
        components: [BODY(`Item ${i} shipped.`)],
      });
    }
    const seen: string[] = [];
    let url: string | undefined =
      `${sandbox.url}/v24.0/${WABA}/message_templates?limit=3&fields=name,status`;
    let pages = 0;
    while (url) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as any;
      expect(body.data.length).toBeLessThanOrEqual(3);
      seen.push(...body.data.map((t: { name: string }) => t.name));
      expect(body.paging.cursors.after).toEqual(expect.any(String));
      url = body.paging.next;
      if (url) {
        expect(url.startsWith('http://127.0.0.1:')).toBe(true);
      }
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen[0]).toBe('bulk_6'); // newest first
    const filtered = await graph('GET', `${WABA}/message_templates?status=approved&name=bulk_3`);
    expect(filtered.body.data.map((t: { name: string }) => t.name)).toEqual(['bulk_3']);
    expect(filtered.body.paging.next).toBeUndefined();
    const del = await graph('DELETE', `${WABA}/message_templates?name=bulk_3`);
    expect(del.body).toEqual({ success: true });
    expect((await graph('GET', `${WABA}/message_templates?name=bulk_3`)).body.data).toEqual([]);
  });

  it('duplicates every delivery when the duplicate switch is on', async () => {
    await control('PATCH', '/settings', { chaos: { duplicateRate: 1 } });
    const wamid = await sendPromo('447700900400');
    const statuses = await eventually(() => {
      const s = receiver.statusesOf(wamid);
      return s.length === 6 && s;
    }, 'each status twice');
    expect(statuses.filter((s) => s.status === 'delivered')).toHaveLength(2);
    const c = (await control('GET', '/counters')).body.webhooks;
    expect(c.duplicates).toBe(3);
  });

  it('sends read before delivered when the out-of-order switch is on', async () => {
    await control('PATCH', '/settings', {
      chaos: { outOfOrderRate: 1 },
      delays: { deliveredMs: 5, readMs: 30 },
    });
    const wamid = await sendPromo('447700900401');
    const statuses = await eventually(() => {
      const s = receiver.statusesOf(wamid);
      return s.length === 3 && s;
    }, 'three statuses');
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'read', 'delivered']);
    expect(statuses[2]?.pricing?.category).toBe('marketing_lite');
  });

  it('batches many statuses into one payload up to the configured count', async () => {
    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 1000 });
    await control('PATCH', '/settings', {
      chaos: { maxStatusesPerPayload: 10, batchWindowMs: 400 },
      probabilities: { delivered: 0 },
      delays: { sentMs: 40 },
    });
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => sendPromo(`4477009005${String(i).padStart(2, '0')}`)),
    );
    await eventually(() => receiver.statuses().length === 25, '25 sent statuses');
    const sizes = receiver.received.map(
      (r) => (r.envelope.entry[0]?.changes[0]?.value as any).statuses.length,
    );
    expect(Math.max(...sizes)).toBe(10);
    expect(sizes.every((n) => n <= 10)).toBe(true);
    expect(sizes.length).toBeLessThan(25);
    expect((await control('GET', '/counters')).body.webhooks.batched).toBeGreaterThan(0);
  });

  it('retries non-2xx answers with backoff and counts the retries', async () => {
    await control('PATCH', '/settings', { probabilities: { delivered: 0 } });
    receiver.respond = (n) => (n < 2 ? 503 : 200);
    const wamid = await sendPromo('447700900402');
    await eventually(() => receiver.received.some((r) => r.answered === 200), 'accepted delivery');
    expect(receiver.received.map((r) => r.answered)).toEqual([503, 503, 200]);
    expect(receiver.statusesOf(wamid)).toHaveLength(3); // same payload three times
    const c = (await control('GET', '/counters')).body.webhooks;
    expect(c).toMatchObject({
      attempts: 3,
      failedAttempts: 2,
      retried: 2,
      delivered: 1,
      dropped: 0,
    });
  });

  it('gives up after the configured attempts and counts the drop', async () => {
    await control('PATCH', '/settings', {
      probabilities: { delivered: 0 },
      webhookDelivery: { maxAttempts: 2 },
    });
    receiver.respond = () => 500;
    await sendPromo('447700900403');
    await eventually(
      async () => (await control('GET', '/counters')).body.webhooks.dropped === 1,
      'drop',
    );
    expect(receiver.received).toHaveLength(2);
  });

  it('makes a recipient reply STOP or tap the quick reply, in context of the template message', async () => {
    const wamid = await sendPromo('447700900404');
    await control('POST', '/replies', { wamid, button: { text: 'Stop promotions' } });
    await control('POST', '/replies', { wamid, text: 'STOP' });
    const inbound = await eventually(() => {
      const m = receiver.inbound();
      return m.length === 2 && m;
    }, 'two inbound messages');
    const button = inbound.find((m) => m.type === 'button');
    expect(button).toMatchObject({
      from: '447700900404',
      context: { from: '15550100002', id: wamid },
      button: { payload: 'Stop promotions', text: 'Stop promotions' },
      id: expect.stringMatching(/^wamid\./),
    });
    expect(inbound.find((m) => m.type === 'text')?.text).toEqual({ body: 'STOP' });
  });

  it('produces STOP replies and button taps by probability after a read', async () => {
    await control('PATCH', '/settings', { probabilities: { stopReply: 1 } });
    const a = await sendPromo('447700900405');
    await eventually(
      () => receiver.inbound().some((m) => m.context?.id === a && m.text?.body === 'STOP'),
      'STOP',
    );
    await control('PATCH', '/settings', { probabilities: { stopReply: 0, buttonReply: 1 } });
    const b = await sendPromo('447700900406');
    await eventually(
      () => receiver.inbound().some((m) => m.context?.id === b && m.type === 'button'),
      'button tap',
    );
  });

  it('announces user preference changes and honours them on the next send', async () => {
    await control('POST', '/user-preferences', { waId: '447700900407', value: 'stop' });
    const pref = await eventually(
      () => receiver.changes<UserPreferencesValue>('user_preferences')[0],
      'preference',
    );
    expect(pref.user_preferences[0]).toMatchObject({
      wa_id: '447700900407',
      value: 'stop',
      category: 'marketing_messages',
      timestamp: expect.any(Number),
    });
    const wamid = await sendPromo('447700900407');
    const [failed] = await eventually(() => {
      const s = receiver.statusesOf(wamid);
      return s.length > 0 && s;
    }, 'failed');
    expect(failed?.errors?.[0]?.code).toBe(131050);
  });
});
