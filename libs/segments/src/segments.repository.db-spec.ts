// The compiled filters against real contacts: each filter's matches in Postgres equal what a
// plain JavaScript reading of the same rule picks from the same contacts.
import { DataSource } from 'typeorm';
import { asWorkspaceId, type WorkspaceId } from '@app/common';
import { usAreaCodes } from '@app/audiences';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { compileFilter, SqlParams } from './domain/compile-filter';
import type { FilterNode } from './domain/segment-filter';
import { SegmentsRepository } from './segments.repository';

let ds: DataSource;
let repo: SegmentsRepository;
let ws: WorkspaceId;
let audience: string;
let campaign: string;

const NOW = new Date('2031-03-01T12:00:00Z');
const DAY = 86_400_000;

interface Person {
  phone: string;
  attributes: Record<string, unknown>;
  locale: string | null;
  consent: 'opted_in' | 'opted_out' | 'none';
  createdAt: Date;
  member: boolean;
  /** Campaign message status (null: not a recipient). */
  message: null | { status: string; wamid: boolean; sentDaysAgo: number | null; clicked: boolean };
  convertedDaysAgo: number | null;
  id?: string;
}

const tiers = ['gold', 'silver', 'bronze', undefined];
const people: Person[] = Array.from({ length: 120 }, (_, i) => {
  const cc = ['55', '44', '1', '52'][i % 4] as string;
  const npa = i % 8 === 2 ? '416' : '212'; // Toronto and New York: only the second is US
  const phone = cc === '1' ? `+1${npa}555${String(1000 + i)}` : `+${cc}11${String(90000000 + i)}`;
  const attributes: Record<string, unknown> = {};
  const tier = tiers[i % 4];
  if (tier) {
    attributes.tier = tier;
  }
  if (i % 3 !== 0) {
    attributes.orders = i % 7;
  }
  if (i % 5 === 0) {
    attributes.orders = String(i % 7); // a number stored as text is not a number
  }
  if (i % 6 === 0) {
    attributes.birthday = `1990-0${(i % 9) + 1}-15`;
  }
  if (i % 10 === 0) {
    attributes.note = `Promo 50%_off #${i}`;
  }
  if (i % 11 === 0) {
    attributes.address = { city: i % 2 ? 'Recife' : 'Lisboa' };
  }
  if (i % 13 === 0) {
    attributes.vip = i % 2 === 0;
  }
  return {
    phone,
    attributes,
    locale: i % 4 === 0 ? null : (['pt_BR', 'en_GB', 'es_MX'][i % 3] ?? null),
    consent: (['opted_in', 'opted_in', 'opted_out', 'none'] as const)[
      Math.floor(i / 3) % 4
    ] as Person['consent'],
    createdAt: new Date(NOW.getTime() - (i % 30) * DAY),
    member: i % 2 === 0,
    message:
      i % 3 === 0
        ? {
            status: ['sent', 'delivered', 'read', 'failed', 'pending'][i % 5] as string,
            wamid: i % 5 !== 4 && !(i % 5 === 3 && i % 2 === 0),
            sentDaysAgo: i % 5 === 4 ? null : i % 20,
            clicked: i % 5 === 2 && i % 4 === 0,
          }
        : null,
    convertedDaysAgo: i % 9 === 0 ? i % 40 : null,
  };
});

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 4)).initialize();
  repo = new SegmentsRepository(new Database(ds));
  const one = async (sql: string, params: unknown[] = []): Promise<string> =>
    (await ds.query<Array<{ id: string }>>(sql, params))[0]!.id;
  ws = asWorkspaceId(await one(`INSERT INTO workspaces (name) VALUES ('segments') RETURNING id`));
  const account = await one(
    `INSERT INTO business_accounts (workspace_id, waba_id, access_token_sealed) VALUES ($1, '1', 's') RETURNING id`,
    [ws],
  );
  const phone = await one(
    `INSERT INTO phone_numbers (workspace_id, business_account_id, phone_number_id, display_phone_number, graph_throughput_mps)
     VALUES ($1, $2, '2', '+1', 80) RETURNING id`,
    [ws, account],
  );
  const template = await one(
    `INSERT INTO templates (workspace_id, business_account_id, name, language, category, components, status)
     VALUES ($1, $2, 'promo', 'en_US', 'MARKETING', '[]', 'APPROVED') RETURNING id`,
    [ws, account],
  );
  audience = await one(
    `INSERT INTO audiences (workspace_id, name) VALUES ($1, 'half') RETURNING id`,
    [ws],
  );
  campaign = await one(
    `INSERT INTO campaigns (workspace_id, name, template_id, audience_id, phone_number_id, status)
     VALUES ($1, 'parent', $2, $3, $4, 'completed') RETURNING id`,
    [ws, template, audience, phone],
  );
  await ds.query(`INSERT INTO campaign_counters (campaign_id) VALUES ($1)`, [campaign]);
  for (const p of people) {
    p.id = await one(
      `INSERT INTO contacts (workspace_id, phone, attributes, locale, consent_status, consent_changed_at, created_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'none' THEN NULL ELSE now() END, $6) RETURNING id`,
      [ws, p.phone, JSON.stringify(p.attributes), p.locale, p.consent, p.createdAt],
    );
    if (p.member) {
      await ds.query(`INSERT INTO audience_members (audience_id, contact_id) VALUES ($1, $2)`, [
        audience,
        p.id,
      ]);
    }
    if (p.message) {
      const m = p.message;
      const sentAt = m.sentDaysAgo === null ? null : new Date(NOW.getTime() - m.sentDaysAgo * DAY);
      const msg = await one(
        `INSERT INTO campaign_messages (campaign_id, contact_id, phone, status, wamid, sent_at, clicked_at, failed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'failed' THEN $6::timestamptz END) RETURNING id`,
        [
          campaign,
          p.id,
          p.phone,
          m.status,
          m.wamid ? `wamid.seg.${p.phone}` : null,
          sentAt,
          m.clicked ? sentAt : null,
        ],
      );
      if (p.convertedDaysAgo !== null && m.status !== 'pending') {
        await ds.query(
          `INSERT INTO campaign_converted_messages (campaign_message_id, campaign_id) VALUES ($1, $2)`,
          [msg, campaign],
        );
      }
    }
    if (p.convertedDaysAgo !== null) {
      await ds.query(
        `INSERT INTO conversions (workspace_id, event_id, event_name, contact_id, occurred_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          ws,
          `ev-${p.phone}`,
          p.convertedDaysAgo % 2 ? 'purchase' : 'add_to_cart',
          p.id,
          new Date(NOW.getTime() - p.convertedDaysAgo * DAY),
        ],
      );
    }
  }
});

afterAll(async () => {
  await ds?.destroy();
});

async function matches(filter: FilterNode): Promise<string[]> {
  const p = new SqlParams([ws]);
  const where = compileFilter(filter, p, { now: NOW });
  const rows = await ds.query<Array<{ phone: string }>>(
    `SELECT c.phone FROM contacts c WHERE c.workspace_id = $1 AND ${where} ORDER BY c.phone`,
    p.values,
  );
  return rows.map((r) => r.phone);
}

const phonesOf = (pred: (p: Person) => boolean): string[] =>
  people
    .filter(pred)
    .map((p) => p.phone)
    .sort();

const accepted = (p: Person) =>
  !!p.message &&
  (['sent', 'delivered', 'read'].includes(p.message.status) ||
    (p.message.status === 'failed' && p.message.wamid));

describe('compiled segment filters on Postgres', () => {
  const cases: Array<[string, FilterNode, (p: Person) => boolean]> = [
    [
      'attribute eq string',
      { field: 'attributes.tier', op: 'eq', value: 'gold' },
      (p) => p.attributes.tier === 'gold',
    ],
    [
      'attribute ne includes contacts without it',
      { field: 'attributes.tier', op: 'ne', value: 'gold' },
      (p) => p.attributes.tier !== 'gold',
    ],
    [
      'attribute in',
      { field: 'attributes.tier', op: 'in', value: ['gold', 'bronze'] },
      (p) => ['gold', 'bronze'].includes(p.attributes.tier as string),
    ],
    [
      'attribute nin',
      { field: 'attributes.tier', op: 'nin', value: ['gold', 'bronze'] },
      (p) => !['gold', 'bronze'].includes(p.attributes.tier as string),
    ],
    [
      'attribute number gt compares numbers only',
      { field: 'attributes.orders', op: 'gt', value: 3 },
      (p) => typeof p.attributes.orders === 'number' && p.attributes.orders > 3,
    ],
    [
      'attribute number eq does not match the same digits as text',
      { field: 'attributes.orders', op: 'eq', value: 0 },
      (p) => p.attributes.orders === 0,
    ],
    [
      'attribute string eq matches text only',
      { field: 'attributes.orders', op: 'eq', value: '0' },
      (p) => p.attributes.orders === '0',
    ],
    [
      'attribute between numbers',
      { field: 'attributes.orders', op: 'between', value: [2, 4] },
      (p) =>
        typeof p.attributes.orders === 'number' &&
        p.attributes.orders >= 2 &&
        p.attributes.orders <= 4,
    ],
    [
      'attribute dates compare as dates',
      { field: 'attributes.birthday', op: 'lt', value: '1990-05-01' },
      (p) => typeof p.attributes.birthday === 'string' && p.attributes.birthday < '1990-05-01',
    ],
    [
      'attribute contains is case-insensitive and literal',
      { field: 'attributes.note', op: 'contains', value: 'promo 50%_' },
      (p) =>
        typeof p.attributes.note === 'string' &&
        p.attributes.note.toLowerCase().includes('promo 50%_'),
    ],
    ['attribute exists', { field: 'attributes.vip', op: 'exists' }, (p) => 'vip' in p.attributes],
    [
      'attribute exists false',
      { field: 'attributes.vip', op: 'exists', value: false },
      (p) => !('vip' in p.attributes),
    ],
    [
      'attribute boolean eq',
      { field: 'attributes.vip', op: 'eq', value: true },
      (p) => p.attributes.vip === true,
    ],
    [
      'nested attribute',
      { field: 'attributes.address.city', op: 'eq', value: 'Recife' },
      (p) => (p.attributes.address as { city?: string } | undefined)?.city === 'Recife',
    ],
    ['consent', { field: 'consent', op: 'eq', value: 'opted_in' }, (p) => p.consent === 'opted_in'],
    [
      'calling code',
      { field: 'countryCode', op: 'in', value: ['55', '52'] },
      (p) => /^\+(55|52)/.test(p.phone),
    ],
    [
      'calling code ne',
      { field: 'countryCode', op: 'ne', value: '1' },
      (p) => !p.phone.startsWith('+1'),
    ],
    [
      'locale ne includes contacts without one',
      { field: 'locale', op: 'ne', value: 'pt_BR' },
      (p) => p.locale !== 'pt_BR',
    ],
    [
      'locale exists false',
      { field: 'locale', op: 'exists', value: false },
      (p) => p.locale === null,
    ],
    [
      'createdAt',
      { field: 'createdAt', op: 'gte', value: new Date(NOW.getTime() - 10 * DAY).toISOString() },
      (p) => p.createdAt.getTime() >= NOW.getTime() - 10 * DAY,
    ],
    ['audience', { audience: '' }, (p) => p.member],
    ['campaign targeted', { campaign: '', outcome: 'targeted' }, (p) => !!p.message],
    ['campaign sent', { campaign: '', outcome: 'sent' }, accepted],
    [
      'campaign not_delivered',
      { campaign: '', outcome: 'not_delivered' },
      (p) => accepted(p) && !['delivered', 'read'].includes(p.message!.status),
    ],
    [
      'campaign delivered_not_read',
      { campaign: '', outcome: 'delivered_not_read' },
      (p) => p.message?.status === 'delivered',
    ],
    [
      'campaign read_not_clicked',
      { campaign: '', outcome: 'read_not_clicked' },
      (p) => p.message?.status === 'read' && !p.message.clicked,
    ],
    ['campaign failed', { campaign: '', outcome: 'failed' }, (p) => p.message?.status === 'failed'],
    [
      'campaign converted',
      { campaign: '', outcome: 'converted' },
      (p) => !!p.message && p.message.status !== 'pending' && p.convertedDaysAgo !== null,
    ],
    [
      'messaged within days',
      { messaged: { withinDays: 7 } },
      (p) =>
        !!p.message &&
        p.message.status !== 'pending' &&
        p.message.sentDaysAgo !== null &&
        p.message.sentDaysAgo <= 7 &&
        (p.message.wamid || p.message.status !== 'failed'),
    ],
    [
      'converted with an event',
      { converted: { eventName: 'purchase', withinDays: 20 } },
      (p) =>
        p.convertedDaysAgo !== null && p.convertedDaysAgo % 2 === 1 && p.convertedDaysAgo <= 20,
    ],
    [
      'all, any, not together',
      {
        all: [
          { field: 'consent', op: 'eq', value: 'opted_in' },
          {
            any: [
              { field: 'attributes.tier', op: 'eq', value: 'gold' },
              { field: 'countryCode', op: 'eq', value: '44' },
            ],
          },
          { not: { audience: '' } },
        ],
      },
      (p) =>
        p.consent === 'opted_in' &&
        (p.attributes.tier === 'gold' || p.phone.startsWith('+44')) &&
        !p.member,
    ],
  ];

  const withIds = (f: FilterNode): FilterNode =>
    JSON.parse(
      JSON.stringify(f)
        .replace(/"audience":""/g, `"audience":"${audience}"`)
        .replace(/"campaign":""/g, `"campaign":"${campaign}"`),
    );

  it.each(cases)('%s', async (_name, filter, pred) => {
    const expected = phonesOf(pred);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(people.length);
    expect(await matches(withIds(filter))).toEqual(expected);
  });

  it('counts matches, the eligible among them (opted in, not US, not capped) and samples', async () => {
    const filter: FilterNode = { field: 'attributes.tier', op: 'in', value: ['gold', 'bronze'] };
    const us = new Set(usAreaCodes());
    const isUs = (p: Person) => p.phone.startsWith('+1') && us.has(p.phone.slice(2, 5));
    const hits = people.filter((p) => ['gold', 'bronze'].includes(p.attributes.tier as string));
    const messagedRecently = (p: Person) =>
      !!p.message &&
      p.message.status !== 'pending' &&
      p.message.sentDaysAgo !== null &&
      p.message.sentDaysAgo <= 5 &&
      (p.message.wamid || p.message.status !== 'failed');
    const noCap = await repo.count(ws, filter, { now: NOW, usAreaCodes: [...us], cap: null });
    expect(noCap.count).toBe(hits.length);
    expect(noCap.eligible).toBe(hits.filter((p) => p.consent === 'opted_in' && !isUs(p)).length);
    // Canada (+1 416) is eligible, New York (+1 212) is not.
    expect(hits.some((p) => p.phone.startsWith('+1416') && p.consent === 'opted_in')).toBe(true);
    expect(hits.some((p) => p.phone.startsWith('+1212') && p.consent === 'opted_in')).toBe(true);
    expect(noCap.sampleContactIds).toHaveLength(20);
    const capped = await repo.count(ws, filter, {
      now: NOW,
      usAreaCodes: [...us],
      cap: { max: 1, since: new Date(NOW.getTime() - 5 * DAY) },
    });
    expect(capped.eligible).toBe(
      hits.filter((p) => p.consent === 'opted_in' && !isUs(p) && !messagedRecently(p)).length,
    );
    expect(capped.eligible).toBeLessThan(noCap.eligible);
  });
});
