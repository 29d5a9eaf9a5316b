// Counts are derived one way (the statement-level trigger of migration DeliveryCore) from rows'
// state, and a campaign message with a ledger row shows the ledger's status. This writes messages
// in every way the engine does — snapshot, claim, send outcomes, status webhooks (before and after
// the send answer), in-doubt settling and requeueing, clicks, cancel — and after each step
// compares the live counters with a count of the rows, and the messages with the ledger.
import { DataSource } from 'typeorm';
import { asWorkspaceId } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import {
  audienceSnapshot,
  seedCampaignFixture,
  workerDatabaseUrl,
  markRunning,
} from '@app/testing';
import {
  CampaignsRepository,
  type ClaimedMessage,
  type MessageOutcome,
} from '../campaigns.repository';
import { CounterDeltas } from './counter-deltas';
import { DeliveryRepository } from './delivery.repository';
import { MetaClicksRepository } from '../links/meta-clicks.repository';
import { DeliveryService } from './delivery.service';
import type { StatusEvent } from './domain/delivery-status';

let ds: DataSource;
let db: Database;
let campaigns: CampaignsRepository;
let ledger: DeliveryRepository;
let delivery: DeliveryService;

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 6)).initialize();
  db = new Database(ds);
  campaigns = new CampaignsRepository(db);
  ledger = new DeliveryRepository(db);
  delivery = new DeliveryService(ledger, new MetaClicksRepository());
});

afterAll(async () => {
  await ds?.destroy();
});

const NUMBER = '100000000000777';
const WORKER = 'worker-a';
let run = 0;

async function campaignOf(
  n: number,
  optedOut = 0,
): Promise<{ id: string; audienceId: string; workspaceId: string }> {
  run++;
  const f = await seedCampaignFixture(ds, n, { optedOut, metaPhoneNumberId: NUMBER });
  const c = await campaigns.insert(asWorkspaceId(f.workspaceId), {
    name: 'counts',
    templateId: f.templateId,
    audienceId: f.audienceId,
    phoneNumberId: f.phoneNumberId,
    parameters: {},
  });
  await markRunning(ds, c.id);
  return { id: c.id, audienceId: f.audienceId, workspaceId: f.workspaceId };
}

/** The counters as the trigger keeps them, and as a count of the rows says they should be. */
async function countsOf(id: string): Promise<{ live: unknown; rows: unknown }> {
  const [live] = await ds.query<Array<Record<string, string>>>(
    `SELECT targeted, skipped, queued, sending, in_doubt, sent, delivered, read, clicked, failed, billable
       FROM campaign_counts WHERE campaign_id = $1`,
    [id],
  );
  const [rows] = await ds.query<Array<Record<string, string>>>(
    `SELECT count(*) AS targeted,
            count(*) FILTER (WHERE status = 'skipped') AS skipped,
            count(*) FILTER (WHERE status = 'pending') AS queued,
            count(*) FILTER (WHERE status IN ('sending', 'in_doubt')) AS sending,
            count(*) FILTER (WHERE status = 'in_doubt') AS in_doubt,
            count(*) FILTER (WHERE status IN ('sent', 'delivered', 'read')
                                OR (status = 'failed' AND wamid IS NOT NULL)) AS sent,
            count(*) FILTER (WHERE status IN ('delivered', 'read')) AS delivered,
            count(*) FILTER (WHERE status = 'read') AS read,
            count(*) FILTER (WHERE clicked_at IS NOT NULL) AS clicked,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE billable) AS billable
       FROM campaign_messages WHERE campaign_id = $1`,
    [id],
  );
  const num = (r: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)]));
  return { live: num(live), rows: num(rows) };
}

async function expectExact(id: string): Promise<Record<string, number>> {
  const { live, rows } = await countsOf(id);
  expect(live).toEqual(rows);
  // Folded into the counters row, the counts are the same, and no delta is left behind.
  await new CounterDeltas(db).fold();
  expect((await countsOf(id)).live).toEqual(rows);
  const [left] = await ds.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM campaign_counter_deltas WHERE campaign_id = $1`,
    [id],
  );
  expect(left!.n).toBe(0);
  // A message with a ledger row shows exactly the ledger's status.
  const disagree = await ds.query(
    `SELECT cm.id, cm.status, ms.status AS ledger FROM campaign_messages cm
       JOIN message_statuses ms ON ms.wamid = cm.wamid
      WHERE cm.campaign_id = $1
        AND cm.status <> CASE ms.status WHEN 'played' THEN 'read' ELSE ms.status END`,
    [id],
  );
  expect(disagree).toEqual([]);
  return live as Record<string, number>;
}

async function snapshotAll(c: {
  id: string;
  audienceId: string;
  workspaceId: string;
}): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const chunk = await campaigns.snapshotChunk(audienceSnapshot(c), after, 7);
    if (!chunk.lastContactId) {
      return;
    }
    after = chunk.lastContactId;
  }
}

const write = (outcomes: MessageOutcome[], worker = WORKER, wamids: string[] = []) =>
  db.tx(async (tx) => {
    await ledger.lockWamids(tx, wamids);
    await campaigns.writeOutcomes(tx, worker, outcomes);
    await ledger.project(tx, wamids);
  });

let wamidSeq = 0;
function status(
  wamid: string,
  s: StatusEvent['status'],
  extra: Partial<StatusEvent> = {},
): StatusEvent {
  return {
    wamid,
    status: s,
    at: new Date(Date.UTC(2030, 0, 1, 0, 0, ++wamidSeq % 50)),
    recipientId: null,
    recipientUserId: null,
    callbackData: null,
    phoneNumberId: NUMBER,
    wabaId: '100000000000001',
    error:
      s === 'failed'
        ? { code: 131026, title: 'undeliverable', message: null, details: null }
        : null,
    pricing:
      s === 'sent'
        ? { category: 'marketing_lite', type: 'regular', model: 'PMP', billable: true }
        : null,
    eventId: String(wamidSeq),
    ...extra,
  };
}
const webhook = (events: StatusEvent[]) => db.tx((tx) => delivery.applyStatusEvents(tx, events));

describe('counts derived from rows, one way', () => {
  it('stay exact through every way a message is written', async () => {
    const c = await campaignOf(24, 3);
    await snapshotAll(c);
    expect(await expectExact(c.id)).toMatchObject({ targeted: 24, skipped: 3, queued: 21 });

    const now = new Date();
    const claimed: ClaimedMessage[] = await campaigns.claim(c.id, WORKER, 16, null, now);
    expect(claimed).toHaveLength(16);
    expect(await expectExact(c.id)).toMatchObject({ queued: 5, sending: 16 });

    const [a, b, d, e, f, g, h, i, j, k, ...rest] = claimed as [
      ClaimedMessage,
      ...ClaimedMessage[],
    ];
    const at = new Date();
    const ok = (m: ClaimedMessage, wamid: string): MessageOutcome => ({
      id: m.id,
      change: {
        status: 'sent',
        requested: true,
        wamid,
        sentAt: at,
        error: null,
        nextAttemptAt: null,
      },
      requestAt: at,
    });
    // A status webhook overtakes the send answer: delivered, matched by our id as callback data.
    await webhook([status(`wamid.c${run}.b`, 'delivered', { callbackData: b!.id })]);
    expect(await expectExact(c.id)).toMatchObject({ sending: 15, delivered: 1, sent: 1 });

    await write(
      [
        ok(a, `wamid.c${run}.a`),
        ok(b!, `wamid.c${run}.b`),
        ok(d!, `wamid.c${run}.d`),
        {
          id: e!.id,
          change: {
            status: 'in_doubt',
            requested: true,
            error: { code: -1, title: 'lost', details: null },
          },
          requestAt: at,
        },
        {
          id: f!.id,
          change: {
            status: 'in_doubt',
            requested: true,
            error: { code: -1, title: 'lost', details: null },
          },
          requestAt: at,
        },
        {
          id: g!.id,
          change: {
            status: 'failed',
            requested: true,
            failedAt: at,
            error: { code: 131049, title: 'cap', details: null },
          },
          requestAt: at,
        },
        {
          id: h!.id,
          change: {
            status: 'pending',
            requested: true,
            nextAttemptAt: new Date(at.getTime() + 1000),
            error: { code: 131000, title: 'retry', details: null },
          },
          requestAt: at,
        },
        {
          id: i!.id,
          change: { status: 'skipped', requested: false, skipReason: 'opted_out' },
          requestAt: null,
        },
        { id: j!.id, change: { status: 'pending', requested: false }, requestAt: null },
      ],
      WORKER,
      [`wamid.c${run}.a`, `wamid.c${run}.b`, `wamid.c${run}.d`],
    );
    const afterWrite = await expectExact(c.id);
    expect(afterWrite).toMatchObject({
      sent: 3,
      delivered: 1,
      in_doubt: 2,
      failed: 1,
      sending: 2 + 1 + rest.length,
    });

    // A worker that is not the claim holder cannot move rows it does not own.
    await write([ok(k!, `wamid.c${run}.k-other`)], 'worker-b', [`wamid.c${run}.k-other`]);
    expect((await expectExact(c.id)).sent).toBe(3);

    // Webhooks: duplicates, out of order, failed after delivered, played, billable pricing.
    await webhook([
      status(`wamid.c${run}.a`, 'read'),
      status(`wamid.c${run}.a`, 'sent'),
      status(`wamid.c${run}.a`, 'delivered'),
      status(`wamid.c${run}.a`, 'read'),
      status(`wamid.c${run}.d`, 'delivered'),
    ]);
    await webhook([status(`wamid.c${run}.d`, 'failed'), status(`wamid.c${run}.b`, 'played')]);
    expect(await expectExact(c.id)).toMatchObject({
      read: 2,
      delivered: 2,
      failed: 2,
      billable: 1,
    });

    // In doubt: one is proven by its status webhook (callback data), the other requeued.
    await webhook([status(`wamid.c${run}.e`, 'sent', { callbackData: e!.id })]);
    await db.tx((tx) =>
      campaigns.requeueUnproven(tx, [{ id: f!.id, lastRequestAt: at }], 6, new Date()),
    );
    expect(await expectExact(c.id)).toMatchObject({ in_doubt: 0 });

    // A click, then a cancel of what is still pending.
    await db.tx((tx) => delivery.applyClicks(tx, [{ wamid: `wamid.c${run}.a`, at: new Date() }]));
    await db.tx((tx) => delivery.applyClicks(tx, [{ wamid: `wamid.c${run}.a`, at: new Date() }]));
    await campaigns.cancelPending(c.id);
    const end = await expectExact(c.id);
    expect(end).toMatchObject({ clicked: 1, queued: 0, targeted: 24 });
  });

  it('stay exact when many transactions write the same campaign at once', async () => {
    const c = await campaignOf(200);
    await snapshotAll(c);
    const now = new Date();
    const lanes = await Promise.all(
      [0, 1, 2, 3].map((l) => campaigns.claim(c.id, `w${l}`, 50, null, now)),
    );
    const at = new Date();
    // The worker folds deltas while the writers write (in small batches, so many folds run).
    let writing = true;
    const folds = (async () => {
      const folder = new CounterDeltas(db);
      while (writing) {
        await folder.fold(7);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all(
      lanes.map((msgs, l) =>
        Promise.all(
          [0, 1, 2, 3, 4].map((part) => {
            const slice = msgs.slice(part * 10, part * 10 + 10);
            const wamids = slice.map((m) => `wamid.conc${run}.${m.id}`);
            return Promise.all([
              write(
                slice.map((m, idx) => ({
                  id: m.id,
                  change: {
                    status: 'sent' as const,
                    requested: true,
                    wamid: wamids[idx],
                    sentAt: at,
                  },
                  requestAt: at,
                })),
                `w${l}`,
                wamids,
              ),
              webhook(wamids.map((w) => status(w, part % 2 ? 'read' : 'delivered'))),
            ]);
          }),
        ),
      ),
    );
    writing = false;
    await folds;
    const end = await expectExact(c.id);
    expect(end).toMatchObject({ targeted: 200, sent: 200, delivered: 200, sending: 0 });
  });

  it('a cancel beside a writer that holds a pending row in a longer transaction: both go through, counts exact', async () => {
    const c = await campaignOf(20);
    await snapshotAll(c);
    const [first] = await ds.query<Array<{ id: string }>>(
      `SELECT id FROM campaign_messages WHERE campaign_id = $1 ORDER BY id LIMIT 1`,
      [c.id],
    );
    // A writer of several statements (a status webhook projected onto a row requeued for a
    // resend, say) holds a pending row; the cancel waits for it. Before count deltas, the count
    // trigger's lock on the campaign's one counters row made this a deadlock.
    let letGo: () => void = () => undefined;
    const go = new Promise<void>((r) => (letGo = r));
    let holding: () => void = () => undefined;
    const held = new Promise<void>((r) => (holding = r));
    const writer = db.tx(async (tx) => {
      await tx.query(
        `UPDATE campaign_messages SET next_attempt_at = now() WHERE id = $1 AND status = 'pending'`,
        [first!.id],
      );
      holding();
      await go;
      await tx.query(
        `UPDATE campaign_messages SET next_attempt_at = NULL WHERE id = $1 AND status = 'pending'`,
        [first!.id],
      );
    });
    await held;
    const cancel = campaigns.cancelPending(c.id);
    await waitForLockWait();
    letGo();
    const [w, n] = await Promise.allSettled([writer, cancel]);
    expect([w.status, n.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(n.status === 'fulfilled' && n.value).toBe(20);
    expect(await expectExact(c.id)).toMatchObject({ targeted: 20, queued: 0 });
  });

  it('a lane claiming while an outcome write puts a message back and pauses the campaign never gets that message', async () => {
    const c = await campaignOf(1);
    await snapshotAll(c);
    const [m] = await campaigns.claim(c.id, WORKER, 1, null, new Date());
    // The outcome writer's flush: a refusal puts the message back and pauses the campaign in one
    // transaction; a second lane asks for a batch meanwhile, and again after the commit.
    let during: ClaimedMessage[] = [];
    await db.tx(async (tx) => {
      await campaigns.writeOutcomes(tx, WORKER, [
        { id: m!.id, change: { status: 'pending', requested: false }, requestAt: null },
      ]);
      during = await campaigns.claim(c.id, 'worker-b', 10, null, new Date());
      await campaigns.transition(c.id, 'pause', 'template_paused', new Date(), tx);
    });
    const after = await campaigns.claim(c.id, 'worker-b', 10, null, new Date());
    expect([during, after]).toEqual([[], []]);
    expect(await expectExact(c.id)).toMatchObject({ targeted: 1, queued: 1, sending: 0 });
  });
});

/** Until some session of this database waits for a lock. */
async function waitForLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [w] = await ds.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (w!.n > 0) {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no session waits for a lock');
}
