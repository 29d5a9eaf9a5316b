import { startWorker } from './support/apps';
import {
  acceptedPerRecipient,
  approvedTemplate,
  createCampaign,
  audienceOf,
  phones,
  startEngine,
  until,
  type Engine,
} from './support/engine';

const create = createCampaign;

const people = (list: string[], extra: Record<string, unknown> = {}) =>
  list.map((phone) => ({ phone, consent: 'opted_in' as const, firstName: 'Pat', ...extra }));

describe('campaign rules (send window, messaging limit, idempotent launch, webhook chaos)', () => {
  let e: Engine;
  let templateId: string;

  beforeAll(async () => {
    e = await startEngine();
    templateId = (await approvedTemplate(e, 'promo_rules')).id;
  });

  afterAll(async () => {
    await e?.close();
  });

  it('a retried launch with the same Idempotency-Key returns the first answer and launches once', async () => {
    const audience = await audienceOf(e, people(phones(3, 200)));
    const id = await create(e, templateId, audience);
    const headers = { 'idempotency-key': `launch-${id}` };
    const first = await e.v1H('POST', `/campaigns/${id}/launch`, headers);
    const again = await e.v1H('POST', `/campaigns/${id}/launch`, headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await create(e, templateId, audience);
    const reused = await e.v1H('POST', `/campaigns/${other}/launch`, headers);
    expect(reused.status).toBe(422);
    expect((await e.v1('GET', `/campaigns/${other}`)).body.status).toBe('draft');
  });

  it('keeps counts exact under duplicate, out-of-order and batched webhooks', async () => {
    await e.control('PATCH', '/settings', {
      chaos: {
        duplicateRate: 0.5,
        outOfOrderRate: 0.5,
        maxStatusesPerPayload: 25,
        batchWindowMs: 20,
      },
    });
    try {
      const list = phones(40, 201);
      const audience = await audienceOf(e, people(list));
      const id = await create(e, templateId, audience);
      await e.v1('POST', `/campaigns/${id}/launch`);
      const counts = await until(
        'all read',
        async () => {
          const c = (await e.v1('GET', `/campaigns/${id}`)).body;
          return c.status === 'completed' && c.counts.read === 40 && c.counts;
        },
        20_000,
        async () => {
          const c = (await e.v1('GET', `/campaigns/${id}`)).body;
          const m = (await e.v1('GET', `/campaigns/${id}/messages?limit=100`)).body.data;
          return {
            status: c.status,
            counts: c.counts,
            open: m.filter((x: any) => x.status !== 'read').map((x: any) => [x.id, x.status]),
          };
        },
      );
      await new Promise((r) => setTimeout(r, 500));
      expect((await e.v1('GET', `/campaigns/${id}`)).body.counts).toEqual(counts);
      expect(counts).toMatchObject({ targeted: 40, sent: 40, delivered: 40, read: 40, failed: 0 });
    } finally {
      await e.control('PATCH', '/settings', {
        chaos: { duplicateRate: 0, outOfOrderRate: 0, maxStatusesPerPayload: 1, batchWindowMs: 0 },
      });
    }
  });

  it("holds sending outside the window, per contact's own time zone when asked", async () => {
    // 10:30 UTC is 19:30 in Tokyo (UTC+9, no DST): a 19:00–20:00 window is open there, not in UTC.
    // The clock only ever moves forward (the governor's timeline in Redis is booked on it).
    const day = new Date(e.clock.now());
    day.setUTCHours(10, 30, 0, 0);
    if (day.getTime() < e.clock.now().getTime()) {
      day.setUTCDate(day.getUTCDate() + 1);
    }
    e.clock.set(day);
    const window = { start: '19:00', end: '20:00', timezone: 'UTC', perContactTimezone: true };
    const tokyo = phones(4, 202);
    const utc = phones(4, 203);
    const audience = await audienceOf(e, [...people(tokyo), ...people(utc)]);
    for (const p of tokyo) {
      await e.v1('POST', '/contacts', {
        phone: p,
        attributes: { firstName: 'Pat' },
        timezone: 'Asia/Tokyo',
      });
    }
    const id = await create(e, templateId, audience, { sendWindow: window });
    await e.v1('POST', `/campaigns/${id}/launch`);
    await until(
      'tokyo sent',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent === 4,
    );
    let counts = await acceptedPerRecipient(e, [...tokyo, ...utc]);
    expect(tokyo.map((p) => counts.recipients[p.slice(1)])).toEqual([1, 1, 1, 1]);
    expect(utc.map((p) => counts.recipients[p.slice(1)])).toEqual([0, 0, 0, 0]);
    // Nine hours later the window is open in UTC (and closed in Tokyo): the rest goes.
    e.clock.advance(9 * 3600_000);
    const done = await until('the UTC contacts sent', async () => {
      const c = (await e.v1('GET', `/campaigns/${id}`)).body;
      return c.status === 'completed' && c;
    });
    expect(done.counts).toMatchObject({ sent: 8, queued: 0 });
    counts = await acceptedPerRecipient(e, [...tokyo, ...utc]);
    expect([...tokyo, ...utc].map((p) => counts.recipients[p.slice(1)])).toEqual(Array(8).fill(1));
  });

  it('fails a capped recipient (131049) without retrying, and retries a pair-rate refusal (131056) after 4^X s', async () => {
    const [capped, busy, fine] = [phones(1, 206)[0]!, phones(1, 207)[0]!, phones(1, 208)[0]!];
    await e.control('POST', '/recipients', { phones: [capped], state: 'capped' });
    // Meta's pair rate, tightened at the sandbox: one message per 3 s to the same user.
    await e.control('PATCH', '/settings', { pairRate: { burst: 1, intervalMs: 3000 } });
    try {
      const audience = await audienceOf(e, people([capped, busy, fine]));
      const id = await create(e, templateId, audience);
      // A test send takes the busy recipient's only token at the sandbox just before the campaign.
      const test = await e.v1('POST', `/campaigns/${id}/test`, { phones: [busy] });
      expect(test.body.results[0].ok).toBe(true);
      await e.v1('POST', `/campaigns/${id}/launch`);
      const done = await until(
        'completed with the capped one failed',
        async () => {
          const c = (await e.v1('GET', `/campaigns/${id}`)).body;
          return c.status === 'completed' && c.counts.failed === 1 && c.counts.delivered === 2 && c;
        },
        20_000,
      );
      expect(done.counts).toMatchObject({ sent: 3, failed: 1 });
      const msgs = (await e.v1('GET', `/campaigns/${id}/messages`)).body.data;
      const byPhone = new Map(msgs.map((m: any) => [m.phone, m]));
      expect(byPhone.get(capped)).toMatchObject({
        status: 'failed',
        errorCode: 131049,
        attempts: 1,
      });
      expect((byPhone.get(busy) as any).attempts).toBeGreaterThanOrEqual(2);
      expect((byPhone.get(busy) as any).status).not.toBe('failed');
      const counters = await e.control('GET', '/counters');
      expect(JSON.stringify(counters)).toContain('131056');
      const counts = await acceptedPerRecipient(e, [busy, fine]);
      expect(counts.recipients[busy.slice(1)]).toBe(2); // the test send and the campaign's one
      expect(counts.recipients[fine.slice(1)]).toBe(1);
    } finally {
      await e.control('PATCH', '/settings', { pairRate: { burst: 45, intervalMs: 6000 } });
      await e.control('POST', '/recipients', { phones: [capped], state: 'normal' });
    }
  });

  it('plans against the messaging limit, holds recipients beyond it, and sends them when the 24 h window moves on', async () => {
    const patched = await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { messagingLimitPerDay: 5 });
    expect(patched.status).toBe(200);
    try {
      const list = phones(8, 204);
      const audience = await audienceOf(e, people(list));
      const id = await create(e, templateId, audience);
      const plan = await e.v1('GET', `/campaigns/${id}/plan`);
      expect(plan.body.messagingLimit).toMatchObject({ perDay: 5, fitsNow: false });
      expect(plan.body.messagingLimit.heldByLimit).toBeGreaterThanOrEqual(3);
      expect(plan.body.etaSeconds).toBeGreaterThan(86_000);
      await e.v1('POST', `/campaigns/${id}/launch`);
      const held = await until('five sent, three held', async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.counts.sent === 5 && c.counts.queued === 3 && c.counts.sending === 0 && c;
      });
      expect(held).toMatchObject({ status: 'running', counts: { failed: 0 } });
      const messages = (await e.v1('GET', `/campaigns/${id}/messages?status=pending`)).body.data;
      expect(messages).toHaveLength(3);
      e.clock.advance(24 * 3600_000 + 60_000);
      const done = await until('the held three sent a day later', async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.status === 'completed' && c;
      });
      expect(done.counts).toMatchObject({ sent: 8, failed: 0 });
    } finally {
      await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { messagingLimitPerDay: null });
    }
  });
});

describe('a schedule missed while the engine was down follows the late policy', () => {
  let e: Engine;

  beforeAll(async () => {
    e = await startEngine({ SCHEDULE_GRACE_MS: '1000' }, { worker: false });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('fails the campaign with schedule_missed, or sends anyway', async () => {
    const templateId = (await approvedTemplate(e, 'promo_late')).id;
    const audience = await audienceOf(e, people(phones(2, 205)));
    const at = new Date(e.clock.now().getTime() + 3600_000).toISOString();
    const failing = await create(e, templateId, audience, { scheduledAt: at, latePolicy: 'fail' });
    const sending = await create(e, templateId, audience, { scheduledAt: at, latePolicy: 'send' });
    expect((await e.v1('POST', `/campaigns/${failing}/launch`)).body.status).toBe('scheduled');
    expect((await e.v1('POST', `/campaigns/${sending}/launch`)).body.status).toBe('scheduled');
    // No worker while the hour and the grace (1 s) pass: the schedule is missed.
    e.clock.advance(3600_000 + 5000);
    const worker = await startWorker(e.config, e.clock);
    try {
      const failed = await until('late one failed', async () => {
        const c = (await e.v1('GET', `/campaigns/${failing}`)).body;
        return c.status === 'failed' && c;
      });
      expect(failed.statusReason).toBe('schedule_missed');
      const sent = await until('late one sent', async () => {
        const c = (await e.v1('GET', `/campaigns/${sending}`)).body;
        return c.status === 'completed' && c;
      });
      expect(sent.counts.sent).toBe(2);
    } finally {
      await worker.close();
    }
  });
});
