import {
  acceptedPerRecipient,
  approvedTemplate,
  createCampaign,
  TEST_BINDINGS,
  audienceOf,
  phones,
  startEngine,
  until,
  type Engine,
} from './support/engine';
import type { SlotCounts } from '@app/governor';
import { http } from './support/apps';

const campaign = createCampaign;
const PHONE = '100000000000002';

/** `mmlite_send_slots_total` of a number on /metrics: slots whose request left, and missed. */
async function slots(e: Engine, phoneNumberId: string): Promise<SlotCounts> {
  const text = (await http(e.api.url, 'GET', '/metrics')).text;
  const of = (outcome: string): number => {
    const m = new RegExp(
      `^mmlite_send_slots_total\\{phone_number_id="${phoneNumberId}",outcome="${outcome}"\\} (\\d+)$`,
      'm',
    ).exec(text);
    return Number(m?.[1] ?? 0);
  };
  return { left: of('left'), missed: of('missed') };
}

async function finished(e: Engine, id: string, status = 'completed', ms = 30_000): Promise<any> {
  return until(
    `campaign ${status}`,
    async () => {
      const c = await e.v1('GET', `/campaigns/${id}`);
      return c.body.status === status && c.body;
    },
    ms,
    async () => ({
      campaign: (await e.v1('GET', `/campaigns/${id}`)).body,
      messages: (await e.v1('GET', `/campaigns/${id}/messages?limit=1000`)).body.data.filter(
        (m: any) => !['read', 'delivered', 'sent'].includes(m.status),
      ),
    }),
  );
}

describe('campaigns end to end (sandbox, API, worker)', () => {
  let e: Engine;
  let template: { id: string; metaId: string };

  beforeAll(async () => {
    e = await startEngine();
    template = await approvedTemplate(e, 'promo_main');
  });

  afterAll(async () => {
    await e?.close();
  });

  it('plans, sends exactly once to every eligible contact, skips the rest with reasons, and counts the funnel', async () => {
    const ok = phones(12, 1);
    const noName = phones(2, 2);
    const noConsent = phones(2, 3);
    const optedOut = phones(1, 4);
    const us = ['+12125550147'];
    const audience = await audienceOf(e, [
      ...ok.map((phone, i) => ({ phone, consent: 'opted_in' as const, firstName: `Ana${i}` })),
      ...noName.map((phone) => ({ phone, consent: 'opted_in' as const })),
      ...noConsent.map((phone) => ({ phone, firstName: 'Bo' })),
      ...optedOut.map((phone) => ({ phone, consent: 'opted_out' as const, firstName: 'Cy' })),
      ...us.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Di' })),
    ]);
    const id = await campaign(e, template.id, audience);

    const plan = await e.v1('GET', `/campaigns/${id}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      eligible: 12,
      audienceSize: 18,
      skipped: { missing_attribute: 2, no_opt_in: 2, opted_out: 1, us_recipient: 1 },
      messagingLimit: { perDay: null, fitsNow: true },
    });
    expect(plan.body.etaSeconds).toBeGreaterThan(0);
    expect(plan.body.cost).toMatchObject({ currency: 'USD', total: 0.75 });

    const launched = await e.v1('POST', `/campaigns/${id}/launch`);
    expect(launched.status).toBe(200);
    expect(['running', 'completed']).toContain(launched.body.status);
    const done = await finished(e, id);
    expect(done.counts).toMatchObject({
      targeted: 18,
      skipped: 6,
      queued: 0,
      sending: 0,
      sent: 12,
      failed: 0,
    });

    const counts = await acceptedPerRecipient(e, [
      ...ok,
      ...noName,
      ...noConsent,
      ...optedOut,
      ...us,
    ]);
    for (const p of ok) {
      expect(counts.recipients[p.slice(1)]).toBe(1);
    }
    for (const p of [...noName, ...noConsent, ...optedOut, ...us]) {
      expect(counts.recipients[p.slice(1)]).toBe(0);
    }
    // delivered and read arrive by signed webhooks and move the live counts exactly
    const read = await until('reads counted', async () => {
      const c = await e.v1('GET', `/campaigns/${id}`);
      return c.body.counts.read === 12 && c.body.counts;
    });
    expect(read).toMatchObject({ sent: 12, delivered: 12, read: 12 });

    // Statuses arrive by separate webhooks, in any order (Meta's do too): a message can show read
    // before the delivered webhook that stamps its deliveredAt has been applied.
    const stamped = (m: any) => m.wamid && m.sentAt && m.deliveredAt && m.readAt;
    const msgs = await until('read messages fully stamped', async () => {
      const r = await e.v1('GET', `/campaigns/${id}/messages?limit=100`);
      const readOnes = r.body.data.filter((m: any) => m.status === 'read');
      return readOnes.length === 12 && readOnes.every(stamped) && r;
    });
    const reasons = msgs.body.data
      .filter((m: any) => m.status === 'skipped')
      .map((m: any) => m.skipReason)
      .sort();
    expect(reasons).toEqual([
      'missing_attribute',
      'missing_attribute',
      'no_opt_in',
      'no_opt_in',
      'opted_out',
      'us_recipient',
    ]);
    const sent = msgs.body.data.filter((m: any) => m.status === 'read');
    expect(sent).toHaveLength(12);
    expect(sent.every(stamped)).toBe(true);
  });

  it('records 131050 as a failure and an opt-out, and 131026 as a failure', async () => {
    const [stopped, gone, fine] = [phones(1, 10)[0]!, phones(1, 11)[0]!, phones(1, 12)[0]!];
    await e.control('POST', '/recipients', { phones: [stopped], state: 'stopped' });
    await e.control('POST', '/recipients', { phones: [gone], state: 'undeliverable' });
    const audience = await audienceOf(
      e,
      [stopped, gone, fine].map((phone) => ({
        phone,
        consent: 'opted_in' as const,
        firstName: 'Ed',
      })),
    );
    const id = await campaign(e, template.id, audience);
    await e.v1('POST', `/campaigns/${id}/launch`);
    await finished(e, id);
    const counts = await until(
      'failures counted',
      async () => {
        const c = await e.v1('GET', `/campaigns/${id}`);
        return c.body.counts.failed === 2 && c.body.counts.delivered === 1 && c.body.counts;
      },
      20_000,
      async () => (await e.v1('GET', `/campaigns/${id}/messages`)).body,
    );
    expect(counts).toMatchObject({ sent: 3, failed: 2, delivered: 1 });
    const msgs = await e.v1('GET', `/campaigns/${id}/messages?status=failed`);
    expect(msgs.body.data.map((m: any) => m.errorCode).sort()).toEqual([131026, 131050]);
    const contacts = await e.v1('GET', `/contacts?limit=1000`);
    const c = contacts.body.data.find((x: any) => x.phone === stopped);
    const detail = await e.v1('GET', `/contacts/${c.id}`);
    expect(detail.body.consent).toBe('opted_out');
  });

  it('checks consent again right before each send: an opt-out mid-campaign stops that message', async () => {
    const list = phones(8, 20);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Fi' })),
    );
    const id = await campaign(e, template.id, audience, { throughputMps: 2 });
    await e.v1('POST', `/campaigns/${id}/launch`);
    const last = (await e.v1('GET', `/campaigns/${id}/messages?limit=100`)).body.data;
    void last;
    // the snapshot is in contact order: opt out the one that goes last
    const target = await until('snapshot', async () => {
      const m = await e.v1('GET', `/campaigns/${id}/messages?limit=100`);
      return m.body.data.length === 8 && m.body.data[7];
    });
    await e.v1('POST', '/consents', {
      contactId: target.contactId,
      status: 'opted_out',
      source: 'support-call',
    });
    const done = await finished(e, id);
    expect(done.counts).toMatchObject({ targeted: 8, sent: 7, skipped: 1 });
    const counts = await acceptedPerRecipient(e, [target.phone]);
    expect(counts.recipients[target.phone.slice(1)]).toBe(0);
  });

  /** Accepted sends to these phones that reached the sandbox after `at` (epoch ms). */
  async function acceptedAfter(list: string[], at: number): Promise<string[]> {
    const wanted = new Set(list.map((p) => p.slice(1)));
    const recent = (await e.control('GET', '/messages?limit=10000')).data as Array<{
      to: string;
      acceptedAt: string;
    }>;
    return recent
      .filter((m) => wanted.has(m.to) && Date.parse(m.acceptedAt) > at)
      .map((m) => `${m.to} +${Date.parse(m.acceptedAt) - at} ms`);
  }

  it('pauses at once (nothing leaves after the answer), resumes, and sends each contact exactly once', async () => {
    const list = phones(20, 30);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Gu' })),
    );
    const id = await campaign(e, template.id, audience, { throughputMps: 10 });
    await e.v1('POST', `/campaigns/${id}/launch`);
    await until(
      'some sent',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 4,
    );
    const paused = await e.v1('POST', `/campaigns/${id}/pause`);
    const answeredAt = Date.now();
    expect(paused.body.status).toBe('paused');
    const settled = await until('in-flight sends settled', async () => {
      const c = (await e.v1('GET', `/campaigns/${id}`)).body;
      return c.counts.sending === 0 && c.counts;
    });
    // One slot (1/10 s at 10 mps) of tolerance: a request already on the wire when we answered.
    expect(await acceptedAfter(list, answeredAt + 100)).toEqual([]);
    expect(settled.sent).toBeLessThan(20);
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(409);
    const resumed = await e.v1('POST', `/campaigns/${id}/resume`);
    expect(resumed.body.status).toBe('running');
    const done = await finished(e, id);
    expect(done.counts).toMatchObject({ sent: 20, queued: 0, sending: 0 });
    const counts = await acceptedPerRecipient(e, list);
    expect(Object.values(counts.recipients).every((n) => n === 1)).toBe(true);
  });

  it('cancels at once: messages not yet sent are cancelled and never sent', async () => {
    const list = phones(15, 40);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Ha' })),
    );
    const id = await campaign(e, template.id, audience, { throughputMps: 5 });
    await e.v1('POST', `/campaigns/${id}/launch`);
    await until(
      'some sent',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 2,
    );
    const cancelled = await e.v1('POST', `/campaigns/${id}/cancel`);
    const answeredAt = Date.now();
    expect(cancelled.body.status).toBe('cancelled');
    const c = await until('in-flight sends settled', async () => {
      const x = (await e.v1('GET', `/campaigns/${id}`)).body;
      return x.counts.sending === 0 && x.counts.queued === 0 && x;
    });
    expect(await acceptedAfter(list, answeredAt + 200)).toEqual([]);
    const sent = Object.values((await acceptedPerRecipient(e, list)).recipients).reduce(
      (a: number, b) => a + b,
      0,
    );
    expect(sent).toBe(c.counts.sent);
    expect(sent).toBeLessThan(15);
    expect((await e.v1('POST', `/campaigns/${id}/resume`)).status).toBe(409);
  });

  it('launches at scheduledAt (the injected clock moves; nothing sleeps)', async () => {
    const list = phones(3, 50);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Io' })),
    );
    const at = new Date(e.clock.now().getTime() + 3600_000);
    const id = await campaign(e, template.id, audience, { scheduledAt: at.toISOString() });
    const launched = await e.v1('POST', `/campaigns/${id}/launch`);
    expect(launched.body.status).toBe('scheduled');
    // Three ticks of the worker (not of the rule's time): an hour early, nothing starts.
    await new Promise((r) => setTimeout(r, 300));
    expect((await e.v1('GET', `/campaigns/${id}`)).body.status).toBe('scheduled');
    e.clock.advance(3600_000);
    const done = await finished(e, id);
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(at.getTime());
    expect(done.counts.sent).toBe(3);
  });

  it('slows down on 130429 and still sends everything exactly once', async () => {
    await e.control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 15 });
    try {
      const list = phones(60, 60);
      const audience = await audienceOf(
        e,
        list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Jo' })),
      );
      const id = await campaign(e, template.id, audience);
      // The last test's counts reach Redis within a second of its sends.
      await new Promise((r) => setTimeout(r, 1500));
      const requestsBefore = (await e.control('GET', '/counters')).phoneNumbers[PHONE].requests;
      const slotsBefore = await slots(e, PHONE);
      await e.v1('POST', `/campaigns/${id}/launch`);
      const done = await finished(e, id, 'completed', 40_000);
      expect(done.counts).toMatchObject({ sent: 60, failed: 0 });
      const counters = await e.control('GET', '/counters');
      expect(JSON.stringify(counters)).toContain('130429');
      // /metrics counts every request that left at its slot (the worker adds its counts within
      // a second): the sandbox saw as many, refusals included.
      const requests = counters.phoneNumbers[PHONE].requests - requestsBefore;
      expect(requests).toBeGreaterThan(60);
      await until('slot counts flushed', async () => {
        const now = await slots(e, PHONE);
        return now.left - slotsBefore.left === requests && now;
      });
      const counts = await acceptedPerRecipient(e, list);
      expect(Object.values(counts.recipients).every((n) => n === 1)).toBe(true);
    } finally {
      await e.control('PATCH', `/phone-numbers/${PHONE}`, { throughputMps: 80 });
    }
  });

  it('pauses the campaign when its template is paused by Meta', async () => {
    const t = await approvedTemplate(e, 'promo_paused');
    const list = phones(10, 70);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Ka' })),
    );
    const id = await campaign(e, t.id, audience, { throughputMps: 2 });
    await e.v1('POST', `/campaigns/${id}/launch`);
    await until(
      'some sent',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 1,
    );
    await e.control('POST', `/templates/${t.metaId}/status`, { status: 'PAUSED' });
    const paused = await finished(e, id, 'paused');
    expect(paused.statusReason).toBe('template_paused');
    expect((await e.v1('GET', `/templates/${t.id}`)).body.status).toBe('PAUSED');
    expect((await e.v1('POST', `/campaigns/${id}/resume`)).status).toBe(422);
  });

  it('pauses with a reason when the access token is revoked (190)', async () => {
    const list = phones(6, 80);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Lu' })),
    );
    const id = await campaign(e, template.id, audience, { throughputMps: 2 });
    await e.v1('POST', `/campaigns/${id}/launch`);
    await until(
      'some sent',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 1,
    );
    await e.control('POST', `/wabas/100000000000001/revoke-token`, {
      accessToken: 'sandbox-token',
    });
    try {
      const paused = await finished(e, id, 'paused');
      expect(paused.statusReason).toBe('access_token_invalid');
      // the message refused with 190 goes back to the queue for a resume
      const settled = await until('in-flight settled', async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.counts.sending === 0 && c.counts;
      });
      expect(settled.queued + settled.sent).toBe(6);
      expect(settled.failed).toBe(0);
    } finally {
      await e.control('POST', '/wabas', { id: '100000000000001', accessToken: 'sandbox-token' });
    }
  });

  it('sends a test message without touching the counts', async () => {
    const list = phones(2, 90);
    const audience = await audienceOf(
      e,
      list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Mo' })),
    );
    const id = await campaign(e, template.id, audience);
    const test = await e.v1('POST', `/campaigns/${id}/test`, { phones: [list[0], '+12125550100'] });
    expect(test.status).toBe(200);
    expect(test.body.results[0]).toMatchObject({ ok: true, wamid: expect.any(String) });
    expect(test.body.results[1]).toMatchObject({ ok: false, skipReason: 'us_recipient' });
    const c = await e.v1('GET', `/campaigns/${id}`);
    expect(c.body.status).toBe('draft');
    expect(c.body.counts.sent).toBe(0);
  });

  it('refuses invalid campaigns with field-level errors', async () => {
    const audience = await audienceOf(e, [
      { phone: phones(1, 95)[0]!, consent: 'opted_in', firstName: 'No' },
    ]);
    const bad = await e.v1('POST', '/campaigns', {
      name: 'bad',
      templateId: template.id,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      parameters: { body: ['{{contact.nickname}}'] },
      sendWindow: { start: '09:00', end: '09:00', timezone: 'Mars/Olympus' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field)).toEqual(
      expect.arrayContaining(['parameters.body', 'sendWindow']),
    );
    const past = await e.v1('POST', '/campaigns', {
      name: 'late',
      templateId: template.id,
      audienceId: audience,
      phoneNumberId: e.phoneId,
      parameters: TEST_BINDINGS,
      scheduledAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.status).toBe(422);
  });
});
