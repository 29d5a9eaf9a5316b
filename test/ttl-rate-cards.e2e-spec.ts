// Issue 18, end to end against the sandbox: message TTL (templates' message_send_ttl_seconds, and
// recipients whose message is never delivered becoming `expired` once the TTL has passed on the
// engine's clock), and dated rate cards (a report whose deliveries straddle a price change).
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
import { http } from './support/apps';

const HOUR = 3_600_000;
const TTL = 43_200;

async function counts(e: Engine, id: string): Promise<Record<string, number>> {
  return (await e.v1('GET', `/campaigns/${id}`)).body.counts;
}

async function statusByPhone(e: Engine, id: string): Promise<Record<string, string>> {
  const res = await e.v1('GET', `/campaigns/${id}/messages?limit=100`);
  return Object.fromEntries(
    res.body.data.map((m: { phone: string; status: string }) => [m.phone, m.status]),
  );
}

/** A MARKETING template with a TTL, approved at the sandbox and synced into the engine. */
const ttlTemplate = (e: Engine, name: string, ttl: number) =>
  approvedTemplate(e, name, { message_send_ttl_seconds: ttl });

describe('message TTL and dated rate cards (sandbox, API, worker)', () => {
  let e: Engine;

  beforeAll(async () => {
    e = await startEngine();
  });

  afterAll(async () => {
    await e?.control('POST', '/clock', { system: true });
    await e?.close();
  });

  it('reads the TTL back from Meta, edits it there, and refuses one outside the range', async () => {
    const t = await ttlTemplate(e, 'ttl_edit', TTL);
    expect((await e.v1('GET', `/templates/${t.id}`)).body.messageSendTtlSeconds).toBe(TTL);

    const low = await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: 43_199 });
    expect(low.status).toBe(400);
    expect(JSON.stringify(low.body.details)).toContain('messageSendTtlSeconds');
    expect(
      (await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: 2_592_001 })).status,
    ).toBe(400);
    expect(
      (await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: 'soon' })).status,
    ).toBe(400);
    expect((await e.v1('PATCH', `/templates/${t.id}`, {})).status).toBe(400);

    const ok = await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: 86_400 });
    expect(ok.status).toBe(200);
    expect(ok.body.messageSendTtlSeconds).toBe(86_400);
    const node = await http(
      e.sandbox.url,
      'GET',
      `/v23.0/${t.metaId}?fields=message_send_ttl_seconds`,
      { headers: { authorization: 'Bearer sandbox-token' } },
    );
    expect(node.body.message_send_ttl_seconds).toBe(86_400);

    const cleared = await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: null });
    expect(cleared.body.messageSendTtlSeconds).toBeNull();

    // Meta's completed recategorisation clears it.
    await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: TTL });
    await e.control('POST', `/templates/${t.metaId}/category`, {
      category: 'UTILITY',
      phase: 'completed',
    });
    await until('recategorised', async () => {
      const r = await e.v1('GET', `/templates/${t.id}`);
      return r.body.category === 'UTILITY' && r.body.messageSendTtlSeconds === null;
    });

    const bad = await e.v1('POST', '/templates', {
      businessAccountId: e.accountId,
      name: 'ttl_too_short',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hello there, friend' }],
      messageSendTtlSeconds: 3_600,
    });
    expect(bad.status).toBe(400);
  });

  /** A message row once sent: its deadline is written with the answer. */
  type Sent = { phone: string; sentAt: string; expiresAt: string };

  it('marks never-delivered recipients expired after the TTL; delivered and late-delivered ones are not', async () => {
    const t = await ttlTemplate(e, 'ttl_offer', TTL);
    const [onTime, lost1, lost2, late] = phones(4, 951) as [string, string, string, string];
    await e.control('POST', '/recipients', { phones: [lost1, lost2, late], state: 'offline' });
    const audience = await audienceOf(e, optedIn([onTime, lost1, lost2, late]));
    const id = await createCampaign(e, t.id, audience);
    expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
    await until(
      'all sent, one delivered',
      async () => {
        const c = await counts(e, id);
        return c.sent === 4 && c.delivered === 1 && c;
      },
      20_000,
      () => counts(e, id),
    );
    // A status webhook may show `sent` before our own write of the answer (and its deadline).
    const msgs = await until('every deadline written', async () => {
      const list = (await e.v1('GET', `/campaigns/${id}/messages?limit=100`)).body.data as Sent[];
      return list.every((m) => m.expiresAt && m.sentAt) && list;
    });
    // The deadline counts from our acceptance (ms); sentAt may be Meta's status time (whole
    // seconds) when the status webhook beat the answer.
    for (const m of msgs) {
      const off = Date.parse(m.expiresAt) - Date.parse(m.sentAt) - TTL * 1000;
      expect(Math.abs(off)).toBeLessThan(1000);
    }
    // A later edit of the template does not move the deadline of what was sent.
    expect(
      (await e.v1('PATCH', `/templates/${t.id}`, { messageSendTtlSeconds: 2_592_000 })).status,
    ).toBe(200);

    // One phone comes back within the TTL: its message is delivered late.
    const back = await e.control('POST', '/recipients', { phones: [late], state: 'normal' });
    expect(back.delivered).toBe(1);
    await until('late delivery', async () => (await counts(e, id)).delivered === 2);
    expect((await counts(e, id)).expired).toBe(0);

    e.clock.advance(TTL * 1000 + HOUR);
    await until(
      'expired',
      async () => (await counts(e, id)).expired === 2,
      20_000,
      () => counts(e, id),
    );
    const after = await statusByPhone(e, id);
    expect(after[lost1]).toBe('expired');
    expect(after[lost2]).toBe('expired');
    expect(after[onTime]).toMatch(/^(delivered|read)$/);
    expect(after[late]).toMatch(/^(delivered|read)$/);
    const again = (await e.v1('GET', `/campaigns/${id}/messages?limit=100`)).body.data as Sent[];
    // The edit to 30 days moved no deadline: each is what it was when its request left.
    const deadline = (list: Sent[]) => Object.fromEntries(list.map((m) => [m.phone, m.expiresAt]));
    expect(deadline(again)).toEqual(deadline(msgs));
    expect(
      (await e.v1('GET', `/campaigns/${id}/messages?status=expired&limit=100`)).body.data
        .map((m: { phone: string }) => m.phone)
        .sort(),
    ).toEqual([lost1, lost2].sort());
    const report = (await e.v1('GET', `/campaigns/${id}/report`)).body;
    expect(report.funnel).toMatchObject({ sent: 4, expired: 2 });
    expect(report.funnel.delivered).toBe(2);
    // Expired is not retried: Meta dropped it at the TTL the marketer chose.
    expect((await e.v1('POST', `/campaigns/${id}/retry`, {})).body.requeued).toBe(0);

    // A real delivered that comes after all the same wins over our inference.
    await e.control('POST', '/recipients', { phones: [lost1], state: 'normal' });
    await until(
      'late delivered wins',
      async () => (await statusByPhone(e, id))[lost1] !== 'expired',
    );
    expect(await counts(e, id)).toMatchObject({ expired: 1, delivered: 3, sent: 4 });
  });

  describe('dated rate cards', () => {
    it('lists the defaults, adds rows (admins only), refuses bad input and duplicates', async () => {
      const list = await e.v1('GET', '/rate-cards?limit=1000');
      expect(list.status).toBe(200);
      expect(list.body.data).toContainEqual(
        expect.objectContaining({
          scope: 'default',
          callingCode: '55',
          category: 'marketing',
          currency: 'USD',
          price: 0.0625,
          effectiveFrom: '2025-07-01',
        }),
      );
      const good = {
        callingCode: '57',
        category: 'marketing',
        currency: 'USD',
        price: 0.02,
        effectiveFrom: '2031-01-01',
      };
      for (const bad of [
        { ...good, callingCode: '0' },
        { ...good, callingCode: '12345' },
        { ...good, category: 'promo' },
        { ...good, currency: 'usd' },
        { ...good, price: -1 },
        { ...good, price: 0.1234567 },
        { ...good, effectiveFrom: '2031-02-30' },
        { ...good, effectiveFrom: '0001-01-01' },
        { ...good, effectiveFrom: '2031-01-01T00:00:00Z' },
        { ...good, extra: 1 },
      ]) {
        const r = await e.v1('POST', '/rate-cards', bad);
        expect([r.status, bad]).toEqual([400, bad]);
      }
      const created = await e.v1('POST', '/rate-cards', good);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...good, scope: 'workspace' });
      expect((await e.v1('POST', '/rate-cards', good)).status).toBe(409);

      const marketer = (await e.v1('POST', '/api-keys', { name: 'pricing', role: 'marketer' }))
        .body;
      const asMarketer = await http(e.api.url, 'POST', '/v1/rate-cards', {
        key: marketer.secret,
        body: { ...good, effectiveFrom: '2031-02-01' },
      });
      expect(asMarketer.status).toBe(403);
      expect(
        (await http(e.api.url, 'GET', '/v1/rate-cards', { key: marketer.secret })).status,
      ).toBe(200);
    });

    it('pages the card like every list: by calling code, category and day, the default first', async () => {
      // A workspace row the same day as the default it replaces, and one of a code between others.
      for (const row of [
        { callingCode: '55', effectiveFrom: '2025-07-01', price: 0.06 },
        { callingCode: '56', effectiveFrom: '2032-01-01', price: 0.09 },
      ]) {
        const r = await e.v1('POST', '/rate-cards', {
          ...row,
          category: 'marketing',
          currency: 'USD',
        });
        expect(r.status).toBe(201);
      }
      const all = await e.v1('GET', '/rate-cards?limit=1000');
      expect(all.body.nextCursor).toBeNull();
      type Card = {
        id: string;
        scope: string;
        callingCode: string;
        category: string;
        effectiveFrom: string;
      };
      const whole = all.body.data as Card[];
      const key = (c: Card) => [
        c.callingCode,
        c.category,
        c.effectiveFrom,
        c.scope === 'workspace',
      ];
      const sorted = [...whole].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        for (let i = 0; i < x.length; i++) {
          if (x[i] !== y[i]) {
            return (x[i] as string | boolean) < (y[i] as string | boolean) ? -1 : 1;
          }
        }
        return 0;
      });
      expect(whole).toEqual(sorted);
      const at55 = whole.filter((c) => c.callingCode === '55' && c.effectiveFrom === '2025-07-01');
      expect(at55.map((c) => c.scope)).toEqual(['default', 'workspace']);

      const paged: Card[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const r = await e.v1('GET', `/rate-cards?limit=7${q}`);
        expect(r.status).toBe(200);
        expect(r.body.data.length).toBeLessThanOrEqual(7);
        paged.push(...(r.body.data as Card[]));
        cursor = r.body.nextCursor as string | null;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(paged).toEqual(whole);
      expect(pages).toBe(Math.ceil(whole.length / 7));
      // Without ?limit, the contract's default of 50.
      const first = await e.v1('GET', '/rate-cards');
      expect(first.body.data).toEqual(whole.slice(0, 50));
      expect(first.body.nextCursor === null).toBe(whole.length <= 50);

      for (const bad of ['?cursor=garbage', '?limit=0', '?limit=1001', '?limit=x']) {
        const r = await e.v1('GET', `/rate-cards${bad}`);
        expect([bad, r.status]).toEqual([bad, 400]);
      }
    });

    it('prices deliveries that straddle a price change partly at each; the plan prices at today', async () => {
      for (const [price, effectiveFrom] of [
        [0.05, '2031-01-01'],
        [0.08, '2031-04-01'],
      ] as const) {
        const r = await e.v1('POST', '/rate-cards', {
          callingCode: '55',
          category: 'marketing',
          currency: 'USD',
          price,
          effectiveFrom,
        });
        expect(r.status).toBe(201);
      }
      const template = await approvedTemplate(e, 'priced_promo');
      const [a, b, c] = phones(3, 952) as [string, string, string];
      const audience = await audienceOf(e, optedIn([a, b, c]));
      const id = await createCampaign(e, template.id, audience);

      // The plan prices at the card in force on the engine's today.
      e.clock.set(new Date('2031-03-15T12:00:00Z'));
      expect((await e.v1('GET', `/campaigns/${id}/plan`)).body.cost).toMatchObject({
        currency: 'USD',
        total: 0.15,
      });
      e.clock.set(new Date('2031-04-02T12:00:00Z'));
      expect((await e.v1('GET', `/campaigns/${id}/plan`)).body.cost.total).toBe(0.24);

      // Two delivered on 31 March (Meta's time), the third on 1 April.
      await e.control('POST', '/recipients', { phones: [c], state: 'offline' });
      await e.control('POST', '/clock', { set: '2031-03-31T12:00:00Z' });
      expect((await e.v1('POST', `/campaigns/${id}/launch`)).status).toBe(200);
      await until(
        'two delivered',
        async () => (await counts(e, id)).delivered === 2,
        20_000,
        () => counts(e, id),
      );
      await e.control('POST', '/clock', { set: '2031-04-01T12:00:00Z' });
      await e.control('POST', '/recipients', { phones: [c], state: 'normal' });
      await until('three delivered', async () => (await counts(e, id)).delivered === 3);
      const report = await until('priced', async () => {
        const r = (await e.v1('GET', `/campaigns/${id}/report`)).body;
        return r.spend.billableMessages === 3 && r;
      });
      expect(report.spend).toEqual({
        amounts: [{ currency: 'USD', amount: 0.18 }],
        billableMessages: 3,
        unpricedMessages: 0,
      });
    });
  });
});
