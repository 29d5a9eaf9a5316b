// Who may do what: roles on API keys (every documented route), the audit log, per-key rate limits.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signWebhookBody } from '@app/webhooks';
import { testConfig, TEST_APP_SECRET } from '@app/testing';
import { http, MovableClock, newWorkspace, startApi, type RunningApp } from './support/apps';
import { startEngine, type Engine } from './support/engine';

interface Operation {
  method: string;
  path: string;
}

/** What the contract says only admins may do: keys, business accounts, settings (rate cards too), ops tools. */
function adminOnly({ method, path }: Operation): boolean {
  const write = method !== 'GET' && method !== 'HEAD';
  return (
    path.startsWith('/v1/api-keys') ||
    path.startsWith('/v1/audit-log') ||
    path.startsWith('/v1/webhook-events') ||
    (write && path.startsWith('/v1/settings/')) ||
    (write && path.startsWith('/v1/rate-cards')) ||
    (write && path.startsWith('/v1/business-accounts')) ||
    (method === 'PATCH' && path.startsWith('/v1/phone-numbers/'))
  );
}

describe('roles on API keys', () => {
  let e: Engine;
  let operations: Operation[];
  const keys: Record<'viewer' | 'marketer', string> = { viewer: '', marketer: '' };

  beforeAll(async () => {
    e = await startEngine({ API_KEY: `seeded-admin-key-${randomUUID()}` }, { worker: false });
    for (const role of ['viewer', 'marketer'] as const) {
      const created = await e.v1('POST', '/api-keys', { name: `${role} key`, role });
      expect(created.status).toBe(201);
      expect(created.body.role).toBe(role);
      keys[role] = created.body.secret;
    }
    const doc = (await http(e.api.url, 'GET', '/docs-json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
  });

  afterAll(async () => {
    await e?.close();
  });

  it('makes keys admin unless asked otherwise, and refuses an unknown role', async () => {
    const plain = await e.v1('POST', '/api-keys', { name: 'no role given' });
    expect(plain.body.role).toBe('admin');
    const bad = await e.v1('POST', '/api-keys', { name: 'x', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['role']);
  });

  it('gives the key seeded from API_KEY the admin role', async () => {
    const seeded = e.config.apiKey as string;
    const listed = await http(e.api.url, 'GET', '/v1/api-keys', { key: seeded });
    expect(listed.status).toBe(200);
    const self = listed.body.data.find(
      (k: { name: string }) => k.name === 'API_KEY from environment',
    );
    expect(self.role).toBe('admin');
  });

  it('answers 403 exactly where the role does not reach, on every documented route', async () => {
    expect(operations.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const op of operations) {
      const path = op.path.replace(/\{[^}]+\}/g, randomUUID());
      for (const role of ['viewer', 'marketer'] as const) {
        const forbidden = adminOnly(op) || (role === 'viewer' && op.method !== 'GET');
        const res = await http(e.api.url, op.method, path, {
          key: keys[role],
          ...(op.method === 'GET' ? {} : { body: {} }),
        });
        const denied = res.status === 403 && res.body.code === 'ROLE_FORBIDDEN';
        if (denied !== forbidden || res.status >= 500) {
          wrong.push(`${role} ${op.method} ${op.path}: ${res.status} ${res.body?.code ?? ''}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 with the usual error body, and lets the same call through for an admin', async () => {
    const refused = await http(e.api.url, 'POST', '/v1/api-keys', {
      key: keys.marketer,
      body: { name: 'escalation', role: 'admin' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'a marketer key may not call POST /v1/api-keys (it needs admin access)',
      code: 'ROLE_FORBIDDEN',
      details: { role: 'marketer', needs: 'admin' },
      requestId: expect.any(String),
    });
    const names = (await e.v1('GET', '/api-keys?limit=1000')).body.data.map(
      (k: { name: string }) => k.name,
    );
    expect(names).not.toContain('escalation');
    const viewerWrite = await http(e.api.url, 'POST', '/v1/audiences', {
      key: keys.viewer,
      body: { name: 'by a viewer' },
    });
    expect(viewerWrite.status).toBe(403);
    const marketerWrite = await http(e.api.url, 'POST', '/v1/audiences', {
      key: keys.marketer,
      body: { name: 'by a marketer' },
    });
    expect(marketerWrite.status).toBe(201);
    expect(
      (await http(e.api.url, 'GET', `/v1/audiences/${marketerWrite.body.id}`, { key: keys.viewer }))
        .status,
    ).toBe(200);
  });
});

describe('the audit log', () => {
  let e: Engine;
  let db: DataSource;

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    db = e.api.app.get(DataSource);
  });

  afterAll(async () => {
    await e?.close();
  });

  it('keeps every mutating call with its outcome, failed ones too, newest first, per workspace', async () => {
    const marketer = (await e.v1('POST', '/api-keys', { name: 'auditee', role: 'marketer' })).body;
    const as = (method: string, path: string, body?: unknown) =>
      http(e.api.url, method, `/v1${path}`, { key: marketer.secret, body });
    const created = await as('POST', '/audiences', { name: 'audited' });
    expect(created.status).toBe(201);
    const unknownId = randomUUID();
    expect((await as('POST', `/campaigns/${unknownId}/pause`)).status).toBe(404);
    expect((await as('POST', '/contacts', { phone: 42 })).status).toBe(400);
    expect((await as('PATCH', '/settings/attribution', { attributionWindowDays: 9 })).status).toBe(
      403,
    );
    const refusedAtTheEdge = await http(e.api.url, 'POST', '/v1/audiences', {
      key: marketer.secret,
      raw: '{"name": "a\\u0000b"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(refusedAtTheEdge.status).toBe(400);
    // Reads and Meta's webhooks are not audited.
    expect((await as('GET', '/audiences')).status).toBe(200);
    const webhook = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    await http(e.api.url, 'POST', '/webhooks/whatsapp', {
      raw: webhook,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(webhook, TEST_APP_SECRET),
      },
    });

    const page = await e.v1('GET', '/audit-log?limit=1000');
    expect(page.status).toBe(200);
    const mine = page.body.data.filter((x: { apiKeyId: string }) => x.apiKeyId === marketer.id);
    expect(mine.map((x: any) => [x.method, x.route, x.targetId, x.status])).toEqual([
      ['POST', '/v1/audiences', null, 400],
      ['PATCH', '/v1/settings/attribution', null, 403],
      ['POST', '/v1/contacts', null, 400],
      ['POST', '/v1/campaigns/:id/pause', unknownId, 404],
      ['POST', '/v1/audiences', created.body.id, 201],
    ]);
    expect(mine[0]).toEqual({
      id: expect.any(String),
      apiKeyId: marketer.id,
      method: 'POST',
      route: '/v1/audiences',
      targetId: null,
      status: 400,
      requestId: refusedAtTheEdge.headers.get('x-request-id'),
      at: expect.any(String),
    });
    // The admin's own key creation is there too; nothing of the webhook.
    expect(page.body.data.map((x: { route: string }) => x.route)).toContain('/v1/api-keys');
    expect(page.body.data.some((x: { route: string }) => x.route.startsWith('/webhooks'))).toBe(
      false,
    );

    // Paged like every list.
    const first = await e.v1('GET', '/audit-log?limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await e.v1('GET', `/audit-log?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id).toBe(page.body.data[2].id);

    // Only admins read it, and only their own workspace's.
    expect((await as('GET', '/audit-log')).status).toBe(403);
    const other = await newWorkspace(e.api);
    const theirs = await http(e.api.url, 'GET', '/v1/audit-log', { key: other.apiKey });
    expect(theirs.body.data).toEqual([]);
    // Append-only in the database, whatever code runs.
    await expect(db.query(`UPDATE audit_log SET status = 200`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('per-key rate limits, shared by API processes', () => {
  const clock = new MovableClock();
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    // Two API processes on one Redis prefix, as behind a load balancer.
    const config = testConfig({ API_RATE_LIMIT_PER_MINUTE: '5' });
    a = await startApi(config, clock);
    b = await startApi(config, clock);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('answers 429 with Retry-After once a key spent its minute across both, and again the next minute', async () => {
    const { apiKey } = await newWorkspace(a);
    const other = await newWorkspace(a);
    // Half a minute into a clock minute, set once the apps are up: on a loaded machine starting
    // two APIs took over 2 s, and the Retry-After below fell under 29.
    clock.set(new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 30_000));
    const statuses: number[] = [];
    for (const api of [a, b, a, b, a]) {
      statuses.push((await http(api.url, 'GET', '/v1/audiences', { key: apiKey })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await http(b.url, 'POST', '/v1/audiences', {
      key: apiKey,
      body: { name: 'one too many' },
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'API_RATE_LIMITED',
      requestId: expect.any(String),
    });
    // A key of another workspace has a budget of its own.
    expect((await http(a.url, 'GET', '/v1/audiences', { key: other.apiKey })).status).toBe(200);
    clock.advance(31_000);
    expect((await http(a.url, 'GET', '/v1/audiences', { key: apiKey })).status).toBe(200);
  });
});
