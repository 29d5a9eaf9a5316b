// Targeting and iteration through the public API: segments with exclusions, follow-ups by
// outcome, retry of failed messages by error class, the workspace frequency cap across
// campaigns, and holdout groups — checked against what the sandbox really accepted.
import {
  acceptedPerRecipient,
  approvedTemplate,
  audienceOf,
  createCampaign,
  TEST_BINDINGS,
  startEngine,
  until,
  type Engine,
} from './support/engine';

describe('targeting and iteration (sandbox, API, worker)', () => {
  let e: Engine;
  let templateId: string;

  beforeAll(async () => {
    e = await startEngine();
    templateId = (await approvedTemplate(e, 'targeting_promo')).id;
  }, 60_000);

  afterAll(async () => {
    await e?.close();
  });

  afterEach(async () => {
    await e.control('PATCH', '/settings', { probabilities: { read: 1, perUserCap: 0 } });
    expect((await e.v1('PATCH', '/settings/frequency-cap', null)).status).toBe(200);
    expect((await e.v1('GET', '/settings/frequency-cap')).body).toBeNull();
  });

  /** Contacts with attributes and consent, one at a time through the API. */
  async function contact(
    phone: string,
    attributes: Record<string, unknown>,
    consent: 'opted_in' | 'opted_out' | null = 'opted_in',
  ): Promise<string> {
    const c = await e.v1('POST', '/contacts', {
      phone,
      attributes: { firstName: 'Lu', ...attributes },
    });
    expect(c.status).toBeLessThan(300);
    if (consent) {
      expect(
        (await e.v1('POST', '/consents', { phone, status: consent, source: 'form' })).status,
      ).toBe(201);
    }
    return c.body.id;
  }

  const completed = (id: string, ms = 30_000) =>
    until(
      `campaign ${id} completed`,
      async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.status === 'completed' && c;
      },
      ms,
      async () => (await e.v1('GET', `/campaigns/${id}`)).body,
    );

  /** Requests the sandbox accepted per E.164 phone. */
  async function acceptedOf(list: string[]): Promise<Record<string, number>> {
    const r = await acceptedPerRecipient(e, list);
    return Object.fromEntries(list.map((p) => [p, r.recipients[p.slice(1)] ?? 0]));
  }

  async function messages(id: string): Promise<any[]> {
    return (await e.v1('GET', `/campaigns/${id}/messages?limit=1000`)).body.data;
  }

  async function launch(body: Record<string, unknown>): Promise<string> {
    const c = await e.v1('POST', '/campaigns', {
      name: 'targeting',
      templateId,
      phoneNumberId: e.phoneId,
      parameters: TEST_BINDINGS,
      ...body,
    });
    expect(c.status).toBe(201);
    expect((await e.v1('POST', `/campaigns/${c.body.id}/launch`)).status).toBe(200);
    return c.body.id;
  }

  it('a segment over attributes, consent and country with an exclusion reaches exactly its contacts', async () => {
    const tag = `seg${Date.now()}`;
    const want: string[] = [];
    const excluded: string[] = [];
    for (let i = 0; i < 24; i++) {
      const br = i % 3 !== 0;
      const phone = br
        ? `+5511977${String(i).padStart(6, '0')}`
        : `+4479111${String(i).padStart(5, '0')}`;
      const gold = i % 2 === 0;
      const optedIn = i % 5 !== 0;
      await contact(
        phone,
        { tier: gold ? 'gold' : 'silver', tag },
        optedIn ? 'opted_in' : 'opted_out',
      );
      if (br && gold && optedIn) {
        (i % 4 === 0 ? excluded : want).push(phone);
      }
    }
    const vip = await audienceOf(
      e,
      excluded.map((phone) => ({ phone })),
    );
    const filter = {
      all: [
        { field: 'attributes.tag', op: 'eq', value: tag },
        { field: 'attributes.tier', op: 'eq', value: 'gold' },
        { field: 'consent', op: 'eq', value: 'opted_in' },
        { field: 'countryCode', op: 'eq', value: '55' },
      ],
    };
    const preview = await e.v1('POST', '/segments/preview', { filter });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(want.length + excluded.length);
    const seg = await e.v1('POST', '/segments', { name: 'BR gold', filter });
    expect(seg.status).toBe(201);
    const count = await e.v1('GET', `/segments/${seg.body.id}/count`);
    expect(count.body).toMatchObject({
      count: want.length + excluded.length,
      eligible: want.length + excluded.length,
    });
    expect(count.body.samples.length).toBe(want.length + excluded.length);

    const id = await launch({ segmentId: seg.body.id, exclude: [{ audienceId: vip }] });
    const done = await completed(id);
    expect(done.counts).toMatchObject({ targeted: want.length, sent: want.length, skipped: 0 });
    expect((await messages(id)).map((m) => m.phone).sort()).toEqual([...want].sort());
    const accepted = await acceptedOf([...want, ...excluded]);
    expect(want.every((p) => accepted[p] === 1)).toBe(true);
    expect(excluded.every((p) => accepted[p] === 0)).toBe(true);
    // Used by a campaign: kept (no longer deletable while a draft uses it, deletable once finished).
    const draft = await e.v1('POST', '/campaigns', {
      name: 'uses it',
      templateId,
      phoneNumberId: e.phoneId,
      parameters: TEST_BINDINGS,
      segmentId: seg.body.id,
    });
    expect((await e.v1('DELETE', `/segments/${seg.body.id}`)).status).toBe(409);
    expect((await e.v1('POST', `/campaigns/${draft.body.id}/cancel`)).status).toBe(200);
    expect((await e.v1('DELETE', `/segments/${seg.body.id}`)).status).toBe(204);
    expect((await e.v1('GET', `/segments/${seg.body.id}`)).status).toBe(404);
  });

  it('answers 400 with the path of a bad filter node, and SQL in values is only data', async () => {
    const bad = async (filter: unknown) => e.v1('POST', '/segments', { name: 'bad', filter });
    const unknownField = await bad({ all: [{ field: 'nickname', op: 'eq', value: 'x' }] });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.details).toEqual([
      expect.objectContaining({ field: 'filter.all[0].field' }),
    ]);
    const wrongType = await bad({ field: 'attributes.orders', op: 'gt', value: { $gt: 1 } });
    expect(wrongType.body.details[0].field).toBe('filter.value');
    const huge = await bad({
      any: Array.from({ length: 10_000 }, () => ({ field: 'phone', op: 'eq', value: '+1' })),
    });
    expect(huge.status).toBe(400);
    expect(huge.body.details[0]).toEqual({
      field: 'filter.any[199]',
      problems: ['a filter may have at most 200 nodes'],
    });
    const sqlField = await bad({ field: "attributes.x'); DROP TABLE contacts; --", op: 'exists' });
    expect(sqlField.status).toBe(400);
    expect(sqlField.body.details[0].field).toBe('filter.field');
    const otherWorkspace = await bad({ audience: '00000000-0000-4000-8000-000000000000' });
    expect(otherWorkspace.status).toBe(400);
    const sqlValue = await e.v1('POST', '/segments/preview', {
      filter: { field: 'attributes.tier', op: 'eq', value: "gold' OR '1'='1" },
    });
    expect(sqlValue.status).toBe(200);
    expect(sqlValue.body.count).toBe(0);
    expect((await e.v1('GET', '/contacts?limit=1')).status).toBe(200);
  });

  it('a follow-up on delivered_not_read targets exactly those recipients', async () => {
    await e.control('PATCH', '/settings', { probabilities: { read: 0.5 } });
    const list = Array.from({ length: 30 }, (_, i) => `+5511966${String(i).padStart(6, '0')}`);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in', firstName: 'Bo' })),
    );
    const parent = await createCampaign(e, templateId, audience);
    expect((await e.v1('POST', `/campaigns/${parent}/launch`)).status).toBe(200);
    await completed(parent);
    // Statuses settle after completion (read webhooks): the sandbox has nothing left to send,
    // and what the engine shows no longer changes.
    await until('sandbox idle', async () => {
      const c = await e.control('GET', '/counters');
      return c.scheduledTasks === 0 && c.webhooks.pending === 0;
    });
    const settled = await until('statuses settled', async () => {
      const before = JSON.stringify(await messages(parent));
      await new Promise((r) => setTimeout(r, 300));
      const ms = await messages(parent);
      return (
        JSON.stringify(ms) === before &&
        ms.every((m) => m.status === 'delivered' || m.status === 'read') &&
        ms
      );
    });
    const notRead = settled
      .filter((m) => m.status === 'delivered')
      .map((m) => m.phone)
      .sort();
    expect(notRead.length).toBeGreaterThan(3);
    expect(notRead.length).toBeLessThan(27);
    await e.control('PATCH', '/settings', { probabilities: { read: 1 } });
    const f = await e.v1('POST', `/campaigns/${parent}/follow-up`, {
      outcome: 'delivered_not_read',
      name: 'nudge',
      templateId,
      parameters: TEST_BINDINGS,
    });
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({
      parentCampaignId: parent,
      followUpOutcome: 'delivered_not_read',
      audienceId: null,
    });
    const plan = await e.v1('GET', `/campaigns/${f.body.id}/plan`);
    expect(plan.body.eligible).toBe(notRead.length);
    expect((await e.v1('POST', `/campaigns/${f.body.id}/launch`)).status).toBe(200);
    await completed(f.body.id);
    expect((await messages(f.body.id)).map((m) => m.phone).sort()).toEqual(notRead);
    const accepted = await acceptedOf(list);
    for (const p of list) {
      expect([p, accepted[p]]).toEqual([p, notRead.includes(p) ? 2 : 1]);
    }
    // A follow-up of a campaign that never went out has nothing to follow.
    const draft = await createCampaign(e, templateId, audience);
    const early = await e.v1('POST', `/campaigns/${draft}/follow-up`, {
      outcome: 'read',
      name: 'too early',
      templateId,
      parameters: TEST_BINDINGS,
    });
    expect(early.status).toBe(400);
  });

  it('retry requeues only retryable failures (131049 once, after 24 h), never to who opted out or got it', async () => {
    const list = Array.from({ length: 12 }, (_, i) => `+5511955${String(i).padStart(6, '0')}`);
    const capped = list.slice(0, 4);
    const undeliverable = list.slice(4, 7);
    await e.control('POST', '/recipients', { phones: capped, state: 'capped' });
    await e.control('POST', '/recipients', { phones: undeliverable, state: 'undeliverable' });
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in', firstName: 'Di' })),
    );
    const id = await createCampaign(e, templateId, audience);
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    await completed(id);
    await until('failures settled', async () => {
      const ms = await messages(id);
      return ms.filter((m) => m.status === 'failed').length === 7 && ms;
    });
    // One capped recipient opts out meanwhile: never sent to again.
    expect(
      (await e.v1('POST', '/consents', { phone: capped[0], status: 'opted_out', source: 'stop' }))
        .status,
    ).toBe(201);
    await e.control('POST', '/recipients', { phones: capped, state: 'normal' });

    const r = await e.v1('POST', `/campaigns/${id}/retry`, {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ requeued: 3, notRetryable: { '131026': 3, '131049': 1 } });
    const notBefore = Date.parse(r.body.notBefore);
    expect(notBefore).toBeGreaterThan(e.clock.now().getTime() + 23 * 3600_000);
    expect((await e.v1('GET', `/campaigns/${id}`)).body).toMatchObject({ status: 'running' });
    // Nothing leaves before the 24 h are up.
    await new Promise((res) => setTimeout(res, 500));
    expect((await acceptedOf(capped))[capped[1] as string]).toBe(1);
    e.clock.advance(24 * 3600_000 + 60_000);
    const done = await completed(id);
    expect(done.counts).toMatchObject({ retried: 3, failed: 4 });
    const after = await until('retries delivered', async () => {
      const c = (await e.v1('GET', `/campaigns/${id}`)).body;
      // Recovered counts the retries' sends; their delivered statuses may come a moment later.
      return c.counts.recovered === 3 && c.counts.delivered >= 8 && c;
    });
    expect(after.counts.delivered).toBe(8);
    const accepted = await acceptedOf(list);
    for (const p of list) {
      const retried = capped.slice(1).includes(p);
      expect([p, accepted[p]]).toEqual([p, retried ? 2 : 1]);
    }
    const report = await e.v1('GET', `/campaigns/${id}/report`);
    expect(report.body.retries).toEqual({ retried: 3, recovered: 3 });
    // 131049 is retried once: a second retry finds nothing to send.
    const again = await e.v1('POST', `/campaigns/${id}/retry`, { errorCodes: [131049, 131026] });
    expect(again.body).toMatchObject({ requeued: 0, notBefore: null });
  });

  it('two campaigns launched at once with a cap of 1 per 7 days reach each shared contact once', async () => {
    expect(
      (await e.v1('PATCH', '/settings/frequency-cap', { maxMessages: 1, perDays: 7 })).body,
    ).toEqual({
      maxMessages: 1,
      perDays: 7,
    });
    expect((await e.v1('GET', '/settings/frequency-cap')).body).toEqual({
      maxMessages: 1,
      perDays: 7,
    });
    const list = Array.from({ length: 40 }, (_, i) => `+5511944${String(i).padStart(6, '0')}`);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in', firstName: 'Cy' })),
    );
    const a = await createCampaign(e, templateId, audience, { throughputMps: 40 });
    const b = await createCampaign(e, templateId, audience, { throughputMps: 40 });
    const [la, lb] = await Promise.all([
      e.v1('POST', `/campaigns/${a}/launch`),
      e.v1('POST', `/campaigns/${b}/launch`),
    ]);
    expect([la.status, lb.status]).toEqual([200, 200]);
    const [da, db] = await Promise.all([completed(a), completed(b)]);
    expect(da.counts.sent + db.counts.sent).toBe(40);
    const skipped = [...(await messages(a)), ...(await messages(b))].filter(
      (m) => m.status === 'skipped',
    );
    expect(skipped).toHaveLength(40);
    expect(skipped.every((m) => m.skipReason === 'frequency_cap')).toBe(true);
    const accepted = await acceptedOf(list);
    expect(list.map((p) => accepted[p])).toEqual(list.map(() => 1));
    // The plan of a third campaign already counts them as capped.
    const c = await createCampaign(e, templateId, audience);
    const plan = await e.v1('GET', `/campaigns/${c}/plan`);
    expect(plan.body).toMatchObject({ eligible: 0, skipped: { frequency_cap: 40 } });
    const count = await e.v1('POST', '/segments/preview', { filter: { audience } });
    expect(count.body).toMatchObject({ count: 40, eligible: 0 });
  });

  it('a 10 % holdout is the same on every plan and in the snapshot, and the report shows the lift', async () => {
    const list = Array.from({ length: 200 }, (_, i) => `+5511933${String(i).padStart(6, '0')}`);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in', firstName: 'Ed' })),
    );
    const id = await createCampaign(e, templateId, audience, {
      holdoutPercent: 10,
      throughputMps: 80,
    });
    const p1 = (await e.v1('GET', `/campaigns/${id}/plan`)).body;
    const p2 = (await e.v1('GET', `/campaigns/${id}/plan`)).body;
    expect(p1.skipped.holdout).toBe(p2.skipped.holdout);
    expect(p1.skipped.holdout).toBeGreaterThan(8);
    expect(p1.skipped.holdout).toBeLessThan(40);
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    const done = await completed(id);
    expect(done.counts).toMatchObject({
      holdout: p1.skipped.holdout,
      sent: 200 - p1.skipped.holdout,
    });
    const held = (await messages(id)).filter((m) => m.skipReason === 'holdout');
    expect(held).toHaveLength(p1.skipped.holdout);
    // Conversions: a few of each group within the window.
    const sent = (await messages(id)).filter((m) => m.status !== 'skipped');
    const events = [...sent.slice(0, 30), ...held.slice(0, 1)].map((m, i) => ({
      eventId: `hold-${id}-${i}`,
      eventName: 'purchase',
      value: 20,
      currency: 'EUR',
      contactId: m.contactId,
      occurredAt: new Date(e.clock.now().getTime() + 1000).toISOString(),
    }));
    e.clock.advance(2000);
    const posted = await e.v1('POST', '/conversions', { events });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ accepted: events.length, rejected: [] });
    const report = (await e.v1('GET', `/campaigns/${id}/report`)).body;
    expect(report.holdout).toMatchObject({
      percent: 10,
      sent: { contacts: sent.length, converted: 30 },
      holdout: { contacts: held.length, converted: 1 },
    });
    expect(report.holdout.ci95[0]).toBeLessThan(report.holdout.difference);
    expect(report.holdout.ci95[1]).toBeGreaterThan(report.holdout.difference);
  });
});
