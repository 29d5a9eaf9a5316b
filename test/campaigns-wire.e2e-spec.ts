// Campaigns against a Graph endpoint that behaves like Meta's on the wire (issue 13): answers
// that take a while, answers that are lost after Meta accepted the message, opt-outs and pauses
// that must stop sends at once.
import {
  acceptedPerRecipient,
  approvedTemplate,
  audienceOf,
  createCampaign,
  optedIn,
  phones,
  startEngine,
  until,
  type Engine,
} from './support/engine';

describe('campaigns on a Meta-like wire', () => {
  let e: Engine;
  let templateId: string;

  beforeAll(async () => {
    e = await startEngine();
    templateId = (await approvedTemplate(e, 'promo_wire')).id;
  });

  afterAll(async () => {
    await e?.close();
  });

  afterEach(async () => {
    await e.control('PATCH', '/settings', {
      wire: { latencyMs: { p50: 0, p99: 0, max: 0 }, dropAnswer: 0, timeout: 0, serverError: 0 },
      delays: { sentMs: 1, deliveredMs: 5, readMs: 5 },
    });
  });

  /** Meta's `sent` status can come seconds after the send's answer. */
  const slowWebhooks = { delays: { sentMs: 3000, deliveredMs: 3500, readMs: 3500 } };

  async function launch(list: string[], mps: number): Promise<string> {
    const audience = await audienceOf(e, optedIn(list, 'Wi'));
    const id = await createCampaign(e, templateId, audience, { throughputMps: mps });
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    return id;
  }

  const completed = (id: string, ms = 60_000) =>
    until(
      'campaign completed',
      async () => {
        const c = (await e.v1('GET', `/campaigns/${id}`)).body;
        return c.status === 'completed' && c;
      },
      ms,
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts,
    );

  it('keeps the full rate when answers take 250 ms: every message goes out on its first slot', async () => {
    await e.control('PATCH', '/settings', {
      wire: {
        latencyMs: { p50: 250, p99: 250, max: 250 },
        dropAnswer: 0,
        timeout: 0,
        serverError: 0,
      },
    });
    const list = phones(160, 300);
    const before = (await e.control('GET', '/counters')).phoneNumbers['100000000000002'];
    const id = await launch(list, 40);
    const done = await completed(id);
    expect(done.counts).toMatchObject({ sent: 160, failed: 0, queued: 0, sending: 0 });
    const after = (await e.control('GET', '/counters')).phoneNumbers['100000000000002'];
    // One request per recipient: nothing was held back by an in-flight cap and sent again.
    expect(after.requests - before.requests).toBe(160);
    const msgs = (await e.v1('GET', `/campaigns/${id}/messages?limit=1000`)).body.data;
    expect(msgs.filter((m: any) => m.attempts !== 1)).toEqual([]);
  });

  it('never sends twice when Meta accepts a message and its answer is lost', async () => {
    await e.control('PATCH', '/settings', {
      wire: {
        latencyMs: { p50: 5, p99: 20, max: 40 },
        dropAnswer: 0.08,
        timeout: 0,
        serverError: 0,
      },
      ...slowWebhooks,
    });
    const list = phones(250, 301);
    const id = await launch(list, 80);
    const done = await completed(id);
    const counts = await acceptedPerRecipient(e, list);
    const wrong = Object.entries(counts.recipients).filter(([, n]) => n !== 1);
    expect(wrong).toEqual([]);
    expect(done.counts).toMatchObject({ sent: 250, failed: 0 });
    const msgs = (await e.v1('GET', `/campaigns/${id}/messages?limit=1000`)).body.data;
    expect(msgs.every((m: any) => typeof m.wamid === 'string')).toBe(true);
  });

  it('a message whose answers are lost again and again is settled by its webhook, never failed', async () => {
    await e.control('PATCH', '/settings', {
      wire: { latencyMs: { p50: 5, p99: 10, max: 20 }, dropAnswer: 1, timeout: 0, serverError: 0 },
      delays: { sentMs: 4000, deliveredMs: 4500, readMs: 4500 },
    });
    const list = phones(6, 302);
    const id = await launch(list, 10);
    const done = await completed(id);
    expect(done.counts).toMatchObject({ sent: 6, failed: 0 });
    const counts = await acceptedPerRecipient(e, list);
    expect(Object.values(counts.recipients)).toEqual([1, 1, 1, 1, 1, 1]);
    const msgs = (await e.v1('GET', `/campaigns/${id}/messages?limit=100`)).body.data;
    expect(msgs.map((m: any) => m.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('an opt-out stops sends at once: no request for the contact leaves after the answer', async () => {
    await e.control('PATCH', '/settings', {
      wire: {
        latencyMs: { p50: 150, p99: 800, max: 2000 },
        dropAnswer: 0,
        timeout: 0,
        serverError: 0,
      },
    });
    await e.control('PATCH', '/phone-numbers/100000000000002', { throughputMps: 250 });
    await e.v1('PATCH', `/phone-numbers/${e.phoneId}`, { throughputMps: 250 });
    const list = phones(1000, 303);
    const id = await launch(list, 200);
    await until(
      'sending under way',
      async () => (await e.v1('GET', `/campaigns/${id}`)).body.counts.sent >= 150,
    );
    // 200 contacts, picked among those the campaign has not reached yet, opt out in parallel.
    // Spread over what is still pending (lanes claim a batch ahead, so up to four half-second
    // batches may be claimed already).
    const pending = (await e.v1('GET', `/campaigns/${id}/messages?status=pending&limit=1000`)).body
      .data;
    const step = Math.max(1, Math.floor(pending.length / 200));
    const chosen = pending.filter((_: unknown, i: number) => i % step === 0).slice(0, 200);
    expect(chosen).toHaveLength(200);
    const answeredAt = new Map<string, number>();
    for (let i = 0; i < chosen.length; i += 20) {
      await Promise.all(
        chosen.slice(i, i + 20).map(async (m: any) => {
          const r = await e.v1('POST', '/consents', {
            contactId: m.contactId,
            status: 'opted_out',
            source: 'reply-stop',
          });
          expect(r.status).toBe(201);
          answeredAt.set(m.phone.slice(1), Date.now());
        }),
      );
    }
    await completed(id);
    const late: string[] = [];
    for (const [digits, at] of answeredAt) {
      const seen = (await e.control('GET', `/messages?to=${digits}`)).data;
      for (const m of seen) {
        if (Date.parse(m.acceptedAt) > at) {
          late.push(`${digits} +${Date.parse(m.acceptedAt) - at} ms`);
        }
      }
    }
    expect(late).toEqual([]);
  }, 120_000);
});
