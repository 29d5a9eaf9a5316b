import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { deleteUnsettledMessages, TEST_APP_SECRET, TEST_VERIFY_TOKEN } from '@app/testing';
import { http, startWorker } from './support/apps';
import { explainDuplicates } from './support/duplicates';
import {
  acceptedPerRecipient,
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  phones,
  FAST_SANDBOX,
  startEngine,
  TEST_TIMINGS,
  until,
  type Engine,
} from './support/engine';

const WORKER_MAIN = join(__dirname, '..', 'dist/apps/worker/src/main.js');

/** A real worker process (the built app), sharing the test engine's database, Redis prefix and sandbox. */
function spawnWorker(e: Engine): ChildProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: e.config.databaseUrl,
      REDIS_URL: e.config.redisUrl,
      REDIS_PREFIX: e.config.redisPrefix,
      GRAPH_API_BASE_URL: e.config.graph.baseUrl,
      APP_SECRET: TEST_APP_SECRET,
      WEBHOOK_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
      ...TEST_TIMINGS,
      // Resends wait longer here than in the other tests: with two cores shared by the suite, a
      // status webhook the sandbox retried (its first POST timed out) can come seconds late.
      SEND_RESEND_AFTER_MS: '15000',
      LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'error',
    },
    stdio: ['ignore', process.env.WORKER_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  return child;
}

/** With WORKER_LOG_LEVEL set (the workers' logs shown), the test's own steps are timed beside them. */
function trace(step: string): void {
  if (process.env.WORKER_LOG_LEVEL) {
    console.log(`${new Date().toISOString()} ${step}`);
  }
}

async function exit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

describe('exactly once across worker crashes and several workers', () => {
  let e: Engine;
  let templateId: string;
  const children: ChildProcess[] = [];
  const launched: string[] = [];

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    // Suites before this one in the same database may have left messages in doubt and claims
    // behind: reconciled first (oldest first), they would delay finding this file's dead claims
    // past the moment the campaign's last sends could vouch for them (then a resend waits five
    // deadlines). Each test here must start from no unsettled message.
    const pg = new Client({ connectionString: e.config.databaseUrl });
    await pg.connect();
    await deleteUnsettledMessages(pg);
    await pg.end();
    templateId = (await approvedTemplate(e, 'promo_crash')).id;
  });

  // Each test owns its workers and campaigns: none may keep sending into the next one (a test
  // that failed half-way would leave its campaign running for the next test's workers).
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exit(c);
    }
    for (const id of launched.splice(0)) {
      if ((await e.v1('GET', `/campaigns/${id}`)).body.status !== 'completed') {
        await e.v1('POST', `/campaigns/${id}/cancel`);
      }
    }
  });

  afterAll(async () => {
    await e?.close();
  });

  /** The in-process worker, only while an import runs (the spawned ones come after). */
  const startWorkerForImport = () => startWorker(e.config, e.clock);

  async function launch(list: string[], mps: number): Promise<string> {
    const audience = await audienceOf(e, optedIn(list, 'Zoe'));
    const id = await createCampaign(e, templateId, audience, { throughputMps: mps });
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    launched.push(id);
    return id;
  }

  async function expectExactlyOnce(id: string, list: string[]): Promise<void> {
    const done = await until(
      'campaign completed',
      async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.status === 'completed' && c;
      },
      60_000,
      async () => ({
        counts: (await e.v1('GET', `/campaigns/${id}`)).body.counts,
        open: (await e.v1('GET', `/campaigns/${id}/messages?limit=1000`)).body.data
          .filter((m: any) => !['read', 'delivered', 'sent'].includes(m.status))
          .slice(0, 5),
      }),
    );
    expect(done.counts).toMatchObject({
      targeted: list.length,
      sent: list.length,
      queued: 0,
      sending: 0,
      failed: 0,
    });
    const counts = await acceptedPerRecipient(e, list);
    const wrong = Object.entries(counts.recipients).filter(([, n]) => n !== 1);
    expect(wrong).toEqual([]);
  }

  it('a worker killed with SIGKILL mid-campaign and a new one started: every contact gets exactly one send', async () => {
    const list = phones(300, 500);
    const first = spawnWorker(e);
    children.push(first);
    const id = await launch(list, 80);
    await until(
      'sending under way',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 60,
      30_000,
    );
    first.kill('SIGKILL');
    await exit(first);
    const mid = (await e.v1('GET', `/campaigns/${id}`)).body.counts;
    expect(mid.sent).toBeLessThan(300);
    const second = spawnWorker(e);
    children.push(second);
    await expectExactlyOnce(id, list);
    // Its own waits (30 s to get going, 60 s to complete) must be able to report before jest's.
  }, 120_000);

  it('two workers sending the same campaign together: every contact gets exactly one send', async () => {
    const list = phones(300, 501);
    children.push(spawnWorker(e), spawnWorker(e));
    const id = await launch(list, 80);
    await expectExactlyOnce(id, list);
  }, 90_000);

  it('SIGTERM lets the in-flight batch finish: nothing is left in flight, and the campaign completes later', async () => {
    const list = phones(200, 502);
    const worker = spawnWorker(e);
    children.push(worker);
    const id = await launch(list, 80);
    await until(
      'sending under way',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 40,
      30_000,
    );
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    await exit(worker);
    // Nest closes the app, then re-raises the signal: a clean stop ends by SIGTERM (or exit 0).
    expect(worker.exitCode === 0 || worker.signalCode === 'SIGTERM').toBe(true);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    const after = (await e.v1('GET', `/campaigns/${id}`)).body.counts;
    expect(after.sending).toBe(0);
    expect(after.sent + after.queued).toBe(200);
    children.push(spawnWorker(e));
    await expectExactlyOnce(id, list);
  }, 120_000);

  it('10,000 recipients, two workers, one SIGKILLed every 4 s, answers slow and 1 % lost: each accepted exactly once', async () => {
    const N = 10_000;
    const MPS = 200;
    await e.control('PATCH', '/phone-numbers/100000000000002', { throughputMps: MPS });
    await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { throughputMps: MPS });
    await e.control('PATCH', '/settings', {
      wire: {
        latencyMs: { p50: 150, p99: 800, max: 2000 },
        dropAnswer: 0.01,
        timeout: 0,
        serverError: 0,
      },
      // Meta puts up to 1,000 updates in one POST: one per POST, a loaded machine's sandbox fell
      // ten seconds behind with its webhooks (resends then wait for it, and the run for them).
      chaos: { maxStatusesPerPayload: 100, batchWindowMs: 50 },
      // Every acceptance of this run stays listed, for the explanation of a duplicate.
      maxRecentMessages: 30_000,
    });
    try {
      const list = Array.from({ length: N }, (_, i) => `+55219${String(i).padStart(8, '0')}`);
      const aud = await e.v1('POST', '/audiences', { name: 'ten thousand' });
      const up = await http(
        e.api.url,
        'POST',
        `/v1/audiences/${aud.body.id}/imports?optInSource=crash-test`,
        {
          key: e.key,
          raw: ['phone,firstName', ...list.map((p) => `${p},Kim`)].join('\n'),
          headers: { 'content-type': 'text/csv' },
        },
      );
      expect(up.status).toBe(202);
      // No worker runs yet: import in this process.
      const importer = await startWorkerForImport();
      await until(
        'import done',
        async () => (await e.v1('GET', `/imports/${up.body.id}`)).body.status === 'completed',
        60_000,
      );
      await importer.close();
      const before = (await e.control('GET', '/counters')).accepted.total as number;

      const workers = [spawnWorker(e), spawnWorker(e)];
      children.push(...workers);
      const id = await createCampaign(e, templateId, aud.body.id);
      expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
      trace(`launched; workers ${workers.map((w) => String(w.pid)).join(', ')}`);
      await until(
        'sending under way',
        async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 200,
        30_000,
      );
      for (let kill = 0; kill < 10; kill++) {
        await new Promise((r) => setTimeout(r, 4000));
        const victim = workers[kill % 2]!;
        victim.kill('SIGKILL');
        await exit(victim);
        trace(`killed worker ${String(victim.pid)}`);
        workers[kill % 2] = spawnWorker(e);
        children.push(workers[kill % 2]!);
      }
      const done = await until(
        'campaign completed',
        async () => {
          const x = (await e.v1('GET', `/campaigns/${id}`)).body;
          return x.status === 'completed' && x;
        },
        90_000,
        async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts,
      );
      const after = (await e.control('GET', '/counters')).accepted.total as number;
      const twice = await http(e.sandbox.url, 'GET', '/_sandbox/counters/recipients?minCount=2');
      const dup = Object.keys(twice.body.recipients).filter((k) => k.startsWith('55219'));
      if (dup.length > 0) {
        console.error(`${dup.length} sent twice:\n${await explainDuplicates(e, dup)}`);
      }
      expect(dup).toEqual([]);
      // 0 missing, none twice: Meta accepted exactly N, and the counters say what Meta accepted.
      expect(after - before).toBe(N);
      expect(done.counts).toMatchObject({ targeted: N, sent: N, queued: 0, sending: 0, failed: 0 });
    } finally {
      await e.control('PATCH', '/phone-numbers/100000000000002', { throughputMps: 80 });
      await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { throughputMps: 80 });
      await e.control('PATCH', '/settings', {
        ...FAST_SANDBOX,
        chaos: { maxStatusesPerPayload: 1, batchWindowMs: 0 },
        maxRecentMessages: 10_000,
      });
    }
  }, 240_000);
});
