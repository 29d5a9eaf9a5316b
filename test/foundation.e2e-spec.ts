import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { testConfig } from '@app/testing';
import { http, newWorkspace, startApi, startSandbox, type RunningApp } from './support/apps';

const SANDBOX_TOKEN = 'sandbox-token';
const WABA = '100000000000001';

describe('foundation (api + sandbox, real Postgres and Redis)', () => {
  let sandbox: RunningApp;
  let api: RunningApp;
  const seededKey = 'seeded-api-key-0123456789';

  beforeAll(async () => {
    sandbox = await startSandbox(testConfig());
    api = await startApi(testConfig({ GRAPH_API_BASE_URL: sandbox.url, API_KEY: seededKey }));
  });

  afterAll(async () => {
    await api?.close();
    await sandbox?.close();
  });

  describe('operations', () => {
    it('reports Postgres and Redis as up on /health', async () => {
      const res = await http(api.url, 'GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
      expect(Object.keys(res.body.info)).toEqual(expect.arrayContaining(['postgres', 'redis']));
    });

    it('serves Prometheus metrics', async () => {
      await http(api.url, 'GET', '/health');
      const res = await http(api.url, 'GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain('mmlite_http_request_duration_seconds_bucket');
      expect(res.text).toContain('route="/health"');
    });

    it('documents the API as OpenAPI', async () => {
      const res = await http(api.url, 'GET', '/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/v1/business-accounts', '/v1/phone-numbers/{id}', '/v1/api-keys']),
      );
      expect((await http(api.url, 'GET', '/docs')).status).toBe(200);
    });

    it('echoes a caller request id and makes one otherwise', async () => {
      const given = await http(api.url, 'GET', '/health', {
        headers: { 'x-request-id': 'abc-123' },
      });
      expect(given.headers.get('x-request-id')).toBe('abc-123');
      const made = await http(api.url, 'GET', '/health');
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('auth', () => {
    it('answers 401 without a key', async () => {
      const res = await http(api.url, 'GET', '/v1/phone-numbers');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(res.body.message).toMatch(/missing API key/);
      expect(res.body.requestId).toEqual(res.headers.get('x-request-id'));
    });

    it('answers 401 with a wrong key', async () => {
      const res = await http(api.url, 'GET', '/v1/phone-numbers', {
        key: 'mml_not-a-real-key-at-all',
      });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/invalid or revoked/);
    });

    it('accepts the key seeded from API_KEY', async () => {
      const res = await http(api.url, 'GET', '/v1/api-keys', { key: seededKey });
      expect(res.status).toBe(200);
      expect(
        res.body.data.some((k: { name: string }) => k.name === 'API_KEY from environment'),
      ).toBe(true);
    });

    it('creates a key that works at once, shows its secret once, and stops it when revoked', async () => {
      const { apiKey } = await newWorkspace(api);
      const created = await http(api.url, 'POST', '/v1/api-keys', {
        key: apiKey,
        body: { name: 'ci' },
      });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^mml_/);
      expect(created.body.prefix).toBe(created.body.secret.slice(0, 10));

      const list = await http(api.url, 'GET', '/v1/api-keys', { key: created.body.secret });
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

      const revoked = await http(api.url, 'DELETE', `/v1/api-keys/${created.body.id}`, {
        key: apiKey,
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      expect(
        (await http(api.url, 'GET', '/v1/api-keys', { key: created.body.secret })).status,
      ).toBe(401);
    });

    it("never shows another workspace's data: its ids answer 404", async () => {
      const a = await newWorkspace(api, 'A');
      const b = await newWorkspace(api, 'B');
      const reg = await http(api.url, 'POST', '/v1/business-accounts', {
        key: a.apiKey,
        body: { wabaId: WABA, accessToken: SANDBOX_TOKEN },
      });
      expect(reg.status).toBe(201);
      const phoneId = reg.body.phoneNumbers[0].id;

      expect(
        (await http(api.url, 'GET', `/v1/business-accounts/${reg.body.id}`, { key: b.apiKey }))
          .status,
      ).toBe(404);
      expect(
        (await http(api.url, 'GET', `/v1/phone-numbers/${phoneId}`, { key: b.apiKey })).status,
      ).toBe(404);
      const patch = await http(api.url, 'PATCH', `/v1/phone-numbers/${phoneId}`, {
        key: b.apiKey,
        body: { throughputMps: 10 },
      });
      expect(patch.status).toBe(404);
      expect(patch.body.code).toBe('PHONE_NUMBER_NOT_FOUND');
      expect(
        (await http(api.url, 'GET', '/v1/business-accounts', { key: b.apiKey })).body.data,
      ).toEqual([]);
      expect(
        (await http(api.url, 'GET', '/v1/phone-numbers', { key: b.apiKey })).body.data,
      ).toEqual([]);
      const keyOfA = (await http(api.url, 'GET', '/v1/api-keys', { key: a.apiKey })).body.data[0]
        .id;
      expect(
        (await http(api.url, 'DELETE', `/v1/api-keys/${keyOfA}`, { key: b.apiKey })).status,
      ).toBe(404);
      // and A still sees its own, unchanged
      const own = await http(api.url, 'GET', `/v1/phone-numbers/${phoneId}`, { key: a.apiKey });
      expect(own.body.throughputMps).toBe(80);
    });
  });

  describe('validation', () => {
    let key: string;
    beforeAll(async () => {
      key = (await newWorkspace(api)).apiKey;
    });

    it('rejects unknown fields', async () => {
      const res = await http(api.url, 'POST', '/v1/business-accounts', {
        key,
        body: { wabaId: WABA, accessToken: SANDBOX_TOKEN, colour: 'blue' },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { field: 'colour', problems: ['property colour should not exist'] },
      ]);
    });

    it('names every bad field', async () => {
      const res = await http(api.url, 'POST', '/v1/business-accounts', {
        key,
        body: { wabaId: 'abc' },
      });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'accessToken',
        'wabaId',
      ]);
    });

    it('rejects malformed JSON with the same error shape', async () => {
      const res = await http(api.url, 'POST', '/v1/api-keys', {
        key,
        raw: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(typeof res.body.requestId).toBe('string');
    });

    it('rejects a limit above 1000', async () => {
      const res = await http(api.url, 'GET', '/v1/phone-numbers?limit=5000', { key });
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('limit');
    });

    it('answers 404 in the same shape for an unknown route', async () => {
      const res = await http(api.url, 'GET', '/v1/nothing-here', { key });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });

  describe('business accounts and phone numbers', () => {
    it('reads the phone numbers from the Graph API and stores the token encrypted', async () => {
      const { apiKey, workspaceId } = await newWorkspace(api);
      const res = await http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId: WABA, accessToken: SANDBOX_TOKEN, name: 'Lucky Shrub' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ wabaId: WABA, name: 'Lucky Shrub' });
      expect(res.body.phoneNumbers).toEqual([
        expect.objectContaining({
          phoneNumberId: '100000000000002',
          throughputMps: 80,
          messagingLimitTier: 'TIER_UNLIMITED',
          messagingLimitPerDay: null,
          qualityRating: 'GREEN',
        }),
      ]);
      expect(JSON.stringify(res.body)).not.toContain(SANDBOX_TOKEN);
      const ds = api.app.get(require('typeorm').DataSource);
      const [row] = await ds.query(
        `SELECT access_token_sealed FROM business_accounts WHERE workspace_id = $1`,
        [workspaceId],
      );
      expect(row.access_token_sealed).toMatch(/^v1\./);
      expect(row.access_token_sealed).not.toContain(SANDBOX_TOKEN);
    });

    it('pages through every number of a large account and refreshes on re-registration', async () => {
      const wabaId = '300000000000001';
      await http(sandbox.url, 'POST', '/_sandbox/wabas', {
        body: {
          id: wabaId,
          accessToken: 'big-token',
          phoneNumbers: Array.from({ length: 130 }, (_, i) => ({
            id: String(310000000000000 + i),
          })),
        },
      });
      const { apiKey } = await newWorkspace(api);
      const first = await http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId, accessToken: 'big-token' },
      });
      expect(first.status).toBe(201);
      expect(first.body.phoneNumbers).toHaveLength(130);
      const again = await http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId, accessToken: 'big-token' },
      });
      expect(again.body.id).toBe(first.body.id);

      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { status: number; body: any } = await http(
          api.url,
          'GET',
          `/v1/phone-numbers?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          { key: apiKey },
        );
        expect(page.status).toBe(200);
        page.body.data.forEach((p: { id: string }) => seen.add(p.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.size).toBe(130);
    });

    it('answers 422 when the Graph API refuses the token', async () => {
      const { apiKey } = await newWorkspace(api);
      const res = await http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId: WABA, accessToken: 'wrong-token' },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('GRAPH_AUTH_FAILED');
      expect(res.body.details.graphCode).toBe(190);
      expect(
        (await http(api.url, 'GET', '/v1/business-accounts', { key: apiKey })).body.data,
      ).toEqual([]);
    });

    it('overrides and restores what the governor allows for a number', async () => {
      const { apiKey } = await newWorkspace(api);
      const reg = await http(api.url, 'POST', '/v1/business-accounts', {
        key: apiKey,
        body: { wabaId: WABA, accessToken: SANDBOX_TOKEN },
      });
      const id = reg.body.phoneNumbers[0].id;
      const set = await http(api.url, 'PATCH', `/v1/phone-numbers/${id}`, {
        key: apiKey,
        body: { throughputMps: 40, messagingLimitPerDay: 2000 },
      });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({
        throughputMps: 40,
        graphThroughputMps: 80,
        messagingLimitPerDay: 2000,
      });
      const bad = await http(api.url, 'PATCH', `/v1/phone-numbers/${id}`, {
        key: apiKey,
        body: { throughputMps: 1001 },
      });
      expect(bad.status).toBe(400);
      const cleared = await http(api.url, 'PATCH', `/v1/phone-numbers/${id}`, {
        key: apiKey,
        body: { throughputMps: null },
      });
      expect(cleared.body).toMatchObject({ throughputMps: 80, messagingLimitPerDay: 2000 });
    });
  });
});

describe('start-up configuration', () => {
  const root = join(__dirname, '..');
  const mains = ['api', 'worker'].map((app) => join(root, `dist/apps/${app}/src/main.js`));

  it('has the built apps to start (npm test builds them first)', () => {
    for (const main of mains) {
      expect(existsSync(main)).toBe(true);
    }
  });

  it.each([
    ['APP_SECRET', { APP_SECRET: '' }, /APP_SECRET/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://nope' }, /DATABASE_URL/],
    ['ENCRYPTION_KEY', { ENCRYPTION_KEY: 'not-hex' }, /ENCRYPTION_KEY/],
    ['PORT', { PORT: 'eighty' }, /PORT/],
  ])('refuses to start with a bad %s, naming it in one line', (_name, bad, pattern) => {
    for (const main of mains) {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        APP_SECRET: 'a-good-secret',
        WEBHOOK_VERIFY_TOKEN: 'verify',
        ENCRYPTION_KEY: 'ab'.repeat(32),
        ...bad,
      };
      const res = spawnSync(process.execPath, [main], { env, encoding: 'utf8', timeout: 20000 });
      expect(res.status).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^configuration error: /);
      expect(lines[0]).toMatch(pattern);
    }
  });
});
