import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/db';
import { workerDatabaseUrl } from '@app/testing';
import {
  mergeStatusEvents,
  transitionOf,
  type MessageStatus,
  type StatusEvent,
  type StatusTransition,
} from './domain/message-status';
import { MessageStatusesRepository } from './message-statuses.repository';

let db: DataSource;
let repo: MessageStatusesRepository;
let run = 0;

beforeAll(async () => {
  db = await new DataSource(dataSourceOptions(workerDatabaseUrl(), 8)).initialize();
  repo = new MessageStatusesRepository(db);
});

afterAll(async () => {
  await db?.destroy();
});

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const STATUSES: MessageStatus[] = ['sent', 'delivered', 'read', 'failed'];

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

async function applyBatch(events: StatusEvent[]): Promise<StatusTransition[]> {
  return db.transaction(async (em) => {
    const applied = await repo.apply(em, mergeStatusEvents(events));
    return applied
      .map((a) => transitionOf(a.before, a.after))
      .filter((t): t is StatusTransition => t !== null);
  });
}

/** Live counters as a consumer keeps them: leave the previous bucket, enter the new one. */
function countByBucket(transitions: StatusTransition[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of transitions) {
    if (!t.statusChanged) {
      continue;
    }
    if (t.previousStatus) {
      counts[t.previousStatus] = (counts[t.previousStatus] ?? 0) - 1;
    }
    counts[t.status] = (counts[t.status] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
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

describe('MessageStatusesRepository (SQL twin of the merge rules)', () => {
  it.each([1, 2, 3, 4])(
    'ends, batch after batch in any order, where the pure merge ends (seed %i)',
    async (seed) => {
      const rand = rng(seed);
      const prefix = `seq${seed}-${run++}-${Date.now()}`;
      const events = randomEvents(rand, prefix, 60);
      const transitions: StatusTransition[] = [];
      for (const batch of chunks(shuffle(events, rand), 7)) {
        transitions.push(...(await applyBatch(batch)));
      }
      const expected = mergeStatusEvents(events);
      const stored = await repo.findByWamids(expected.map((e) => e.wamid));
      expect(stored.map(withoutEventId)).toEqual(expected.map(withoutEventId));
      expect(countByBucket(transitions)).toEqual(distribution(expected));
      // Everything again (Meta's redelivery): nothing changes, nothing is reported.
      expect(await applyBatch(events)).toEqual([]);
    },
  );

  it('gives exact transitions, without deadlocks, when concurrent transactions touch the same messages', async () => {
    const rand = rng(99);
    const prefix = `conc-${Date.now()}`;
    const events = randomEvents(rand, prefix, 200);
    const transitions: StatusTransition[] = [];
    const batches = chunks(shuffle(events, rand), 8);
    await Promise.all(
      batches.map(async (b) => {
        transitions.push(...(await applyBatch(b)));
      }),
    );
    const expected = mergeStatusEvents(events);
    const stored = await repo.findByWamids(expected.map((e) => e.wamid));
    expect(stored.map(withoutEventId)).toEqual(expected.map(withoutEventId));
    expect(countByBucket(transitions)).toEqual(distribution(expected));
    const firsts = transitions.filter((t) => t.previousStatus === null).map((t) => t.wamid);
    expect(new Set(firsts).size).toBe(firsts.length);
    expect(firsts.length).toBe(expected.length);
  });
});
