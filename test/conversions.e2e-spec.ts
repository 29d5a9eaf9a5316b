import { http, newWorkspace } from './support/apps';
import { approvedTemplate, phones, startEngine, type Engine } from './support/engine';
import { contacts, dbOf, draftCampaign, insertMessage } from './support/report-fixtures';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('conversions: validation, dedupe, attribution', () => {
  let e: Engine;
  let older: string;
  let newer: string;
  let ids: Map<string, string>;
  // Message times are days in the past; events are placed relative to them.
  const T = Math.floor(Date.now() / 1000) * 1000 - 20 * DAY;
  const at = (ms: number) => new Date(T + ms);
  const [edge, compete, readBeats, lonely, viaWamid] = phones(5, 950) as [
    string,
    string,
    string,
    string,
    string,
  ];

  async function attributionOf(
    eventId: string,
  ): Promise<{ campaign_id: string | null; touch: string | null }> {
    const rows = await dbOf(e).query(
      `SELECT campaign_id, touch FROM conversions WHERE workspace_id = $1 AND event_id = $2`,
      [e.workspaceId, eventId],
    );
    return rows[0];
  }

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    const t = await approvedTemplate(e, 'promo_conversions');
    older = await draftCampaign(e, t.id, 'older');
    newer = await draftCampaign(e, t.id, 'newer');
    const db = dbOf(e);
    ids = await contacts(db, e.workspaceId, [edge, compete, readBeats, lonely, viaWamid]);
    const c = (p: string) => ({ contactId: ids.get(p)!, phone: p });
    await insertMessage(db, older, {
      ...c(edge),
      status: 'delivered',
      deliveredAt: at(0),
      billable: true,
    });
    // two campaigns reach the same contact; the newer one reaches last
    await insertMessage(db, older, { ...c(compete), status: 'delivered', deliveredAt: at(0) });
    await insertMessage(db, newer, {
      ...c(compete),
      status: 'delivered',
      deliveredAt: at(2 * DAY),
    });
    // the older message was read; the newer one only delivered (later)
    await insertMessage(db, older, {
      ...c(readBeats),
      status: 'read',
      deliveredAt: at(0),
      readAt: at(HOUR),
    });
    await insertMessage(db, newer, {
      ...c(readBeats),
      status: 'delivered',
      deliveredAt: at(2 * DAY),
    });
    await insertMessage(db, newer, {
      ...c(viaWamid),
      status: 'read',
      wamid: 'wamid.conv.1',
      deliveredAt: at(0),
      readAt: at(HOUR),
    });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('attributes within the window, both edges inclusive, and not an event before any message', async () => {
    const res = await e.v1('POST', '/conversions', {
      events: [
        {
          eventId: 'edge-in',
          eventName: 'add_to_cart',
          phone: edge,
          occurredAt: at(7 * DAY).toISOString(),
        },
        {
          eventId: 'edge-out',
          eventName: 'add_to_cart',
          phone: edge,
          occurredAt: at(7 * DAY + 1000).toISOString(),
        },
        {
          eventId: 'same-instant',
          eventName: 'add_to_cart',
          phone: edge,
          occurredAt: at(0).toISOString(),
        },
        {
          eventId: 'before',
          eventName: 'add_to_cart',
          phone: edge,
          occurredAt: at(-1000).toISOString(),
        },
        {
          eventId: 'no-message',
          eventName: 'add_to_cart',
          phone: lonely,
          occurredAt: at(DAY).toISOString(),
        },
        {
          eventId: 'not-a-contact',
          eventName: 'add_to_cart',
          phone: '+5511987654321',
          occurredAt: at(DAY).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 6, duplicates: 0, attributed: 2, rejected: [] });
    expect(await attributionOf('edge-in')).toEqual({ campaign_id: older, touch: 'delivered' });
    expect(await attributionOf('same-instant')).toEqual({ campaign_id: older, touch: 'delivered' });
    for (const id of ['edge-out', 'before', 'no-message', 'not-a-contact']) {
      expect(await attributionOf(id)).toEqual({ campaign_id: null, touch: null });
    }
  });

  it('gives a contested conversion to the campaign that reached the contact last, unless an earlier one was read', async () => {
    const res = await e.v1('POST', '/conversions', {
      events: [
        {
          eventId: 'compete',
          eventName: 'purchase',
          phone: compete,
          value: 10,
          currency: 'BRL',
          occurredAt: at(3 * DAY).toISOString(),
        },
        {
          eventId: 'read-beats',
          eventName: 'purchase',
          contactId: ids.get(readBeats),
          value: 20,
          currency: 'BRL',
          occurredAt: at(3 * DAY).toISOString(),
        },
        {
          eventId: 'by-wamid',
          eventName: 'checkout_initiated',
          wamid: 'wamid.conv.1',
          occurredAt: at(DAY).toISOString(),
        },
      ],
    });
    expect(res.body).toEqual({ accepted: 3, duplicates: 0, attributed: 3, rejected: [] });
    expect(await attributionOf('compete')).toEqual({ campaign_id: newer, touch: 'delivered' });
    expect(await attributionOf('read-beats')).toEqual({ campaign_id: older, touch: 'read' });
    expect(await attributionOf('by-wamid')).toEqual({ campaign_id: newer, touch: 'read' });
  });

  it('follows the workspace attribution window once changed', async () => {
    expect((await e.v1('GET', '/settings/attribution')).body).toEqual({ attributionWindowDays: 7 });
    expect(
      (await e.v1('PATCH', '/settings/attribution', { attributionWindowDays: 0 })).status,
    ).toBe(400);
    expect(
      (await e.v1('PATCH', '/settings/attribution', { attributionWindowDays: 91 })).status,
    ).toBe(400);
    const set = await e.v1('PATCH', '/settings/attribution', { attributionWindowDays: 10 });
    expect(set.body).toEqual({ attributionWindowDays: 10 });
    await e.v1('POST', '/conversions', {
      events: [
        {
          eventId: 'wide',
          eventName: 'add_to_cart',
          phone: edge,
          occurredAt: at(9 * DAY).toISOString(),
        },
      ],
    });
    expect(await attributionOf('wide')).toEqual({ campaign_id: older, touch: 'delivered' });
    await e.v1('PATCH', '/settings/attribution', { attributionWindowDays: 7 });
  });

  it('counts a resent batch as duplicates only, and an id repeated inside a batch once', async () => {
    const batch = {
      events: [
        {
          eventId: 'dup-1',
          eventName: 'purchase',
          phone: compete,
          value: 5,
          currency: 'BRL',
          occurredAt: at(3 * DAY).toISOString(),
        },
        {
          eventId: 'dup-2',
          eventName: 'add_to_cart',
          phone: compete,
          occurredAt: at(3 * DAY).toISOString(),
        },
        {
          eventId: 'dup-2',
          eventName: 'add_to_cart',
          phone: compete,
          occurredAt: at(3 * DAY).toISOString(),
        },
      ],
    };
    const before = await e.v1('GET', `/campaigns/${newer}/report`);
    expect((await e.v1('POST', '/conversions', batch)).body).toEqual({
      accepted: 2,
      duplicates: 1,
      attributed: 2,
      rejected: [],
    });
    expect((await e.v1('POST', '/conversions', batch)).body).toEqual({
      accepted: 0,
      duplicates: 3,
      attributed: 0,
      rejected: [],
    });
    const after = await e.v1('GET', `/campaigns/${newer}/report`);
    const purchases = (r: any) => r.body.conversions.find((c: any) => c.eventName === 'purchase');
    expect(purchases(after).count - purchases(before).count).toBe(1);
    expect(purchases(after).value - purchases(before).value).toBe(5);
    // the same contact converting again does not make its message count twice in the funnel
    expect(after.body.funnel.converted).toBe(before.body.funnel.converted);
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses it with another body', async () => {
    const body = {
      events: [
        {
          eventId: 'idem-1',
          eventName: 'add_to_cart',
          phone: lonely,
          occurredAt: at(DAY).toISOString(),
        },
      ],
    };
    const headers = { 'idempotency-key': 'conv-key-1' };
    const first = await http(e.api.url, 'POST', '/v1/conversions', { key: e.key, body, headers });
    const again = await http(e.api.url, 'POST', '/v1/conversions', { key: e.key, body, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(first.body.accepted).toBe(1);
    const other = await http(e.api.url, 'POST', '/v1/conversions', {
      key: e.key,
      body: { events: [] },
      headers,
    });
    expect(other.status).toBe(422);
  });

  it('rejects each bad event with its index and reason and keeps the good ones', async () => {
    const ok = { eventName: 'add_to_cart', phone: lonely, occurredAt: at(DAY).toISOString() };
    const foreign = await newWorkspace(e.api, 'foreign');
    const [foreignContact] = [
      ...(await contacts(dbOf(e), foreign.workspaceId, ['+5511911112222'])).values(),
    ];
    const events = [
      { ...ok, eventId: 'good-1' },
      'nope',
      { ...ok, eventId: '' },
      { ...ok, eventId: 'v-1', eventName: 'add to cart' },
      { ...ok, eventId: 'v-2', phone: undefined },
      { ...ok, eventId: 'v-3', wamid: 'wamid.x' },
      { ...ok, eventId: 'v-4', phone: 'call me' },
      { ...ok, eventId: 'v-5', phone: undefined, contactId: foreignContact },
      { ...ok, eventId: 'v-6', phone: undefined, wamid: 'wamid.unknown' },
      { ...ok, eventId: 'v-7', eventName: 'purchase' },
      { ...ok, eventId: 'v-8', value: 3 },
      { ...ok, eventId: 'v-9', value: 3, currency: 'ZZZ' },
      { ...ok, eventId: 'v-10', value: -3, currency: 'USD' },
      { ...ok, eventId: 'v-11', occurredAt: 'yesterday' },
      { ...ok, eventId: 'v-12', occurredAt: new Date(Date.now() + DAY).toISOString() },
      { ...ok, eventId: 'v-13', extra: true },
      { ...ok, eventId: 'good-2' },
    ];
    const res = await e.v1('POST', '/conversions', { events });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    const reasons = Object.fromEntries(res.body.rejected.map((r: any) => [r.index, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    expect(reasons[1]).toBe('event must be an object');
    expect(reasons[2]).toContain('eventId');
    expect(reasons[3]).toContain('eventName');
    expect(reasons[4]).toContain('exactly one of phone, contactId or wamid');
    expect(reasons[5]).toContain('exactly one of phone, contactId or wamid');
    expect(reasons[6]).toMatch(/^phone: /);
    expect(reasons[7]).toBe('contactId: no such contact in this workspace');
    expect(reasons[8]).toBe('wamid: no campaign message with this wamid');
    expect(reasons[9]).toContain('purchase needs value and currency');
    expect(reasons[10]).toContain('value needs a currency');
    expect(reasons[11]).toContain('ISO-4217');
    expect(reasons[12]).toContain('value must be a number');
    expect(reasons[13]).toContain('occurredAt');
    expect(reasons[14]).toContain('future');
    expect(reasons[15]).toContain('unknown field "extra"');
  });

  it('refuses more than 1000 events, or no events array, as a whole', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({
      eventId: `m-${i}`,
      eventName: 'add_to_cart',
      phone: lonely,
      occurredAt: at(DAY).toISOString(),
    }));
    expect((await e.v1('POST', '/conversions', { events: many })).status).toBe(400);
    expect((await e.v1('POST', '/conversions', {})).status).toBe(400);
    const thousand = await e.v1('POST', '/conversions', { events: many.slice(0, 1000) });
    expect(thousand.status).toBe(202);
    expect(thousand.body.accepted).toBe(1000);
  });

  it('keeps workspaces apart: the same event id in another workspace is its own event', async () => {
    const other = await newWorkspace(e.api, 'other');
    const res = await http(e.api.url, 'POST', '/v1/conversions', {
      key: other.apiKey,
      body: {
        events: [
          {
            eventId: 'edge-in',
            eventName: 'add_to_cart',
            phone: edge,
            occurredAt: at(7 * DAY).toISOString(),
          },
        ],
      },
    });
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, attributed: 0, rejected: [] });
    const report = await http(e.api.url, 'GET', `/v1/campaigns/${older}/report`, {
      key: other.apiKey,
    });
    expect(report.status).toBe(404);
  });
});
