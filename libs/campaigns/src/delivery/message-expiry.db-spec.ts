// The TTL expiry tick against Postgres: which accepted messages become `expired` (deadline
// passed, no delivered or read status), that the counters follow by trigger, that a late
// delivered wins over it; and the billable aggregate the report prices with dated rate cards
// (delivered billable messages per prefix, pricing category and UTC delivery day).
import { DataSource } from 'typeorm';
import { asWorkspaceId, FakeClock } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import {
  audienceSnapshot,
  seedCampaignFixture,
  workerDatabaseUrl,
  markRunning,
} from '@app/testing';
import { CampaignsRepository, type ClaimedMessage } from '../campaigns.repository';
import { expiresAtOf } from '../domain/message-ttl';
import { DeliveryRepository } from './delivery.repository';
import { MetaClicksRepository } from '../links/meta-clicks.repository';
import { DeliveryService } from './delivery.service';
import type { StatusEvent } from './domain/delivery-status';
import { MessageExpiry } from './message-expiry';

let ds: DataSource;
let db: Database;
let campaigns: CampaignsRepository;
let ledger: DeliveryRepository;
let delivery: DeliveryService;
const clock = new FakeClock();

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 4)).initialize();
  db = new Database(ds);
  campaigns = new CampaignsRepository(db);
  ledger = new DeliveryRepository(db);
  delivery = new DeliveryService(ledger, new MetaClicksRepository());
});

afterAll(async () => {
  await ds?.destroy();
});

const NUMBER = '100000000000778';
const TTL = 43_200;
let eventSeq = 0;

function status(wamid: string, s: StatusEvent['status'], at: Date): StatusEvent {
  return {
    wamid,
    status: s,
    at,
    recipientId: null,
    recipientUserId: null,
    callbackData: null,
    phoneNumberId: NUMBER,
    wabaId: '100000000000001',
    error: null,
    pricing: { category: 'marketing_lite', type: 'regular', model: 'PMP', billable: true },
    eventId: String(++eventSeq),
  };
}
const webhook = (events: StatusEvent[]) => db.tx((tx) => delivery.applyStatusEvents(tx, events));

/** A campaign of `n` messages, all sent at `at`: the first `withTtl` with the TTL, the rest without. */
async function sentCampaign(
  n: number,
  withTtl: number,
  at: Date,
): Promise<{ id: string; msgs: ClaimedMessage[]; wamid: (m: ClaimedMessage) => string }> {
  const f = await seedCampaignFixture(ds, n, { metaPhoneNumberId: NUMBER });
  const c = await campaigns.insert(asWorkspaceId(f.workspaceId), {
    name: 'ttl',
    templateId: f.templateId,
    audienceId: f.audienceId,
    phoneNumberId: f.phoneNumberId,
    parameters: {},
  });
  await markRunning(ds, c.id);
  await campaigns.snapshotChunk(
    audienceSnapshot({ id: c.id, audienceId: f.audienceId, workspaceId: f.workspaceId }),
    null,
    n,
  );
  const msgs = await campaigns.claim(c.id, 'worker-ttl', n, null, at);
  const wamid = (m: ClaimedMessage) => `wamid.ttl.${c.id}.${m.id}`;
  await db.tx(async (tx) => {
    await ledger.lockWamids(tx, msgs.map(wamid));
    await campaigns.writeOutcomes(
      tx,
      'worker-ttl',
      msgs.map((m, i) => ({
        id: m.id,
        change: { status: 'sent', requested: true, wamid: wamid(m), sentAt: at },
        requestAt: at,
        expiresAt: expiresAtOf(at, i < withTtl ? TTL : null),
      })),
    );
  });
  await webhook(msgs.map((m) => status(wamid(m), 'sent', at)));
  return { id: c.id, msgs, wamid };
}

async function statuses(campaignId: string): Promise<Record<string, string>> {
  const rows = await ds.query<Array<{ id: string; status: string }>>(
    `SELECT id::text, status FROM campaign_messages WHERE campaign_id = $1`,
    [campaignId],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

async function expiredCounts(
  campaignId: string,
): Promise<{ live: number; rows: number; sent: number }> {
  const [r] = await ds.query<Array<{ live: string; rows: string; sent: string }>>(
    `SELECT k.expired AS live, k.sent,
            (SELECT count(*) FROM campaign_messages WHERE campaign_id = $1 AND status = 'expired') AS rows
       FROM campaign_counts k WHERE k.campaign_id = $1`,
    [campaignId],
  );
  return { live: Number(r?.live), rows: Number(r?.rows), sent: Number(r?.sent) };
}

describe('message expiry (TTL)', () => {
  it('expires accepted messages with no delivered status once their TTL has passed, and only those', async () => {
    const at = new Date(Date.UTC(2030, 5, 1, 8));
    // Six with the TTL (two delivered, one read, three never), two without a TTL.
    const c = await sentCampaign(8, 6, at);
    const [d1, d2, r1, n1, n2, n3, free1, free2] = c.msgs as [ClaimedMessage, ...ClaimedMessage[]];
    const soon = new Date(at.getTime() + 60_000);
    await webhook([
      status(c.wamid(d1), 'delivered', soon),
      status(c.wamid(d2!), 'delivered', soon),
      status(c.wamid(r1!), 'read', soon),
    ]);
    const expiry = new MessageExpiry(db, ledger, clock);

    clock.set(at.getTime() + TTL * 1000 - 1000);
    await expiry.run();
    expect(Object.values(await statuses(c.id)).filter((s) => s === 'expired')).toEqual([]);

    clock.set(at.getTime() + TTL * 1000 + 1000);
    await expiry.run();
    const after = await statuses(c.id);
    expect([n1, n2, n3].map((m) => after[m!.id])).toEqual(['expired', 'expired', 'expired']);
    expect([d1, d2].map((m) => after[m!.id])).toEqual(['delivered', 'delivered']);
    expect(after[r1!.id]).toBe('read');
    expect([free1, free2].map((m) => after[m!.id])).toEqual(['sent', 'sent']);
    expect(await expiredCounts(c.id)).toEqual({ live: 3, rows: 3, sent: 8 });

    // Ticking again changes nothing.
    expect(await expiry.run()).toBe(0);

    // A repeated `sent` (Meta's word unchanged) keeps it expired; a late delivered wins.
    await webhook([status(c.wamid(n1!), 'sent', soon)]);
    await webhook([status(c.wamid(n2!), 'delivered', new Date(at.getTime() + TTL * 1000 + 5000))]);
    const late = await statuses(c.id);
    expect(late[n1!.id]).toBe('expired');
    expect(late[n2!.id]).toBe('delivered');
    expect(await expiredCounts(c.id)).toEqual({ live: 2, rows: 2, sent: 8 });
  });

  it('waits for the status journal: a deadline within its lag is not judged yet', async () => {
    const at = new Date(Date.UTC(2030, 6, 1, 8));
    const c = await sentCampaign(2, 2, at);
    const expiry = new MessageExpiry(db, ledger, clock);
    clock.set(at.getTime() + TTL * 1000 + 30_000);
    await expiry.run(() => Promise.resolve(60_000));
    expect(Object.values(await statuses(c.id))).toEqual(['sent', 'sent']);
    await expiry.run(() => Promise.resolve(10_000));
    expect(Object.values(await statuses(c.id))).toEqual(['expired', 'expired']);
  });
});

describe('billable deliveries by day', () => {
  it('counts delivered billable messages on their UTC delivery day, and only those', async () => {
    const at = new Date(Date.UTC(2030, 2, 31, 20));
    const c = await sentCampaign(5, 0, at);
    const [a, b, d, e] = c.msgs as [ClaimedMessage, ...ClaimedMessage[]];
    await webhook([
      status(c.wamid(a), 'delivered', new Date(Date.UTC(2030, 2, 31, 23, 59))),
      status(c.wamid(b!), 'delivered', new Date(Date.UTC(2030, 3, 1, 0, 1))),
      status(c.wamid(d!), 'read', new Date(Date.UTC(2030, 3, 1, 9))),
      // Sent (billable pricing came with it) and then failed: never delivered, never charged.
      { ...status(c.wamid(e!), 'failed', new Date(Date.UTC(2030, 3, 1, 9))), pricing: null },
    ]);
    const rows = await ds.query<Array<{ day: string; cat: string; messages: string }>>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, pricing_category AS cat, sum(messages) AS messages
         FROM campaign_billable_prefixes WHERE campaign_id = $1 GROUP BY 1, 2 ORDER BY 1`,
      [c.id],
    );
    expect(rows.map((r) => [r.day, r.cat, Number(r.messages)])).toEqual([
      ['2030-03-31', 'marketing_lite', 1],
      ['2030-04-01', 'marketing_lite', 2],
    ]);
  });
});
