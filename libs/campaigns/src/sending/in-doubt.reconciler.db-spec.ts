import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { asWorkspaceId, FakeClock } from '@app/common';
import { Database, dataSourceOptions } from '@app/db';
import {
  audienceSnapshot,
  deleteUnsettledMessages,
  seedCampaignFixture,
  testConfig,
  workerDatabaseUrl,
} from '@app/testing';
import {
  CampaignsRepository,
  NO_UNSETTLED_CURSOR,
  type UnsettledCursor,
  type UnsettledMessage,
} from '../campaigns.repository';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { InDoubtReconciler } from './in-doubt.reconciler';
import { WorkerLease } from './worker-lease';

let ds: DataSource;
let redis: Redis;
let repo: CampaignsRepository;
let reconciler: InDoubtReconciler;
/** A second worker's reconciler that judges from a read taken earlier (`seen`). */
let stale: InDoubtReconciler;
let seen: UnsettledMessage[] = [];
const clock = new FakeClock();
const config = testConfig({
  SEND_IN_DOUBT_AFTER_MS: '1000',
  SEND_RESEND_AFTER_MS: '6000',
  GRAPH_API_TIMEOUT_MS: '2500',
  WORKER_LEASE_TTL_MS: '2000',
});

beforeAll(async () => {
  Logger.overrideLogger(['error']);
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 2)).initialize();
  redis = new Redis(config.redisUrl);
  // Files before this one may have left unsettled messages that would crowd this file's out.
  await deleteUnsettledMessages(ds);
  const db = new Database(ds);
  repo = new CampaignsRepository(db);
  reconciler = new InDoubtReconciler(
    db,
    repo,
    new DeliveryRepository(db),
    new WorkerLease(redis, config),
    clock,
    config,
  );
  class EarlierRead extends CampaignsRepository {
    override unsettledPage(): Promise<{ messages: UnsettledMessage[]; next: UnsettledCursor }> {
      return Promise.resolve({ messages: seen, next: NO_UNSETTLED_CURSOR });
    }
  }
  stale = new InDoubtReconciler(
    db,
    new EarlierRead(db),
    new DeliveryRepository(db),
    new WorkerLease(redis, config),
    clock,
    config,
  );
});

afterAll(async () => {
  await ds?.destroy();
  redis?.disconnect();
});

/**
 * A running campaign of three messages: one whose answer was lost and one a dead worker claimed,
 * both requested `requestAgoMs` ago, and one answered `later.ms` after them (its status webhook
 * come when `later.proven`).
 */
async function twoUnsettled(
  requestAgoMs: number,
  later: { ms: number; proven: boolean } = { ms: 2000, proven: true },
): Promise<string> {
  const f = await seedCampaignFixture(ds, 3);
  const c = await repo.insert(asWorkspaceId(f.workspaceId), {
    name: 'in doubt',
    templateId: f.templateId,
    audienceId: f.audienceId,
    phoneNumberId: f.phoneNumberId,
    parameters: {},
  });
  await repo.snapshotChunk(audienceSnapshot({ ...f, id: c.id }), null, 10);
  const at = new Date(clock.now().getTime() - requestAgoMs);
  const wamid = `wamid.later-${c.id}`;
  await ds.query(
    `UPDATE campaign_messages cm SET attempts = 1,
       status = CASE cm.id WHEN m.ids[1] THEN 'in_doubt' WHEN m.ids[2] THEN 'sending' ELSE 'sent' END,
       last_request_at = CASE cm.id WHEN m.ids[1] THEN $2::timestamptz WHEN m.ids[3] THEN $3::timestamptz END,
       claimed_by = CASE WHEN cm.id = m.ids[2] THEN 'a-worker-that-died' END,
       claimed_at = CASE WHEN cm.id = m.ids[3] THEN NULL ELSE $2::timestamptz END,
       wamid = CASE WHEN cm.id = m.ids[3] THEN $4 END
      FROM (SELECT array_agg(id ORDER BY id) AS ids FROM campaign_messages WHERE campaign_id = $1) m
     WHERE cm.campaign_id = $1`,
    [c.id, at, new Date(at.getTime() + later.ms), wamid],
  );
  if (later.proven) {
    await ds.query(
      `INSERT INTO message_statuses (wamid, status, status_rank, sent_at, last_event_id)
       VALUES ($1, 'sent', 1, now(), 0)`,
      [wamid],
    );
  }
  return c.id;
}

const statuses = async (campaignId: string): Promise<string[]> =>
  (
    await ds.query<Array<{ status: string }>>(
      `SELECT status FROM campaign_messages WHERE campaign_id = $1 ORDER BY id`,
      [campaignId],
    )
  )
    .map((r) => r.status)
    .slice(0, 2);

describe('in-doubt reconciliation', () => {
  it("sees a dead worker's claim behind more older messages in doubt than it reads at once", async () => {
    await deleteUnsettledMessages(ds);
    const older = await twoUnsettled(9000);
    // The older campaign's dead claim was settled to in doubt: two in doubt, older than the claim.
    await ds.query(
      `UPDATE campaign_messages SET status = 'in_doubt', claimed_by = NULL, last_request_at = claimed_at
        WHERE campaign_id = $1 AND status = 'sending'`,
      [older],
    );
    const newer = await twoUnsettled(5000);
    const olderThan = new Date(clock.now().getTime() - config.campaigns.inDoubtAfterMs);
    const seenNow = (await repo.unsettledPage(olderThan, 2, NO_UNSETTLED_CURSOR)).messages;
    expect(seenNow.filter((m) => m.claimedBy !== null).map((m) => m.campaignId)).toEqual([newer]);
    expect(seenNow.filter((m) => m.status === 'in_doubt').map((m) => m.campaignId)).toEqual([
      older,
      older,
    ]);
  });

  it('reads on where the last tick stopped: older messages that must wait do not hide a newer one that is due', async () => {
    await deleteUnsettledMessages(ds);
    // Four older requests in doubt with no proof and no later traffic: they wait five deadlines.
    for (const _ of [1, 2]) {
      const waiting = await twoUnsettled(9000, { ms: 2000, proven: false });
      await ds.query(
        `UPDATE campaign_messages SET status = 'in_doubt', claimed_by = NULL, last_request_at = claimed_at
          WHERE campaign_id = $1 AND status = 'sending'`,
        [waiting],
      );
    }
    // A newer one whose campaign's later request has its status: due to be sent again.
    const due = await twoUnsettled(7000);
    const paged = new InDoubtReconciler(
      new Database(ds),
      repo,
      new DeliveryRepository(new Database(ds)),
      new WorkerLease(redis, config),
      clock,
      config,
    );
    paged.pageSize = 3;
    await paged.run(() => Promise.resolve(0));
    expect(await statuses(due)).toEqual(['in_doubt', 'in_doubt']);
    // Read from the oldest again, the same three waiting ones would fill the page every tick.
    await paged.run(() => Promise.resolve(0));
    expect(await statuses(due)).toEqual(['pending', 'in_doubt']);
  });

  it('pages each kind on from its cursor, and from the oldest again after a short page', async () => {
    await deleteUnsettledMessages(ds);
    const older = await twoUnsettled(9000);
    const newer = await twoUnsettled(7000);
    const olderThan = new Date(clock.now().getTime() - config.campaigns.inDoubtAfterMs);
    const kinds = (ms: UnsettledMessage[]) => ms.map((m) => [m.campaignId, m.status]);
    const first = await repo.unsettledPage(olderThan, 1, NO_UNSETTLED_CURSOR);
    expect(kinds(first.messages)).toEqual([
      [older, 'in_doubt'],
      [older, 'sending'],
    ]);
    const second = await repo.unsettledPage(olderThan, 1, first.next);
    expect(kinds(second.messages)).toEqual([
      [newer, 'in_doubt'],
      [newer, 'sending'],
    ]);
    // Both kinds' pages were full: the next read finds nothing after them, a short page.
    const third = await repo.unsettledPage(olderThan, 1, second.next);
    expect(third.messages).toEqual([]);
    expect(third.next).toEqual(NO_UNSETTLED_CURSOR);
    const again = await repo.unsettledPage(olderThan, 1, third.next);
    expect(again.messages.map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
    // A page of 3: the in-doubt kind comes back short (2) and starts over; claims too.
    const wide = await repo.unsettledPage(olderThan, 3, NO_UNSETTLED_CURSOR);
    expect(wide.messages).toHaveLength(4);
    expect(wide.next).toEqual(NO_UNSETTLED_CURSOR);
  });

  it("resends nothing before SEND_RESEND_AFTER_MS; a dead worker's claim is in doubt from when it is found dead", async () => {
    const id = await twoUnsettled(5000);
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['in_doubt', 'in_doubt']);
    const [dead] = await ds.query<Array<{ last_request_at: Date; claimed_by: string | null }>>(
      `SELECT last_request_at, claimed_by FROM campaign_messages WHERE campaign_id = $1 ORDER BY id OFFSET 1 LIMIT 1`,
      [id],
    );
    expect(dead).toEqual({ last_request_at: clock.now(), claimed_by: null });
  });

  it('queues a message again after the deadline, once a later request of the campaign has its status', async () => {
    const id = await twoUnsettled(7000);
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['pending', 'in_doubt']);
  });

  it("waits while Meta's statuses are behind: no status yet for any request that left after it", async () => {
    const id = await twoUnsettled(7000, { ms: 2000, proven: false });
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['in_doubt', 'in_doubt']);
    // A status for a request only just after it says nothing either.
    const close = await twoUnsettled(7000, { ms: 500, proven: true });
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(close)).toEqual(['in_doubt', 'in_doubt']);
    // Without later traffic to judge by, they go again after five times the deadline.
    clock.advance(24_000);
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['pending', 'in_doubt']);
    expect(await statuses(close)).toEqual(['pending', 'in_doubt']);
    clock.advance(7_000);
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['pending', 'pending']);
    expect(await statuses(close)).toEqual(['pending', 'pending']);
  });

  it('pushes the deadline back by how far the status journal is behind: the proof may be waiting in it', async () => {
    const id = await twoUnsettled(7000);
    await reconciler.run(() => Promise.resolve(1500));
    expect(await statuses(id)).toEqual(['in_doubt', 'in_doubt']);
    clock.advance(1000);
    await reconciler.run(() => Promise.resolve(1500));
    expect(await statuses(id)).toEqual(['pending', 'in_doubt']);
  });

  it("never requeues from a stale read a message another worker's reconciler requeued and a live worker claimed since", async () => {
    const id = await twoUnsettled(7000);
    // The second worker reads the rows; the first one's reconciler acts before it does.
    const olderThan = new Date(clock.now().getTime() - config.campaigns.inDoubtAfterMs);
    seen = (await repo.unsettledPage(olderThan, 500, NO_UNSETTLED_CURSOR)).messages
      .filter((m) => m.campaignId === id)
      .sort((a, b) => Number(a.id) - Number(b.id));
    expect(seen.map((m) => m.status)).toEqual(['in_doubt', 'sending']);
    await reconciler.run(() => Promise.resolve(0));
    expect(await statuses(id)).toEqual(['pending', 'in_doubt']);
    // A live worker has claimed both again since (the dead claim's requeue is skipped here).
    const live = 'a-live-worker';
    await redis.set(`${config.redisPrefix}:worker-lease:${live}`, '1', 'PX', 60_000);
    await ds.query(
      `UPDATE campaign_messages SET status = 'sending', claimed_by = $2, claimed_at = $3
        WHERE campaign_id = $1 AND status IN ('pending', 'in_doubt')`,
      [id, live, clock.now()],
    );
    await stale.run(() => Promise.resolve(0));
    const rows = await ds.query<Array<{ status: string; claimed_by: string | null }>>(
      `SELECT status, claimed_by FROM campaign_messages WHERE campaign_id = $1 ORDER BY id LIMIT 2`,
      [id],
    );
    expect(rows).toEqual([
      { status: 'sending', claimed_by: live },
      { status: 'sending', claimed_by: live },
    ]);
  });
});
