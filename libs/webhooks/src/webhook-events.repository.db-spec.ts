import { DataSource } from 'typeorm';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { WebhookEventsRepository } from './webhook-events.repository';

let db: DataSource;
let repo: WebhookEventsRepository;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 2)).initialize();
  repo = new WebhookEventsRepository(new Database(db));
});

afterAll(async () => {
  await db?.destroy();
});

describe('webhook journal retention', () => {
  it('deletes processed events older than the cut-off, unknown ones too, malformed kept, in bounded batches', async () => {
    const tag = `retention-${Date.now()}`;
    const insert = (processedAgo: string | null, flags = { malformed: false, unknown: false }) =>
      db.query(
        `INSERT INTO webhook_events (body, request_id, processed_at, malformed, unknown)
         VALUES ('{}'::bytea, $1, CASE WHEN $2::interval IS NULL THEN NULL ELSE now() - $2::interval END, $3, $4)
         RETURNING id`,
        [tag, processedAgo, flags.malformed, flags.unknown],
      );
    for (let i = 0; i < 5; i++) {
      await insert('40 days');
    }
    await insert('1 day');
    await insert(null);
    await insert('40 days', { malformed: true, unknown: false });
    await insert('40 days', { malformed: false, unknown: true });

    const before = new Date(Date.now() - 30 * 86_400_000);
    expect(await repo.pruneProcessed(before, 3)).toBe(3);
    expect(await repo.pruneProcessed(before, 3)).toBe(3);
    expect(await repo.pruneProcessed(before, 3)).toBe(0);
    const left = await db.query(
      `SELECT processed_at IS NULL AS pending, malformed, unknown FROM webhook_events WHERE request_id = $1 ORDER BY id`,
      [tag],
    );
    expect(left).toEqual([
      { pending: false, malformed: false, unknown: false },
      { pending: true, malformed: false, unknown: false },
      { pending: false, malformed: true, unknown: false },
    ]);
  });
});

describe('how far the journal is behind', () => {
  it('is the age of the oldest event not tried yet; parked, dead and processed ones do not count', async () => {
    // Files before this one in the same database may have left events waiting.
    await db.query(
      `UPDATE webhook_events SET processed_at = now() WHERE processed_at IS NULL AND dead_at IS NULL`,
    );
    expect(await repo.pendingLagMs()).toBe(0);

    const insert = (receivedAgo: string, attempts: number, parked: 'retry' | 'dead' | null) =>
      db.query(
        `INSERT INTO webhook_events (body, received_at, attempts, retry_at, dead_at)
         VALUES ('{}'::bytea, now() - $1::interval, $2,
                 CASE WHEN $3 = 'retry' THEN now() + interval '1 hour' END,
                 CASE WHEN $3 = 'dead' THEN now() END)`,
        [receivedAgo, attempts, parked],
      );
    await insert('10 minutes', 3, 'retry');
    await insert('9 minutes', 9, 'dead');
    expect(await repo.pendingLagMs()).toBe(0);

    await insert('8 seconds', 0, null);
    await insert('1 second', 0, null);
    const lag = await repo.pendingLagMs();
    expect(lag).toBeGreaterThanOrEqual(8000);
    expect(lag).toBeLessThan(60_000);

    await db.query(
      `UPDATE webhook_events SET processed_at = now() WHERE processed_at IS NULL AND dead_at IS NULL`,
    );
    expect(await repo.pendingLagMs()).toBe(0);
  });
});

describe('claiming the journal', () => {
  it('claims the oldest events by id, also where ids gain a digit (not in the order of their text)', async () => {
    await db.query(`DELETE FROM webhook_events WHERE id >= 999999999999`);
    await db.query(
      `UPDATE webhook_events SET processed_at = now() WHERE processed_at IS NULL AND dead_at IS NULL`,
    );
    // As text, "1000000000000" sorts before "999999999999": claims once took the newest first.
    for (const id of [999_999_999_999, 1_000_000_000_000, 1_000_000_000_001]) {
      await db.query(`INSERT INTO webhook_events (id, body) VALUES ($1, '{}'::bytea)`, [id]);
    }
    const claimed = await new Database(db).tx((tx) => repo.claim(tx, 2));
    expect(claimed.map((e) => e.id)).toEqual(['999999999999', '1000000000000']);
    const again = await new Database(db).tx((tx) =>
      repo.claimIds(tx, ['1000000000001', '999999999999']),
    );
    expect(again.map((e) => e.id)).toEqual(['999999999999', '1000000000001']);
    await db.query(`DELETE FROM webhook_events WHERE id >= 999999999999`);
  });
});
