import { testConfig } from '@app/testing';
import { http, newWorkspace, startApi, startSandbox, type RunningApp } from './support/apps';
import { eventually } from './sandbox-webhook-receiver';

const WABA = '100000000000001';

const seasonal = (name: string) => ({
  name,
  language: 'en_US',
  category: 'MARKETING',
  components: [
    {
      type: 'HEADER',
      format: 'TEXT',
      text: 'Our {{1}} is on!',
      example: { header_text: ['Summer Sale'] },
    },
    {
      type: 'BODY',
      text: 'Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.',
      example: { body_text: [['the end of August', '25OFF', '25%']] },
    },
    { type: 'FOOTER', text: 'Tap Stop promotions to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Stop promotions' },
        {
          type: 'URL',
          text: 'Shop Now',
          url: 'https://shop.example/p?promo={{1}}',
          example: ['summer'],
        },
      ],
    },
  ],
});

describe('templates mirrored with the Graph API (sandbox)', () => {
  let sandbox: RunningApp;
  let api: RunningApp;
  let key: string;
  let accountId: string;

  const control = (method: string, path: string, body?: unknown) =>
    http(sandbox.url, method, `/_sandbox${path}`, { body });

  beforeAll(async () => {
    sandbox = await startSandbox(testConfig());
    await control('PATCH', '/settings', { webhookUrl: null, delays: { templateReviewMs: 1000 } });
    api = await startApi(testConfig({ GRAPH_API_BASE_URL: sandbox.url }));
    key = (await newWorkspace(api)).apiKey;
    const reg = await http(api.url, 'POST', '/v1/business-accounts', {
      key,
      body: { wabaId: WABA, accessToken: 'sandbox-token' },
    });
    accountId = reg.body.id;
  });

  afterAll(async () => {
    await api?.close();
    await sandbox?.close();
  });

  it('submits a valid template, stores Meta’s id as PENDING, and follows approval through sync', async () => {
    const res = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('summer_sale') },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'summer_sale',
      status: 'PENDING',
      category: 'MARKETING',
    });
    expect(res.body.metaTemplateId).toMatch(/^\d+$/);
    const meta = await http(sandbox.url, 'GET', `/v24.0/${res.body.metaTemplateId}?fields=status`, {
      headers: { authorization: 'Bearer sandbox-token' },
    });
    expect(meta.body.status).toBe('PENDING');
    await eventually(async () => {
      await http(api.url, 'POST', '/v1/templates/sync', {
        key,
        body: { businessAccountId: accountId },
      });
      const t = await http(api.url, 'GET', `/v1/templates/${res.body.id}`, { key });
      return t.body.status === 'APPROVED' && t.body;
    }, 'approval');
  });

  it('refuses a second template with the same name and language', async () => {
    await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('twice') },
    });
    const again = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('twice') },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('TEMPLATE_EXISTS');
  });

  it('answers field-level errors for what Meta would reject, before calling Meta', async () => {
    const bad = seasonal('Bad Name');
    (bad.components[1] as { text: string }).text = 'Hello {{1}}{{2}} there';
    const res = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...bad },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('TEMPLATE_INVALID');
    const fields = res.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['name', 'components[1].text', 'components[1].example.body_text']),
    );
    const counters = await control('GET', '/counters');
    expect(JSON.stringify(counters.body)).not.toContain('Bad Name');
  });

  it('keeps the rejection reason when Meta rejects the template', async () => {
    await control('PATCH', '/settings', {
      templateRules: {
        rejections: [{ field: 'name', match: 'scam', reason: 'SCAM', detail: 'Looks like a scam' }],
      },
    });
    const res = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('scam_offer') },
    });
    expect(res.status).toBe(201);
    const rejected = await eventually(async () => {
      await http(api.url, 'POST', '/v1/templates/sync', {
        key,
        body: { businessAccountId: accountId },
      });
      const t = await http(api.url, 'GET', `/v1/templates/${res.body.id}`, { key });
      return t.body.status === 'REJECTED' && t.body;
    }, 'rejection');
    expect(rejected.rejectedReason).toBe('SCAM');
  });

  it('syncs more templates than one Graph page', async () => {
    const ws = await newWorkspace(api, 'sync');
    const wabaId = '400000000000001';
    await control('POST', '/wabas', {
      id: wabaId,
      accessToken: 'sync-token',
      phoneNumbers: [{ id: '410000000000001' }],
    });
    for (let i = 0; i < 130; i++) {
      await control('POST', '/templates', {
        wabaId,
        name: `bulk_${String(i).padStart(3, '0')}`,
        language: 'en',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: `Offer number ${i} for you today` }],
      });
    }
    const acc = await http(api.url, 'POST', '/v1/business-accounts', {
      key: ws.apiKey,
      body: { wabaId, accessToken: 'sync-token' },
    });
    const sync = await http(api.url, 'POST', '/v1/templates/sync', {
      key: ws.apiKey,
      body: { businessAccountId: acc.body.id },
    });
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual({ total: 130, created: 130, updated: 0 });
    const again = await http(api.url, 'POST', '/v1/templates/sync', {
      key: ws.apiKey,
      body: { businessAccountId: acc.body.id },
    });
    expect(again.body).toEqual({ total: 130, created: 0, updated: 130 });
    let n = 0;
    let cursor: string | null = null;
    do {
      const page: any = await http(
        api.url,
        'GET',
        `/v1/templates?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        { key: ws.apiKey },
      );
      n += page.body.data.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(n).toBe(130);
  });

  it('previews with positional and named parameters, and reports a missing attribute', async () => {
    const created = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('preview_me') },
    });
    const preview = await http(api.url, 'POST', `/v1/templates/${created.body.id}/preview`, {
      key,
      body: {
        attributes: { firstName: 'Ana', code: 'ANA10' },
        parameters: {
          header: ['Winter Sale'],
          body: ['Friday', '{{contact.attributes.code}}', '10%'],
          buttons: [{ index: 1, text: '{{contact.attributes.code}}' }],
        },
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.rendered).toBe(true);
    expect(preview.body.text).toContain(
      'Shop now through Friday and use code ANA10 to get 10% off',
    );
    expect(preview.body.components).toContainEqual({
      type: 'button',
      sub_type: 'url',
      index: '1',
      parameters: [{ type: 'text', text: 'ANA10' }],
    });
    const missing = await http(api.url, 'POST', `/v1/templates/${created.body.id}/preview`, {
      key,
      body: {
        attributes: {},
        parameters: {
          header: ['x'],
          body: ['a', '{{contact.attributes.code}}', 'c'],
          buttons: [{ index: 1, text: 'z' }],
        },
      },
    });
    expect(missing.body).toEqual({
      rendered: false,
      skipReason: 'missing_attribute',
      missingAttribute: 'attributes.code',
    });
    const wrongCount = await http(api.url, 'POST', `/v1/templates/${created.body.id}/preview`, {
      key,
      body: { attributes: {}, parameters: { header: ['x'], body: ['a'] } },
    });
    expect(wrongCount.status).toBe(400);

    const named = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: {
        businessAccountId: accountId,
        name: 'named_params',
        language: 'en',
        category: 'MARKETING',
        parameterFormat: 'named',
        components: [
          {
            type: 'BODY',
            text: 'Hello {{first_name}}, your code {{code}} expires soon, enjoy it',
            example: {
              body_text_named_params: [
                { param_name: 'first_name', example: 'Pablo' },
                { param_name: 'code', example: 'X1' },
              ],
            },
          },
        ],
      },
    });
    expect(named.status).toBe(201);
    const p2 = await http(api.url, 'POST', `/v1/templates/${named.body.id}/preview`, {
      key,
      body: {
        attributes: { firstName: 'Bea' },
        parameters: { body: { first_name: '{{contact.attributes.firstName}}', code: 'B2' } },
      },
    });
    expect(p2.body.text).toBe('Hello Bea, your code B2 expires soon, enjoy it');
    expect(p2.body.components[0].parameters[0]).toEqual({
      type: 'text',
      parameter_name: 'first_name',
      text: 'Bea',
    });
  });

  it('deletes at Meta and keeps the row as DELETED', async () => {
    const created = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('to_delete') },
    });
    const del = await http(api.url, 'DELETE', `/v1/templates/${created.body.id}`, { key });
    expect(del.status).toBe(200);
    expect(del.body.status).toBe('DELETED');
    const meta = await http(sandbox.url, 'GET', `/v24.0/${WABA}/message_templates?name=to_delete`, {
      headers: { authorization: 'Bearer sandbox-token' },
    });
    expect(meta.body.data).toEqual([]);
  });

  it("hides another workspace's templates", async () => {
    const created = await http(api.url, 'POST', '/v1/templates', {
      key,
      body: { businessAccountId: accountId, ...seasonal('mine_only') },
    });
    const other = await newWorkspace(api, 'other');
    expect(
      (await http(api.url, 'GET', `/v1/templates/${created.body.id}`, { key: other.apiKey }))
        .status,
    ).toBe(404);
    const create = await http(api.url, 'POST', '/v1/templates', {
      key: other.apiKey,
      body: { businessAccountId: accountId, ...seasonal('steal') },
    });
    expect(create.status).toBe(404);
  });
});
