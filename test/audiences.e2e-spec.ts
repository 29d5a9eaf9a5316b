import { DataSource } from 'typeorm';
import { testConfig } from '@app/testing';
import { http, newWorkspace, startApi, type RunningApp } from './support/apps';

describe('contacts and audiences (api, real Postgres)', () => {
  let api: RunningApp;
  let db: DataSource;

  beforeAll(async () => {
    api = await startApi(testConfig());
    db = api.app.get(DataSource);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('upserts a contact by normalised phone and merges attributes', async () => {
    const { apiKey } = await newWorkspace(api);
    const first = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: {
        phone: '+55 (11) 91234-5678',
        attributes: { firstName: 'Ana', tier: 'gold' },
        locale: 'pt_BR',
      },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ phone: '+5511912345678', locale: 'pt-BR', consent: 'none' });
    const again = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: {
        phone: '+5511912345678',
        attributes: { tier: null, city: 'SP' },
        timezone: 'America/Sao_Paulo',
      },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.attributes).toEqual({ firstName: 'Ana', city: 'SP' });
    expect(again.body).toMatchObject({ locale: 'pt-BR', timezone: 'America/Sao_Paulo' });
    const got = await http(api.url, 'GET', `/v1/contacts/${first.body.id}`, { key: apiKey });
    expect(got.body.consent).toBe('none');
  });

  it("uses the workspace's default country for national numbers and rejects bad phones", async () => {
    const { apiKey, workspaceId } = await newWorkspace(api);
    const noCountry = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: { phone: '(11) 91234-5678' },
    });
    expect(noCountry.status).toBe(400);
    expect(noCountry.body.code).toBe('INVALID_PHONE');
    await db.query(`UPDATE workspaces SET default_country = 'BR' WHERE id = $1`, [workspaceId]);
    const ok = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: { phone: '(11) 91234-5678' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.phone).toBe('+5511912345678');
    const bad = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: { phone: '+1 000' },
    });
    expect(bad.status).toBe(400);
    const badTz = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: { phone: '+12125550123', timezone: 'Mars/Olympus' },
    });
    expect(badTz.status).toBe(400);
  });

  it('pages through contacts with a cursor', async () => {
    const { apiKey } = await newWorkspace(api);
    for (let i = 0; i < 7; i++) {
      await http(api.url, 'POST', '/v1/contacts', {
        key: apiKey,
        body: { phone: `+1212555010${i}` },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await http(
        api.url,
        'GET',
        `/v1/contacts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        {
          key: apiKey,
        },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((c: { phone: string }) => c.phone));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(7);
  });

  it('adds and removes members by id and phone with an exact memberCount', async () => {
    const { apiKey } = await newWorkspace(api);
    const aud = await http(api.url, 'POST', '/v1/audiences', {
      key: apiKey,
      body: { name: 'VIP' },
    });
    expect(aud.status).toBe(201);
    expect(aud.body.memberCount).toBe(0);
    const c = await http(api.url, 'POST', '/v1/contacts', {
      key: apiKey,
      body: { phone: '+12125550123' },
    });
    const added = await http(api.url, 'POST', `/v1/audiences/${aud.body.id}/members`, {
      key: apiKey,
      body: {
        contactIds: [c.body.id, '00000000-0000-4000-8000-000000000000'],
        phones: ['+1 212 555 0123', '+442079460958', 'nonsense'],
      },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      changed: 2,
      memberCount: 2,
      unknownContactIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(added.body.invalidPhones).toHaveLength(1);
    const again = await http(api.url, 'POST', `/v1/audiences/${aud.body.id}/members`, {
      key: apiKey,
      body: { contactIds: [c.body.id] },
    });
    expect(again.body).toMatchObject({ changed: 0, memberCount: 2 });
    const members = await http(api.url, 'GET', `/v1/audiences/${aud.body.id}/members?limit=1`, {
      key: apiKey,
    });
    expect(members.body.data).toHaveLength(1);
    const next = await http(
      api.url,
      'GET',
      `/v1/audiences/${aud.body.id}/members?limit=1&cursor=${members.body.nextCursor}`,
      {
        key: apiKey,
      },
    );
    expect(next.body.data).toHaveLength(1);
    expect(next.body.nextCursor).toBeNull();
    expect(next.body.data[0].id).not.toBe(members.body.data[0].id);
    const removed = await http(api.url, 'DELETE', `/v1/audiences/${aud.body.id}/members`, {
      key: apiKey,
      body: { phones: ['+442079460958'] },
    });
    expect(removed.body).toMatchObject({ changed: 1, memberCount: 1 });
    expect(
      (await http(api.url, 'GET', `/v1/audiences/${aud.body.id}`, { key: apiKey })).body
        .memberCount,
    ).toBe(1);
  });

  it("answers 404 for another workspace's contacts and audiences", async () => {
    const a = await newWorkspace(api, 'A');
    const b = await newWorkspace(api, 'B');
    const c = await http(api.url, 'POST', '/v1/contacts', {
      key: a.apiKey,
      body: { phone: '+12125550123' },
    });
    const aud = await http(api.url, 'POST', '/v1/audiences', {
      key: a.apiKey,
      body: { name: 'A list' },
    });
    expect(
      (await http(api.url, 'GET', `/v1/contacts/${c.body.id}`, { key: b.apiKey })).status,
    ).toBe(404);
    expect(
      (await http(api.url, 'GET', `/v1/contacts/${c.body.id}/consents`, { key: b.apiKey })).status,
    ).toBe(404);
    expect(
      (await http(api.url, 'GET', `/v1/audiences/${aud.body.id}`, { key: b.apiKey })).status,
    ).toBe(404);
    expect(
      (await http(api.url, 'GET', `/v1/audiences/${aud.body.id}/members`, { key: b.apiKey }))
        .status,
    ).toBe(404);
    const add = await http(api.url, 'POST', `/v1/audiences/${aud.body.id}/members`, {
      key: b.apiKey,
      body: { contactIds: [c.body.id] },
    });
    expect(add.status).toBe(404);
    // B cannot add A's contact to B's own audience either
    const own = await http(api.url, 'POST', '/v1/audiences', {
      key: b.apiKey,
      body: { name: 'B list' },
    });
    const cross = await http(api.url, 'POST', `/v1/audiences/${own.body.id}/members`, {
      key: b.apiKey,
      body: { contactIds: [c.body.id] },
    });
    expect(cross.body).toMatchObject({
      changed: 0,
      memberCount: 0,
      unknownContactIds: [c.body.id],
    });
    expect((await http(api.url, 'GET', '/v1/contacts', { key: b.apiKey })).body.data).toEqual([]);
  });
});
