import { DataSource } from 'typeorm';
import { Database, dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import { DeliveryRepository, type ChangedLedgerRow } from './delivery.repository';
import { mergeStatusEvents, type DeliveryStatus, type StatusEvent } from './domain/delivery-status';

let ds: DataSource;
let db: Database;
let repo: DeliveryRepository;
let run = 0;

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 8)).initialize();
  db = new Database(ds);
  repo = new DeliveryRepository(db);
});

afterAll(async () => {
  await ds?.destroy();
});

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const STATUSES: DeliveryStatus[] = ['sent', 'delivered', 'read', 'failed'];

function randomEvents(rand: () => number, prefix: string, messages: number): StatusEvent[] {
  const events: StatusEvent[] = [];
  let id = 1;
  for (let m = 0; m < messages; m++) {
    const wamid = `wamid.${prefix}.${m}`;
    const n = 1 + Math.floor(rand() * 6);
    for (let k = 0; k < n; k++) {
      const status = STATUSES[Math.floor(rand() * STATUSES.length)]!;
      events.push({
        wamid,
        status,
        at: new Date(Date.UTC(2030, 0, 1) + Math.floor(rand() * 4) * 1000),
        recipientId: rand() < 0.8 ? '5511999990000' : null,
        recipientUserId: null,
        callbackData: rand() < 0.5 ? `cb-${m}` : null,
        phoneNumberId: '100000000000002',
        wabaId: '100000000000001',
        error:
          status === 'failed'
            ? { code: 131000 + Math.floor(rand() * 60), title: 't', message: null, details: 'd' }
            : null,
        pricing:
          rand() < 0.4
            ? {
                category: rand() < 0.5 ? 'marketing' : 'marketing_lite',
                type: 'regular',
                model: 'PMP',
                billable: true,
              }
            : null,
        eventId: String(id++),
      });
    }
  }
  return events;
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  xs.forEach((x, i) => out[i % n]!.push(x));
  return out;
}

async function applyBatch(events: StatusEvent[]): Promise<ChangedLedgerRow[]> {
  return db.tx((tx) => repo.upsert(tx, mergeStatusEvents(events)));
}

/** The stored id is the newest event that changed the row; a duplicate does not rewrite it. */
function withoutEventId<T extends { lastEventId: string }>(s: T): Omit<T, 'lastEventId'> {
  const { lastEventId: _id, ...rest } = s;
  return rest;
}

function distribution(states: { status: string }[]): Record<string, number> {
  const d: Record<string, number> = {};
  states.forEach((s) => (d[s.status] = (d[s.status] ?? 0) + 1));
  return d;
}

describe('the delivery ledger (SQL twin of the merge rule)', () => {
  it.each([1, 2, 3, 4])(
    'ends, batch after batch in any order, where the pure merge ends (seed %i)',
    async (seed) => {
      const rand = rng(seed);
      const prefix = `seq${seed}-${run++}-${Date.now()}`;
      const events = randomEvents(rand, prefix, 60);
      for (const batch of chunks(shuffle(events, rand), 7)) {
        await applyBatch(batch);
      }
      const expected = mergeStatusEvents(events);
      const stored = await repo.findByWamids(expected.map((e) => e.wamid));
      expect(stored.map(withoutEventId)).toEqual(expected.map(withoutEventId));
      expect(distribution(stored)).toEqual(distribution(expected));
      // Everything again (Meta's redelivery): nothing changes, nothing is reported.
      expect(await applyBatch(events)).toEqual([]);
    },
  );

  it('ends exact, without deadlocks, when concurrent transactions touch the same messages', async () => {
    const rand = rng(99);
    const prefix = `conc-${Date.now()}`;
    const events = randomEvents(rand, prefix, 200);
    const batches = chunks(shuffle(events, rand), 8);
    const changed = (await Promise.all(batches.map((b) => applyBatch(b)))).flat();
    const expected = mergeStatusEvents(events);
    const stored = await repo.findByWamids(expected.map((e) => e.wamid));
    expect(stored.map(withoutEventId)).toEqual(expected.map(withoutEventId));
    expect(new Set(changed.map((c) => c.after.wamid)).size).toBe(expected.length);
  });
});
