import { connect } from 'node:net';
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
};

function promo(to: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name: 'seasonal_promotion',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'Summer Sale' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'the end of August' },
            { type: 'text', text: '25OFF' },
            { type: 'text', text: '25%' },
          ],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '1',
          parameters: [{ type: 'text', text: 'summer' }],
        },
      ],
    },
    ...extra,
  };
}

describe('sandbox: Graph API rules (real HTTP, signed webhooks)', () => {
  let sandbox: RunningApp;
  let receiver: WebhookReceiver;
  const control = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/_sandbox${path}`, { body });
  const send = (
    body: unknown,
    opts: { token?: string; endpoint?: string; version?: string } = {},
  ) =>
    http(
      sandbox.url,
      'POST',
      `/${opts.version ?? 'v24.0'}/${PHONE}/${opts.endpoint ?? 'marketing_messages'}`,
      { key: opts.token ?? TOKEN, body },
    );

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
    const seed = (body: Record<string, unknown>) => control('POST', '/templates', body);
    expect(
      (
        await seed({
          name: 'seasonal_promotion',
          language: 'en_US',
          category: 'MARKETING',
          components: [
            { type: 'HEADER', format: 'TEXT', text: 'Our {{1}} is on!' },
            { type: 'BODY', text: 'Shop through {{1}} with code {{2}} to get {{3}} off.' },
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'QUICK_REPLY', text: 'Stop promotions' },
                { type: 'URL', text: 'Shop now', url: 'https://shop.example/s?p={{1}}' },
              ],
            },
          ],
        })
      ).status,
    ).toBe(201);
    await seed({
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Order {{1}} has shipped.' }],
    });
  });

  afterEach(() => {
    expect(receiver.badSignatures).toBe(0);
    for (const r of receiver.received) {
      expect(r.signatureOk).toBe(true);
    }
  });

  it('accepts a valid MM Lite send with Meta’s response shape and plays out signed status webhooks', async () => {
    const res = await send(
      promo('+447700900123', { biz_opaque_callback_data: 'campaign-7:contact-9' }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+447700900123', wa_id: '447700900123' }],
      messages: [{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }],
    });
    const wamid = res.body.messages[0].id;
    const statuses = await eventually(() => {
      const s = receiver.statusesOf(wamid);
      return s.length === 3 && s;
    }, 'sent, delivered, read');
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const s of statuses) {
      expect(s).toMatchObject({
        recipient_id: '447700900123',
        biz_opaque_callback_data: 'campaign-7:contact-9',
        timestamp: expect.stringMatching(/^\d+$/),
      });
      expect(s.conversation).toBeUndefined(); // v24.0+
    }
    const pricing = {
      billable: true,
      pricing_model: 'PMP',
      type: 'regular',
      category: 'marketing_lite',
    };
    expect(statuses[0]?.pricing).toEqual(pricing);
    expect(statuses[1]?.pricing).toEqual(pricing);
    expect(statuses[2]?.pricing).toBeUndefined();
    const envelope = receiver.received[0]?.envelope;
    expect(envelope).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550100002', phone_number_id: PHONE },
              },
            },
          ],
        },
      ],
    });
  });

  it('answers 190 for a missing or foreign token', async () => {
    for (const token of ['wrong-token', '']) {
      const res = await send(promo('447700900123'), { token });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
      expect(res.body.error.message).toMatch(/^\(#190\)/);
      expect(typeof res.body.error.fbtrace_id).toBe('string');
    }
    const counters = (await control('GET', '/counters')).body;
    expect(counters.errors.sync['190']).toBe(2);
    expect(counters.accepted.total).toBe(0);
  });

  it('accepts exactly 80 of a burst of 100 inside one second at 80 mps, the rest get 130429', async () => {
    await control('POST', '/clock', { set: Date.UTC(2030, 0, 1) });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => send(promo(`4477009${String(i).padStart(5, '0')}`))),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.body?.error?.code === 130429);
    expect(ok).toHaveLength(80);
    expect(limited).toHaveLength(20);
    expect(limited[0]?.body.error).toMatchObject({
      code: 130429,
      error_data: {
        messaging_product: 'whatsapp',
        details: 'Cloud API message throughput has been reached.',
      },
    });
    let c = (await control('GET', '/counters')).body;
    expect(c.phoneNumbers[PHONE]).toMatchObject({
      requests: 100,
      accepted: 80,
      maxRequestsInAnyOneSecond: 100,
    });
    expect(c.errors.sync).toEqual({ '130429': 20 });
    // 999 ms later the window still holds 80; at +1000 ms the whole burst has left it.
    await control('POST', '/clock', { advanceMs: 999 });
    expect((await send(promo('447700911111'))).body.error.code).toBe(130429);
    await control('POST', '/clock', { advanceMs: 1 });
    expect((await send(promo('447700911111'))).status).toBe(200);
    c = (await control('GET', '/counters')).body;
    expect(c.phoneNumbers[PHONE].accepted).toBe(81);
  });

  it('applies a per-number throughput set through the control API', async () => {
    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 5 });
    await control('POST', '/clock', { set: Date.UTC(2030, 0, 1) });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => send(promo(`44770090000${i}`))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    const phone = await http(sandbox.url, 'GET', `/v24.0/${PHONE}?fields=throughput`, {
      key: TOKEN,
    });
    expect(phone.body).toEqual({ id: PHONE, throughput: { level: 'STANDARD' } });
  });

  it('lets a burst of 45 through to one recipient, then answers 131056 until quota returns', async () => {
    await control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 1000 });
    await control('POST', '/clock', { set: Date.UTC(2030, 0, 1) });
    const codes: number[] = [];
    for (let i = 0; i < 46; i++) {
      const r = await send(promo('447700900555'));
      codes.push(r.status === 200 ? 200 : r.body.error.code);
    }
    expect(codes.slice(0, 45).every((c) => c === 200)).toBe(true);
    expect(codes[45]).toBe(131056);
    expect((await send(promo('447700900556'))).status).toBe(200); // other recipients unaffected
    await control('POST', '/clock', { advanceMs: 5999 });
    expect((await send(promo('447700900555'))).body.error.code).toBe(131056);
    await control('POST', '/clock', { advanceMs: 1 });
    expect((await send(promo('447700900555'))).status).toBe(200);
    const perRecipient = await control(
      'GET',
      '/counters/recipients?phones=447700900555,447700900556',
    );
    expect(perRecipient.body.recipients).toEqual({ '447700900555': 46, '447700900556': 1 });
  });

  it('rejects bad sends with Meta’s codes and accepts nothing for them', async () => {
    const cases: Array<[string, unknown, number, { endpoint?: string; version?: string }?]> = [
      [
        'unknown template',
        promo('447700900123', { template: { name: 'nope', language: { code: 'en_US' } } }),
        132001,
      ],
      [
        'wrong language',
        promo('447700900123', { template: { name: 'order_update', language: { code: 'pt_BR' } } }),
        132001,
      ],
      [
        'too few body parameters',
        promo('447700900123', {
          template: {
            name: 'seasonal_promotion',
            language: { code: 'en_US' },
            components: [
              { type: 'header', parameters: [{ type: 'text', text: 'x' }] },
              { type: 'body', parameters: [{ type: 'text', text: 'one' }] },
            ],
          },
        }),
        132000,
      ],
      [
        'parameters for a body without placeholders',
        {
          ...promo('447700900123'),
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: '1' },
                  { type: 'text', text: '2' },
                ],
              },
            ],
          },
        },
        132000,
        { endpoint: 'messages' },
      ],
      [
        'utility template on marketing_messages (v23+)',
        promo('447700900123', {
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [{ type: 'body', parameters: [{ type: 'text', text: 'A1' }] }],
          },
        }),
        134100,
      ],
      [
        'utility template on marketing_messages (v22)',
        promo('447700900123', {
          template: {
            name: 'order_update',
            language: { code: 'en_US' },
            components: [{ type: 'body', parameters: [{ type: 'text', text: 'A1' }] }],
          },
        }),
        131055,
        { version: 'v22.0' },
      ],
      [
        'a text message on marketing_messages',
        { messaging_product: 'whatsapp', to: '447700900123', type: 'text', text: { body: 'hi' } },
        100,
      ],
      ['no recipient', { ...promo('447700900123'), to: undefined }, 100],
      ['a malformed recipient', promo('not-a-number'), 100],
      ['wrong messaging_product', promo('447700900123', { messaging_product: 'sms' }), 100],
    ];
    for (const [what, body, code, opts] of cases) {
      const res = await send(body, opts);
      expect([what, res.status, res.body.error?.code]).toEqual([what, 400, code]);
    }
    const bad = await send(promo('447700900123', { type: 'text' }));
    expect(bad.body.error.message).toBe('(#100) Message must be a template message');
    const counters = (await control('GET', '/counters')).body;
    expect(counters.accepted.total).toBe(0);
  });

  it('reads a send’s body as Meta does: unreadable, empty, oversized and non-JSON bodies get code 100 and nothing is accepted', async () => {
    const raw = async (body: string | Buffer, type = 'application/json') => {
      const res = await fetch(`${sandbox.url}/v24.0/${PHONE}/marketing_messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
        body,
      });
      return { status: res.status, body: (await res.json()) as { error?: { code?: number } } };
    };
    expect(await raw('{"messaging_product":')).toMatchObject({
      status: 400,
      body: { error: { code: 100 } },
    });
    expect(await raw('')).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await raw(Buffer.alloc(8 * 1024 * 1024 + 1, 32))).toMatchObject({
      status: 413,
      body: { error: { code: 100 } },
    });
    // Not JSON at all: left to the Fastify route, answered in the same shape.
    expect(await raw('to=447700900123', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 400,
      body: { error: { code: 100 } },
    });
    // A client gone mid-body leaves the sandbox serving.
    await new Promise<void>((resolve, reject) => {
      const u = new URL(sandbox.url);
      const s = connect(Number(u.port), u.hostname, () => {
        s.write(
          `POST /v24.0/${PHONE}/marketing_messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"to":`,
          () => {
            s.destroy();
            resolve();
          },
        );
      });
      s.on('error', reject);
    });
    // A JSON content type with parameters is read, and a good send still goes through; so does
    // one led by a byte-order mark, as Fastify's parser read it.
    const ok = await raw(JSON.stringify(promo('447700900123')), 'application/json; charset=utf-8');
    expect(ok.status).toBe(200);
    const bom = await raw(`\uFEFF${JSON.stringify(promo('447700900124'))}`);
    expect(bom.status).toBe(200);
    const counters = (await control('GET', '/counters')).body;
    expect(counters.accepted.total).toBe(2);
  });

  it('refuses paused and disabled templates with 132015 and 132016', async () => {
    const list = await http(
      sandbox.url,
      'GET',
      `/v24.0/${WABA}/message_templates?name=seasonal_promotion`,
      { key: TOKEN },
    );
    const id = list.body.data[0].id;
    await control('POST', `/templates/${id}/status`, { status: 'PAUSED' });
    expect((await send(promo('447700900123'))).body.error.code).toBe(132015);
    await control('POST', `/templates/${id}/status`, { status: 'DISABLED' });
    expect((await send(promo('447700900123'))).body.error.code).toBe(132016);
    await control('POST', `/templates/${id}/status`, { status: 'APPROVED' });
    expect((await send(promo('447700900123'))).status).toBe(200);
  });

  it('sends utility templates through /messages, priced as utility', async () => {
    const res = await send(
      {
        messaging_product: 'whatsapp',
        to: '447700900124',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'A1' }] }],
        },
      },
      { endpoint: 'messages' },
    );
    expect(res.status).toBe(200);
    const sent = await eventually(
      () => receiver.statusesOf(res.body.messages[0].id).find((s) => s.status === 'sent'),
      'sent status',
    );
    expect(sent.pricing?.category).toBe('utility');
  });

  it('answers 200 to stopped, undeliverable, capped and US recipients, then fails them by webhook', async () => {
    await control('POST', '/recipients', { phones: ['447700900201'], state: 'stopped' });
    await control('POST', '/recipients', { phones: ['+447700900202'], state: 'undeliverable' });
    await control('POST', '/recipients', { phones: ['447700900203'], state: 'capped' });
    const expected: Record<string, number> = {
      '447700900201': 131050,
      '447700900202': 131026,
      '447700900203': 131049,
      '16505551234': 131049,
    };
    const wamids: Record<string, string> = {};
    for (const to of Object.keys(expected)) {
      const res = await send(promo(to));
      expect(res.status).toBe(200);
      wamids[to] = res.body.messages[0].id;
    }
    const ok = await send(promo('447700900204'));
    for (const [to, code] of Object.entries(expected)) {
      const statuses = await eventually(() => {
        const s = receiver.statusesOf(wamids[to] as string);
        return s.length > 0 && s;
      }, `failed status for ${to}`);
      expect(statuses).toHaveLength(1);
      expect(statuses[0]).toMatchObject({
        status: 'failed',
        recipient_id: to,
        errors: [
          {
            code,
            title: expect.any(String),
            error_data: { details: expect.any(String) },
            href: '/documentation/business-messaging/whatsapp/support/error-codes',
          },
        ],
      });
      expect(statuses[0]?.pricing).toBeUndefined();
    }
    await eventually(
      () => receiver.statusesOf(ok.body.messages[0].id).length === 3,
      'normal recipient read',
    );
    expect(receiver.statusesOf(ok.body.messages[0].id).every((s) => s.status !== 'failed')).toBe(
      true,
    );
    const c = (await control('GET', '/counters')).body;
    expect(c.errors.async).toEqual({ '131026': 1, '131049': 2, '131050': 1 });
    // A stopped recipient still gets non-marketing messages.
    const utility = await send(
      {
        messaging_product: 'whatsapp',
        to: '447700900201',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'A1' }] }],
        },
      },
      { endpoint: 'messages' },
    );
    await eventually(
      () => receiver.statusesOf(utility.body.messages[0].id).some((s) => s.status === 'delivered'),
      'utility delivered to a stopped recipient',
    );
  });

  it('draws the per-user cap at the configured rate', async () => {
    await control('PATCH', '/settings', { probabilities: { perUserCap: 1 } });
    const res = await send(promo('447700900300'));
    const [failed] = await eventually(() => {
      const s = receiver.statusesOf(res.body.messages[0].id);
      return s.length > 0 && s;
    }, 'capped');
    expect(failed?.errors?.[0]?.code).toBe(131049);
  });

  it('refuses unknown settings instead of ignoring them', async () => {
    const res = await control('PATCH', '/settings', { probabilities: { deliverd: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.error_data.details).toMatch(/probabilities.deliverd is not a setting/);
    expect((await control('PATCH', '/settings', { probabilities: { read: 2 } })).status).toBe(400);
  });
});
