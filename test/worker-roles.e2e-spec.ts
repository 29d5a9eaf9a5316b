import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import type { AppConfig, WorkerRole } from '@app/config';
import { http, startWorker } from './support/apps';
import {
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  phones,
  startEngine,
  until,
  type Engine,
} from './support/engine';

const withRoles = (config: AppConfig, roles: WorkerRole[]): AppConfig => ({
  ...config,
  worker: { roles },
});

/**
 * WORKER_ROLES splits the worker's jobs between processes: each job runs where its role is, and
 * nowhere else.
 */
describe('worker roles (WORKER_ROLES)', () => {
  let e: Engine;
  let pg: Client;
  let templateId: string;
  let sender: INestApplicationContext | null = null;
  const extra: INestApplicationContext[] = [];

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    sender = await startWorker(withRoles(e.config, ['campaigns']), e.clock);
    pg = new Client({ connectionString: e.config.databaseUrl });
    await pg.connect();
    templateId = (await approvedTemplate(e, 'promo_roles')).id;
  });

  afterAll(async () => {
    await sender?.close();
    for (const w of extra) {
      await w.close();
    }
    await pg?.end();
    await e?.close();
  });

  const campaign = async (id: string) => (await e.v1('GET', `/campaigns/${id}`)).body;

  it('a campaigns worker sends but leaves statuses to a statuses worker, which sends nothing', async () => {
    const startedAt = new Date();
    const list = phones(12, 970);
    const first = await createCampaign(e, templateId, await audienceOf(e, optedIn(list)));
    await e.v1('POST', `/campaigns/${first}/launch`);
    await until('sent by the campaigns worker', async () => {
      const c = await campaign(first);
      return c.status === 'completed' && c.counts.sent === 12;
    });
    // Meta's delivered statuses for all twelve reach the journal, and nobody applies them.
    const pending = async (): Promise<{ events: number; delivered: number }> => {
      const r = await pg.query<{ events: string; delivered: string | null }>(
        `SELECT count(*) AS events,
                sum((length(b) - length(replace(b, '"status":"delivered"', ''))) / 20) AS delivered
           FROM (SELECT convert_from(body, 'UTF8') AS b FROM webhook_events
                  WHERE processed_at IS NULL AND received_at >= $1) t`,
        [startedAt],
      );
      return { events: Number(r.rows[0]!.events), delivered: Number(r.rows[0]!.delivered ?? 0) };
    };
    await until('delivered statuses waiting in the journal', async () => {
      return (await pending()).delivered >= 12;
    });
    expect((await campaign(first)).counts).toMatchObject({ sent: 12, delivered: 0 });

    // A statuses worker applies them …
    extra.push(await startWorker(withRoles(e.config, ['statuses']), e.clock));
    await until('delivered counted', async () => (await campaign(first)).counts.delivered === 12);
    // Later statuses (reads) may still be arriving: the loop claims them within APPLY_COALESCE_MS.
    await until('journal drained', async () => {
      const p = await pending();
      return p.events === 0 && p.delivered === 0;
    });

    // … and sends nothing: with the campaigns worker gone, a launched campaign waits.
    await sender?.close();
    sender = null;
    const second = await createCampaign(
      e,
      templateId,
      await audienceOf(e, optedIn(phones(5, 971))),
    );
    await e.v1('POST', `/campaigns/${second}/launch`);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await campaign(second)).counts).toMatchObject({ targeted: 0, sent: 0 });
    extra.push(await startWorker(withRoles(e.config, ['campaigns']), e.clock));
    await until('sent once a campaigns worker is back', async () => {
      const c = await campaign(second);
      return c.status === 'completed' && c.counts.sent === 5 && c.counts.delivered === 5;
    });
  }, 60_000);

  it('imports wait for a worker with the imports role', async () => {
    const aud = await e.v1('POST', '/audiences', { name: 'roles import' });
    const res = await http(e.api.url, 'POST', `/v1/audiences/${aud.body.id}/imports`, {
      key: e.key,
      raw: 'phone\n+5511972000001\n+5511972000002\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(202);
    const status = async () => (await e.v1('GET', `/imports/${res.body.id}`)).body.status as string;
    await new Promise((r) => setTimeout(r, 1000));
    expect(await status()).toBe('queued');
    extra.push(await startWorker(withRoles(e.config, ['imports']), e.clock));
    await until('imported', async () => (await status()) === 'completed');
    expect((await e.v1('GET', `/audiences/${aud.body.id}`)).body.memberCount).toBe(2);
  }, 30_000);
});
