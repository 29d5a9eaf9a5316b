// The defects of issue 19 found from outside, each as the call that found it (sandbox + API).
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { DataSource } from 'typeorm';
import { testConfig, testRedisUrl, workerDatabaseUrl } from '@app/testing';
import { http, newWorkspace, startApi, type RunningApp } from './support/apps';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  phones,
  startEngine,
  TOKEN,
  WABA,
  type Engine,
} from './support/engine';
import { API_MAIN, freePort, spawnBuilt, waitForHealth } from './support/processes';

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('issue 19: every bad input a clear 4xx, nothing stored', () => {
  let e: Engine;
  let db: DataSource;

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    db = e.api.app.get(DataSource);
  });

  afterAll(async () => {
    await e?.close();
  });

  const raw = (method: string, path: string, text: string) =>
    http(e.api.url, method, path, {
      key: e.key,
      raw: text,
      headers: { 'content-type': 'application/json' },
    });

  it('answers 400 to JSON nested 20,000 deep on every kind of JSON route, and lives on', async () => {
    const body = nested(20_000);
    for (const [method, path] of [
      ['POST', '/v1/contacts'],
      ['POST', '/v1/audiences'],
      ['POST', '/v1/consents'],
      ['POST', '/v1/conversions'],
      ['POST', '/v1/campaigns'],
      ['PATCH', `/v1/phone-numbers/${e.phoneId}`],
      ['PATCH', '/v1/settings/attribution'],
    ] as const) {
      const res = await raw(method, path, body);
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.details).toEqual([
        { field: 'body', problems: ['nested deeper than 32 levels'] },
      ]);
    }
    // Also when the nesting is inside a field the route knows, and without a key at all.
    const inField = `{"phone":"+5511900000001","attributes":${nested(100)}}`;
    expect((await raw('POST', '/v1/contacts', inField)).status).toBe(400);
    const anonymous = await http(e.api.url, 'POST', '/v1/contacts', {
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(anonymous.status).toBe(400);
    expect((await http(e.api.url, 'GET', '/health')).status).toBe(200);
  });

  it('answers 400 to NUL in any text field and stores nothing', async () => {
    const name = `nul ${Date.now()}`;
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['POST', '/v1/audiences', { name: `${name}\u0000` }, 'name'],
      ['POST', '/v1/api-keys', { name: `${name}\u0000` }, 'name'],
      [
        'POST',
        '/v1/consents',
        { phone: '+5511900000002', status: 'opted_in', source: 'a\u0000' },
        'source',
      ],
      [
        'POST',
        '/v1/consents',
        { phone: '+5511900000002', status: 'opted_in', source: 'form', proof: '\u0000' },
        'proof',
      ],
      [
        'POST',
        '/v1/contacts',
        { phone: '+5511900000002', attributes: { ['k\u0000']: 1 } },
        'attributes',
      ],
      [
        'POST',
        '/v1/contacts',
        { phone: '+5511900000002', attributes: { a: 'x\ud800' } },
        'attributes.a',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await e.v1(method, path.replace(/^\/v1/, ''), body);
      expect({ path, field, status: res.status }).toEqual({ path, field, status: 400 });
      expect(res.body.details[0].field).toBe(field);
    }
    const campaign = await e.v1('POST', '/campaigns', { name: 'a\u0000b' });
    expect(campaign.status).toBe(400);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM audiences WHERE name LIKE $1`, [`${name}%`]),
    ).toEqual([{ n: 0 }]);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM api_keys WHERE name LIKE $1`, [`${name}%`]),
    ).toEqual([{ n: 0 }]);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1 AND phone = '+5511900000002'`,
        [e.workspaceId],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('answers 400 to a NUL in a query or a path, before any route runs', async () => {
    expect((await e.v1('GET', '/contacts?cursor=%00')).status).toBe(400);
    expect((await e.v1('GET', '/campaigns/%00')).status).toBe(400);
    expect((await e.v1('GET', '/audiences?limit=1%00')).status).toBe(400);
  });

  it('answers 400 to a JSON body that is not an object (null passed as an empty PATCH)', async () => {
    for (const text of ['null', '[]', '42', '"x"', 'true']) {
      const res = await raw('PATCH', `/v1/phone-numbers/${e.phoneId}`, text);
      expect({ text, status: res.status }).toEqual({ text, status: 400 });
      expect(res.body.details).toEqual([
        { field: 'body', problems: ['a JSON body must be an object'] },
      ]);
    }
  });

  it('answers 400 to a campaign without parameters (found by the generated test: was a 500)', async () => {
    const template = await approvedTemplate(e, `no_params_${Date.now()}`);
    const audience = await audienceOf(e, optedIn(phones(1, 902)));
    const res = await e.v1('POST', '/campaigns', {
      name: 'no parameters',
      templateId: template.id,
      audienceId: audience,
      phoneNumberId: e.phoneId,
    });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['parameters']);
  });

  it('answers 400 to attributes: null and keeps the contact as it was', async () => {
    const phone = '+5511900000003';
    expect(
      (await e.v1('POST', '/contacts', { phone, attributes: { firstName: 'Ana' } })).status,
    ).toBe(201);
    const res = await e.v1('POST', '/contacts', { phone, attributes: null });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['attributes']);
    const [row] = await db.query(
      `SELECT attributes FROM contacts WHERE workspace_id = $1 AND phone = $2`,
      [e.workspaceId, phone],
    );
    expect(row.attributes).toEqual({ firstName: 'Ana' });
  });

  it('refuses a consent occurredAt that is not an ISO date, appending nothing', async () => {
    const phone = '+5511900000004';
    for (const occurredAt of [true, 12345, 0, '12345', '2024-13-45T00:00:00Z', null, {}]) {
      const res = await e.v1('POST', '/consents', {
        phone,
        status: 'opted_in',
        source: 'form',
        occurredAt,
      });
      expect({ occurredAt, status: res.status }).toEqual({ occurredAt, status: 400 });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('occurredAt');
    }
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM consent_ledger l JOIN contacts c ON c.id = l.contact_id
          WHERE c.workspace_id = $1 AND c.phone = $2`,
        [e.workspaceId, phone],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('answers 400 naming contactId when it is not a UUID string (not 404 "[object Object]")', async () => {
    for (const contactId of [{}, [], 42, true, 'not-a-uuid', "1' OR '1'='1"]) {
      const res = await e.v1('POST', '/consents', { contactId, status: 'opted_out', source: 'x' });
      expect({ contactId, status: res.status }).toEqual({ contactId, status: 400 });
      expect(res.body.message).not.toMatch(/object Object/);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('contactId');
    }
    const both = await e.v1('POST', '/consents', {
      contactId: '0b9d6c1e-4a52-4f0e-9d0a-1c2b3a4d5e6f',
      phone: '+5511900000005',
      status: 'opted_out',
      source: 'x',
    });
    expect(both.status).toBe(400);
  });

  it('answers 404 to a preview for a contact that does not exist', async () => {
    const template = await approvedTemplate(e, `preview_${Date.now()}`);
    const res = await e.v1('POST', `/templates/${template.id}/preview`, {
      contactId: '0b9d6c1e-4a52-4f0e-9d0a-1c2b3a4d5e6f',
      parameters: { body: ['Ana', 'X'] },
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('CONTACT_NOT_FOUND');
  });

  it("answers 422 with Meta's message to a WABA Meta does not know", async () => {
    const res = await e.v1('POST', '/business-accounts', {
      wabaId: '999999999999999',
      accessToken: TOKEN,
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('GRAPH_REQUEST_REFUSED');
    expect(res.body.message).toMatch(/999999999999999/);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM business_accounts WHERE workspace_id = $1 AND waba_id = $2`,
        [e.workspaceId, '999999999999999'],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('answers 409 to deleting a template that a campaign not finished uses, and deletes it once they are', async () => {
    const template = await approvedTemplate(e, `in_use_${Date.now()}`);
    const audience = await audienceOf(e, optedIn(phones(1, 901)));
    const draft = await createCampaign(e, template.id, audience);
    const refused = await e.v1('DELETE', `/templates/${template.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'TEMPLATE_IN_USE',
      details: { campaignIds: [draft] },
    });
    expect((await e.v1('GET', `/templates/${template.id}`)).body.status).toBe('APPROVED');
    const metaSide = await e.control('GET', `/templates/${template.metaId}`).catch(() => null);
    expect(metaSide?.status ?? 'APPROVED').not.toBe('DELETED');

    expect((await e.v1('POST', `/campaigns/${draft}/cancel`)).status).toBe(200);
    const deleted = await e.v1('DELETE', `/templates/${template.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.status).toBe('DELETED');
  });
});

describe('issue 19: a token with NUL never reaches Meta', () => {
  let graph: Server;
  let graphUrl: string;
  const calls: string[] = [];
  let api: RunningApp;

  beforeAll(async () => {
    // Stands in for Meta: records each call and answers an empty list of numbers.
    graph = createServer((req, res) => {
      calls.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: [] }));
    });
    await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
    const address = graph.address();
    graphUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    api = await startApi(testConfig({ GRAPH_API_BASE_URL: graphUrl }));
  });

  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => graph?.close(resolve));
  });

  it('answers 400 and calls nothing; the same token without it is sent', async () => {
    const { apiKey } = await newWorkspace(api);
    const register = (accessToken: string) =>
      http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId: WABA, accessToken },
      });
    const refused = await register(`${TOKEN}\u0000x`);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { field: 'accessToken', problems: ['text may not contain NUL (\\u0000)'] },
    ]);
    expect(calls).toEqual([]);
    expect((await register(TOKEN)).status).toBe(201);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain(`/${WABA}/phone_numbers`);
  });
});

describe('issue 19: the API listens on loopback unless HOST says otherwise', () => {
  let child: ChildProcess | null = null;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = null;
  });

  async function startBuiltApi(env: Record<string, string>): Promise<number> {
    const port = await freePort();
    child = spawnBuilt(API_MAIN, {
      PORT: String(port),
      DATABASE_URL: workerDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: `host-${port}`,
      ...env,
    });
    await waitForHealth(`http://127.0.0.1:${port}`);
    return port;
  }

  // All of 127.0.0.0/8 is this machine; only a socket bound to every address answers on 127.0.0.2.
  const answersOn = (host: string, port: number) =>
    fetch(`http://${host}:${port}/health`).then(
      (r) => r.status,
      () => 'refused',
    );

  it('answers on 127.0.0.1 only by default', async () => {
    const port = await startBuiltApi({});
    expect(await answersOn('127.0.0.1', port)).toBe(200);
    expect(await answersOn('127.0.0.2', port)).toBe('refused');
  });

  it('answers on every address with HOST=0.0.0.0', async () => {
    const port = await startBuiltApi({ HOST: '0.0.0.0' });
    expect(await answersOn('127.0.0.2', port)).toBe(200);
  });
});
