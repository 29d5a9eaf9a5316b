import { GraphApiError, GraphClient } from '@app/graph-client';
import type { MarketingMessageRequest } from '@app/graph-contract';
import { testConfig, TEST_APP_SECRET } from '@app/testing';
import { http, startSandbox, type RunningApp } from './support/apps';
import { eventually, WebhookReceiver } from './sandbox-webhook-receiver';

const WABA = '100000000000001';
const PHONE = '100000000000002';
const TOKEN = 'sandbox-token';

function promo(to: string, params = ['Ana']): MarketingMessageRequest {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: 'weekend_deal',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }],
    },
    product_policy: 'STRICT',
  };
}

async function caught(p: Promise<unknown>): Promise<GraphApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GraphApiError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a GraphApiError');
}

describe('GraphClient against the sandbox', () => {
  let sandbox: RunningApp;
  let receiver: WebhookReceiver;
  let client: GraphClient;
  const control = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/_sandbox${path}`, { body });
  let templateId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver(TEST_APP_SECRET).start();
    sandbox = await startSandbox(testConfig({ WEBHOOK_CALLBACK_URL: receiver.url }));
    client = new GraphClient({ baseUrl: sandbox.url, version: 'v24.0', timeoutMs: 5000 });
  });

  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
    await receiver?.stop();
  });

  beforeEach(async () => {
    receiver.clear();
    await control('POST', '/reset');
    await control('PATCH', '/settings', {
      delays: {
        sentMs: 1,
        deliveredMs: 2,
        readMs: 2,
        failedMs: 1,
        replyMs: 2,
        templateReviewMs: 10,
      },
      probabilities: {
        delivered: 1,
        read: 1,
        perUserCap: 0,
        stopReply: 0,
        buttonReply: 0,
        urlClick: 0,
      },
    });
    const seeded = await control('POST', '/templates', {
      name: 'weekend_deal',
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, this weekend only: 20% off.' },
        {
          type: 'BUTTONS',
          buttons: [{ type: 'URL', text: 'Shop', url: 'https://shop.example/deal' }],
        },
      ],
    });
    templateId = seeded.body.id;
  });

  it('sends an MM Lite message and returns the wamid', async () => {
    const r = await client.sendMarketingMessage(PHONE, TOKEN, promo('+5511987654321'));
    expect(r).toMatchObject({
      wamid: expect.stringMatching(/^wamid\./),
      messageStatus: 'accepted',
      waId: '5511987654321',
      input: '+5511987654321',
    });
  });

  it('sends through the Cloud API /messages', async () => {
    const r = await client.sendMessage(PHONE, TOKEN, {
      messaging_product: 'whatsapp',
      to: '5511987654321',
      type: 'text',
      text: { body: 'Thanks for your order' },
    });
    expect(r.wamid).toMatch(/^wamid\./);
  });

  it('parses every sandbox error into a typed GraphApiError with the right category', async () => {
    const bad = await caught(client.sendMarketingMessage(PHONE, 'nope', promo('5511987654321')));
    expect(bad).toMatchObject({
      code: 190,
      category: 'auth',
      retryable: false,
      httpStatus: 401,
      type: 'OAuthException',
    });

    const count = await caught(
      client.sendMarketingMessage(PHONE, TOKEN, promo('5511987654321', ['a', 'b'])),
    );
    expect(count).toMatchObject({ code: 132000, category: 'template', retryable: false });
    expect(count.details).toMatch(/expected number of params/);

    const missing = await caught(
      client.sendMarketingMessage(PHONE, TOKEN, {
        ...promo('5511987654321'),
        template: { name: 'ghost', language: { code: 'en_US' } },
      }),
    );
    expect(missing).toMatchObject({ code: 132001, category: 'template' });

    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 1 });
    await control('POST', '/clock', { set: Date.UTC(2030, 0, 1) });
    await client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000001'));
    const throttled = await caught(
      client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000002')),
    );
    expect(throttled).toMatchObject({
      code: 130429,
      category: 'throughput',
      retryable: true,
      retryAfterMs: 1000,
    });

    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 1000 });
    await control('PATCH', '/settings', { pairRate: { burst: 1 } });
    await client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000003'));
    const pair = await caught(client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000003')));
    expect(pair).toMatchObject({ code: 131056, category: 'pair-rate', retryable: true });

    await control('POST', '/wabas', {
      id: WABA,
      accessToken: TOKEN,
      mmOnboardingStatus: 'ELIGIBLE',
    });
    const notOnboarded = await caught(
      client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000004')),
    );
    expect(notOnboarded).toMatchObject({
      code: 134102,
      httpStatus: 500,
      category: 'template',
      retryable: false,
    });
    // The default policy falls back to Cloud API silently; the status webhook tells (§1.4).
    const fallback = await client.sendMarketingMessage(PHONE, TOKEN, {
      ...promo('5511900000005'),
      product_policy: undefined,
    });
    const sent = await eventually(
      () => receiver.statusesOf(fallback.wamid).find((s) => s.status === 'sent'),
      'fallback sent status',
    );
    expect(sent.pricing?.category).toBe('marketing');

    const unknownNode = await caught(client.getPhoneNumber('999999999', TOKEN));
    expect(unknownNode).toMatchObject({ code: 100, category: 'permanent' });
  });

  it('creates, reads, pages and deletes templates', async () => {
    const created = await client.createTemplate(WABA, TOKEN, {
      name: 'autumn_drop',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, the autumn drop is live.' }],
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^\d+$/),
      status: 'PENDING',
      category: 'MARKETING',
    });
    await eventually(
      async () => (await client.getTemplate(created.id, TOKEN, 'status')).status === 'APPROVED',
      'approval',
    );
    const full = await client.getTemplate(created.id, TOKEN);
    expect(full).toMatchObject({
      id: created.id,
      name: 'autumn_drop',
      language: 'en_US',
      category: 'MARKETING',
      status: 'APPROVED',
    });

    for (let i = 0; i < 120; i++) {
      await control('POST', '/templates', {
        name: `notice_${i}`,
        language: 'en',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: `Notice ${i}.` }],
      });
    }
    const first = await client.listTemplates(WABA, TOKEN, {
      limit: 50,
      fields: ['name', 'status'],
    });
    expect(first.data).toHaveLength(50);
    expect(first.after).toEqual(expect.any(String));
    const second = await client.listTemplates(WABA, TOKEN, {
      limit: 50,
      after: first.after as string,
      fields: 'name',
    });
    expect(second.data).toHaveLength(50);
    expect(new Set([...first.data, ...second.data].map((t) => t.id)).size).toBe(100);
    const all = await client.listAllTemplates(WABA, TOKEN);
    expect(all).toHaveLength(122);
    expect(new Set(all.map((t) => t.id)).size).toBe(122);
    const one = await client.listTemplates(WABA, TOKEN, { name: 'notice_7', status: 'APPROVED' });
    expect(one.data.map((t) => t.name)).toEqual(['notice_7']);
    expect(one.after).toBeNull();

    expect(
      await client.deleteTemplate(WABA, TOKEN, { name: 'autumn_drop', hsmId: created.id }),
    ).toBe(true);
    const gone = await caught(client.getTemplate(created.id, TOKEN));
    expect(gone.code).toBe(100);
  });

  it('reads phone number metadata', async () => {
    await control('PATCH', `/phone-numbers/${PHONE}`, {
      throughputMps: 1000,
      messagingLimitTier: 'TIER_100K',
    });
    const p = await client.getPhoneNumber(
      PHONE,
      TOKEN,
      'throughput,whatsapp_business_manager_messaging_limit,quality_rating',
    );
    expect(p).toEqual({
      id: PHONE,
      throughput: { level: 'HIGH' },
      whatsapp_business_manager_messaging_limit: 'TIER_100K',
      quality_rating: 'GREEN',
    });
  });

  it('reports template analytics computed from what was really sent, delivered and read', async () => {
    await control('PATCH', '/settings', {
      probabilities: { read: 0.5, urlClick: 1, conversion: 1 },
      seed: 7,
    });
    await control('POST', '/recipients', { phones: ['5511900000099'], state: 'undeliverable' });
    const wamids: string[] = [];
    for (let i = 0; i < 20; i++) {
      wamids.push(
        (
          await client.sendMarketingMessage(
            PHONE,
            TOKEN,
            promo(`55119000000${String(i).padStart(2, '0')}`),
          )
        ).wamid,
      );
    }
    await client.sendMarketingMessage(PHONE, TOKEN, promo('5511900000099'));
    await eventually(() => receiver.statuses().some((s) => s.status === 'failed'), 'failure');
    await eventually(
      () => wamids.every((w) => receiver.statusesOf(w).some((s) => s.status === 'delivered')),
      'all delivered',
    );
    // Reads trail deliveries: wait until the analytics stop moving.
    const reads = () => receiver.statuses().filter((s) => s.status === 'read').length;
    let last = -1;
    await eventually(async () => {
      await new Promise((r) => setTimeout(r, 30));
      const now = reads();
      const stable = now === last;
      last = now;
      return stable;
    }, 'reads settled');
    const now = Date.now();
    const res = await client.templateAnalytics(WABA, TOKEN, {
      start: new Date(now - 86_400_000),
      end: new Date(now + 86_400_000),
      templateIds: [templateId],
      metricTypes: ['SENT', 'DELIVERED', 'READ', 'CLICKED', 'COST', 'WEBSITE_PURCHASES'],
    });
    expect(res.data[0]?.product_type).toBe('marketing_messages_api_for_whatsapp');
    const points = res.data[0]?.data_points ?? [];
    const sum = (k: 'sent' | 'delivered' | 'read') => points.reduce((n, p) => n + (p[k] ?? 0), 0);
    expect(sum('sent')).toBe(20);
    expect(sum('delivered')).toBe(20);
    expect(sum('read')).toBe(reads());
    expect(reads()).toBeGreaterThan(0);
    expect(reads()).toBeLessThan(20);
    const clicks = points.flatMap((p) => p.clicked ?? []).reduce((n, c) => n + c.count, 0);
    expect(clicks).toBe(reads());
    const spent = points
      .flatMap((p) => p.cost ?? [])
      .filter((c) => c.type === 'amount_spent')
      .reduce((n, c) => n + c.value, 0);
    expect(spent).toBeCloseTo(20 * 0.025, 6);
    expect(points.reduce((n, p) => n + Number(p.website_purchases ?? 0), 0)).toBe(reads());
    // Cloud API product has nothing: these were MM sends.
    const cloud = await client.templateAnalytics(WABA, TOKEN, {
      start: new Date(now - 86_400_000),
      end: new Date(now + 86_400_000),
      templateIds: [templateId],
      productType: 'CLOUD_API',
    });
    expect(cloud.data[0]?.data_points.reduce((n, p) => n + (p.sent ?? 0), 0)).toBe(0);
    const tooMany = await caught(
      client.templateAnalytics(WABA, TOKEN, {
        start: 0,
        end: 1,
        templateIds: Array.from({ length: 11 }, (_, i) => String(i)),
      }),
    );
    expect(tooMany.code).toBe(100);
  });

  it('reads MM benchmarks through the template’s ad insights, per template or default', async () => {
    const def = await client.templateBenchmarks(templateId, TOKEN);
    expect(def).toMatchObject({
      templateId,
      adId: expect.stringMatching(/^\d+$/),
      readRateBenchmark: 70.27,
      clickRateBenchmark: 18.74,
    });
    expect(def?.row.marketing_messages_read_rate_benchmark).toBe('70.27');
    expect(def?.row.date_start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await http(sandbox.url, 'PUT', `/_sandbox/templates/${templateId}/benchmark`, {
      body: { readRate: 55.5, clickRate: 9 },
    });
    const own = await client.templateBenchmarks(templateId, TOKEN);
    expect(own).toMatchObject({ readRateBenchmark: 55.5, clickRateBenchmark: 9 });
    const utility = await control('POST', '/templates', {
      name: 'receipt',
      language: 'en',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Receipt.' }],
    });
    expect(await client.templateBenchmarks(utility.body.id, TOKEN)).toBeNull();
  });
});
