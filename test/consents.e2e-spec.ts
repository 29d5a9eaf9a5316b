import { DataSource } from 'typeorm';
import { ConsentsService } from '@app/consents';
import { testConfig } from '@app/testing';
import { http, newWorkspace, startApi, type RunningApp } from './support/apps';

describe('consent ledger (api, real Postgres)', () => {
  let api: RunningApp;
  let db: DataSource;

  beforeAll(async () => {
    api = await startApi(testConfig());
    db = api.app.get(DataSource);
  });

  afterAll(async () => {
    await api?.close();
  });

  const consent = (key: string, body: Record<string, unknown>) =>
    http(api.url, 'POST', '/v1/consents', { key, body });

  it('records opt-ins and opt-outs by phone and derives the current consent', async () => {
    const { apiKey } = await newWorkspace(api);
    const optIn = await consent(apiKey, {
      phone: '+5511912345678',
      status: 'opted_in',
      source: 'checkout-form',
      proof: 'https://shop.example/forms/1',
      businessName: 'Lucky Shrub',
      intent: 'weekly offers',
      occurredAt: '2024-01-01T10:00:00.000Z',
    });
    expect(optIn.status).toBe(201);
    expect(optIn.body).toMatchObject({
      status: 'opted_in',
      effective: true,
      currentConsent: 'opted_in',
      recordedBy: 'api_key',
    });
    const contactId = optIn.body.contactId;
    const out = await consent(apiKey, {
      contactId,
      status: 'opted_out',
      source: 'support-call',
      occurredAt: '2024-01-02T10:00:00.000Z',
    });
    expect(out.body).toMatchObject({ effective: true, currentConsent: 'opted_out' });
    // an opt-in older than the opt-out changes nothing, but is still on the ledger
    const older = await consent(apiKey, {
      contactId,
      status: 'opted_in',
      source: 'late-sync',
      occurredAt: '2024-01-01T12:00:00.000Z',
    });
    expect(older.body).toMatchObject({ effective: false, currentConsent: 'opted_out' });
    expect(
      (await http(api.url, 'GET', `/v1/contacts/${contactId}`, { key: apiKey })).body.consent,
    ).toBe('opted_out');
    const newer = await consent(apiKey, {
      contactId,
      status: 'opted_in',
      source: 'web-form',
      occurredAt: '2024-01-03T00:00:00.000Z',
    });
    expect(newer.body).toMatchObject({ effective: true, currentConsent: 'opted_in' });
    const ledger = await http(api.url, 'GET', `/v1/contacts/${contactId}/consents?limit=2`, {
      key: apiKey,
    });
    expect(ledger.body.data.map((e: any) => e.source)).toEqual(['checkout-form', 'support-call']);
    const rest = await http(
      api.url,
      'GET',
      `/v1/contacts/${contactId}/consents?cursor=${ledger.body.nextCursor}`,
      { key: apiKey },
    );
    expect(rest.body.data.map((e: any) => e.source)).toEqual(['late-sync', 'web-form']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('makes the ledger append-only in the database', async () => {
    const { apiKey } = await newWorkspace(api);
    const r = await consent(apiKey, { phone: '+12125550123', status: 'opted_in', source: 'form' });
    await expect(
      db.query(`UPDATE consent_ledger SET status = 'opted_out' WHERE id = $1`, [r.body.id]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM consent_ledger WHERE id = $1`, [r.body.id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('rejects a body without phone or contactId, a bad status and a future occurredAt', async () => {
    const { apiKey } = await newWorkspace(api);
    expect((await consent(apiKey, { status: 'opted_in', source: 'x' })).status).toBe(400);
    expect(
      (await consent(apiKey, { phone: '+12125550123', status: 'maybe', source: 'x' })).status,
    ).toBe(400);
    const future = await consent(apiKey, {
      phone: '+12125550123',
      status: 'opted_in',
      source: 'x',
      occurredAt: '2999-01-01T00:00:00Z',
    });
    expect(future.status).toBe(400);
  });

  it("answers 404 for another workspace's contact id", async () => {
    const a = await newWorkspace(api, 'A');
    const b = await newWorkspace(api, 'B');
    const r = await consent(a.apiKey, {
      phone: '+12125550123',
      status: 'opted_in',
      source: 'form',
    });
    const cross = await consent(b.apiKey, {
      contactId: r.body.contactId,
      status: 'opted_out',
      source: 'x',
    });
    expect(cross.status).toBe(404);
    expect(
      (await http(api.url, 'GET', `/v1/contacts/${r.body.contactId}`, { key: a.apiKey })).body
        .consent,
    ).toBe('opted_in');
  });

  it('offers recordMany to other libraries', async () => {
    const { apiKey, workspaceId } = await newWorkspace(api);
    const svc = api.app.get(ConsentsService);
    const [out] = (
      await svc.recordMany(workspaceId, [
        {
          phone: '+442079460958',
          status: 'opted_out',
          source: 'whatsapp-stop',
          proof: 'wamid.X',
          recordedBy: { kind: 'webhook', id: null },
        },
      ])
    ).entries;
    expect(out).toMatchObject({ status: 'opted_out', effective: true, recordedByKind: 'webhook' });
    const many = await svc.recordMany(workspaceId, [
      {
        phone: '+12125550123',
        status: 'opted_in',
        source: 'batch',
        recordedBy: { kind: 'system' },
      },
      {
        phone: '+12125550124',
        status: 'opted_in',
        source: 'batch',
        recordedBy: { kind: 'system' },
      },
      {
        phone: '+442079460958',
        status: 'opted_in',
        source: 'batch',
        recordedBy: { kind: 'import', id: 'x' },
      },
    ]);
    expect(many.entries.map((e) => e.effective)).toEqual([true, true, false]);
    const list = await http(api.url, 'GET', '/v1/contacts?consent=opted_in', { key: apiKey });
    expect(list.body.data.map((c: any) => c.phone).sort()).toEqual([
      '+12125550123',
      '+12125550124',
    ]);
  });
});
